"""The change log: each change made through the editing pages or the JSON API, and its revert.

A change is a ``zd:Change`` (a ``prov:Activity``) in a named graph of its own,
``id/change/<id>``: who made it (``prov:wasAssociatedWith`` a staff agent or the API client),
when (``prov:endedAtTime``), why (``rdfs:comment``), what kind of form made it
(``zd:changeKind``), and exactly what it added and removed (``zd:addedQuads`` /
``zd:removedQuads``, N-Quads text, so the log holds the change itself, not a summary).

:func:`record` stores the change and its log entry in one gated write: the shapes check the
data as it would be after the change, and nothing is stored unless it conforms. :func:`revert`
makes the inverse change (remove what was added, restore what was removed) through the same
gate and records it as a change of its own (``zd:reverts``). Changes never touch the model
graphs (ontology, shapes) nor the log itself: :class:`Refused` before anything is checked.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from string import Template

import pyoxigraph as ox

from graph import sparql
from graph.shacl import validation
from graph.shacl.report import Report
from graph.store import Store
from graph.vocab import CHANGE_BASE, ID_BASE, ONTOLOGY_GRAPH, SHAPES_GRAPH, VERSION_GRAPH, ZD

STAFF_BASE = ID_BASE + "agent/staff/"
API_CLIENT = ID_BASE + "agent/api-client"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_REASON = 500
MAX_LIST = 500


class Refused(Exception):
    """A change that may not be made at all (a protected graph, an unknown or stale change)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass
class Rejected(Exception):
    """The shapes refused the change; nothing was stored."""

    report: Report


class KeyReused(Exception):
    """The Idempotency-Key was used before for another request (``change``: what it stored)."""

    def __init__(self, change: str) -> None:
        self.change = change
        super().__init__(f"this Idempotency-Key was used for another request: {change}")


@dataclass(frozen=True)
class Change:
    """One entry of the log."""

    id: str
    agent: str
    agent_label: str
    time: str
    reason: str
    kind: str
    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)
    reverts: str | None = None
    reverted_by: str | None = None

    @property
    def about(self) -> str | None:
        """The node the change is about: the first subject it touched that is not a passage."""
        for q in self.added + self.removed:
            if isinstance(q.subject, ox.NamedNode) and "/excerpt/" not in q.subject.value:
                return q.subject.value
        return None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "about": self.about, "agent": self.agent, "agent_label": self.agent_label, "time": self.time,
            "reason": self.reason, "kind": self.kind, "reverts": self.reverts, "reverted_by": self.reverted_by,
            "added": [quad_dict(q) for q in self.added], "removed": [quad_dict(q) for q in self.removed],
        }


def quad_dict(q: ox.Quad) -> dict[str, str]:
    """A quad as four N-Triples terms (for JSON and for the history page)."""
    return {"subject": str(q.subject), "predicate": str(q.predicate), "object": str(q.object), "graph": str(q.graph_name)}


def staff_agent(user: str) -> str:
    """The IRI of a signed-in person's agent, e.g. ``id/agent/staff/anna``."""
    return STAFF_BASE + user


def _nquads(quads: Iterable[ox.Quad]) -> str:
    return ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS).decode("utf-8") if quads else ""


def _parse(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)) if text else []


def protected(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    """Graphs a change may not touch: the default graph, the model graphs, the log."""
    if not isinstance(graph, ox.NamedNode):
        return True
    return graph.value in (str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH), str(VERSION_GRAPH)) or graph.value.startswith(CHANGE_BASE)


def _log_quads(ident: str, agent: str, agent_label: str, now: str, reason: str, kind: str,
               added: list[ox.Quad], removed: list[ox.Quad], reverts: str | None,
               request_digest: str | None = None) -> list[ox.Quad]:
    change = ox.NamedNode(ident)
    who = ox.NamedNode(agent)
    stamp = ox.Literal(now, datatype=ox.NamedNode(XSD + "dateTime"))
    n = ox.NamedNode
    triples = [
        (change, n(RDF_TYPE), n(str(ZD.Change))),
        (change, n(RDF_TYPE), n(PROV + "Activity")),
        (change, n(PROV + "wasAssociatedWith"), who),
        (change, n(PROV + "startedAtTime"), stamp),
        (change, n(PROV + "endedAtTime"), stamp),
        (change, n(str(ZD.changeKind)), ox.Literal(kind)),
        (change, n(str(ZD.addedQuads)), ox.Literal(_nquads(added))),
        (change, n(str(ZD.removedQuads)), ox.Literal(_nquads(removed))),
        (who, n(RDF_TYPE), n(PROV + "Agent")),
        (who, n(RDFS + "label"), ox.Literal(agent_label)),
    ]
    if reason:
        triples.append((change, n(RDFS + "comment"), ox.Literal(reason)))
    if reverts:
        triples.append((change, n(str(ZD.reverts)), n(reverts)))
    if request_digest:
        triples.append((change, n(str(ZD.requestDigest)), ox.Literal(request_digest)))
    # What the change is about: every subject it touched (for a fact's history).
    for subject in sorted({q.subject.value for q in added + removed if isinstance(q.subject, ox.NamedNode)}):
        triples.append((change, n(PROV + "influenced"), n(subject)))
    return [ox.Quad(s, p, o, change) for s, p, o in triples]


def check(store: Store, added: list[ox.Quad], removed: list[ox.Quad]) -> Report:
    """The dry run: the verdict of the shapes on the data after the change (nothing stored)."""
    _refuse_protected(added, removed)
    return validation.check_quads(store, added, removed)


