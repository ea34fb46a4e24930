"""Domain queries: the questions the JSON API answers, as plain JSON-ready data.

The SPARQL lives in ``graph/sparql/*.rq``; this module fills in their ``$placeholders`` (only
with IRIs that :func:`iri_term` has checked, so user input can never change a query's
structure), runs them on any :class:`~graph.store.Store`, and shapes the rows into dicts.
Every list function returns a :class:`Page` (the requested slice and the total).

Labels come in German and English (``labels``) plus ``label`` in the requested language, with
a fallback to the other language, so a client always has something to show.

>>> from graph.store import open_store
>>> from graph.build import build
>>> store = open_store("memory"); _ = build(store)
>>> page = themes(store, "en")
>>> page.total
7
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from graph.vocab import ID_BASE, ZD, sparql_prologue
from graph import labels, sparql
from graph.store import Store

LANGS = ("de", "en")

SCHEME = ID_BASE + "scheme/"
THEMES_SCHEME = SCHEME + "themes"
POLICY_LEVELS_SCHEME = SCHEME + "policy-levels"
LEVEL_NOT_STATED = ID_BASE + "policy-level/nicht-angegeben"

#: The SKOS mapping properties followed (in both directions) from a field to a key theme.
_MAPPING = (
    "skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch|skos:relatedMatch"
    "|^skos:exactMatch|^skos:closeMatch|^skos:broadMatch|^skos:narrowMatch|^skos:relatedMatch"
)

#: Graph patterns on ?rec for the recommendation filters; ``$iri`` is a checked IRI term.
_FILTERS = {
    "theme": "{ ?rec dcterms:subject $iri } UNION { ?rec dcterms:subject ?f_theme . ?f_theme "
    + _MAPPING
    + " $iri }",
    "level": "?rec zd:addressesLevel $iri .",
    "actor": "?rec zd:proposedBy $iri .",
    # A source matches as the document itself, as the named graph holding the recommendation,
    # as the source record a document is the primary topic of, or by its web page URL.
    "source": (
        "{ ?rec dcterms:source|prov:wasDerivedFrom/oa:hasSource|prov:wasDerivedFrom/dcterms:source $iri }"
        " UNION { GRAPH $iri { ?rec a zd:Recommendation } }"
        " UNION { $iri foaf:primaryTopic ?f_doc . ?rec dcterms:source|prov:wasDerivedFrom/oa:hasSource ?f_doc }"
        " UNION { ?f_src foaf:page $iri . ?rec dcterms:source|prov:wasDerivedFrom/oa:hasSource"
        "|prov:wasDerivedFrom/dcterms:source ?f_src }"
    ),
}


class InvalidIRI(ValueError):
    """A value given as an IRI is not an absolute IRI."""


@dataclass(frozen=True)
class Page:
    """One slice of a list and the size of the whole list."""

    items: list[dict[str, Any]]
    total: int


# --- building blocks ---------------------------------------------------------------------------


def iri_term(value: str) -> str:
    """``value`` as a SPARQL IRI term ``<...>``, or :class:`InvalidIRI` if it is not an absolute IRI.

    >>> iri_term("https://w3id.org/zukunftsdialog/id/theme/kreislaufwirtschaft")
    '<https://w3id.org/zukunftsdialog/id/theme/kreislaufwirtschaft>'
    >>> iri_term("x> } DROP ALL {")
    Traceback (most recent call last):
    ...
    graph.domain.lists.InvalidIRI: not an absolute IRI: 'x> } DROP ALL {'
    """
    text = value.strip() if isinstance(value, str) else ""
    # Oxigraph checks IRI syntax; a scheme is required (relative references are not IRIs here).
    scheme, colon, _ = text.partition(":")
    if not colon or not scheme or not scheme[0].isalpha() or any(c in text for c in '<>"{}|^`\\ \t\n'):
        raise InvalidIRI(f"not an absolute IRI: {value!r}")
    try:
        return str(ox.NamedNode(text))
    except ValueError:
        raise InvalidIRI(f"not an absolute IRI: {value!r}") from None


@cache
def _template(name: str) -> Template:
    return Template(sparql_prologue() + sparql.text(f"lists/{name}.rq"))


def query_text(name: str, **params: str) -> str:
    """The text of ``graph/sparql/{name}.rq`` with its ``$placeholders`` filled in."""
    return _template(name).substitute(params)


def _values(iris: Iterable[str]) -> str:
    return " ".join(iri_term(i) for i in iris)


def _select(store: Store, name: str, **params: str) -> list[dict[str, Any]]:
    return store.select(query_text(name, **params))


def _s(term: Any) -> str | None:
    """A term as text (a literal's lexical form, so dates keep their recorded precision)."""
    return None if term is None else str(term)


def pick(by_lang: dict[str, str | None], lang: str) -> str | None:
    """The label in ``lang``, else in the other language (German first)."""
    if by_lang.get(lang):
        return by_lang[lang]
    return next((by_lang[other] for other in LANGS if by_lang.get(other)), None)


def labels_of(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str | None]]:
    """``{iri: {"de": ..., "en": ...}}`` for the given IRIs (None where no label exists), by
    the one label policy (:mod:`graph.labels`)."""
    wanted = sorted({i for i in iris if i})
    for i in wanted:
        iri_term(i)  # a bad IRI is refused, not skipped
    found = labels.fetch(store, wanted)
    return {i: labels.labels_by_language(found.get(i, [])) for i in wanted}


