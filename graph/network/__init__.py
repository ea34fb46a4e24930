"""networkx projections of the knowledge graph, with per-node metrics.

The RDF graph is read with one SPARQL query (``network.rq``); its answer is turned into a
``networkx.Graph`` whose nodes are the things staff look at (organisations, persons, themes,
policy levels, recommendations, documents, events, commitments, goal, statements) and whose
edges say how they relate (``holds-post``, ``signed``, ``member-of``, ``unit-of``,
``addresses-theme`` …). Views derive smaller networks from that full one:

* ``full``: everything;
* ``actor-theme``: bipartite, actors (organisations, persons, the dialogue) to themes, an edge
  when a document, recommendation, event or statement links both;
* ``organisations``: organisations linked by co-signature / co-membership / shared events;
* ``themes``: themes linked when they occur together (and by SKOS mappings).

Built projections are cached keyed on the query's answer, so any write through the API or
SPARQL Update is seen at once, and an unchanged store never rebuilds the networkx graph.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from string import Template
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph import labels, sparql
from graph.store import Store
from graph.vocab import ID_BASE, PREFIXES

# Namespaces as plain strings (the facts are compared as text): graph.vocab's, not typed again.
RDF, RDFS, SKOS, ORG, FOAF, PROV, DCT, TIME, OA, SCHEMA, ZD = (
    PREFIXES[p] for p in ("rdf", "rdfs", "skos", "org", "foaf", "prov", "dcterms", "time", "oa", "schema", "zd"))
SCHEME = ID_BASE + "scheme/"

VIEWS = ("full", "actor-theme", "organisations", "themes")
MAX_DEPTH = 6
LANGS = ("de", "en")

#: Node types with their labels (legend, filters); the order is the legend's.
NODE_TYPES: dict[str, dict[str, str]] = {
    "organisation": {"de": "Organisation", "en": "Organisation"},
    "person": {"de": "Person", "en": "Person"},
    "collaboration": {"de": "Dialog", "en": "Dialogue"},
    "theme": {"de": "Thema / Handlungsfeld", "en": "Theme / field of action"},
    "aim": {"de": "Anliegen", "en": "Aim"},
    "level": {"de": "Politikebene", "en": "Policy level"},
    "recommendation": {"de": "Handlungsempfehlung", "en": "Recommendation"},
    "document": {"de": "Dokument", "en": "Document"},
    "event": {"de": "Sitzung / Ereignis", "en": "Meeting / event"},
    "statement": {"de": "Aussage", "en": "Statement"},
    "commitment": {"de": "Vereinbarung", "en": "Commitment"},
    "goal": {"de": "Ziel", "en": "Goal"},
}

#: Edge types with their wording read from the edge's source (the "from" end): "Anja Weber
#: unterzeichnete Letter of Intent". The same for both ends only where the relation is symmetric.
EDGE_TYPES: dict[str, dict[str, str]] = {
    "holds-post": {"de": "hat Funktion in", "en": "holds a post in"},
    "member-of": {"de": "Mitglied von", "en": "member of"},
    "signed": {"de": "unterzeichnete", "en": "signed"},
    "signed-for": {"de": "Unterzeichnerorganisation von", "en": "signatory organisation of"},
    "unit-of": {"de": "Untergliederung von", "en": "unit of"},
    "addresses-theme": {"de": "behandelt Thema", "en": "addresses theme"},
    "discussed-at": {"de": "besprochen bei", "en": "discussed at"},
    "addresses-level": {"de": "richtet sich an Ebene", "en": "addresses level"},
    "proposed-by": {"de": "vorgeschlagen von", "en": "proposed by"},
    "derived-from": {"de": "stammt aus", "en": "taken from"},
    "participated": {"de": "nahm teil an", "en": "took part in"},
    "said-by": {"de": "geäußert von", "en": "said by"},
    "focus": {"de": "hat Schwerpunkt", "en": "focuses on"},
    "aim": {"de": "verfolgt Anliegen", "en": "pursues aim"},
    "goal": {"de": "verfolgt Ziel", "en": "pursues goal"},
    "commitment": {"de": "vereinbart", "en": "agrees on"},
    "references": {"de": "verweist auf", "en": "refers to"},
    "revises": {"de": "überarbeitet", "en": "revises"},
    "part-of": {"de": "Teil von", "en": "part of"},
    "maps-to": {"de": "entspricht", "en": "corresponds to"},
    "related": {"de": "verwandt mit", "en": "related to"},
    "changed-into": {"de": "überging in", "en": "became"},
    "co-occurs": {"de": "gemeinsam mit", "en": "occurs with"},
    "co-signed": {"de": "gemeinsam unterzeichnet / beteiligt", "en": "co-signed / co-member"},
    "actor-theme": {"de": "befasst mit", "en": "concerned with"},
}

#: The same relations read from the other end (the edge's target): "Letter of Intent
#: unterzeichnet von Anja Weber", "Anja Weber äußerte …".
EDGE_INVERSE: dict[str, dict[str, str]] = {
    "holds-post": {"de": "Funktionsträger/in", "en": "post held by"},
    "member-of": {"de": "hat Mitglied", "en": "has member"},
    "signed": {"de": "unterzeichnet von", "en": "signed by"},
    "signed-for": {"de": "unterzeichnet für", "en": "signed on behalf of"},
    "unit-of": {"de": "hat Untergliederung", "en": "has unit"},
    "addresses-theme": {"de": "Thema von", "en": "theme of"},
    "discussed-at": {"de": "besprach", "en": "discussed"},
    "addresses-level": {"de": "angesprochen von", "en": "addressed by"},
    "proposed-by": {"de": "schlug vor", "en": "proposed"},
    "derived-from": {"de": "Quelle von", "en": "source of"},
    "participated": {"de": "mit Teilnahme von", "en": "attended by"},
    "said-by": {"de": "äußerte", "en": "said"},
    "focus": {"de": "Schwerpunkt von", "en": "focus of"},
    "aim": {"de": "Anliegen von", "en": "aim of"},
    "goal": {"de": "Ziel von", "en": "goal of"},
    "commitment": {"de": "vereinbart in", "en": "agreed in"},
    "references": {"de": "erwähnt in", "en": "referred to by"},
    "revises": {"de": "überarbeitet durch", "en": "revised by"},
    "part-of": {"de": "umfasst", "en": "includes"},
    "maps-to": {"de": "entspricht", "en": "corresponds to"},
    "related": {"de": "verwandt mit", "en": "related to"},
    "changed-into": {"de": "hervorgegangen aus", "en": "formed from"},
    "co-occurs": {"de": "gemeinsam mit", "en": "occurs with"},
    "co-signed": {"de": "gemeinsam unterzeichnet / beteiligt", "en": "co-signed / co-member"},
    "actor-theme": {"de": "Anliegen von", "en": "concern of"},
}

_CLASS_TYPES: dict[str, str] = {
    ORG + "Organization": "organisation",
    ORG + "FormalOrganization": "organisation",
    ORG + "OrganizationalUnit": "organisation",
    FOAF + "Organization": "organisation",
    ORG + "OrganizationalCollaboration": "collaboration",
    FOAF + "Person": "person",
    ZD + "Recommendation": "recommendation",
    FOAF + "Document": "document",
    ZD + "Commitment": "commitment",
    ZD + "Goal": "goal",
    ZD + "Statement": "statement",
    ZD + "Meeting": "event",
    ZD + "Event": "event",
    SCHEMA + "Event": "event",
    ORG + "ChangeEvent": "event",
    ZD + "Handlungsfeld": "theme",
}
#: A more specific type wins when a node has several (a collaboration is also an organisation).
_TYPE_RANK = ["collaboration", "statement", "recommendation", "commitment", "goal", "event",
              "document", "person", "organisation", "theme"]
#: Concept schemes whose concepts are attributes of nodes, not nodes.
_ATTRIBUTE_SCHEMES = {SCHEME + s for s in ("organisation-types", "roles", "status", "reliability")}
_LEVEL_SCHEME = SCHEME + "policy-levels"
_AIM_SCHEME = SCHEME + "aims"

#: Predicates that link two nodes directly: predicate -> (edge type, reversed?).
_EDGE_PREDICATES: dict[str, tuple[str, bool]] = {
    ZD + "signatory": ("signed", True),
    ZD + "signedFor": ("signed-for", True),
    ORG + "hasMember": ("member-of", True),
    ORG + "memberOf": ("member-of", False),
    ORG + "unitOf": ("unit-of", False),
    ORG + "hasUnit": ("unit-of", True),
    ZD + "keyTheme": ("addresses-theme", False),
    DCT + "subject": ("addresses-theme", False),
    SCHEMA + "about": ("addresses-theme", False),
    ZD + "focus": ("focus", False),
    ZD + "aim": ("aim", False),
    ZD + "goal": ("goal", False),
    ORG + "purpose": ("goal", False),
    ZD + "commitment": ("commitment", False),
    ZD + "addressesLevel": ("addresses-level", False),
    ZD + "proposedBy": ("proposed-by", False),
    DCT + "source": ("derived-from", False),
    DCT + "references": ("references", False),
    DCT + "relation": ("references", False),
    DCT + "isPartOf": ("part-of", False),
    DCT + "hasPart": ("part-of", True),
    SCHEMA + "superEvent": ("part-of", False),
    SCHEMA + "subEvent": ("part-of", True),
    DCT + "isVersionOf": ("revises", False),
    DCT + "replaces": ("revises", False),
    DCT + "isReplacedBy": ("revises", True),
    PROV + "wasRevisionOf": ("revises", False),
    PROV + "wasGeneratedBy": ("discussed-at", False),
    PROV + "wasAttributedTo": ("said-by", False),
    SCHEMA + "author": ("said-by", False),
    DCT + "creator": ("said-by", False),
    PROV + "wasAssociatedWith": ("participated", True),
    SCHEMA + "attendee": ("participated", True),
    SCHEMA + "participant": ("participated", True),
    SKOS + "exactMatch": ("maps-to", False),
    SKOS + "closeMatch": ("maps-to", False),
    SKOS + "broadMatch": ("maps-to", False),
    SKOS + "narrowMatch": ("maps-to", False),
    SKOS + "relatedMatch": ("maps-to", False),
    SKOS + "related": ("related", False),
    ORG + "resultingOrganization": ("changed-into", False),
}
_START_PREDICATES = (DCT + "date", SCHEMA + "startDate", PROV + "startedAtTime", PROV + "atTime",
                     DCT + "issued", DCT + "created", SCHEMA + "foundingDate", ZD + "reportedOn")
_END_PREDICATES = (SCHEMA + "endDate", PROV + "endedAtTime", PROV + "invalidatedAtTime", SCHEMA + "dissolutionDate")
_TEXT_PREDICATES = (ZD + "quote", SCHEMA + "text", RDF + "value", DCT + "description")

_EDITORIAL_QUERY = sparql.text("network-editorial.rq")


@dataclass(frozen=True)
class Lit:
    """A literal as the projection needs it."""

    value: str
    lang: str = ""


@dataclass
class Facts:
    """The query's answer indexed by subject: ``props[s][p]`` is a list of IRIs/bnodes (str) or Lits."""

    props: dict[str, dict[str, list[Any]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    inverse: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    #: (s, p, o) of the triples only the editorial graph states (o as in ``props``)
    editorial: set[tuple[str, str, Any]] = field(default_factory=set)
    digest: str = ""

    def values(self, s: str, p: str) -> list[Any]:
        return self.props.get(s, {}).get(p, [])

    def iris(self, s: str, p: str) -> list[str]:
        return [v for v in self.values(s, p) if isinstance(v, str)]

    def literals(self, s: str, p: str) -> list[Lit]:
        return [v for v in self.values(s, p) if isinstance(v, Lit)]


def _term(t: Any) -> Any:
    if isinstance(t, ox.Literal):
        return Lit(t.value, t.language or "")
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return t.value


def _query() -> str:
    """network.rq with the edge predicates filled in from :data:`_EDGE_PREDICATES`."""
    return Template(sparql.text("network.rq")).substitute(edge_predicates=" ".join(f"<{p}>" for p in _EDGE_PREDICATES))


_facts_memo: dict[str, Any] = {}


def load_facts(store: Store) -> Facts:
    """Run the projection's query; the answer's digest identifies the store's relevant state.

    On an embedded store whose state (its write generation, graph.network.refresh) is
    that of the last call, the last answer is reused: the query costs seconds on a big graph
    and the page asks for it more than once per change (projection, English labels).
    """
    from graph.network.refresh import state_token

    token = state_token(store)
    with _cache_lock:
        if token is not None and _facts_memo.get("token") == token:
            return _facts_memo["facts"]
    facts = _load_facts(store)
    if token is not None:
        with _cache_lock:
            _facts_memo.update(token=token, facts=facts)
    return facts


def _load_facts(store: Store) -> Facts:
    result = store.query(_query())
    facts = Facts()
    h = hashlib.blake2b(digest_size=16)
    lines = []
    for row in result:
        s, p, o = _term(row["s"]), _term(row["p"]), _term(row["o"])
        facts.props[s][p].append(o)
        if isinstance(o, str):
            facts.inverse[o][p].append(s)
        lines.append(f"{s}\x00{p}\x00{o!r}")
    for row in store.query(_EDITORIAL_QUERY):
        s, p, o = _term(row["s"]), _term(row["p"]), _term(row["o"])
        facts.editorial.add((s, p, o))
        lines.append(f"editorial\x00{s}\x00{p}\x00{o!r}")
    # Sorted, so that the digest does not depend on the order the store answers in.
    for line in sorted(lines):
        h.update(line.encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    facts.digest = h.hexdigest()
    for p_map in facts.props.values():
        for values in p_map.values():
            values.sort(key=lambda v: (isinstance(v, Lit), str(v)))
    return facts


# --- labels, dates, sources -----------------------------------------------------------------


def _pick(lits: list[Lit], lang: str) -> str | None:
    for wanted in (lang, "", "de", "en"):
        for lit in lits:
            if lit.lang == wanted:
                return lit.value
    return lits[0].value if lits else None


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def label_of(facts: Facts, s: str, lang: str) -> str:
    """The label of ``s`` in ``lang`` by the one label policy (:func:`graph.labels.best_label`; a
    name with its honorific prefix), else a text it carries (a quote), else the IRI's end."""
    found = labels.best_label([(p, lit.lang, lit.value) for p in labels.LABEL_PROPERTIES for lit in facts.literals(s, p)],
                              lang)
    if found:
        if any(lit.value == found for lit in facts.literals(s, FOAF + "name")):
            prefix = _pick(facts.literals(s, SCHEMA + "honorificPrefix"), lang)
            return f"{prefix} {found}" if prefix else found
        return found
    for p in _TEXT_PREDICATES:
        text = _pick(facts.literals(s, p), lang)
        if text:
            return text
    return _local_name(s)


def _short_label(facts: Facts, s: str, lang: str) -> str:
    """The short name as printed (an altLabel shorter than the full name), else the full label."""
    full = label_of(facts, s, lang)
    alts = [a.value for a in facts.literals(s, SKOS + "altLabel")]
    shorter = [a for a in alts if len(a) < len(full)]
    return min(shorter, key=lambda a: (len(a), a)) if shorter else full


def _concept(facts: Facts, iri: str, lang: str) -> dict[str, Any]:
    return {"id": iri, "label": label_of(facts, iri, lang),
            "labels": {lg: label_of(facts, iri, lg) for lg in LANGS}}


def _iso(value: str) -> str | None:
    """A date-ish literal as ``YYYY-MM-DD`` (a year or year-month starts on its first day)."""
    text = value.strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return text[:10]
    if len(text) == 7 and text[4] == "-":
        return text + "-01"
    if len(text) == 4 and text.isdigit():
        return text + "-01-01"
    return None


def _precision(value: str) -> str:
    """How exact a date-ish literal is, as the source gives it: ``year``, ``month`` or ``day``."""
    text = value.strip()
    return "year" if len(text) == 4 else "month" if len(text) == 7 else "day"


def _after(value: str) -> str | None:
    """The first day after the period a date-ish literal names (a year ends with its last day)."""
    day = _iso(value)
    if day is None:
        return None
    precision = _precision(value)
    if precision == "year":
        return f"{int(day[:4]) + 1:04d}-01-01"
    if precision == "month":
        y, m = int(day[:4]), int(day[5:7])
        return f"{y + m // 12:04d}-{m % 12 + 1:02d}-01"
    return day


def _start_precision(facts: Facts, s: str) -> str | None:
    """The precision of the earliest start date of ``s`` (the one shown as its date)."""
    found = sorted((_iso(lit.value), _precision(lit.value)) for p in _START_PREDICATES
                   for lit in facts.literals(s, p) if _iso(lit.value))
    return found[0][1] if found else None


def _dates(facts: Facts, s: str, predicates: Iterable[str]) -> list[str]:
    out = []
    for p in predicates:
        out += [d for d in (_iso(lit.value) for lit in facts.literals(s, p)) if d]
    return sorted(out)


_INSTANT_VALUES = (TIME + "inXSDDate", TIME + "inXSDDateTimeStamp", TIME + "inXSDgYearMonth", TIME + "inXSDgYear")


def _instant_date(facts: Facts, instant: str) -> str | None:
    found = _dates(facts, instant, _INSTANT_VALUES)
    return found[0] if found else None


def _post_dates(facts: Facts, post: str) -> tuple[str | None, str | None]:
    """Start and end of a post's holding as the sources give them (a day, month or year), from
    the memberships that attest it (``zd:attests``); None where no source dates it."""
    starts, ends = [], []
    for membership in facts.inverse.get(post, {}).get(ZD + "attests", []):
        for interval in facts.iris(membership, ORG + "memberDuring"):
            for key, out in ((TIME + "hasBeginning", starts), (TIME + "hasEnd", ends)):
                for instant in facts.iris(interval, key):
                    out += [lit.value for p in _INSTANT_VALUES for lit in facts.literals(instant, p)]
    return (min(starts) if starts else None, max(ends) if ends else None)


def _interval(facts: Facts, interval: str) -> tuple[str | None, str | None]:
    begin = [_instant_date(facts, i) for i in facts.iris(interval, TIME + "hasBeginning")]
    end = [_instant_date(facts, i) for i in facts.iris(interval, TIME + "hasEnd")]
    begin = [b for b in begin if b]
    end = [e for e in end if e]
    return (min(begin) if begin else None, max(end) if end else None)


def _id_path(iri: str) -> str | None:
    return "/id/" + iri[len(ID_BASE):] if iri.startswith(ID_BASE) else None


def _sources(facts: Facts, s: str, lang: str) -> list[dict[str, Any]]:
    """The passages a node is derived from: document, exact quote, cited web source."""
    out = []
    for excerpt in facts.iris(s, PROV + "wasDerivedFrom"):
        quotes = [q.value for sel in facts.iris(excerpt, OA + "hasSelector") for q in facts.literals(sel, OA + "exact")]
        docs = facts.iris(excerpt, OA + "hasSource")
        cited = facts.iris(excerpt, DCT + "source")
        if not quotes and not docs:
            continue
        item: dict[str, Any] = {"excerpt": excerpt, "quote": quotes[0] if quotes else None}
        if docs:
            item["document"] = {"id": docs[0], "label": label_of(facts, docs[0], lang)}
        if cited:
            pages = facts.iris(cited[0], FOAF + "page")
            item["source"] = {"id": cited[0], "label": label_of(facts, cited[0], lang), "url": pages[0] if pages else None}
        out.append(item)
    return out


# --- the full projection --------------------------------------------------------------------


def _node_type(facts: Facts, s: str) -> str | None:
    types = {_CLASS_TYPES[c] for c in facts.iris(s, RDF + "type") if c in _CLASS_TYPES}
    if PROV + "Activity" in facts.iris(s, RDF + "type") and ZD + "Signing" not in facts.iris(s, RDF + "type"):
        types.add("event")
    for rank in _TYPE_RANK:
        if rank in types:
            return rank
    if SKOS + "Concept" in facts.iris(s, RDF + "type"):
        schemes = set(facts.iris(s, SKOS + "inScheme"))
        if schemes & _ATTRIBUTE_SCHEMES:
            return None
        if _LEVEL_SCHEME in schemes:
            return "level"
        if _AIM_SCHEME in schemes:
            return "aim"
        return "theme"
    return None


def _add_edge(g: nx.Graph, a: str, b: str, etype: str, editorial: bool = False, **attrs: Any) -> None:
    """Add (or extend) the edge a–b; it stays ``editorial`` only while every link making it is."""
    if a == b or a not in g or b not in g:
        return
    if g.has_edge(a, b):
        data = g.edges[a, b]
        data["editorial"] = data["editorial"] and editorial
        if etype not in data["types"]:
            data["types"].append(etype)
        for k, v in attrs.items():
            if v is not None:
                data.setdefault(k, v)
        return
    g.add_edge(a, b, type=etype, types=[etype], source_node=a, editorial=editorial,
               **{k: v for k, v in attrs.items() if v is not None})


def _full_graph(facts: Facts, lang: str) -> nx.Graph:
    g = nx.Graph()
    for s in sorted(facts.props):
        ntype = _node_type(facts, s)
        if ntype is None or s.startswith("_:"):
            continue
        dates = _dates(facts, s, _START_PREDICATES)
        # An end given as a year or month lasts to the end of it: "ended 2025" is still so on 31 December.
        ends = sorted(d for p in _END_PREDICATES for d in (_after(lit.value) for lit in facts.literals(s, p)) if d)
        attrs: dict[str, Any] = {
            "type": ntype,
            "label": _short_label(facts, s, lang) if ntype == "organisation" else label_of(facts, s, lang),
            "labels": {lg: label_of(facts, s, lg) for lg in LANGS},
            "date": dates[0] if dates else None,
            "start": dates[0] if dates else None,
            "date_precision": _start_precision(facts, s),
            "end": ends[-1] if ends else None,
            "href": _id_path(s),
            "sources": _sources(facts, s, lang),
        }
        if ntype == "organisation":
            types = facts.iris(s, ORG + "classification")
            attrs["org_type"] = _concept(facts, types[0], lang) if types else None
            alts = sorted({a.value for a in facts.literals(s, SKOS + "altLabel")})
            attrs["alt_labels"] = alts
        if ntype == "theme":
            schemes = facts.iris(s, SKOS + "inScheme")
            attrs["scheme"] = _concept(facts, schemes[0], lang) if schemes else None
        if ntype in ("recommendation", "statement"):
            text = next((_pick(facts.literals(s, p), lang) for p in _TEXT_PREDICATES if facts.literals(s, p)), None)
            attrs["text"] = text
            status = facts.iris(s, ZD + "status")
            attrs["status"] = _concept(facts, status[0], lang) if status else None
        g.add_node(s, **attrs)

    # Organisational change (e.g. a merger): the original body ends, the resulting one starts.
    for event in [n for n, d in g.nodes(data=True) if d["type"] == "event"]:
        when = g.nodes[event]["date"]
        for original in facts.iris(event, ORG + "originalOrganization"):
            if original in g and when:
                g.nodes[original]["end"] = min(filter(None, [g.nodes[original]["end"], when]))
            for result in facts.iris(event, ORG + "resultingOrganization"):
                _add_edge(g, original, result, "changed-into", start=when)
        for result in facts.iris(event, ORG + "resultingOrganization"):
            if result in g and when and not g.nodes[result]["start"]:
                g.nodes[result]["start"] = when

    # Posts: person -- organisation with the role (and, from memberships, the dates).
    # Sorted throughout: the order edges are added in decides the neighbour order that the
    # seeded Louvain run sees, so it must not depend on the order the store answers in.
    for post, p_map in sorted(facts.props.items()):
        for org_iri in p_map.get(ORG + "postIn", []):
            holders = set(facts.iris(post, ORG + "heldBy")) | set(facts.inverse.get(post, {}).get(ORG + "holds", []))
            roles = facts.iris(post, ORG + "role")
            for person in sorted(holders):
                if person not in g or org_iri not in g:
                    continue
                post_info = {
                    "id": post,
                    "label": label_of(facts, post, lang),
                    "labels": {lg: label_of(facts, post, lg) for lg in LANGS},
                    "organisation": {"id": org_iri, "label": g.nodes[org_iri]["label"]},
                    "role": _concept(facts, roles[0], lang) if roles else None,
                }
                start, end = _post_dates(facts, post)
                post_info["start"], post_info["end"] = start, end
                g.nodes[person].setdefault("posts", []).append(post_info)
                _add_edge(g, person, org_iri, "holds-post", role=post_info["role"]["label"] if roles else None,
                          start=_iso(start) if start else None, end=_iso(end) if end else None)
    for membership, p_map in sorted(facts.props.items()):
        members, orgs = p_map.get(ORG + "member", []), p_map.get(ORG + "organization", [])
        for person in members:
            for org_iri in orgs:
                if person in g and org_iri in g:
                    start = end = None
                    for interval in facts.iris(membership, ORG + "memberDuring"):
                        start, end = _interval(facts, interval)
                    _add_edge(g, person, org_iri, "member-of", start=start, end=end)

    # Direct links.
    for s, p_map in sorted(facts.props.items()):
        if s not in g:
            continue
        for p, values in sorted(p_map.items()):
            if p not in _EDGE_PREDICATES:
                continue
            etype, reverse = _EDGE_PREDICATES[p]
            for o in values:
                if not isinstance(o, str) or o not in g:
                    continue
                if etype == "addresses-theme" and g.nodes[s]["type"] == "event":
                    etype_here = "discussed-at"
                elif etype == "addresses-theme" and g.nodes[o]["type"] != "theme":
                    etype_here = "references"
                else:
                    etype_here = etype
                a, b = (o, s) if reverse else (s, o)
                _add_edge(g, a, b, etype_here, editorial=(s, p, o) in facts.editorial)

    # A node with no date of its own that is known only from dated documents, meetings or
    # recommendations first appears with the earliest of them (e.g. a guest of one meeting):
    # ``seen_from``, used by the time filter and kept apart from the dates the sources give.
    # An undated statement is known from the meeting it was made at: it is seen from that day
    # too (so a person quoted only there, e.g. a guest of one meeting, is as well).
    for n, data in g.nodes(data=True):
        if data["type"] == "statement" and not data["start"]:
            meetings = [g.nodes[m]["start"] for m in g.neighbors(n) if g.nodes[m]["type"] == "event" and g.nodes[m]["start"]]
            if meetings:
                data["seen_from"] = min(meetings)
    for n, data in g.nodes(data=True):
        if data["type"] == "person" and not data["start"] and data.get("posts"):
            starts = [p["start"] for p in data["posts"]]
            if all(starts):  # every post of theirs has a start: a successor, e.g.
                data["seen_from"] = _iso(min(starts))
    for n, data in g.nodes(data=True):
        if data["start"] or data.get("seen_from") or g.degree(n) == 0:
            continue
        linked = [g.nodes[m] for m in g.neighbors(n)]
        if all(m["type"] in _CARRIERS and (m["start"] or m.get("seen_from")) for m in linked):
            data["seen_from"] = min(m["start"] or m["seen_from"] for m in linked)

    # What each node links to, for the page's theme / level filters and the details panel.
    for n, data in g.nodes(data=True):
        neighbours = list(g.neighbors(n))
        data["themes"] = sorted(m for m in neighbours if g.nodes[m]["type"] == "theme")
        data["levels"] = sorted(m for m in neighbours if g.nodes[m]["type"] == "level")
        data["organisations"] = sorted(m for m in neighbours if g.nodes[m]["type"] == "organisation")
        if data["type"] in _ACTORS:
            data["themes"] = sorted(set(data["themes"]) | _via_carriers(g, n, "theme"))
            data["levels"] = sorted(set(data["levels"]) | _via_carriers(g, n, "level"))
    # A person is concerned with what their organisations are concerned with.
    for n, data in g.nodes(data=True):
        if data["type"] == "person":
            for org_iri in data["organisations"]:
                data["themes"] = sorted(set(data["themes"]) | set(g.nodes[org_iri]["themes"]))
                data["levels"] = sorted(set(data["levels"]) | set(g.nodes[org_iri]["levels"]))
    return g


_CARRIERS = ("document", "recommendation", "event", "statement")
_ACTORS = ("organisation", "person", "collaboration")


def _via_carriers(g: nx.Graph, actor: str, ntype: str) -> set[str]:
    """Nodes of ``ntype`` an actor reaches through a document, recommendation, event or statement."""
    found = set()
    for carrier in g.neighbors(actor):
        if g.nodes[carrier]["type"] in _CARRIERS:
            found |= {t for t in g.neighbors(carrier) if g.nodes[t]["type"] == ntype}
    return found


# --- time filter, views, ego networks, metrics ----------------------------------------------


def as_of_filter(g: nx.Graph, day: str) -> nx.Graph:
    """The network as it stood on ``day`` (ISO date): nodes and edges not yet begun or already ended are left out."""
    keep = [n for n, d in g.nodes(data=True)
            if (not (d.get("start") or d.get("seen_from")) or (d.get("start") or d["seen_from"]) <= day)
            and (not d.get("end") or d["end"] > day)]
    sub = g.subgraph(keep).copy()
    gone = [(a, b) for a, b, d in sub.edges(data=True)
            if (d.get("start") and d["start"] > day) or (d.get("end") and d["end"] <= day)]
    sub.remove_edges_from(gone)
    return sub


def _co_graph(g: nx.Graph, members: Iterable[str], via: Iterable[str], etype: str) -> nx.Graph:
    """Nodes ``members`` linked when they share a neighbour of a type in ``via`` (weight: how many)."""
    members = set(members)
    out = nx.Graph()
    out.add_nodes_from((n, g.nodes[n]) for n in sorted(members))
    weights: dict[tuple[str, str], list[str]] = defaultdict(list)
    for hub, data in g.nodes(data=True):
        if data["type"] not in via:
            continue
        linked = sorted(m for m in g.neighbors(hub) if m in members)
        for a, b in combinations(linked, 2):
            weights[(a, b)].append(hub)
    for (a, b), hubs in sorted(weights.items()):
        # editorial if every shared neighbour is reached through an editorial link
        editorial = all(g.edges[a, h]["editorial"] or g.edges[b, h]["editorial"] for h in hubs)
        out.add_edge(a, b, type=etype, types=[etype], weight=len(hubs), via=hubs, editorial=editorial)
    return out


def _view(g: nx.Graph, view: str) -> nx.Graph:
    if view == "full":
        return g
    if view == "organisations":
        orgs = [n for n, d in g.nodes(data=True) if d["type"] == "organisation"]
        out = _co_graph(g, orgs, ("document", "collaboration", "event", "recommendation"), "co-signed")
        for a, b, d in g.edges(data=True):
            if a in out and b in out and ("unit-of" in d["types"] or "changed-into" in d["types"]):
                out.add_edge(a, b, **{**d, "types": list(d["types"])})
        return out
    if view == "themes":
        themes = [n for n, d in g.nodes(data=True) if d["type"] == "theme"]
        out = _co_graph(g, themes, _CARRIERS + ("commitment", "collaboration"), "co-occurs")
        for a, b, d in g.edges(data=True):
            if a in out and b in out and not out.has_edge(a, b):
                out.add_edge(a, b, **{**d, "types": list(d["types"])})
        return out
    if view == "actor-theme":
        out = nx.Graph()
        actors = [n for n, d in g.nodes(data=True) if d["type"] in _ACTORS]
        themes = [n for n, d in g.nodes(data=True) if d["type"] == "theme"]
        out.add_nodes_from((n, {**g.nodes[n], "bipartite": 0}) for n in actors)
        out.add_nodes_from((n, {**g.nodes[n], "bipartite": 1}) for n in themes)
        weights: dict[tuple[str, str], list[str]] = defaultdict(list)
        for carrier, data in g.nodes(data=True):
            if data["type"] not in _CARRIERS:
                continue
            linked = list(g.neighbors(carrier))
            for a in sorted(m for m in linked if g.nodes[m]["type"] in _ACTORS):
                for t in sorted(m for m in linked if g.nodes[m]["type"] == "theme"):
                    weights[(a, t)].append(carrier)
        for (a, t), carriers in sorted(weights.items()):
            editorial = all(g.edges[a, c]["editorial"] or g.edges[c, t]["editorial"] for c in carriers)
            out.add_edge(a, t, type="actor-theme", types=["actor-theme"], weight=len(carriers), via=carriers,
                         editorial=editorial)
        return out
    raise ValueError(f"unknown view {view!r}; known: {', '.join(VIEWS)}")


def add_metrics(g: nx.Graph, seed: int = 42) -> None:
    """Per-node degree, betweenness, PageRank and a Louvain community (seeded: stable);
    computed in :mod:`graph.network.metrics`."""
    from graph.network import metrics

    metrics.add_metrics(g, seed)


# --- the public entry point, cached ---------------------------------------------------------

_cache: dict[tuple, nx.Graph] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 64


def _check(view: str, depth: int | None, lang: str, as_of: str | None) -> None:
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; known: {', '.join(VIEWS)}")
    if depth is not None and not (0 <= depth <= MAX_DEPTH):
        raise ValueError(f"depth must be between 0 and {MAX_DEPTH}")
    if lang not in LANGS:
        raise ValueError("lang must be de or en")
    if as_of is not None:
        import datetime

        try:
            datetime.date.fromisoformat(as_of)
        except (TypeError, ValueError):
            raise ValueError(f"as_of must be a date YYYY-MM-DD, not {as_of!r}") from None
        if len(as_of) != 10:
            raise ValueError(f"as_of must be a date YYYY-MM-DD, not {as_of!r}")


def project(
    store: Store,
    view: str = "full",
    focus: str | None = None,
    depth: int | None = None,
    lang: str = "de",
    as_of: str | None = None,
) -> nx.Graph:
    """The network projection of ``store`` as a ``networkx.Graph`` with metrics on every node.

    ``view`` is one of :data:`VIEWS`; ``focus`` (a node IRI) with ``depth`` (hops, default 2)
    gives the ego network; ``as_of`` (``YYYY-MM-DD``) the network as it stood on that day;
    ``lang`` the language of ``label``. Raises ``ValueError`` for a bad argument and
    ``LookupError`` for a focus that is not a node of the view. The result is shared from a
    cache: copy it before changing it.
    """
    _check(view, depth, lang, as_of)
    facts = load_facts(store)
    key = (facts.digest, view, focus, depth if focus else None, lang, as_of)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    full = _full_cached(facts, lang)
    g = as_of_filter(full, as_of) if as_of else full
    g = _view(g, view)
    if focus is not None:
        if focus not in g:
            raise LookupError(f"{focus} is not a node of the {view!r} network" + (f" as of {as_of}" if as_of else ""))
        g = nx.ego_graph(g, focus, radius=2 if depth is None else depth)
    g = nx.Graph(g)  # own node/edge dicts, so metrics of one view never leak into another
    for v in g:
        g.nodes[v].update({k: (list(x) if isinstance(x, list) else x) for k, x in g.nodes[v].items()})
    add_metrics(g)
    # Only set attributes: GraphML cannot hold None.
    info = {"view": view, "focus": focus, "depth": depth, "lang": lang, "as_of": as_of, "digest": facts.digest}
    g.graph.update({k: v for k, v in info.items() if v is not None})
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = g
    return g


def _full_cached(facts: Facts, lang: str) -> nx.Graph:
    key = (facts.digest, "__full__", lang)
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        found = _full_graph(facts, lang)
        with _cache_lock:
            _cache[key] = found
    return found


def display_labels(store: Store, lang: str) -> dict[str, str]:
    """Every node's display label in ``lang`` (from the cached full network; no metrics)."""
    if lang not in LANGS:
        raise ValueError("lang must be de or en")
    full = _full_cached(load_facts(store), lang)
    return {n: d["label"] for n, d in full.nodes(data=True)}


def node_link(g: nx.Graph) -> dict[str, Any]:
    """The projection as node-link JSON: ``nodes`` (with ``id``, ``type``, metrics …) and ``links``."""
    nodes = [{"id": n, **{k: v for k, v in d.items()}} for n, d in g.nodes(data=True)]
    links = []
    for a, b, d in g.edges(data=True):
        src = d.get("source_node", a)
        other = b if src == a else a
        links.append({"source": src, "target": other, **{k: v for k, v in d.items() if k != "source_node"}})
    return {"directed": False, "multigraph": False, "graph": dict(g.graph), "nodes": nodes, "links": links}


__all__ = ["VIEWS", "NODE_TYPES", "EDGE_TYPES", "EDGE_INVERSE", "project", "node_link", "as_of_filter",
           "add_metrics", "load_facts"]
