"""The one table from a failure to its HTTP answer (api.errors), row by row.

The statuses and problem types are the API's contract (README "SPARQL endpoint" and "Errors"):
a table-driven test of the one pure function every route and handler uses.
"""

from __future__ import annotations

import pytest

from api.errors import TABLE, answer_for
from graph.query.service import (
    InvalidDataset, NotAcceptable, QueryTimeout, QueryTooExpensive, QueryTooLarge, ResultTooLarge, ServiceBusy,
    UpdateTimeout, UpdateTooExpensive,
)
from graph.shacl.update import ProtectedGraph
from graph.sparql.guard import ForbiddenOperation
from graph.store import (
    QuerySyntaxError, StorageFull, StoreError, StoreInUse, StoreTimeout, StoreUnavailable, WriteConflict,
)


@pytest.mark.parametrize(("exc", "subject", "status", "type_"), [
    # what a client's SPARQL text causes, on /sparql and /sparql/update
    (QuerySyntaxError("x"), "query", 400, "query-syntax"),
    (QuerySyntaxError("x"), "update", 400, "update-syntax"),
    (SyntaxError("x"), "update", 400, "update-syntax"),
    (InvalidDataset("x"), "query", 400, "bad-dataset"),
    (ForbiddenOperation("x"), "query", 400, "forbidden-operation"),
    (ForbiddenOperation("x"), "update", 400, "forbidden-operation"),
    (ProtectedGraph("x"), "update", 403, "protected-graph"),
    (NotAcceptable("x"), "query", 406, "not-acceptable"),
    (QueryTooLarge("x"), "query", 413, "query-too-large"),
    (QueryTimeout("x"), "query", 422, "query-timeout"),
    (QueryTooExpensive("x"), "query", 422, "query-too-expensive"),
    (ResultTooLarge("x"), "query", 422, "result-too-large"),
    (UpdateTimeout("x"), "update", 422, "update-timeout"),
    (UpdateTooExpensive("x"), "update", 422, "update-too-expensive"),
    (ServiceBusy("x"), "query", 429, "busy"),
    # what the store does, wherever it happens
    (WriteConflict("x"), None, 409, "write-conflict"),
    (StorageFull("x"), None, 507, "storage-full"),
    (StoreUnavailable("x"), None, 503, "store-unavailable"),
    (StoreTimeout("x"), None, 503, "store-unavailable"),
    (StoreUnavailable("x"), "query", 503, "store-unavailable"),
    (StoreInUse("/tmp/s"), None, 500, "store-error"),
    (StoreError("x"), None, 500, "store-error"),
    # a syntax error of our own query (no text from the client): the store failed, not the client
    (QuerySyntaxError("x"), None, 500, "store-error"),
    # what a request names: an unknown node, an invalid argument (pages, network)
    (LookupError("x"), None, 404, "unknown-node"),
    (KeyError("x"), None, 404, "unknown-node"),
    (ValueError("x"), None, 400, "invalid-parameter"),
])
def test_answer_for(exc: BaseException, subject: str | None, status: int, type_: str) -> None:
    found = answer_for(exc, subject)
    assert found is not None
    assert (found.status, found.type) == (status, type_)
    assert found.title  # the HTTP reason phrase unless the table says otherwise


@pytest.mark.parametrize("exc", [RuntimeError("x"), TypeError("x"), SyntaxError("x")])
def test_what_the_table_does_not_know_is_a_bug(exc: BaseException) -> None:
    # None: the application's last handler answers 500 and logs it (a SyntaxError without a
    # client's text is our own code's).
    assert answer_for(exc) is None


@pytest.mark.parametrize(("exc", "retry_after"), [(ServiceBusy("x"), "5"), (StoreUnavailable("x"), "10")])
def test_retry_after(exc: BaseException, retry_after: str) -> None:
    assert answer_for(exc, "query").headers == {"Retry-After": retry_after}


def test_details() -> None:
    assert answer_for(QuerySyntaxError("line 1"), "query").detail == "The query does not parse: line 1"
    assert answer_for(QuerySyntaxError("line 1"), "update").detail == "The update does not parse: line 1"
    assert answer_for(QueryTimeout("ran 10 s"), "query").detail == "ran 10 s"
    # the store's own words (they may name internal addresses) stay in the log
    hidden = answer_for(StoreError("connection to 10.0.0.5 refused"))
    assert hidden.logged and "10.0.0.5" not in hidden.detail


def test_subclasses_stand_above_their_base_classes() -> None:
    # the first row that applies wins: a row below its own base class could never be reached
    for i, (cls, _) in enumerate(TABLE):
        for base, _ in TABLE[:i]:
            assert not issubclass(cls, base) or cls is base, f"{cls.__name__} is hidden by {base.__name__}"