def _ref(iri: str | None, labels: dict[str, dict[str, str | None]], lang: str) -> dict[str, Any] | None:
    """``{"id", "label"}`` for a linked node."""
    if iri is None:
        return None
    return {"id": iri, "label": pick(labels.get(iri, {}), lang) or iri}


def _labelled(iri: str, labels: dict[str, dict[str, str | None]], lang: str) -> dict[str, Any]:
    own = labels.get(iri, {"de": None, "en": None})
    return {"id": iri, "label": pick(own, lang) or iri, "labels": {"de": own.get("de"), "en": own.get("en")}}


def _slice(items: list, limit: int, offset: int) -> list:
    return items[offset : offset + limit]


# --- organisations and persons -----------------------------------------------------------------


def as_of_date(value: str | datetime.date | None) -> str:
    """``value`` as an ISO day (``YYYY-MM-DD``), today if None; ValueError if it is no real day.

    >>> as_of_date("2025-06-01")
    '2025-06-01'
    >>> as_of_date("2025-02-30")
    Traceback (most recent call last):
    ...
    ValueError: as_of must be a day YYYY-MM-DD, not '2025-02-30'
    """
    if value is None:
        return datetime.date.today().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        if len(value) != 10:
            raise ValueError
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"as_of must be a day YYYY-MM-DD, not {value!r}") from None


def holdings(store: Store, as_of: str | datetime.date | None = None) -> list[dict[str, Any]]:
    """The post holdings of the day ``as_of`` (default today), each with ``start`` and ``end``
    as precise as the sources give them (None where no source says) and whether a date is
    inferred. The rule is in ``graph/sparql/holdings.rq``."""
    day = as_of_date(as_of)
    rows = _select(store, "holdings", as_of=f'"{day}"^^xsd:date')
    return [
        {"post": str(r["post"]), "org": str(r["org"]), "person": str(r["person"]), "role": _s(r["role"]),
         "start": _s(r["start"]), "end": _s(r["end"]),
         "start_inferred": _s(r["start_inferred"]) == "true", "end_inferred": _s(r["end_inferred"]) == "true"}
        for r in rows
    ]


def _dated(p: dict[str, Any]) -> dict[str, Any]:
    """The time fields of one holding, for the JSON answer."""
    return {"start": p["start"], "end": p["end"], "start_inferred": p["start_inferred"], "end_inferred": p["end_inferred"]}


