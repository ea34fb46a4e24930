"""What every JSON list of the API shares: the label language, pagination, the list envelope,
and conditional GET (the rules themselves live in :mod:`api.negotiation` and :mod:`api.caching`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.caching import etag_of, not_modified
from api.negotiation import LANGUAGE_VARY, language
from api.deps import get_store
from api.problems import Problem, field_error
from graph.domain import filters as filter_values
from graph.domain import lists as queries
from graph.domain.editorial import view as editorial_view
from graph.store import Store, StoreError

T = TypeVar("T")
Lang = Literal["de", "en"]
MAX_LIMIT = 1000

#: What the API takes as an IRI parameter: an http(s) IRI of plain ASCII characters (every IRI
#: of this graph and every web source is one). Documented in OpenAPI, checked again in graph/.
IRI_PATTERN = (
    r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?"
    r"(\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?(#[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$"
)


class ListPage(BaseModel, Generic[T]):
    """The envelope of every list: a slice of the items and the size of the whole list."""

    items: list[T]
    total: int = Field(description="Number of items in the whole list (all pages).")
    limit: int
    offset: int


async def negotiate_lang(
    request: Request,
    lang: Annotated[
        Lang | None,
        Query(description="Label language (de or en). Default: the lang cookie, else Accept-Language, else de."),
    ] = None,
) -> str:
    """The label language (FastAPI dependency): see :func:`api.negotiation.language`."""
    return language(request, lang)


class Paging(BaseModel):
    limit: int
    offset: int


async def paging(
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT, description=f"Page size (0–{MAX_LIMIT}).")] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31, description="Items to skip.")] = 0,
) -> Paging:
    """Pagination parameters (FastAPI dependency): limit beyond the maximum is a 422 problem."""
    return Paging(limit=limit, offset=offset)


def read_view(
    store: Annotated[Store, Depends(get_store)],
    editorial: Annotated[bool, Query(description="false: leave out this project's editorial reading (the graph …/id/source/editorial: organisation types, mappings, inferred links).")] = True,
) -> Store:
    """The store the JSON lists read: all of it, or (``editorial=false``) without the editorial graph."""
    return editorial_view(store, editorial)


async def store_guard() -> AsyncIterator[None]:
    """Router dependency: a store that fails to answer is a 503 problem, not a 500."""
    try:
        yield
    except StoreError as exc:
        raise Problem(503, f"The store did not answer: {exc}", type_="store-unavailable") from None


def check_iri(name: str, value: str | None) -> str | None:
    """``value`` if it is an absolute IRI (or None); else a 422 problem naming the parameter."""
    if value is None:
        return None
    try:
        queries.iri_term(value)
    except queries.InvalidIRI:
        raise Problem(422, f"Parameter {name!r} must be an absolute IRI.", type_="invalid-request",
                      errors=[field_error(name, value, "not an absolute IRI")]) from None
    return value.strip()


def resolve_filter(store: Store, name: str, value: str | None) -> str | None:
    """The IRI a filter value names (an IRI of the graph or its slug), or None; a value the
    graph does not have is a 422 problem whose message and ``valid`` list what it takes."""
    if value is None:
        return None
    try:
        return filter_values.resolve(store, name, value)
    except filter_values.UnknownValue as exc:
        raise Problem(422, f"Parameter {name!r}: {exc.message}", type_="unknown-value",
                      errors=[field_error(name, value, exc.message)], valid={name: exc.candidates or exc.valid}) from None


#: Marks a filter parameter in OpenAPI (``json_schema_extra``): api.docs lists its valid values
#: there as an enum taken from the graph, so the documentation says exactly what is accepted.
FILTER_MARK = "x-zdg-filter"


def filter_enum(store: Store, name: str) -> list[str]:
    """Every value the filter ``name`` takes: the short names, then the IRIs."""
    iris = filter_values.valid_iris(store, name)
    return [*filter_values.short_names(iris), *iris]


_ALLOWED: dict[int, frozenset[str]] = {}


def allowed_parameters(route: Any) -> frozenset[str]:
    """The query parameters a route declares (its own and its dependencies')."""
    key = id(route)
    if key not in _ALLOWED:
        _ALLOWED[key] = frozenset(_query_names(route.dependant))
    return _ALLOWED[key]


def _query_names(dependant: Any) -> set[str]:
    # FastAPI's Dependant tree: a route's own parameters and each dependency's, recursively.
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_parameters(request: Request) -> None:
    """Router dependency: a query parameter the route does not take is a 400 problem (a typo
    in a filter name would otherwise answer the unfiltered list as if nothing was asked)."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    allowed = allowed_parameters(route)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise Problem(400, f"Unknown query parameter(s): {', '.join(unknown)}; this endpoint takes: {known}.",
                      type_="unknown-parameter",
                      errors=[field_error(n, request.query_params.get(n), f"unknown parameter; known: {known}") for n in unknown])


def check_day(name: str, value: str | None) -> str | None:
    """``value`` if it is a real day YYYY-MM-DD (or None); else a 422 problem naming the parameter."""
    if value is None:
        return None
    try:
        return queries.as_of_date(value)
    except ValueError:
        raise Problem(422, f"Parameter {name!r} must be a day YYYY-MM-DD.", type_="invalid-request",
                      errors=[field_error(name, value, "not a day YYYY-MM-DD")]) from None


def cached_json(request: Request, payload: Any, status_code: int = 200) -> Response:
    """``payload`` as JSON with a strong ETag over its bytes; 304 if ``If-None-Match`` matches."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": LANGUAGE_VARY}
    return not_modified(request, etag, headers) or Response(
        body, status_code=status_code, media_type="application/json", headers=headers)


def page_response(request: Request, page: queries.Page, paging_: Paging) -> Response:
    """The list envelope for one page, with its ETag."""
    return cached_json(request, {"items": page.items, "total": page.total, "limit": paging_.limit, "offset": paging_.offset})


#: Documented answers shared by the list endpoints (the problem bodies are set in api.routes.docs).
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the If-None-Match ETag still matches."},
    400: {"description": "An unknown query parameter (problem details; `errors` names it)."},
    422: {"description": "A parameter is invalid or names nothing the graph has (problem details: "
                         "`errors: [{field, value, message}]`; for an unknown filter value `valid` lists what it takes)."},
}
