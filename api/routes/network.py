"""GET /api/network (node-link JSON), /api/network.graphml and /api/network.gexf (for Gephi).

Thin: parameters are checked here, the projection and its metrics come from graph.network
(which caches them, so a request never rebuilds an unchanged networkx graph).
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Depends, Query, Request, Response

from api.caching import etag_of, not_modified
from api.deps import get_store
from api.negotiation import LANGUAGE_VARY, language
from api.problems import graph_errors
from graph import network
from graph.network import refresh
from graph.export import NETWORK_DUMPS
from graph.page import gephi
from graph.store import Store

router = APIRouter(tags=["network"])

View = Literal["full", "actor-theme", "organisations", "themes"]
ViewQ = Annotated[View, Query(description="full; actor-theme (bipartite actors–themes); organisations (co-signature / co-membership); themes (co-occurrence)")]
FocusQ = Annotated[Optional[str], Query(description="IRI of a node: the ego network around it", max_length=2000,
                                        examples=["https://w3id.org/zukunftsdialog/id/person/anja-weber"])]
DepthQ = Annotated[Optional[int], Query(ge=0, le=network.MAX_DEPTH, description="Hops around focus (default 2)")]
LangQ = Annotated[Optional[Literal["de", "en"]], Query(description="Language of node labels (default: negotiated)")]
AsOfQ = Annotated[Optional[str], Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The network as it stood on this date (YYYY-MM-DD)",
                                       examples=["2023-06-01"])]


def _project(store: Store, view: str, focus: str | None, depth: int | None, lang: str, as_of: str | None):
    """The projection and whether it is the one before the last write, being recomputed."""
    with graph_errors():
        return refresh.current(store, ("network", view, focus, depth, lang, as_of), lambda: network.project(
            store, view=view, focus=focus, depth=depth, lang=lang, as_of=as_of))


def _negotiated(request: Request, store: Store, fmt: str, view: str, focus: str | None, depth: int | None,
                lang: str | None, as_of: str | None):
    """The projection a request asks for, whether it is being recomputed, its ETag, and the 304
    if the client has it already."""
    lang = language(request, lang)
    g, updating = _project(store, view, focus, depth, lang, as_of)
    etag = _etag(g, fmt, updating, view, focus, depth, lang, as_of)
    return g, updating, etag, not_modified(request, etag, {"Vary": LANGUAGE_VARY})


def _etag(g, *params: Any) -> str:
    """The projection's digest and the request's parameters: equal ETags, equal bodies."""
    return etag_of(repr((g.graph.get("digest"), params)))


NODE_LINK_EXAMPLE = {
    "directed": False, "multigraph": False, "graph": {"view": "full"},
    "nodes": [{"id": "https://w3id.org/zukunftsdialog/id/person/anja-weber", "type": "person", "label": "Anja Weber",
               "labels": {"de": "Anja Weber", "en": "Anja Weber"}, "degree": 2, "betweenness": 0.0,
               "pagerank": 0.0096, "community": 3}],
    "links": [{"source": "https://w3id.org/zukunftsdialog/id/person/anja-weber",
               "target": "https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw",
               "type": "holds-post", "types": ["holds-post", "member-of"]}],
}


@router.get(
    "/api/network",
    summary="The network as node-link JSON, with per-node metrics",
    responses={200: {"content": {"application/json": {"example": NODE_LINK_EXAMPLE}}}, **{
        status: {"description": text, "content": {"application/problem+json": {}}} for status, text in (
            (400, "a parameter is not valid (e.g. as_of is no real date)"),
            (404, "focus is not a node of the view"),
            (503, "the store did not answer"))}},
)
def get_network(
    request: Request,
    response: Response,
    view: ViewQ = "full",
    focus: FocusQ = None,
    depth: DepthQ = None,
    lang: LangQ = None,
    as_of: AsOfQ = None,
    store: Store = Depends(get_store),
) -> dict[str, Any]:
    """Nodes (organisations, persons, themes, policy levels, recommendations, documents,
    events …) with `type`, labels, sources and metrics (`degree`, `betweenness`, `pagerank`,
    `community`); links with `type`. Right after a write the network as it was comes at once
    with `graph.updating: true` while the new one is computed; ask again shortly."""
    g, updating, etag, cached = _negotiated(request, store, "json", view, focus, depth, lang, as_of)
    if cached is not None:
        return cached
    return Response(_body(g, updating), media_type="application/json", headers={"ETag": etag, "Vary": LANGUAGE_VARY})


#: Serialised answers per projection (a projection is shared from graph.network's cache until
#: the data changes): serialising 10,000 nodes costs longer than finding them.
_bodies: "weakref.WeakKeyDictionary[Any, dict[bool, bytes]]" = weakref.WeakKeyDictionary()
_bodies_lock = threading.Lock()


def _body(g, updating: bool) -> bytes:
    with _bodies_lock:
        found = _bodies.get(g, {}).get(updating)
    if found is None:
        if updating:
            # The network before the last write, while the new one is computed: the body it was
            # served with, "updating": true added to its "graph" object (which json.dumps
            # writes before the nodes), rather than 10,000 nodes serialised again.
            plain = _body(g, False)
            found = plain.replace(b'"graph":{}', b'"graph":{"updating":true}', 1) if b'"graph":{}' in plain[:200] \
                else plain.replace(b'"graph":{', b'"graph":{"updating":true,', 1)
        else:
            found = json.dumps(network.node_link(g), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with _bodies_lock:
            _bodies.setdefault(g, {})[updating] = found
    return found


def _dump_route(fmt: str):
    media = NETWORK_DUMPS[fmt]

    def dump(
        request: Request,
        view: ViewQ = "full",
        focus: FocusQ = None,
        depth: DepthQ = None,
        lang: LangQ = None,
        as_of: AsOfQ = None,
        store: Store = Depends(get_store),
    ) -> Response:
        lang = language(request, lang)
        g, updating, etag, cached = _negotiated(request, store, fmt, view, focus, depth, lang, as_of)
        if cached is not None:
            return cached
        return Response(gephi.dump(g, fmt, lang), media_type=media, headers={
            "ETag": etag, "Vary": LANGUAGE_VARY,
            "Content-Disposition": f'attachment; filename="zukunftsdialog-{view}.{fmt}"'})

    dump.__doc__ = (f"The same network as {fmt.upper()} for Gephi: directed edges with their relation, nodes with the "
                    "page's positions, colours and sizes (list attributes as JSON strings).")
    return dump


_ERRORS = {status: {"description": text, "content": {"application/problem+json": {}}} for status, text in (
    (400, "a parameter is not valid"), (404, "focus is not a node of the view"), (503, "the store did not answer"))}
router.add_api_route("/api/network.graphml", _dump_route("graphml"), methods=["GET"], summary="The network as GraphML",
                     response_class=Response, responses={200: {"content": {NETWORK_DUMPS["graphml"]: {}}}, **_ERRORS})
router.add_api_route("/api/network.gexf", _dump_route("gexf"), methods=["GET"], summary="The network as GEXF",
                     response_class=Response, responses={200: {"content": {NETWORK_DUMPS["gexf"]: {}}}, **_ERRORS})
