"""What every JSON list of the API shares: the label language, pagination, the list envelope,
and conditional GET (the rules themselves live in :mod:`api.negotiation` and :mod:`api.caching`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.caching import etag_of, not_modified
from api.negotiation import LANGUAGE_VARY, language
from api.problems import Problem
from graph.domain import lists as queries
from graph.store import StoreError

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
                      errors=[{"loc": ["query", name], "msg": "not an absolute IRI", "type": "iri"}]) from None
    return value.strip()


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
    422: {"description": "A parameter is invalid (problem details)."},
}
