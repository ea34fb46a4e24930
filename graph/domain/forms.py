"""Form descriptions generated from the SHACL shapes: fields, their choices, their rules.

A form kind names the node shape it is made from (``zds:Meeting``, ``zds:StatementQuote``)
and which of the shape's paths it shows, in order. Everything else comes from the shapes graph
of the store: whether a field is required (``sh:minCount``, ``sh:qualifiedMinCount``), how many
values it takes (``sh:maxCount``), its widget (``sh:datatype xsd:date`` a date, ``sh:class`` /
``sh:node`` / ``sh:in`` a choice among the nodes of the graph that fit), its pattern, its
language (``sh:languageIn``) and the message the shape gives, in German and English. The
labels of the fields are the properties' ``rdfs:label`` in the ontology where it has one.

The form is a help for people; what decides is the gate (:mod:`graph.shacl.validation`),
which checks the change as it would be stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from string import Template

import pyoxigraph as ox

from graph import sparql
from graph.store import Store
from graph.vocab import ID_BASE, SHAPES_GRAPH

ZDS = "https://w3id.org/zukunftsdialog/shapes#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
ZD = "https://w3id.org/zukunftsdialog/ontology#"
ID = ID_BASE
LANGS = ("de", "en")

#: Labels of outside vocabulary the ontology does not label (German, English).
_LABELS: dict[str, tuple[str, str]] = {
    SKOS + "prefLabel": ("Bezeichnung", "Label"),
    SKOS + "notation": ("Nummer", "Number"),
    DCT + "date": ("Datum", "Date"),
    DCT + "isPartOf": ("Teil von", "Part of"),
    DCT + "subject": ("Themen", "Topics"),
    DCT + "source": ("Quelle (zitiert)", "Source (cited)"),
    PROV + "wasAssociatedWith": ("Teilnehmende", "Participants"),
    PROV + "atLocation": ("Ort", "Place"),
    PROV + "wasAttributedTo": ("Wer (zugeschrieben)", "Who (attributed to)"),
    PROV + "wasGeneratedBy": ("Bei welchem Treffen", "At which meeting"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Field:
    """One field of a generated form."""

    name: str
    path: str
    label: dict[str, str]
    widget: str  # "text" | "textarea" | "date" | "select" | "multiselect"
    required: bool = False
    many: bool = False
    lang: str | None = None
    datatype: str | None = None
    pattern: str | None = None
    choices: list[Choice] = field(default_factory=list)
    message: dict[str, str] = field(default_factory=dict)
    severity: str = "Violation"
    from_shape: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Kind:
    """A form kind: the node shape it is generated from, the paths it shows, extra fields."""

    name: str
    shape: str
    title: dict[str, str]
    paths: tuple[str, ...]  # "path" or "path@lang"
    extra: tuple[str, ...] = ()  # paths the shape does not constrain but the form asks for
    #: Paths the shape allows several values for, but the form asks one (one passage, one source).
    single: tuple[str, ...] = ()
    #: Narrower choices than the shape's class where the shape's message says which (IRI prefixes).
    #: Each allowed IRI prefix names its scheme (German, English), shown after the label.
    narrow: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    "meeting": Kind("meeting", ZDS + "Meeting", {"de": "Treffen erfassen", "en": "Record a meeting"},
                    (SKOS + "prefLabel@de", SKOS + "prefLabel@en", DCT + "date", ZD + "reportedOn", SKOS + "notation",
                     DCT + "isPartOf", DCT + "subject", PROV + "wasAssociatedWith", DCT + "source"),
                    extra=(PROV + "atLocation",), single=(DCT + "isPartOf", DCT + "source", PROV + "atLocation"),
                    # zds:Meeting-topic: "Schlüsselthemen oder Handlungsfelder"
                    narrow={DCT + "subject": {ID + "theme/": ("Schlüsselthema des Letter of Intent", "key theme of the letter"),
                                              ID + "handlungsfeld-2025/": ("Handlungsfeld 2025", "field of action 2025"),
                                              ID + "handlungsfeld-2019/": ("Handlungsfeld 2019", "field of action 2019")}}),
    "statement": Kind("statement", ZDS + "StatementQuote", {"de": "Aussage erfassen", "en": "Record a statement"},
                      (PROV + "wasAttributedTo", PROV + "wasGeneratedBy", ZD + "addressesLevel", DCT + "source"),
                      single=(PROV + "wasAttributedTo", PROV + "wasGeneratedBy", DCT + "source")),
}


def field_name(path: str, lang: str | None = None) -> str:
    """The form field's name: the path's local name, with the language if one is fixed.

    >>> field_name("http://www.w3.org/2004/02/skos/core#prefLabel", "de")
    'prefLabel_de'
    """
    local = path.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return f"{local}_{lang}" if lang else local


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _rows(store: Store, shape: str) -> list[dict]:
    text = Template(sparql.text("changes/shape-fields.rq")).substitute(
        shapes=str(ox.NamedNode(str(SHAPES_GRAPH))), shape=str(ox.NamedNode(shape)))
    return store.select(text)


def _property_labels(store: Store, paths: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    if not paths:
        return found
    values = " ".join(str(ox.NamedNode(p)) for p in paths)
    for r in store.select(Template(sparql.text("changes/labels.rq")).substitute(properties=values)):
        lab = r["label"]
        found.setdefault(str(r["p"]), {})[getattr(lab, "language", None) or "de"] = str(lab)
    return found


def _choices(store: Store, pattern: str, lang: str) -> list[Choice]:
    best: dict[str, tuple[int, str]] = {}
    for r in store.select(Template(sparql.text("changes/with-property.rq")).substitute(pattern=pattern)):
        item, lab = str(r["item"]), r.get("label")
        rank = 0 if lab is not None and getattr(lab, "language", None) == lang else (1 if lab is not None else 2)
        text = str(lab) if lab is not None else _local(item)
        if item not in best or rank < best[item][0]:
            best[item] = (rank, text)
    return sorted((Choice(i, t) for i, (_, t) in best.items()), key=lambda c: c.label.casefold())


def choices_for(store: Store, *, cls: str | None = None, node: str | None = None, values_of: str | None = None,
                lang: str = "de") -> list[Choice]:
    """The nodes of the graph a field may point to: instances of ``cls``; for ``node``
    (zds:SourceWithReliability) the sources with a reliability; for ``values_of`` the values
    the graph already uses for that property (e.g. places)."""
    if cls:
        return _choices(store, f"?item a {ox.NamedNode(cls)} .", lang)
    if node == ZDS + "SourceWithReliability":
        return _choices(store, f"?item {ox.NamedNode(ZD + 'reliability')} ?r .", lang)
    if values_of:
        return _choices(store, f"?s {ox.NamedNode(values_of)} ?item .", lang)
    return []


def form(store: Store, kind: str, lang: str = "de") -> list[Field]:
    """The fields of form ``kind`` (see :data:`KINDS`) in ``lang`` order of choices."""
    spec = KINDS[kind]
    rows = _rows(store, spec.shape)
    by_key: dict[str, dict] = {}
    for r in rows:
        path = str(r["path"])
        key = path + (f"@{r['lang']}" if r.get("lang") is not None else "")
        entry = by_key.setdefault(key, {"path": path, "lang": str(r["lang"]) if r.get("lang") is not None else None,
                                        "in": [], "message": {}, "ps": str(r["ps"])})
        for name in ("min", "max", "datatype", "class", "node", "pattern", "qmin", "severity"):
            if r.get(name) is not None:
                entry[name] = str(r[name])
        if r.get("message") is not None:
            entry["message"][getattr(r["message"], "language", None) or "de"] = str(r["message"])
        if r.get("in") is not None and str(r["in"]) not in entry["in"]:
            entry["in"].append(str(r["in"]))
    labels = _property_labels(store, [k.split("@")[0] for k in spec.paths + spec.extra])
    fields: list[Field] = []
    for key in spec.paths + spec.extra:
        path, _, fixed_lang = key.partition("@")
        entry = by_key.get(key, {"path": path, "lang": None, "in": [], "message": {}, "ps": None})
        # The form's own wording where it has one (clearer for a form), else the ontology's label.
        label = dict(zip(LANGS, (_local(path), _local(path))))
        label.update({k: v for k, v in labels.get(path, {}).items() if k in LANGS})
        if path in _LABELS:
            label = dict(zip(LANGS, _LABELS[path]))
        if fixed_lang:
            label = {k: f"{v} ({'deutsch' if fixed_lang == 'de' else 'englisch'})" if k == "de"
                     else f"{v} ({'German' if fixed_lang == 'de' else 'English'})" for k, v in label.items()}
        severity = _local(entry.get("severity", "Violation"))
        required = severity == "Violation" and (int(entry.get("min", "0")) > 0 or int(entry.get("qmin", "0")) > 0)
        many = "max" not in entry and not fixed_lang and path not in spec.single
        datatype = entry.get("datatype")
        if entry["in"]:
            choices = sorted((Choice(v, label_of(store, v, lang)) for v in entry["in"]), key=lambda c: c.label.casefold())
        else:
            choices = choices_for(store, cls=entry.get("class"), node=entry.get("node"), lang=lang)
        if not choices and (key in spec.extra or path == DCT + "isPartOf"):
            choices = choices_for(store, values_of=path, lang=lang)
        if path in spec.narrow:
            kept = []
            for c in choices:
                scheme = next((names for prefix, names in spec.narrow[path].items() if c.value.startswith(prefix)), None)
                if scheme:
                    kept.append(Choice(c.value, f"{c.label} ({scheme[0 if lang == 'de' else 1]})"))
            choices = kept
        if choices:
            widget = "multiselect" if many else "select"
        elif datatype == XSD + "date":
            widget = "date"
        else:
            widget = "text"
        fields.append(Field(field_name(path, fixed_lang or None), path, label, widget, required, many and bool(choices),
                            fixed_lang or None, datatype, entry.get("pattern"), choices, entry["message"], severity,
                            entry.get("ps")))
    return fields


def label_of(store: Store, iri: str, lang: str) -> str:
    """A node's label in ``lang`` (or any), else its last segment."""
    found = _choices(store, f"VALUES ?item {{ {ox.NamedNode(iri)} }}", lang)
    return found[0].label if found else _local(iri)
