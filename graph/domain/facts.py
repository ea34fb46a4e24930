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
from graph.domain.passages import source_text
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


def text_sources() -> list[str]:
    """The sources that have a text to select passages in (``data/sources/*.md``)."""
    folder = resources.folder("data") / "sources"
    return sorted(f"{SOURCE}{p.stem}" for p in folder.glob("*.md"))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def locate(passage: Passage) -> Selector:
    """The selector of the passage, checked to stand exactly once in its source's text.

    Tried in turn: ``prefix + exact + suffix`` as given; then the ``occurrence``-th place of
    ``exact`` with prefix and suffix taken from the text itself (as long as needed to be unique).

    >>> s = locate(Passage(SOURCE + "letter-of-intent-2023-01-20", "Zukunftsdialog", occurrence=0))
    >>> s.exact, len(s.prefix) <= 32
    ('Zukunftsdialog', True)
    """
    md = source_text(passage.text_source)
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


def _values(fields: list[forms_mod.Field], submitted: dict[str, Any]) -> tuple[dict[str, list[Any]], list[dict]]:
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
        if f.required and not items:
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


def build_fact(store: Store, kind: str, submitted: dict[str, Any], passage: Passage) -> Built:
    """The quads of a new meeting or statement (:class:`Invalid` if a field is wrong)."""
    fields = forms_mod.form(store, kind)
    terms, errors = _values(fields, submitted)
    if passage.text_source not in text_sources():
        errors.append({"field": "passage.text_source", "value": passage.text_source, "message": "not a source with a text"})
    try:
        sel = locate(passage) if not errors else None
    except Invalid as exc:
        errors += exc.errors
    if errors:
        raise Invalid(errors)
    cited = terms["source"][0].value
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
    sel = locate(passage)
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
