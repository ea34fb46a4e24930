"""Adding a recommendation from outside (the JSON API): its quads, its provenance, the checks.

A new recommendation gets its own named graph ``id/source/api-<uuid>`` that describes the
submission (``dcterms:created``, the submitting agent, the source the client named), so it can
be told apart from the curated data and removed as a whole. The recommendation node carries
who/when provenance (``prov:wasAttributedTo`` the API client agent, ``prov:generatedAtTime``)
and the status "vorgeschlagen".

Field checks here catch what the shapes cannot see on their own (a theme IRI that is no theme,
a proposer that is no organisation); everything is then checked against the SHACL shapes by
:func:`graph.shacl.validation.insert_checked`, which stores the quads only if the result conforms.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import pyoxigraph as ox

from graph.domain import lists as queries
from graph.vocab import ID_BASE, SOURCE, ZD
from graph.store import Store, to_oxigraph

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OA = "http://www.w3.org/ns/oa#"

#: The agent every API submission is attributed to (the token identifies no one in particular).
API_CLIENT = ID_BASE + "agent/api-client"
STATUS_PROPOSED = ID_BASE + "status/vorgeschlagen"
MAX_TEXT = 5000


@dataclass(frozen=True)
class NewRecommendation:
    """What a client submits (already parsed: IRIs as strings, date as a date)."""

    text: str
    lang: str
    themes: list[str]
    levels: list[str]
    proposed_by: list[str]
    source: str
    date: date | None = None


@dataclass
class Rejected(Exception):
    """The submission was not stored. ``errors``: field errors ``{"field", "value", "message"}``;
    ``report``: the SHACL report when the shapes refused it."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    report: Any = None

    def __str__(self) -> str:
        return "; ".join(e["message"] for e in self.errors) or "the recommendation would break the shapes"


@dataclass(frozen=True)
class Added:
    """A stored recommendation: its IRI and the named graph holding it."""

    id: str
    graph: str


def field_errors(store: Store, new: NewRecommendation) -> list[dict[str, Any]]:
    """What is wrong with the submission's fields, checked against the graph (empty: fine)."""
    errors: list[dict[str, Any]] = []

    def bad(name: str, value: Any, message: str) -> None:
        errors.append({"field": name, "value": value, "message": message})

    if not new.text.strip():
        bad("text", new.text, "text must not be empty")
    elif len(new.text) > MAX_TEXT:
        bad("text", len(new.text), f"text must be at most {MAX_TEXT} characters")
    if new.lang not in queries.LANGS:
        bad("lang", new.lang, "lang must be de or en")
    if not new.themes:
        bad("themes", new.themes, "at least one theme is required")
    if not new.proposed_by:
        bad("proposed_by", new.proposed_by, "at least one proposer (an organisation) is required")
    for name, iris in (("themes", new.themes), ("levels", new.levels), ("proposed_by", new.proposed_by), ("source", [new.source])):
        for iri in iris:
            try:
                queries.iri_term(iri)
            except queries.InvalidIRI:
                bad(name, iri, f"not an absolute IRI: {iri!r}")
    if errors:
        return errors
    if not new.source.lower().startswith(("http://", "https://")):
        bad("source", new.source, "source must be an http(s) IRI or URL")
    known_themes = queries.concepts_in(store, new.themes, queries.theme_schemes(store))
    for iri in new.themes:
        if iri not in known_themes:
            bad("themes", iri, f"not a theme of the key-theme scheme or a mapped Handlungsfeld: {iri}")
    known_levels = queries.concepts_in(store, new.levels, [queries.POLICY_LEVELS_SCHEME])
    for iri in new.levels:
        if iri not in known_levels:
            bad("levels", iri, f"not a policy level: {iri}")
    known_orgs = queries.organisations_among(store, new.proposed_by)
    for iri in new.proposed_by:
        if iri not in known_orgs:
            bad("proposed_by", iri, f"not a known organisation: {iri}")
    return errors


