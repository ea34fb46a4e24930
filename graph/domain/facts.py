"""The quads of what staff record: a meeting, a statement, a correction, each with its passage.

A submission is the values of a generated form (:mod:`graph.domain.forms`) plus a *passage*:
the source whose text was read (``text_source``, one with a Markdown text) and the quote
selected in it. :func:`locate` turns the selection into an ``oa:TextQuoteSelector`` and checks
that it stands exactly once in the source's text (the same rule the build and the reader use),
so a fact is saved only with a passage that is verbatim by construction.

The facts go into the named graph of the source they cite (one graph per source, as in
``data/``); the excerpt into the graph of the text it quotes, like the record's passages.
Values are checked against the form (a choice must be one of its choices, a date a date);
the shapes check the rest at the gate.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from string import Template
from typing import Any

import pyoxigraph as ox

from graph import resources, sparql
from graph.domain import forms as forms_mod
from graph.domain.passages import source_text, stored_texts
from graph.domain.sources import AnchorError, Selector, anchor_all, selector_text
from graph.store import Store, to_oxigraph
from graph.vocab import ID_BASE, SOURCE, ZD

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "http://schema.org/"
MAX_TEXT = 2000
CONTEXT = 32  # characters of prefix and suffix a selector keeps (more where needed to be unique)
#: What a correction may change: field -> (property, language or None for a date).
CORRECTABLE = {
    "prefLabel_de": (SKOS + "prefLabel", "de"),
    "prefLabel_en": (SKOS + "prefLabel", "en"),
    "date": (DCT + "date", None),
}


@dataclass
class Invalid(Exception):
    """Field errors ``{"field", "value", "message"}``; nothing was stored."""

    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(e["message"] for e in self.errors)


@dataclass(frozen=True)
class Passage:
    """The passage a submission rests on, as the client selected it."""

    text_source: str
    exact: str
    prefix: str = ""
    suffix: str = ""
    occurrence: int | None = None  # which occurrence of exact the selection was (0-based), if known


def text_sources(store: Store | None = None) -> list[str]:
    """The sources that have a text to select passages in: ``data/sources/*.md`` and, given a
    store, those whose text staff stored with them (``schema:text``, see :func:`build_source`)."""
    folder = resources.folder("data") / "sources"
    found = {f"{SOURCE}{p.stem}" for p in folder.glob("*.md")}
    if store is not None:
        found |= set(stored_texts(store))
    return sorted(found)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def locate(passage: Passage, store: Store | None = None) -> Selector:
    """The selector of the passage, checked to stand exactly once in its source's text.

    Tried in turn: ``prefix + exact + suffix`` as given; then the ``occurrence``-th place of
    ``exact`` with prefix and suffix taken from the text itself (as long as needed to be unique).

    >>> s = locate(Passage(SOURCE + "letter-of-intent-2023-01-20", "Zukunftsdialog", occurrence=0))
    >>> s.exact, len(s.prefix) <= 32
    ('Zukunftsdialog', True)
    """
    md = source_text(passage.text_source, store)
    if md is None:
        raise Invalid([{"field": "passage.text_source", "value": passage.text_source,
                        "message": "this source has no text to quote from"}])
    exact = _fold(passage.exact)
    if not exact:
        raise Invalid([{"field": "passage.exact", "value": passage.exact, "message": "select the passage in the source's text"}])
    if len(exact) > MAX_TEXT:
        raise Invalid([{"field": "passage.exact", "value": len(exact), "message": f"a passage is at most {MAX_TEXT} characters"}])
    text = selector_text(md)
    given = passage.prefix.replace("**", "") + exact + passage.suffix.replace("**", "")
    if text.count(given) == 1:
        at = text.index(given) + len(passage.prefix.replace("**", ""))
    else:
        places = [m.start() for m in re.finditer(re.escape(exact), text)]
        if not places:
            raise Invalid([{"field": "passage.exact", "value": exact,
                            "message": "the selected text does not stand verbatim in the source's text"}])
        k = passage.occurrence if passage.occurrence is not None else (0 if len(places) == 1 else None)
        if k is None or not 0 <= k < len(places):
            raise Invalid([{"field": "passage.occurrence", "value": passage.occurrence,
                            "message": f"the selected text stands {len(places)} times in the source; say which (occurrence)"}])
        at = places[k]
    # Prefix and suffix from the text itself, as long as needed for the selector to be unique.
    width = CONTEXT
    while True:
        sel = Selector("", exact, text[max(0, at - width):at], text[at + len(exact):at + len(exact) + width])
        if text.count(sel.prefix + exact + sel.suffix) == 1 or width > len(text):
            return _checked(md, sel)
        width *= 2


def _checked(md: str, sel: Selector) -> Selector:
    try:
        anchor_all(md, [Selector("urn:x-passage", sel.exact, sel.prefix, sel.suffix)])
    except AnchorError as exc:
        raise Invalid([{"field": "passage", "value": sel.exact, "message": exc.problems[0][1]}]) from None
    return sel


def slugify(text: str, limit: int = 48) -> str:
    """A readable IRI segment.

    >>> slugify("9. Treffen: Fachkräfte & Flächen")
    '9-treffen-fachkraefte-flaechen'
    """
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-") or "eintrag"


def _new_iri(kind: str, label: str) -> str:
    return f"{ID_BASE}{kind}/{slugify(label)}-{secrets.token_hex(3)}"


def _excerpt_quads(sel: Selector, passage: Passage, cited: str) -> tuple[ox.NamedNode, list[ox.Quad]]:
    ident = secrets.token_hex(8)
    excerpt = ox.NamedNode(f"{ID_BASE}excerpt/staff-{ident}")
    selector = ox.NamedNode(f"{ID_BASE}excerpt/staff-{ident}#selector")
    graph = ox.NamedNode(passage.text_source)
    n = ox.NamedNode
    triples = [
        (excerpt, RDF_TYPE, n(OA + "SpecificResource")),
        (excerpt, n(OA + "hasSource"), n(passage.text_source)),
        (excerpt, n(OA + "hasSelector"), selector),
        (selector, RDF_TYPE, n(OA + "TextQuoteSelector")),
        (selector, n(OA + "exact"), ox.Literal(sel.exact)),
    ]
    if cited != passage.text_source:
        triples.append((excerpt, n(DCT + "source"), n(cited)))
    if sel.prefix:
        triples.append((selector, n(OA + "prefix"), ox.Literal(sel.prefix)))
    if sel.suffix:
        triples.append((selector, n(OA + "suffix"), ox.Literal(sel.suffix)))
    return excerpt, [ox.Quad(s, p, o, graph) for s, p, o in triples]


#: Required fields the gate checks itself (their absence breaks no quad the builder makes), so
#: the staff member sees the shape's own message, in German and English.
GATE_CHECKS = {"recommendation": {"subject", "addressesLevel", "proposedBy", "status"}}


def _values(fields: list[forms_mod.Field], submitted: dict[str, Any], gate: set[str] = frozenset()) -> tuple[dict[str, list[Any]], list[dict]]:
    """Submitted values as RDF terms, checked against the form (choices, dates, patterns, required)."""
    terms: dict[str, list[Any]] = {}
    errors: list[dict] = []
    for f in fields:
        raw = submitted.get(f.name)
        items = [raw] if isinstance(raw, str) else list(raw or [])
        items = [str(v).strip() for v in items if str(v).strip()]
        if len(items) > 1 and not f.many:
            errors.append({"field": f.name, "value": items, "message": "only one value"})
            continue
        if f.required and not items and f.name not in gate:
            errors.append({"field": f.name, "value": None, "message": f.message.get("en") or "required"})
            continue
        out: list[Any] = []
        allowed = {c.value for c in f.choices}
        for v in items:
            if len(v) > MAX_TEXT:
                errors.append({"field": f.name, "value": len(v), "message": f"at most {MAX_TEXT} characters"})
            elif f.choices:
                if v not in allowed:
                    errors.append({"field": f.name, "value": v, "message": "not one of the choices"})
                else:
                    out.append(ox.NamedNode(v))
            elif f.widget == "partial-date":
                term = partial_date(v)
                if term is None:
                    errors.append({"field": f.name, "value": v, "message": "a date is YYYY, YYYY-MM or YYYY-MM-DD"})
                else:
                    out.append(term)
            elif f.widget == "date":
                try:
                    out.append(ox.Literal(date.fromisoformat(v).isoformat(), datatype=ox.NamedNode(XSD + "date")))
                except ValueError:
                    errors.append({"field": f.name, "value": v, "message": "a date is YYYY-MM-DD"})
            elif f.lang:
                out.append(ox.Literal(v, language=f.lang))
            else:
                out.append(ox.Literal(v))
        terms[f.name] = out
    return terms, errors


@dataclass(frozen=True)
class Built:
    """The quads of a submission and the node it is about."""

    node: str
    added: list[ox.Quad]
    removed: list[ox.Quad] = field(default_factory=list)
    #: For a change of office: the holdings it ends, ``{"person", "post", "end"}``.
    ends: list[dict[str, str]] = field(default_factory=list)


def partial_date(text: str) -> ox.Literal | None:
    """A date as precise as the source gives it: xsd:gYear, xsd:gYearMonth or xsd:date.

    >>> partial_date("2025").datatype.value.rsplit("#", 1)[-1], partial_date("2025-13"), partial_date("2025-02-28").value
    ('gYear', None, '2025-02-28')
    """
    if re.fullmatch(r"[0-9]{4}", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear"))
    if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYearMonth"))
    try:
        return ox.Literal(date.fromisoformat(text).isoformat(), datatype=ox.NamedNode(XSD + "date"))
    except ValueError:
        return None


def build_fact(store: Store, kind: str, submitted: dict[str, Any], passage: Passage) -> Built:
    """The quads of a new meeting, statement, recommendation or change of office
    (:class:`Invalid` if a field is wrong)."""
    fields = forms_mod.form(store, kind)
    terms, errors = _values(fields, submitted, GATE_CHECKS.get(kind, set()))
    if kind == "office":
        errors += _office_errors(terms)
    if passage.text_source not in text_sources(store):
        errors.append({"field": "passage.text_source", "value": passage.text_source, "message": "not a source with a text"})
    try:
        sel = locate(passage, store) if not errors else None
    except Invalid as exc:
        errors += exc.errors
    if errors:
        raise Invalid(errors)
    cited = terms["source"][0].value
    if kind == "office":
        return _office(store, terms, sel, passage, cited)
    if kind == "recommendation":
        return _recommendation(fields, terms, sel, passage, cited)
    if kind == "meeting":
        node = ox.NamedNode(_new_iri("event", terms["prefLabel_de"][0].value))
        types = [ox.NamedNode(str(ZD.Meeting))]
    else:
        who = terms.get("wasAttributedTo") or []
        node = ox.NamedNode(_new_iri("statement", (forms_mod.label_of(store, who[0].value, "de") + " " if who else "")
                                     + sel.exact[:40]))
        types = [ox.NamedNode(str(ZD.Statement)), ox.NamedNode(PROV + "Entity")]
    graph = ox.NamedNode(cited)
    excerpt, excerpt_quads = _excerpt_quads(sel, passage, cited)
    triples: list[tuple[Any, Any, Any]] = [(node, RDF_TYPE, t) for t in types]
    by_name = {f.name: f for f in fields}
    for name, values in terms.items():
        for v in values:
            triples.append((node, ox.NamedNode(by_name[name].path), v))
            if name == "isPartOf":  # the data states the series both ways (dcterms and schema.org)
                triples.append((node, ox.NamedNode(SCHEMA + "superEvent"), v))
    if kind == "statement":
        # The quote is the passage: verbatim by construction. Labels name who said it.
        triples.append((node, ox.NamedNode(str(ZD.quote)), ox.Literal(sel.exact, language="de")))
        who = terms.get("wasAttributedTo") or []
        name = forms_mod.label_of(store, who[0].value, "de") if who else "Pressetext"
        short = sel.exact if len(sel.exact) <= 80 else sel.exact[:79].rsplit(" ", 1)[0] + " …"
        triples.append((node, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(f"{name}: {short}", language="de")))
        triples.append((node, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(f"{name}: {short}", language="en")))
        if not who and submitted.get("editorialNote"):
            triples.append((node, ox.NamedNode(SKOS + "editorialNote"),
                            ox.Literal(str(submitted["editorialNote"])[:MAX_TEXT], language="de")))
    triples.append((node, ox.NamedNode(PROV + "wasDerivedFrom"), excerpt))
    return Built(node.value, [ox.Quad(s, p, o, graph) for s, p, o in triples] + excerpt_quads)


def build_correction(store: Store, subject: str, what: str, value: str, cited: str, passage: Passage) -> Built:
    """A correction of a label or a date: the old values go, the new one comes with its passage."""
    errors: list[dict] = []
    if what not in CORRECTABLE:
        errors.append({"field": "what", "value": what, "message": f"one of {', '.join(CORRECTABLE)}"})
    if not subject.startswith(ID_BASE) or not store.ask(f"ASK {{ GRAPH ?g {{ {ox.NamedNode(subject)} ?p ?o }} }}"
                                                        if _iri_ok(subject) else "ASK { FILTER(false) }"):
        errors.append({"field": "subject", "value": subject, "message": "not a node of the graph"})
    sources = {c.value for c in forms_mod.choices_for(store, node=forms_mod.ZDS + "SourceWithReliability")}
    if cited not in sources:
        errors.append({"field": "source", "value": cited, "message": "not a catalogued source"})
    value = value.strip()
    if not value or len(value) > MAX_TEXT:
        errors.append({"field": "value", "value": len(value), "message": f"1 to {MAX_TEXT} characters"})
    if errors:
        raise Invalid(errors)
    prop, lang = CORRECTABLE[what]
    if lang is None:
        try:
            new = ox.Literal(date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        except ValueError:
            raise Invalid([{"field": "value", "value": value, "message": "a date is YYYY-MM-DD"}]) from None
    else:
        new = ox.Literal(value, language=lang)
    sel = locate(passage, store)
    query = Template(sparql.text("changes/values.rq")).substitute(
        subject=str(ox.NamedNode(subject)), property=str(ox.NamedNode(prop)))
    removed = []
    for r in store.select(query):
        old = to_oxigraph(r["o"])
        if lang is not None and getattr(old, "language", None) != lang:
            continue
        removed.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(prop), old, ox.NamedNode(str(r["g"]))))
    excerpt, excerpt_quads = _excerpt_quads(sel, passage, cited)
    graph = ox.NamedNode(cited)
    s = ox.NamedNode(subject)
    added = [ox.Quad(s, ox.NamedNode(prop), new, graph), ox.Quad(s, ox.NamedNode(PROV + "wasDerivedFrom"), excerpt, graph)]
    return Built(subject, added + excerpt_quads, [q for q in removed if q not in added])


def _iri_ok(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return not re.search(r"[\s<>\"{}|\\^`]", iri)


# --- a recommendation -------------------------------------------------------------------------

def _recommendation(fields: list[forms_mod.Field], terms: dict[str, list[Any]], sel: Selector, passage: Passage,
                    cited: str) -> Built:
    """A recommendation (Handlungsempfehlung) as the data has them: its quote is the passage,
    its German label the given one or else the quote, themes, levels, proposers, status, date."""
    label_de = terms.get("prefLabel_de") or [ox.Literal(sel.exact if len(sel.exact) <= 200 else sel.exact[:199] + "…",
                                                        language="de")]
    node = ox.NamedNode(_new_iri("recommendation", label_de[0].value))
    excerpt, excerpt_quads = _excerpt_quads(sel, passage, cited)
    n = ox.NamedNode
    triples: list[tuple[Any, Any, Any]] = [
        (node, RDF_TYPE, n(str(ZD.Recommendation))), (node, RDF_TYPE, n(PROV + "Entity")),
        (node, n(SKOS + "prefLabel"), label_de[0]),
        (node, n(str(ZD.quote)), ox.Literal(sel.exact, language="de")),
    ]
    by_name = {f.name: f for f in fields}
    for name, values in terms.items():
        if name == "prefLabel_de":
            continue
        triples += [(node, n(by_name[name].path), v) for v in values]
    triples.append((node, n(PROV + "wasDerivedFrom"), excerpt))
    graph = n(cited)
    return Built(node.value, [ox.Quad(s, p, o, graph) for s, p, o in triples] + excerpt_quads)


# --- a change of office -----------------------------------------------------------------------

ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
TIME = "http://www.w3.org/2006/time#"


def _office_errors(terms: dict[str, list[Any]]) -> list[dict]:
    member, new = terms.get("member") or [], terms.get("new_person") or []
    if bool(member) == bool(new):
        return [{"field": "member", "value": None,
                 "message": "choose the new holder among the persons or give a new person's name (one of the two)"}]
    return []


def predecessors(store: Store, org: str, role: str, day: str, holder: str | None) -> list[dict[str, Any]]:
    """The holdings of ``role`` in ``org`` on ``day`` by someone other than ``holder``: the
    posts whose holding the change of office ends (the rule of :func:`lists.holdings`)."""
    from graph.domain import lists

    return [h for h in lists.holdings(store, day)
            if h["org"] == org and h["role"] == role and h["person"] != holder]


def _name_parts(name: str) -> tuple[str, str] | None:
    # Given and family name only where the split is plain (two or more words, no title or
    # abbreviation): otherwise the shapes' warning says they are missing, nothing is guessed.
    words = name.split()
    if len(words) < 2 or any(w.endswith(".") for w in words):
        return None
    return " ".join(words[:-1]), words[-1]


def _office(store: Store, terms: dict[str, list[Any]], sel: Selector, passage: Passage, cited: str) -> Built:
    """The quads of a change of office, modelled as data/addendum-2026-12.trig does (O1, O2):
    the new holder's post, membership and interval beginning on the start; for each current
    holder of the role in the organisation (the predecessor), a membership of their post whose
    interval ends on that day (the existing statements stay as they were); ``zd:succeeds``
    links the new membership to the post it follows."""
    n = ox.NamedNode
    org, role = terms["organization"][0], terms["role"][0]
    start = terms["start"][0]
    day = start.value
    precision = {"date": "inXSDDate", "gYearMonth": "inXSDgYearMonth", "gYear": "inXSDgYear"}[
        start.datatype.value.rsplit("#", 1)[-1]]
    excerpt, excerpt_quads = _excerpt_quads(sel, passage, cited)
    triples: list[tuple[Any, Any, Any]] = []
    if terms.get("member"):
        person = terms["member"][0]
        name = forms_mod.label_of(store, person.value, "de")
    else:
        name = terms["new_person"][0].value
        person = n(_new_iri("person", name))
        triples += [(person, RDF_TYPE, n(FOAF + "Person")), (person, RDF_TYPE, n(PROV + "Agent")),
                    (person, n(FOAF + "name"), ox.Literal(name))]
        parts = _name_parts(name)
        if parts:
            triples += [(person, n(FOAF + "givenName"), ox.Literal(parts[0])), (person, n(FOAF + "familyName"), ox.Literal(parts[1]))]
        triples.append((person, n(PROV + "wasDerivedFrom"), excerpt))
    org_de, org_en = forms_mod.label_of(store, org.value, "de"), forms_mod.label_of(store, org.value, "en")
    role_de, role_en = forms_mod.label_of(store, role.value, "de"), forms_mod.label_of(store, role.value, "en")
    key = f"{slugify(org_de, 24)}-{slugify(role_de, 16)}-{slugify(name, 24)}"
    ident = secrets.token_hex(3)
    post = n(f"{ID_BASE}post/{key}-{ident}")
    membership = n(f"{ID_BASE}membership/{key}-{ident}")
    interval = n(f"{ID_BASE}interval/{key}-{ident}")
    instant = n(f"{ID_BASE}instant/{day}")
    triples = [
        (membership, RDF_TYPE, n(ORG + "Membership")), (membership, n(ORG + "member"), person),
        (membership, n(ORG + "organization"), org), (membership, n(ORG + "role"), role),
        (membership, n(str(ZD.attests)), post), (membership, n(ORG + "memberDuring"), interval),
        (membership, n(DCT + "source"), n(cited)), (membership, n(PROV + "wasDerivedFrom"), excerpt),
        (post, RDF_TYPE, n(ORG + "Post")),
        (post, n(SKOS + "prefLabel"), ox.Literal(f"{role_de} – {org_de} ({name}, ab {day})", language="de")),
        (post, n(SKOS + "prefLabel"), ox.Literal(f"{role_en} – {org_en} ({name}, from {day})", language="en")),
        (post, n(ORG + "postIn"), org), (post, n(ORG + "role"), role), (post, n(ORG + "heldBy"), person),
        (post, n(PROV + "wasDerivedFrom"), excerpt),
        (person, n(ORG + "holds"), post), (person, n(ORG + "memberOf"), org),
        (interval, RDF_TYPE, n(TIME + "Interval")),
        (interval, n(SKOS + "prefLabel"), ox.Literal(f"Amtszeit: {name}, {role_de} – {org_de}", language="de")),
        (interval, n(SKOS + "prefLabel"), ox.Literal(f"Term: {name}, {role_en} – {org_en}", language="en")),
        (interval, n(TIME + "hasBeginning"), instant), (interval, n(PROV + "wasDerivedFrom"), excerpt),
        (instant, RDF_TYPE, n(TIME + "Instant")), (instant, n(TIME + precision), start),
    ] + triples
    first_day = day + ("-01-01" if len(day) == 4 else "-01" if len(day) == 7 else "")
    ends = []
    for h in predecessors(store, org.value, role.value, first_day, person.value):
        ends.append({"person": h["person"], "post": h["post"], "end": day})
        old_post, old_person = n(h["post"]), n(h["person"])
        old_name = forms_mod.label_of(store, h["person"], "de")
        end_key = f"{slugify(old_name, 24)}-{slugify(org_de, 24)}-bis-{day}-{ident}"
        ended, ended_during = n(f"{ID_BASE}membership/{end_key}"), n(f"{ID_BASE}interval/{end_key}")
        triples += [
            (membership, n(str(ZD.succeeds)), old_post),
            (ended, RDF_TYPE, n(ORG + "Membership")), (ended, n(ORG + "member"), old_person),
            (ended, n(ORG + "organization"), org), (ended, n(ORG + "role"), role),
            (ended, n(str(ZD.attests)), old_post), (ended, n(ORG + "memberDuring"), ended_during),
            (ended, n(DCT + "source"), n(cited)), (ended, n(PROV + "wasDerivedFrom"), excerpt),
            (ended_during, RDF_TYPE, n(TIME + "Interval")),
            (ended_during, n(SKOS + "prefLabel"), ox.Literal(f"Amtszeit: {old_name}, {role_de} – {org_de} (Ende {day})", language="de")),
            (ended_during, n(SKOS + "prefLabel"), ox.Literal(f"Term: {old_name}, {role_en} – {org_en} (ending {day})", language="en")),
            (ended_during, n(TIME + "hasEnd"), instant), (ended_during, n(PROV + "wasDerivedFrom"), excerpt),
        ]
    graph = n(cited)
    return Built(membership.value, [ox.Quad(s, p, o, graph) for s, p, o in triples] + excerpt_quads, ends=ends)


# --- a new source -----------------------------------------------------------------------------

SCHEMA_TEXT = SCHEMA + "text"
MAX_SOURCE_TEXT = 200_000
#: Raw HTML in a source text would be passed through by the Markdown renderer: refused, so a
#: text staff paste stays text (a source text is Markdown, as data/sources/*.md are).
_RAW_HTML = re.compile(r"<[A-Za-z/!?]|\]\(\s*(javascript|data|vbscript):", re.IGNORECASE)


def _web_url(text: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text)) and _iri_ok(text)


def build_source(store: Store, submitted: dict[str, Any]) -> Built:
    """A new source with its text: a catalogued ``dcterms:BibliographicResource`` (labels, title,
    publisher, web page, date, reliability) in a named graph of its own, its Markdown text as
    ``schema:text`` there. The reader shows it and passages can be selected in it for later facts;
    the source is its own evidence (no passage)."""
    fields = forms_mod.form(store, "source")
    raw = {k: v for k, v in submitted.items() if k != "text"}
    terms, errors = _values([f for f in fields if f.name != "text"], raw)
    page = terms.get("page") or []
    if page and not _web_url(page[0].value):
        errors.append({"field": "page", "value": page[0].value, "message": "a web address (http:// or https://)"})
    text = str(submitted.get("text") or "").replace("\r\n", "\n").strip()
    if not text:
        errors.append({"field": "text", "value": None, "message": "paste or upload the source's text (Markdown)"})
    elif len(text) > MAX_SOURCE_TEXT:
        errors.append({"field": "text", "value": len(text), "message": f"a text is at most {MAX_SOURCE_TEXT} characters"})
    elif _RAW_HTML.search(text):
        errors.append({"field": "text", "value": _RAW_HTML.search(text).group(0),
                       "message": "raw HTML or script links are not allowed in a source text; write Markdown"})
    if errors:
        raise Invalid(errors)
    n = ox.NamedNode
    label_de = terms["prefLabel_de"][0]
    source = n(f"{SOURCE}{slugify(label_de.value)}-{secrets.token_hex(3)}")
    publisher = n(source.value + "#publisher")
    triples: list[tuple[Any, Any, Any]] = [
        (source, RDF_TYPE, n(DCT + "BibliographicResource")), (source, RDF_TYPE, n(PROV + "Entity")),
        (source, n(DCT + "title"), label_de),
        (source, n(SCHEMA_TEXT), ox.Literal(text)),
    ]
    by_name = {f.name: f for f in fields}
    for name, values in terms.items():
        if name == "publisher":
            # A named node (not a blank one, as data/ has): a revert must find it again exactly.
            triples += [(source, n(DCT + "publisher"), publisher), (publisher, RDF_TYPE, n(FOAF + "Agent")),
                        (publisher, n(FOAF + "name"), values[0])] if values else []
            continue
        if name == "page":  # zds:Source-page: an IRI
            values = [n(v.value) for v in values]
        triples += [(source, n(by_name[name].path), v) for v in values]
    return Built(source.value, [ox.Quad(s, p, o, source) for s, p, o in triples])
