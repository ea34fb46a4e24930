"""The one table from an exception of the graph layer to the HTTP answer it means.

Every route and the application's handlers read the status, problem type and title of a failure
here (:mod:`api.problems` renders them as RFC 9457 problem JSON). A row applies to an exception
of its class or of a subclass; the first row that applies wins, so a subclass stands above its
base class.

Rows marked ``sparql`` are about a SPARQL text the client sent: they apply only where a route
names that text (``subject`` "query" or "update"); elsewhere the same exception is our own
query failing, and falls through to the store's 500.

>>> answer_for(ServiceBusy("all busy")).status
429
>>> answer_for(QuerySyntaxError("bad"), "update").type
'update-syntax'
>>> answer_for(QuerySyntaxError("bad")).type
'store-error'
>>> answer_for(RuntimeError("x")) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from graph.query.service import (
    InvalidDataset, NotAcceptable, QueryTimeout, QueryTooExpensive, QueryTooLarge, ResultTooLarge, ServiceBusy,
    UpdateTimeout, UpdateTooExpensive,
)
from graph.shacl.update import ProtectedGraph
from graph.sparql.guard import ForbiddenOperation
from graph.store import QuerySyntaxError, StorageFull, StoreError, StoreUnavailable, WriteConflict


@dataclass(frozen=True)
class Row:
    """How one kind of failure is answered. ``detail`` (formatted with ``subject`` and ``exc``)
    replaces the exception's own text; ``retry_after`` seconds go into a Retry-After header."""

    status: int
    type: str
    title: str | None = None
    detail: str | None = None
    retry_after: int | None = None
    sparql: bool = False
    #: The exception's text is for the log only (it may name internals); the client gets ``detail``.
    logged: bool = False


_SYNTAX = Row(400, "{subject}-syntax", detail="The {subject} does not parse: {exc}", sparql=True)

#: Exception class → answer, subclasses first.
TABLE: tuple[tuple[type[BaseException], Row], ...] = (
    (ProtectedGraph, Row(403, "protected-graph")),
    (ForbiddenOperation, Row(400, "forbidden-operation")),
    (InvalidDataset, Row(400, "bad-dataset")),
    (QuerySyntaxError, _SYNTAX),
    (SyntaxError, _SYNTAX),
    (QueryTooLarge, Row(413, "query-too-large")),
    (NotAcceptable, Row(406, "not-acceptable")),
    # The query is what cannot be processed (a client can send it again): 422, not a server error.
    (QueryTimeout, Row(422, "query-timeout")),
    (QueryTooExpensive, Row(422, "query-too-expensive")),
    (ResultTooLarge, Row(422, "result-too-large")),
    (UpdateTimeout, Row(422, "update-timeout")),
    (UpdateTooExpensive, Row(422, "update-too-expensive")),
    (ServiceBusy, Row(429, "busy", retry_after=5)),
    # Failures a client did not cause: writes that kept colliding with other processes' 409, a
    # full disk 507, a store that does not answer 503; anything else of the store is logged, 500.
    (WriteConflict, Row(409, "write-conflict")),
    (StorageFull, Row(507, "storage-full")),
    (StoreUnavailable, Row(503, "store-unavailable", retry_after=10)),
    (StoreError, Row(500, "store-error", detail="The store failed; the error has been logged.", logged=True)),
    # Raised by the graph layer for what a request names: an unknown node, an invalid argument.
    (LookupError, Row(404, "unknown-node")),
    (ValueError, Row(400, "invalid-parameter")),
)


@dataclass(frozen=True)
class Answer:
    """The problem to answer with: what :class:`api.problems.Problem` is built from."""

    status: int
    type: str
    title: str
    detail: str
    headers: dict[str, str]
    logged: bool


def row_for(exc: BaseException, subject: str | None = None) -> Row | None:
    """The first row of :data:`TABLE` for ``exc`` (None: no row, the error is a bug: 500)."""
    for cls, row in TABLE:
        if isinstance(exc, cls) and (subject is not None or not row.sparql):
            return row
    return None


def answer_for(exc: BaseException, subject: str | None = None) -> Answer | None:
    """The answer to ``exc``; ``subject`` names the SPARQL text the client sent ("query",
    "update"), if the request carried one."""
    row = row_for(exc, subject)
    if row is None:
        return None
    words = {"subject": subject or "", "exc": exc}
    return Answer(
        status=row.status,
        type=row.type.format(**words),
        title=row.title or HTTPStatus(row.status).phrase,
        detail=row.detail.format(**words) if row.detail else str(exc),
        headers={"Retry-After": str(row.retry_after)} if row.retry_after else {},
        logged=row.logged,
    )