def recommendation_quads(new: NewRecommendation, *, ident: str | None = None, now: datetime | None = None) -> tuple[Added, list[ox.Quad]]:
    """The quads of a new recommendation and of the named graph describing its submission.

    >>> added, quads = recommendation_quads(NewRecommendation(
    ...     "Text", "de", [ID_BASE + "theme/kreislaufwirtschaft"], [], [ID_BASE + "organisation/dgb-nrw"],
    ...     "https://example.org/x"), ident="t1")
    >>> added.id
    'https://w3id.org/zukunftsdialog/id/recommendation/api-t1'
    """
    ident = ident or uuid.uuid4().hex
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    rec = ox.NamedNode(f"{ID_BASE}recommendation/api-{ident}")
    graph = ox.NamedNode(f"{SOURCE}api-{ident}")
    agent = ox.NamedNode(API_CLIENT)
    stamp = ox.Literal(now.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    text = ox.Literal(new.text.strip(), language=new.lang)
    source = ox.NamedNode(new.source.strip())
    excerpt = ox.NamedNode(f"{ID_BASE}excerpt/api-{ident}")
    # An IRI, not a blank node: a remote SPARQL server can be told to delete it exactly.
    selector = ox.NamedNode(f"{ID_BASE}excerpt/api-{ident}-selector")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    triples: list[tuple[Any, ox.NamedNode, Any]] = [
        (rec, RDF_TYPE, n(str(ZD.Recommendation))),
        (rec, RDF_TYPE, n(PROV + "Entity")),
        (rec, n(SKOS + "prefLabel"), text),
        (rec, n(str(ZD.status)), n(STATUS_PROPOSED)),
        (rec, n(DCT + "source"), source),
        (rec, n(PROV + "generatedAtTime"), stamp),
        (rec, n(PROV + "wasAttributedTo"), agent),
        (rec, n(PROV + "wasDerivedFrom"), excerpt),
    ]
    triples += [(rec, n(DCT + "subject"), n(t.strip())) for t in dict.fromkeys(new.themes)]
    # No level given: the scheme's "not stated" says so without guessing one.
    for level in dict.fromkeys(new.levels or [queries.LEVEL_NOT_STATED]):
        triples.append((rec, n(str(ZD.addressesLevel)), n(level.strip())))
    triples += [(rec, n(str(ZD.proposedBy)), n(o.strip())) for o in dict.fromkeys(new.proposed_by)]
    if new.date is not None:
        triples.append((rec, n(DCT + "date"), ox.Literal(new.date.isoformat(), datatype=n(XSD + "date"))))
    # Evidence as for every fact: the text stands verbatim in the submission (the source of
    # this excerpt). The source the client named is the recommendation's dcterms:source; it is
    # not catalogued (no reliability is known), so the excerpt does not cite it. The submission
    # is a prov:Entity, not a catalogued dcterms:BibliographicResource, for the same reason.
    triples += [
        (excerpt, RDF_TYPE, n(OA + "SpecificResource")),
        (excerpt, n(OA + "hasSource"), graph),
        (excerpt, n(OA + "hasSelector"), selector),
        (selector, RDF_TYPE, n(OA + "TextQuoteSelector")),
        (selector, n(OA + "exact"), ox.Literal(new.text.strip())),
        (graph, RDF_TYPE, n(PROV + "Entity")),
        (graph, n(SKOS + "prefLabel"), ox.Literal("Über die JSON-API eingereichte Handlungsempfehlung", language="de")),
        (graph, n(SKOS + "prefLabel"), ox.Literal("Recommendation submitted through the JSON API", language="en")),
        (graph, n(DCT + "created"), stamp),
        (graph, n(DCT + "source"), source),
        (graph, n(PROV + "wasAttributedTo"), agent),
        (graph, n(FOAF + "primaryTopic"), rec),
        (agent, RDF_TYPE, n(PROV + "SoftwareAgent")),
        (agent, RDF_TYPE, n(PROV + "Agent")),
        (agent, n(SKOS + "prefLabel"), ox.Literal("Client der JSON-API", language="de")),
        (agent, n(SKOS + "prefLabel"), ox.Literal("JSON API client", language="en")),
    ]
    return Added(rec.value, graph.value), [ox.Quad(s, p, o, graph) for s, p, o in triples]


class Duplicate(Exception):
    """A recommendation with the same text and source is already stored (``existing``: its IRI)."""

    def __init__(self, existing: str):
        super().__init__(f"a recommendation with this text and source exists: {existing}")
        self.existing = existing


class KeyReused(Exception):
    """The idempotency key was used before for a different submission (``existing``: its IRI)."""

    def __init__(self, existing: str):
        super().__init__(f"this Idempotency-Key was used for another submission: {existing}")
        self.existing = existing


class NotSubmitted(Exception):
    """The recommendation exists but was not submitted through the API (curated data)."""


@dataclass(frozen=True)
class Stored:
    """The outcome of a submission: what is stored, and whether this call stored it."""

    added: Added
    replayed: bool


def ident_for_key(key: str) -> str:
    """The identifier a submission with this idempotency key gets: the same key, the same IRI,
    in every process and after a restart (nothing else needs to remember the key).

    >>> ident_for_key("k1") == ident_for_key("k1") != ident_for_key("k2")
    True
    """
    import hashlib

    return "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:31]


def _comparable(rows: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    # The submission's own times and the selector's blank node differ by nature.
    stamps = {f"<{PROV}generatedAtTime>", f"<{DCT}created>"}
    return {(s, p, o) for s, p, o in rows if p not in stamps and not s.startswith("_:") and not o.startswith("_:")}


def _stored_rows(store: Store, graph: str) -> list[tuple[str, str, str]]:
    def text(term: Any) -> str:
        from rdflib import BNode

        return "_:" if isinstance(term, BNode) else term.n3()

    return [(text(r["s"]), text(r["p"]), text(r["o"])) for r in queries.graph_triples(store, graph)]


def _new_rows(quads: list[ox.Quad]) -> list[tuple[str, str, str]]:
    from graph.store import to_rdflib

    def text(term: Any) -> str:
        return "_:" if isinstance(term, ox.BlankNode) else to_rdflib(term).n3()

    return [(text(q.subject), text(q.predicate), text(q.object)) for q in quads]


def add_recommendation(store: Store, new: NewRecommendation, *, key: str | None = None,
                       write: Callable[[list[ox.Quad]], Any] | None = None) -> Stored:
    """Check and store a new recommendation; :class:`Rejected` (nothing stored) if the fields
    or the shapes refuse it, :class:`Duplicate` if one with the same text and source exists.

    With an idempotency ``key``: the same key and submission answer with what the first call
    stored (``replayed``), stored once; the same key with another submission is :class:`KeyReused`.

    ``write`` stores the checked quads (default: the gate's insert); the API passes the change
    log's recorded write, which raises its own refusal when the shapes object.
    """
    from graph.shacl import validation

    errors = field_errors(store, new)
    if errors:
        raise Rejected(errors)
    ident = ident_for_key(key) if key is not None else None
    with validation.write_lock(store):  # the look-ups and the write as one step
        added, quads = recommendation_quads(new, ident=ident)
        if key is not None and queries.is_recommendation(store, added.id):
            if _comparable(_stored_rows(store, added.graph)) != _comparable(_new_rows(quads)):
                raise KeyReused(added.id)
            return Stored(added, replayed=True)
        existing = queries.recommendations_with_text(store, new.text.strip(), new.source.strip())
        if existing:
            raise Duplicate(existing[0])
        if write is not None:
            write(quads)
        else:
            report = validation.insert_checked(store, quads)
            if not report.conforms:
                raise Rejected([], report)
    return Stored(added, replayed=False)


def submission_graph(rec_iri: str) -> str | None:
    """The named graph a recommendation submitted through the API came in (None for others)."""
    slug = rec_iri.removeprefix(f"{ID_BASE}recommendation/")
    return f"{SOURCE}{slug}" if slug.startswith("api-") and slug != rec_iri else None


def remove_recommendation(store: Store, rec_iri: str,
                          remove: Callable[[list[ox.Quad]], Any] | None = None) -> Any:
    """Remove exactly what the submission added (its named graph), checked against the shapes
    like any write. Returns the report (not conforming: nothing removed); LookupError if there
    is no such recommendation, :class:`NotSubmitted` if it is curated data.

    ``remove`` takes the submission's quads and removes them (the API passes the change log's
    recorded write, which raises its own refusal when the shapes object); its result is returned.
    """
    from graph.shacl import validation

    with validation.write_lock(store):  # what is read is what is removed
        if not queries.is_recommendation(store, rec_iri):
            raise LookupError(f"no recommendation {rec_iri}")
        graph = submission_graph(rec_iri)
        rows = queries.graph_triples(store, graph) if graph is not None else []
        if not rows:
            raise NotSubmitted(rec_iri)
        if remove is not None:
            node = ox.NamedNode(graph)
            return remove([ox.Quad(to_oxigraph(r["s"]), to_oxigraph(r["p"]), to_oxigraph(r["o"]), node) for r in rows])
    return validation.update_checked(store, f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
