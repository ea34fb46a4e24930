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
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "http://schema.org/"
TIME = "http://www.w3.org/2006/time#"
ID = ID_BASE
LANGS = ("de", "en")
#: A date as precise as the source gives it: a day, a month or a year.
PARTIAL_DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

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
    #: Paths whose rules come from another node shape (a form about several nodes, e.g. the
    #: change of office: a membership, the post's role, the new person's name, the instant).
    shapes: dict[str, str] = field(default_factory=dict)
    #: Field names other than the path's local name (e.g. ``time:inXSDDate`` -> ``start``).
    names: dict[str, str] = field(default_factory=dict)
    #: Where the shape only says "an IRI": the class (``cls``) or node shape (``node``) whose
    #: nodes are the choices, as the shape's message names them.
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    nodes: dict[str, str] = field(default_factory=dict)
    #: Required by the shape but optional in the form because the form offers an alternative
    #: (an existing person or a new one's name); the form's builder checks that one is given.
    optional: tuple[str, ...] = ()
    #: Required by the form though the shape only warns (the form needs it to build the facts).
    required: tuple[str, ...] = ()
    #: Dates a source may give as a day, a month or a year (the shape's sh:or of three datatypes).
    partial_dates: tuple[str, ...] = ()
    #: Long text (a textarea), e.g. a source's Markdown text.
    textareas: tuple[str, ...] = ()
    #: Free text although the graph has values for the path (a new publisher's name).
    no_choices: tuple[str, ...] = ()
    #: The form's own labels for paths (German, English), where the generic one would mislead.
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    "meeting": Kind("meeting", ZDS + "Meeting", {"de": "Treffen erfassen", "en": "Record a meeting"},
                    (SKOS + "prefLabel@de", SKOS + "prefLabel@en", DCT + "date", ZD + "reportedOn", SKOS + "notation",
                     DCT + "isPartOf", DCT + "subject", PROV + "wasAssociatedWith", DCT + "source"),
                    extra=(PROV + "atLocation",), single=(DCT + "isPartOf", DCT + "source", PROV + "atLocation"),
                    # zds:Meeting-topic: "Schlüsselthemen oder Handlungsfelder"
                    narrow={DCT + "subject": {ID + "theme/": ("Schlüsselthema des Letter of Intent", "key theme of the letter"),
                                              ID + "handlungsfeld-2025/": ("Handlungsfeld 2025", "field of action 2025"),
                                              ID + "handlungsfeld-2019/": ("Handlungsfeld 2019", "field of action 2019")}}),
    "recommendation": Kind(
        "recommendation", ZDS + "Recommendation", {"de": "Handlungsempfehlung erfassen", "en": "Record a recommendation"},
        (SKOS + "prefLabel@de", SKOS + "prefLabel@en", DCT + "subject", ZD + "addressesLevel", ZD + "proposedBy",
         ZD + "status", DCT + "date", DCT + "source"),
        single=(DCT + "source", ZD + "status"),
        # zds:Recommendation-proposer: "mindestens einen Urheber" – the organisations of the graph
        # and the dialogue itself (the 2025 Leitbild's measures are the partners' joint work).
        classes={ZD + "proposedBy": (ORG + "Organization", ORG + "OrganizationalCollaboration")},
        # The excerpt must cite a catalogued source (one with a reliability), as every fact's.
        nodes={DCT + "source": ZDS + "SourceWithReliability"},
        partial_dates=(DCT + "date",),
        labels={ZD + "proposedBy": ("Vorgeschlagen von", "Proposed by"),
                ZD + "addressesLevel": ("Politikebene", "Policy level"), ZD + "status": ("Status", "Status")},
        narrow={DCT + "subject": {ID + "theme/": ("Schlüsselthema des Letter of Intent", "key theme of the letter"),
                                  ID + "handlungsfeld-2025/": ("Handlungsfeld 2025", "field of action 2025"),
                                  ID + "handlungsfeld-2019/": ("Handlungsfeld 2019", "field of action 2019")}}),
    "office": Kind(
        "office", ZDS + "Membership", {"de": "Amtswechsel erfassen", "en": "Record a change of office"},
        (ORG + "organization", ORG + "role", ORG + "member", FOAF + "name", TIME + "inXSDDate", DCT + "source"),
        single=(ORG + "organization", ORG + "role", ORG + "member", DCT + "source"),
        # The post's role must be an org:Role (zds:Post-role); the new person's name follows
        # zds:Person-name; the start is a time:Instant's date (zds:Instant-date).
        shapes={ORG + "role": ZDS + "Post", FOAF + "name": ZDS + "Person", TIME + "inXSDDate": ZDS + "Instant"},
        names={ORG + "member": "member", FOAF + "name": "new_person", TIME + "inXSDDate": "start"},
        classes={ORG + "organization": (ORG + "Organization",), ORG + "member": (FOAF + "Person",)},
        nodes={DCT + "source": ZDS + "SourceWithReliability"},
        optional=(ORG + "member", FOAF + "name"), required=(TIME + "inXSDDate", DCT + "source"),
        # As precise as the source: a day (time:inXSDDate), a month or a year (shapes/time.ttl).
        partial_dates=(TIME + "inXSDDate",),
        labels={ORG + "organization": ("Organisation", "Organisation"), ORG + "role": ("Rolle (Amt)", "Role (office)"),
                ORG + "member": ("Neue Amtsinhaberin / neuer Amtsinhaber (vorhandene Person)", "New holder (existing person)"),
                FOAF + "name": ("… oder eine neue Person: vollständiger Name", "… or a new person: full name"),
                TIME + "inXSDDate": ("Beginn der Amtszeit", "Start of the term")}),
    "source": Kind(
        "source", ZDS + "Source", {"de": "Neue Quelle erfassen", "en": "Record a new source"},
        (SKOS + "prefLabel@de", SKOS + "prefLabel@en", FOAF + "page", DCT + "date", ZD + "reliability"),
        extra=(DCT + "publisher", SCHEMA + "text"), single=(FOAF + "page", DCT + "publisher", ZD + "reliability"),
        names={SCHEMA + "text": "text"},
        required=(FOAF + "page", DCT + "publisher", SCHEMA + "text"), partial_dates=(DCT + "date",),
        textareas=(SCHEMA + "text",), no_choices=(DCT + "publisher",),
        labels={FOAF + "page": ("Web-Adresse (URL)", "Web address (URL)"), DCT + "publisher": ("Herausgeber", "Publisher"),
                DCT + "date": ("Datum der Quelle", "Date of the source"), ZD + "reliability": ("Verlässlichkeit", "Reliability"),
                SCHEMA + "text": ("Text der Quelle (Markdown: einfügen oder Datei hochladen)",
                                  "Text of the source (Markdown: paste or upload a file)")}),
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
    if node:
        # A value shape such as zds:StatusValue: ``sh:property [ sh:path P ; sh:hasValue V ]``.
        found = store.select(Template(sparql.text("changes/node-values.rq")).substitute(
            shapes=str(ox.NamedNode(str(SHAPES_GRAPH))), node=str(ox.NamedNode(node))))
        if found:
            patterns = " UNION ".join(f"{{ ?item {ox.NamedNode(str(r['p']))} {r['v'].n3()} . }}" for r in found)
            return _choices(store, patterns, lang)
    if values_of:
        return _choices(store, f"?s {ox.NamedNode(values_of)} ?item .", lang)
    return []


