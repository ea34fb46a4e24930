"""RFC 9457 problem details for every error the service returns.

Handlers here turn FastAPI's and Starlette's errors (404, 405, 422 validation, ...) into
``application/problem+json``, so a client never sees an HTML or ad-hoc error body.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import errors
from graph.store import StoreError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("zdg.api")


class Problem(Exception):
    """Raise this anywhere in a request to answer with a problem+json response.

    >>> Problem(404, "No such organisation", type_="not-found").status
    404
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_
        self.headers = headers
        self.extra = extra


def field_error(field: str, value: Any, message: str) -> dict[str, Any]:
    """One entry of a problem's ``errors``: the one shape of every 422 (and of a 400 naming
    parameters), from the framework's validation and from our own checks alike."""
    if isinstance(value, str):
        # echoed as it came, but always encodable: a lone surrogate becomes "?"
        value = value[:300].encode("utf-8", "replace").decode("utf-8") + ("…" if len(value) > 300 else "")
    elif isinstance(value, float) and not math.isfinite(value):
        value = str(value)  # NaN and Infinity are no JSON
    return {"field": field, "value": value, "message": message}


def _framework_error(e: dict[str, Any]) -> dict[str, Any]:
    """A pydantic/FastAPI validation error as ``{field, value, message}``: ``field`` is the
    location without its first part (query, body, path, header), joined with dots."""
    loc = [str(p) for p in e.get("loc", ())]
    field = ".".join(loc[1:]) or (loc[0] if loc else "")
    value = None if e.get("type") == "missing" else e.get("input")
    if not isinstance(value, (str, int, float, bool, type(None))):
        value = None  # a whole object or list: the field names where, the message what
    message = e.get("msg", "")
    if e.get("type") == "string_pattern_mismatch" and "https?://" in str((e.get("ctx") or {}).get("pattern", "")):
        # not the 200-character pattern itself: what it means
        message = "must be an absolute http(s) IRI of plain ASCII characters"
    return field_error(field, value, message)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem+json answers, e.g. ``problem_responses(404, 406)``."""
    return {
        status: {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {}}} for status in statuses
    }


#: OpenAPI ``content`` of a 200 that is RDF by Accept (or HTML for browsers).
RDF_CONTENT: dict[str, dict] = {
    media: {} for media in ("text/turtle", "application/ld+json", "application/n-triples",
                            "application/rdf+xml", "text/html")
}


def problem_for(exc: BaseException, subject: str | None = None, headers: dict[str, str] | None = None) -> Problem | None:
    """The problem :mod:`api.errors` maps ``exc`` to (None: not a failure it knows; a bug)."""
    found = errors.answer_for(exc, subject)
    if found is None:
        return None
    if found.logged:
        log.error("%s: %s", type(exc).__name__, exc)
    return Problem(found.status, found.detail, title=found.title, type_=found.type,
                   headers={**(headers or {}), **found.headers} or None)


@contextmanager
def mapped(subject: str | None = None) -> Iterator[None]:
    """Errors of the graph layer raised inside as problems (:data:`api.errors.TABLE`);
    ``subject`` names the SPARQL text the client sent ("query", "update"), if any."""
    try:
        yield
    except Exception as exc:
        problem = problem_for(exc, subject)
        if problem is None:
            raise
        raise problem from None


#: An unknown node is 404, an invalid argument 400, a store that does not answer 503.
graph_errors = mapped


def store_problem(exc: Exception, headers: dict[str, str] | None = None) -> Problem:
    """The one answer to a store failure (:data:`api.errors.TABLE`; anything it does not know is a 500)."""
    return problem_for(exc, headers=headers) or problem_for(StoreError(str(exc)), headers=headers)  # type: ignore[return-value]


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response (``type`` is a relative IRI under /problems/ when given)."""
    body: dict[str, Any] = {
        "type": f"/problems/{type_}" if type_ else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def answer(problem: Problem, instance: str) -> JSONResponse:
    """The response for a raised :class:`Problem` at the path ``instance``."""
    return problem_response(
        problem.status, problem.detail, title=problem.title, type_=problem.type,
        instance=instance, headers=problem.headers, **problem.extra,
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return answer(exc, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        return problem_response(exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        errors = [_framework_error(e) for e in raw]
        if any(e.get("type") == "json_invalid" for e in raw):
            # A body that is not JSON at all is a syntax error (400), not a semantic one (422).
            return problem_response(
                400, "The request body is not valid JSON.",
                type_="malformed-json", instance=request.url.path, errors=errors,
            )
        return problem_response(
            422, "The request does not match the expected fields or types.",
            type_="invalid-request", instance=request.url.path, errors=errors,
        )

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> JSONResponse:
        return answer(store_problem(exc), request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "An internal error occurred; it has been logged.", instance=request.url.path)