def _refuse_protected(added: list[ox.Quad], removed: list[ox.Quad]) -> None:
    bad = sorted({str(q.graph_name) for q in added + removed if protected(q.graph_name)})
    if bad:
        raise Refused(403, f"a change may not touch these graphs: {', '.join(bad)}")


def record(store: Store, added: list[ox.Quad], removed: list[ox.Quad], *, agent: str, agent_label: str,
           reason: str, kind: str, reverts: str | None = None, precondition=None,
           now: datetime | None = None, ident: str | None = None, request_digest: str | None = None) -> Change:
    """Store the change and its log entry if the shapes accept the result; :class:`Rejected`
    (nothing stored) if not."""
    _refuse_protected(added, removed)
    # Only real changes are logged: what is already there is not "added", what is absent not "removed".
    added = list(dict.fromkeys(added))
    removed = list(dict.fromkeys(q for q in removed if q not in set(added)))
    if not added and not removed:
        raise Refused(422, "the change adds and removes nothing")
    reason = reason.strip()[:MAX_REASON]
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="microseconds")
    ident = ident or CHANGE_BASE + uuid.uuid4().hex
    log = _log_quads(ident, agent, agent_label, stamp, reason, kind, added, removed, reverts, request_digest)
    report = validation.change_checked(store, added + log, removed, precondition=precondition)
    if not report.conforms:
        raise Rejected(report)
    return Change(ident, agent, agent_label, stamp, reason, kind, added, removed, reverts)


def keyed_id(agent: str, key: str) -> str:
    """The IRI of the change an agent makes with an Idempotency-Key: the same agent and key, the
    same change, in every process and after a restart (nothing else remembers the key).

    >>> keyed_id("a", "k") == keyed_id("a", "k") != keyed_id("b", "k")
    True
    """
    return CHANGE_BASE + hashlib.sha256(f"{agent}\n{key}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


def record_once(store: Store, key: str, request: bytes, make, *, agent: str, agent_label: str, reason: str,
                kind: str) -> tuple[Change, bool]:
    """:func:`record` at most once per agent and Idempotency-Key: the same key with the same
    ``request`` answers with the change stored the first time (``True``: replayed), stored
    once; the same key with another request is :class:`KeyReused`. ``make()`` gives the
    ``(added, removed)`` quads; it is called only when the change is new."""
    ident = keyed_id(agent, key)
    digest = hashlib.sha256(request).hexdigest()
    with validation.write_lock(store):  # the look-up and the write as one step
        found = store.select(Template(sparql.text("changes/request-digest.rq")).substitute(change=str(ox.NamedNode(ident))))
        if found:
            if str(found[0]["digest"]) != digest:
                raise KeyReused(ident)
            first = _one(store, ident)
            if first is not None:
                return first, True
        added, removed = make()
        return record(store, added, removed, agent=agent, agent_label=agent_label, reason=reason, kind=kind,
                      ident=ident, request_digest=digest), False


def _one(store: Store, ident: str) -> Change | None:
    text = Template(sparql.text("changes/list.rq")).substitute(
        values=f"VALUES ?change {{ {ox.NamedNode(ident)} }}", about_pattern="", limit=1)
    rows = store.select(text)
    return _change(rows[0]) if rows else None


def _values(about: str | None) -> tuple[str, str]:
    if about is None:
        return "", ""
    return f"VALUES ?about {{ {ox.NamedNode(about)} }}", f"?change <{PROV}influenced> ?about ."


def changes(store: Store, *, about: str | None = None, limit: int = 100) -> list[Change]:
    """The log, newest first (only the changes that touched ``about`` if given)."""
    values, pattern = _values(about)
    text = Template(sparql.text("changes/list.rq")).substitute(
        values=values, about_pattern=pattern, limit=max(1, min(limit, MAX_LIST)))
    return [_change(r) for r in store.select(text)]


def _change(r: dict) -> Change:
    return Change(
        id=str(r["change"]), agent=str(r["agent"]), agent_label=str(r.get("agentLabel") or r["agent"]),
        time=str(r["time"]), reason=str(r.get("reason") or ""), kind=str(r["kind"]),
        added=_parse(str(r["added"])), removed=_parse(str(r["removed"])),
        reverts=str(r["reverts"]) if r.get("reverts") else None,
        reverted_by=str(r["revertedBy"]) if r.get("revertedBy") else None)


def get(store: Store, ident: str) -> Change | None:
    """One change by its IRI."""
    if not ident.startswith(CHANGE_BASE):
        return None
    return next((c for c in changes(store, limit=MAX_LIST) if c.id == ident), None)


def _holds(store: Store, quads: list[ox.Quad]) -> bool:
    if not quads:
        return True
    patterns = " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)
    return store.ask(Template(sparql.text("changes/holds.rq")).substitute(patterns=patterns))


def revert(store: Store, ident: str, *, agent: str, agent_label: str, reason: str = "") -> Change:
    """Undo change ``ident`` by its inverse, checked by the shapes and recorded as a change.

    Refused (409) if it was reverted already or if what it added has been changed since (a
    revert must not silently undo someone else's later work).
    """
    target = get(store, ident)
    if target is None:
        raise Refused(404, f"no such change: {ident}")
    if target.reverted_by:
        raise Refused(409, f"the change was already reverted by {target.reverted_by}")

    def still_current() -> None:
        if not _holds(store, target.added):
            raise Refused(409, "what the change added has been changed since; revert the later changes first")
        again = get(store, ident)
        if again is not None and again.reverted_by:
            raise Refused(409, f"the change was already reverted by {again.reverted_by}")

    return record(store, target.removed, target.added, agent=agent, agent_label=agent_label,
                  reason=reason or f"Rückgängig / revert: {ident}", kind="revert", reverts=ident,
                  precondition=still_current)