def organisations(
    store: Store,
    lang: str = "de",
    *,
    type_: str | None = None,
    signatory: bool | None = None,
    as_of: str | datetime.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """Organisations with type, parent body and representatives (persons holding a post there
    on the day ``as_of``, default today, each with ``start`` and ``end``).

    ``type_`` keeps those classified so (an organisation-type IRI); ``signatory`` those on
    whose behalf a document was signed (True) or not (False).
    """
    day = as_of_date(as_of)
    if type_ is not None:
        iri_term(type_)
    rows = _select(store, "organisations")
    orgs = [
        {"id": str(r["org"]), "type": _s(r["type"]), "parent": _s(r["parent"]),
         "signatory": bool(r["signatory"] is not None and r["signatory"].toPython())}
        for r in rows
    ]
    if type_ is not None:
        orgs = [o for o in orgs if o["type"] == type_.strip()]
    if signatory is not None:
        orgs = [o for o in orgs if o["signatory"] is signatory]
    total = len(orgs)
    orgs = _slice(orgs, limit, offset)
    ids = [o["id"] for o in orgs]
    posts = [p for p in holdings(store, day) if p["org"] in set(ids)]
    labels = labels_of(store, ids + [o["type"] for o in orgs] + [p["person"] for p in posts] + [p["role"] for p in posts])
    alts: dict[str, list[str]] = defaultdict(list)
    if ids:
        for r in _select(store, "alt-labels", nodes=_values(ids)):
            alts[str(r["x"])].append(str(r["text"]))
    items = []
    for o in orgs:
        reps = [
            {"person": {"id": p["person"], "name": pick(labels.get(p["person"], {}), lang) or p["person"]},
             "role": _ref(p["role"], labels, lang), "post": p["post"], **_dated(p)}
            for p in posts if p["org"] == o["id"]
        ]
        items.append({
            **_labelled(o["id"], labels, lang),
            "alt_labels": alts.get(o["id"], []),
            "type": _ref(o["type"], labels, lang),
            "parent": o["parent"],
            "signatory": o["signatory"],
            "representatives": reps,
        })
    return Page(items, total)


def persons(store: Store, lang: str = "de", *, as_of: str | datetime.date | None = None,
            limit: int = 100, offset: int = 0) -> Page:
    """Persons with name, honorifics and the posts they hold on the day ``as_of`` (default
    today): organisation, role, ``start`` and ``end``."""
    day = as_of_date(as_of)
    rows = _select(store, "persons")
    total = len(rows)
    rows = _slice(rows, limit, offset)
    ids = {str(r["person"]) for r in rows}
    posts = [p for p in holdings(store, day) if p["person"] in ids]
    labels = labels_of(store, [p["org"] for p in posts] + [p["role"] for p in posts])
    items = []
    for r in rows:
        pid = str(r["person"])
        items.append({
            "id": pid,
            "name": _s(r["name"]) or pid,
            "honorific_prefix": _s(r["prefix"]),
            "honorific_suffix": _s(r["suffix"]),
            "posts": [
                {"organisation": _ref(p["org"], labels, lang), "role": _ref(p["role"], labels, lang),
                 "post": p["post"], **_dated(p)}
                for p in posts if p["person"] == pid
            ],
        })
    return Page(items, total)


# --- themes and policy levels ------------------------------------------------------------------


def _concepts(store: Store, scheme: str) -> list[str]:
    return [str(r["concept"]) for r in _select(store, "scheme-concepts", scheme=iri_term(scheme))]


def themes(store: Store, lang: str = "de", *, scheme: str = THEMES_SCHEME, limit: int = 100, offset: int = 0) -> Page:
    """The concepts of a theme scheme (default: the letter's seven key themes) with the number
    of recommendations linked to each, directly or through a SKOS-mapped field of another scheme."""
    concepts = _concepts(store, scheme)
    counts = {
        str(r["theme"]): (int(r["total"]), int(r["direct_total"]))
        for r in _select(store, "theme-counts", scheme=iri_term(scheme))
    }
    page = _slice(concepts, limit, offset)
    labels = labels_of(store, page)
    items = [
        {**_labelled(c, labels, lang), "scheme": scheme,
         "recommendation_count": counts.get(c, (0, 0))[0],
         "direct_recommendation_count": counts.get(c, (0, 0))[1]}
        for c in page
    ]
    return Page(items, len(concepts))


def policy_levels(store: Store, lang: str = "de", *, limit: int = 100, offset: int = 0) -> Page:
    """The policy levels (Land, Bund, EU, not stated) with the number of recommendations addressing each."""
    concepts = _concepts(store, POLICY_LEVELS_SCHEME)
    counts = {str(r["level"]): int(r["total"]) for r in _select(store, "level-counts", scheme=iri_term(POLICY_LEVELS_SCHEME))}
    page = _slice(concepts, limit, offset)
    labels = labels_of(store, page)
    items = [{**_labelled(c, labels, lang), "recommendation_count": counts.get(c, 0)} for c in page]
    return Page(items, len(concepts))


def completeness(store: Store, lang: str = "de") -> dict[str, list[dict[str, Any]]]:
    """What the graph lacks: key themes and policy levels (other than "not stated") without
    any recommendation."""
    all_themes = themes(store, lang, limit=10_000).items
    levels = policy_levels(store, lang, limit=10_000).items
    return {
        "themes_without_recommendations": [
            {"id": t["id"], "label": t["label"]} for t in all_themes if t["recommendation_count"] == 0
        ],
        "levels_without_recommendations": [
            {"id": lv["id"], "label": lv["label"]}
            for lv in levels if lv["recommendation_count"] == 0 and lv["id"] != LEVEL_NOT_STATED
        ],
    }


# --- provenance --------------------------------------------------------------------------------


def _provenance(store: Store, nodes: list[str], lang: str) -> dict[str, list[dict[str, Any]]]:
    """Per node: ``[{"document": {id,label,url}, "quote", "cited": {id,label,url} | None}]``."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not nodes:
        return out
    rows = _select(store, "provenance", nodes=_values(nodes))
    docs = {str(r["document"]) for r in rows} | {str(r["cited"]) for r in rows if r["cited"] is not None}
    labels = labels_of(store, docs)
    pages = _pages(store, docs)
    for r in rows:
        entry = {
            "document": _doc_ref(str(r["document"]), labels, pages, lang),
            "quote": _s(r["exact"]),
            "cited": _doc_ref(str(r["cited"]), labels, pages, lang) if r["cited"] is not None else None,
        }
        if entry not in out[str(r["x"])]:
            out[str(r["x"])].append(entry)
    return out


def _pages(store: Store, iris: Iterable[str]) -> dict[str, str]:
    wanted = sorted({i for i in iris if i})
    if not wanted:
        return {}
    return {str(r["x"]): str(r["page"]) for r in _select(store, "pages", nodes=_values(wanted))}


def _doc_ref(iri: str, labels: dict, pages: dict[str, str], lang: str) -> dict[str, Any]:
    return {**_ref(iri, labels, lang), "url": pages.get(iri)}


# --- recommendations ---------------------------------------------------------------------------

_REC_PROPS = {
    str(DCTERMS.subject): "themes",
    str(ZD.addressesLevel): "levels",
    str(ZD.proposedBy): "proposed_by",
    str(ZD.status): "status",
    str(DCTERMS.date): "date",
    str(DCTERMS.source): "source",
    str(ZD.quote): "quote",
    str(SKOS.prefLabel): "label",
}


def recommendation_filter(**filters: str | None) -> str:
    """The graph patterns for the given filters (``theme``, ``level``, ``actor``, ``source``)."""
    parts = []
    for name, value in filters.items():
        if value is None:
            continue
        if name not in _FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        parts.append(Template(_FILTERS[name]).substitute(iri=iri_term(value)))
    return "\n  ".join(parts)


def recommendations(
    store: Store,
    lang: str = "de",
    *,
    theme: str | None = None,
    level: str | None = None,
    actor: str | None = None,
    source: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """Recommendations, filtered by theme (directly or via SKOS mappings), policy level,
    proposer (``actor``) and source; each with text, themes, levels, proposers, status, date
    and sources (document + quote)."""
    where = recommendation_filter(theme=theme, level=level, actor=actor, source=source)
    ids = [str(r["rec"]) for r in _select(store, "recommendations", filters=where)]
    page = _slice(ids, limit, offset)
    return Page(describe_recommendations(store, page, lang), len(ids))


def describe_recommendations(store: Store, ids: list[str], lang: str = "de") -> list[dict[str, Any]]:
    """The API view of the given recommendations, in the given order."""
    if not ids:
        return []
    values: dict[str, dict[str, list[Any]]] = {i: defaultdict(list) for i in ids}
    rows = _select(store, "properties", nodes=_values(ids), properties=_values(_REC_PROPS))
    for r in rows:
        values[str(r["x"])][_REC_PROPS[str(r["p"])]].append(r["o"])
    linked = {str(o) for v in values.values() for k in ("themes", "levels", "proposed_by", "status", "source")
              for o in v.get(k, []) if isinstance(o, URIRef)}
    labels = labels_of(store, linked)
    pages = _pages(store, linked)
    provenance = _provenance(store, ids, lang)
    items = []
    for rec in ids:
        v = values[rec]
        text = _in_lang(v.get("quote", []), lang) or _in_lang(v.get("label", []), lang)
        label = _in_lang(v.get("label", []), lang) or text
        sources = list(provenance.get(rec, []))
        for src in sorted(str(s) for s in v.get("source", [])):
            if not any(s["document"]["id"] == src or (s["cited"] or {}).get("id") == src for s in sources):
                sources.append({"document": _doc_ref(src, labels, pages, lang), "quote": None, "cited": None})
        status = sorted(str(s) for s in v.get("status", []))
        dates = sorted(str(d) for d in v.get("date", []))
        items.append({
            "id": rec,
            "label": label,
            "text": text,
            "themes": [_ref(t, labels, lang) for t in sorted({str(t) for t in v.get("themes", [])})],
            "levels": [_ref(t, labels, lang) for t in sorted({str(t) for t in v.get("levels", [])})],
            "proposed_by": [_ref(t, labels, lang) for t in sorted({str(t) for t in v.get("proposed_by", [])})],
            "status": _ref(status[0], labels, lang) if status else None,
            "date": dates[0] if dates else None,
            "sources": sources,
        })
    return items


def _in_lang(literals: list[Any], lang: str) -> str | None:
    """The literal in ``lang``, else an untagged one, else any (deterministically)."""
    for want in (lang, None):
        hits = sorted(str(x) for x in literals if isinstance(x, Literal) and x.language == want)
        if hits:
            return hits[0]
    rest = sorted(str(x) for x in literals if isinstance(x, Literal))
    return rest[0] if rest else None


# --- documents and events ----------------------------------------------------------------------


def documents(store: Store, lang: str = "de", *, kind: str | None = None, limit: int = 100, offset: int = 0) -> Page:
    """Documents of the dialogue (``kind`` "document": the letter, the Leitbilder …) and the
    sources reporting on them (``kind`` "source": URL, publisher, date, reliability)."""
    rows = _select(store, "documents")
    if kind is not None:
        rows = [r for r in rows if str(r["kind"]) == kind]
    total = len(rows)
    rows = _slice(rows, limit, offset)
    ids = [str(r["x"]) for r in rows]
    links: dict[str, list[str]] = defaultdict(list)
    if ids:
        for r in _select(store, "document-sources", nodes=_values(ids)):
            links[str(r["x"])].append(str(r["source"]))
    linked = {s for v in links.values() for s in v}
    refs = [_s(r["type"]) for r in rows] + [_s(r["language"]) for r in rows] + [_s(r["reliability"]) for r in rows]
    labels = labels_of(store, ids + list(linked) + [x for x in refs if x])
    pages = _pages(store, linked)
    titles: dict[str, list[Any]] = defaultdict(list)
    if ids:
        for r in _select(store, "properties", nodes=_values(ids), properties=iri_term(str(DCTERMS.title))):
            titles[str(r["x"])].append(r["o"])
    items = []
    for r in rows:
        x = str(r["x"])
        own = labels.get(x, {})
        items.append({
            **_labelled(x, labels, lang),
            "kind": str(r["kind"]),
            "title": _in_lang(titles.get(x, []), lang) or pick(own, lang),
            "date": _s(r["date"]),
            "date_accepted": _s(r["date_accepted"]),
            "issued": _s(r["issued"]),
            "type": _ref(_s(r["type"]), labels, lang),
            "language": _s(r["language"]),
            "url": _s(r["url"]),
            "publisher": _s(r["publisher"]),
            "identifier": _s(r["identifier"]),
            "reliability": _ref(_s(r["reliability"]), labels, lang),
            "sources": [_doc_ref(s, labels, pages, lang) for s in links.get(x, [])],
        })
    return Page(items, total)


def events(store: Store, lang: str = "de", *, limit: int = 100, offset: int = 0) -> Page:
    """Events of the dialogue (meetings, the signing): date(s), number, place, topics,
    participants, description and sources (document + quote, and the cited web sources)."""
    rows = _select(store, "events")
    total = len(rows)
    rows = _slice(rows, limit, offset)
    ids = [str(r["event"]) for r in rows]
    links: dict[str, dict[str, list[Any]]] = {i: defaultdict(list) for i in ids}
    if ids:
        for r in _select(store, "event-links", nodes=_values(ids)):
            links[str(r["x"])][str(r["kind"])].append(r["o"])
    linked = {str(o) for v in links.values() for k in ("topic", "participant", "source", "part_of")
              for o in v.get(k, []) if isinstance(o, URIRef)}
    places = [_s(r["place"]) for r in rows if isinstance(r["place"], URIRef)]
    labels = labels_of(store, ids + list(linked) + places)
    pages = _pages(store, linked)
    provenance = _provenance(store, ids, lang)

    def refs(values: list[Any]) -> list[dict[str, Any]]:
        return [_ref(t, labels, lang) for t in sorted({str(t) for t in values if isinstance(t, URIRef)})]

    items = []
    for r in rows:
        e = str(r["event"])
        v = links[e]
        sources = list(provenance.get(e, []))
        for src in sorted({str(s) for s in v.get("source", []) if isinstance(s, URIRef)}):
            if not any(s["document"]["id"] == src or (s["cited"] or {}).get("id") == src for s in sources):
                sources.append({"document": _doc_ref(src, labels, pages, lang), "quote": None, "cited": None})
        part_of = sorted({str(p) for p in v.get("part_of", []) if isinstance(p, URIRef)})
        items.append({
            **_labelled(e, labels, lang),
            "kind": str(r["kind"]),
            "date": _s(r["date"]),
            "dates": sorted({str(d) for d in v.get("date", [])}),
            "reported_on": _s(r["reported_on"]),
            "number": _s(r["number"]),
            "place": _ref(_s(r["place"]), labels, lang) if isinstance(r["place"], URIRef) else None,
            "description": _in_lang(v.get("description", []), lang),
            "part_of": _ref(part_of[0], labels, lang) if part_of else None,
            "topics": refs(v.get("topic", [])),
            "participants": refs(v.get("participant", [])),
            "sources": sources,
        })
    return Page(items, total)


# --- checks for writes -------------------------------------------------------------------------


def theme_schemes(store: Store) -> list[str]:
    """The schemes a recommendation's theme may come from (key themes and mapped Handlungsfelder)."""
    return [str(r["scheme"]) for r in _select(store, "theme-schemes", themes=iri_term(THEMES_SCHEME))]


def concepts_in(store: Store, iris: list[str], schemes: list[str]) -> set[str]:
    """Those of ``iris`` that are concepts of one of ``schemes``."""
    if not iris or not schemes:
        return set()
    rows = _select(store, "concepts-in-schemes", nodes=_values(iris), schemes=_values(schemes))
    return {str(r["x"]) for r in rows}


def organisations_among(store: Store, iris: list[str]) -> set[str]:
    """Those of ``iris`` that are organisations."""
    if not iris:
        return set()
    return {str(r["x"]) for r in _select(store, "organisations-among", nodes=_values(iris))}


def scheme_concepts(store: Store, scheme: str) -> list[str]:
    """The IRIs of the concepts of one concept scheme."""
    return _concepts(store, scheme)


def organisation_iris(store: Store) -> list[str]:
    """The IRIs of every organisation."""
    return [str(r["org"]) for r in _select(store, "organisations")]


def is_recommendation(store: Store, iri: str) -> bool:
    """True if ``iri`` is a recommendation of the graph."""
    return bool(_select(store, "is-recommendation", rec=iri_term(iri)))


def recommendations_with_text(store: Store, text: str, source: str) -> list[str]:
    """The recommendations with this text (label or quote) and this ``dcterms:source``."""
    literal = str(ox.Literal(text))  # N-Triples escaping: the text cannot change the query
    return [str(r["rec"]) for r in _select(store, "recommendation-same-text", text=literal, source=iri_term(source))]


def graph_triples(store: Store, graph: str) -> list[dict[str, Any]]:
    """The triples of one named graph as rows (s, p, o as rdflib terms)."""
    return _select(store, "graph-triples", graph=iri_term(graph))
