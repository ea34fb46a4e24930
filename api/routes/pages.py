"""GET /graph: the interactive network page for staff, and its assets under /graph/assets/.

Every asset is ours (vis-network comes from the pyvis package), so the one
Content-Security-Policy of every page (:mod:`api.security`) holds: nothing from another origin.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.negotiation import LANGUAGE_VARY, language
from api.assets import CACHE_AN_HOUR, AllowedFiles
from api.problems import graph_errors
from api.deps import get_store
from graph.page import render
from graph.network import MAX_DEPTH
from graph.store import Store

router = APIRouter(tags=["pages"])

@router.get("/graph", response_class=HTMLResponse, summary="The interactive network page", responses={
    status: {"description": text, "content": {"application/problem+json": {}}} for status, text in (
        (400, "a parameter is not valid"), (404, "focus is not a node of the network"), (503, "the store did not answer"))})
def graph_page(
    request: Request,
    focus: Annotated[Optional[str], Query(max_length=2000, description="IRI of the node to centre an ego view on")] = None,
    depth: Annotated[int, Query(ge=0, le=MAX_DEPTH, description="Hops around focus")] = 2,
    lang: Annotated[Optional[Literal["de", "en"]], Query(description="Language (default: negotiated, German first)")] = None,
    view: Annotated[Literal["full", "actor-theme", "organisations", "themes"], Query(
        description="full; organisations (co-signature / co-membership); actor-theme; themes (co-occurrence)")] = "full",
    store: Store = Depends(get_store),
) -> HTMLResponse:
    """The network of organisations, persons, themes, levels, recommendations, documents and
    meetings, with legend, filters, search, details with sources, ego view and PNG export."""
    with graph_errors():
        page = render.served_page(store, focus=focus, depth=depth, lang=language(request, lang), view=view)
    return HTMLResponse(page, headers={"Vary": LANGUAGE_VARY})  # CSP: api.security, as on every page


def assets() -> AllowedFiles:
    """Script, style and vis-network files of the page (graph.page.render.ASSETS), at /graph/assets/."""
    return AllowedFiles(render.ASSETS, headers=CACHE_AN_HOUR)