def form(store: Store, kind: str, lang: str = "de") -> list[Field]:
    """The fields of form ``kind`` (see :data:`KINDS`) in ``lang`` order of choices."""
    spec = KINDS[kind]
    rows = [(spec.shape, r) for r in _rows(store, spec.shape)]
    for shape in dict.fromkeys(spec.shapes.values()):
        rows += [(shape, r) for r in _rows(store, shape)]
    by_key: dict[str, dict] = {}
    for shape, r in rows:
        path = str(r["path"])
        if spec.shapes.get(path, spec.shape) != shape:
            continue  # this path's rules come from another shape of the form
        key = path + (f"@{r['lang']}" if r.get("lang") is not None else "")
        entry = by_key.setdefault(key, {"path": path, "lang": str(r["lang"]) if r.get("lang") is not None else None,
                                        "in": [], "message": {}, "ps": str(r["ps"])})
        for name in ("min", "max", "datatype", "class", "node", "pattern", "qmin", "severity"):
            if r.get(name) is not None:
                entry[name] = str(r[name])
        # Required if one of the path's property shapes asks for a value as a Violation (another
        # may only inform, e.g. zds:Recommendation-date-present).
        asks = int(str(r.get("min") or 0)) > 0 or int(str(r.get("qmin") or 0)) > 0
        if asks and _local(str(r.get("severity") or "Violation")) == "Violation":
            entry["must"] = True
        if r.get("message") is not None:
            entry["message"][getattr(r["message"], "language", None) or "de"] = str(r["message"])
        if r.get("in") is not None and str(r["in"]) not in entry["in"]:
            entry["in"].append(str(r["in"]))
    labels = _property_labels(store, [k.split("@")[0] for k in spec.paths + spec.extra])
    fields: list[Field] = []
    for key in spec.paths + spec.extra:
        path, _, fixed_lang = key.partition("@")
        entry = by_key.get(key) or by_key.get(path) or {"path": path, "lang": None, "in": [], "message": {}, "ps": None}
        # The form's own wording where it has one (clearer for a form), else the ontology's label.
        label = dict(zip(LANGS, (_local(path), _local(path))))
        label.update({k: v for k, v in labels.get(path, {}).items() if k in LANGS})
        if path in _LABELS:
            label = dict(zip(LANGS, _LABELS[path]))
        if path in spec.labels:
            label = dict(zip(LANGS, spec.labels[path]))
        if fixed_lang:
            label = {k: f"{v} ({'deutsch' if fixed_lang == 'de' else 'englisch'})" if k == "de"
                     else f"{v} ({'German' if fixed_lang == 'de' else 'English'})" for k, v in label.items()}
        severity = _local(entry.get("severity", "Violation"))
        required = (bool(entry.get("must")) and path not in spec.optional) or path in spec.required
        many = "max" not in entry and not fixed_lang and path not in spec.single
        datatype = entry.get("datatype")
        if entry["in"]:
            choices = sorted((Choice(v, label_of(store, v, lang)) for v in entry["in"]), key=lambda c: c.label.casefold())
        else:
            choices = choices_for(store, cls=entry.get("class"), node=entry.get("node") or spec.nodes.get(path), lang=lang)
            if not choices and path in spec.classes:
                merged = {c.value: c for cls in spec.classes[path] for c in choices_for(store, cls=cls, lang=lang)}
                choices = sorted(merged.values(), key=lambda c: c.label.casefold())
        if not choices and (key in spec.extra or path == DCT + "isPartOf") and path not in spec.no_choices + spec.textareas:
            choices = choices_for(store, values_of=path, lang=lang)
        if path in spec.narrow:
            kept = []
            for c in choices:
                scheme = next((names for prefix, names in spec.narrow[path].items() if c.value.startswith(prefix)), None)
                if scheme:
                    kept.append(Choice(c.value, f"{c.label} ({scheme[0 if lang == 'de' else 1]})"))
            choices = kept
        pattern = entry.get("pattern")
        if choices:
            widget = "multiselect" if many else "select"
        elif path in spec.textareas:
            widget = "textarea"
        elif path in spec.partial_dates:
            widget, pattern = "partial-date", PARTIAL_DATE
        elif datatype == XSD + "date":
            widget = "date"
        else:
            widget = "text"
        name = spec.names.get(path) or field_name(path, fixed_lang or None)
        fields.append(Field(name, path, label, widget, required, many and bool(choices),
                            fixed_lang or None, datatype, pattern, choices, entry["message"], severity,
                            entry.get("ps")))
    return fields


def label_of(store: Store, iri: str, lang: str) -> str:
    """A node's label in ``lang`` (or any), else its last segment."""
    found = _choices(store, f"VALUES ?item {{ {ox.NamedNode(iri)} }}", lang)
    return found[0].label if found else _local(iri)
