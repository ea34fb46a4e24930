"""``/sparql`` (SPARQL 1.1 Query Protocol, read only) and ``/sparql/update`` (token, SHACL-checked).

Thin: the protocol's request forms are parsed here; running, limiting and serialising
queries is :mod:`graph.query.service`, the service description :mod:`graph.domain.catalog`.

* ``GET /sparql?query=...``, ``POST`` form (``query=``) or direct (``application/sparql-query``),
  with ``default-graph-uri`` / ``named-graph-uri``; results by ``Accept``.
* Plain ``GET /sparql``: the SPARQL 1.1 Service Description (Turtle), or the query page for
  browsers (``Accept: text/html``).
* Errors are problem+json: 400 syntax, two queries, an update or SERVICE; 406 no acceptable
  format; 413 too long; 415 wrong media type; 422 time or memory limit reached; 429 all
  query workers busy (Retry-After).
"""

from __future__ import annotations

import threading
import weakref
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.assets import CACHE_AN_HOUR
from api.auth import require_token
from api.deps import get_store, public_base
from api.caching import not_modified
from api.negotiation import accepted, wants_html
from api.problems import Problem, answer, mapped, problem_responses
from graph.domain import catalog as dataset_description
from graph.domain import examples as query_examples
from graph.shacl import update as updates
from graph.formats import content_type
from graph.query.service import NotAcceptable, QueryLimits, QueryService, media_type_of, negotiate
from graph.store import Store

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
_lock = threading.Lock()
STATIC = Path(__file__).resolve().parents[1] / "static" / "yasgui"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
#: The files the query page loads under /sparql/assets/, all from this server (YASGUI is
#: vendored, see its README); served by api.assets (api.app mounts them).
ASSETS: dict[str, tuple[Path, str]] = {name: (STATIC / name, media) for name, media in {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "query-page.js": "text/javascript; charset=utf-8",
    "query-page.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}.items()}


@cache
def _page_html() -> str:
    return (TEMPLATES / "sparql.html").read_text(encoding="utf-8")


def query_page() -> HTMLResponse:
    """The query page (YASGUI and the example questions); it holds no data, only markup."""
    return HTMLResponse(_page_html(), headers={"Vary": "Accept"})


# --- helpers -----------------------------------------------------------------------------


def problem(status: int, detail: str, type_: str, **extra) -> Problem:
    """A problem of the protocol (cross-origin clients read it too: api.app's CORSMiddleware)."""
    return Problem(status, detail, type_=type_, **extra)


def query_service(request: Request) -> QueryService:
    """The query service of this application, started on first use (FastAPI dependency)."""
    app = request.app
    service = getattr(app.state, "sparql_service", None)
    if service is None:
        with _lock:
            service = getattr(app.state, "sparql_service", None)
            if service is None:
                service = QueryService(app.state.store, QueryLimits.from_env())
                service.warm()
                weakref.finalize(app, service.close)
                getattr(app.state, "on_stop", []).append(service.stop)
                app.state.sparql_service = service
    return service


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type")
    if raw is None:
        raise problem(415, "A POST needs a Content-Type: application/x-www-form-urlencoded or "
                      "application/sparql-query.", "unsupported-media-type")
    media, *params = raw.split(";")
    options = {}
    for p in params:
        key, _, value = p.partition("=")
        options[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), options


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise problem(400, f"The {what} is not valid UTF-8.", "bad-encoding") from None


def _check_charset(options: dict[str, str]) -> None:
    charset = options.get("charset")
    if charset and charset not in ("utf-8", "utf8"):
        raise problem(415, f"Only UTF-8 is accepted, not {charset}.", "unsupported-media-type")


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise problem(400, f"Exactly one '{name}' parameter is allowed; {len(values)} were given.",
                      "multiple-queries" if name == "query" else "multiple-updates")
    return values[0] if values else None


async def _read_params(request: Request) -> tuple[list[tuple[str, str]], str | None]:
    """All protocol parameters (URL and body) and, for a direct POST, the body's text."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params, None
    media, options = _media_type(request)
    body = await request.body()
    if media == FORM:
        _check_charset(options)
        try:
            params += parse_qsl(_decode(body, "form body"), keep_blank_values=True, strict_parsing=False)
        except ValueError:
            raise problem(400, "The form body cannot be read.", "bad-form") from None
        return params, None
    if media in (DIRECT_QUERY, DIRECT_UPDATE):
        _check_charset(options)
        return params, _decode(body, "query")
    raise problem(415, f"Unsupported Content-Type {media!r}: use {FORM} or {DIRECT_QUERY}.",
                  "unsupported-media-type")


def _headers() -> dict[str, str]:
    return {"Vary": "Accept"}


# --- routes ------------------------------------------------------------------------------


_QUERY_ROUTE = dict(
    summary="SPARQL 1.1 query endpoint (read only)",
    description="GET `query=`, POST form or `application/sparql-query`; `default-graph-uri` and "
                "`named-graph-uri`; results by Accept (JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, "
                "RDF/XML). Without a query: the service description, or the query page for browsers.",
    responses={200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}, "text/html": {}}},
               **problem_responses(400, 406, 413, 415, 422, 429)},
)


# One handler, two routes: each method needs its own operationId in the OpenAPI document.
@router.get("/sparql", operation_id="sparql_query_get", **_QUERY_ROUTE)
@router.post("/sparql", operation_id="sparql_query_post", **_QUERY_ROUTE)
async def sparql(request: Request, store: Store = Depends(get_store)) -> Response:
    accept = accepted(request.headers.get("accept"))
    params, direct = await _read_params(request)
    if direct is not None and request.headers.get("content-type", "").lower().startswith(DIRECT_UPDATE):
        raise problem(400, "This endpoint is read-only: send updates to /sparql/update.", "update-not-allowed")
    if any(k == "update" for k, _ in params):
        raise problem(400, "This endpoint is read-only: send updates to /sparql/update (POST, with a token).",
                      "update-not-allowed")
    query = _single(params, "query")
    if direct is not None:
        if query is not None:
            raise problem(400, "A direct POST carries the query in the body, not also in 'query'.",
                          "multiple-queries")
        query = direct
    default_graphs = [v for k, v in params if k == "default-graph-uri"]
    named_graphs = [v for k, v in params if k == "named-graph-uri"]
    if query is None:
        if wants_html(accept):
            return query_page()
        return _service_description(request, store, accept)
    if wants_html(accept) and request.method == "GET":
        return query_page()  # the page reads ?query= itself and runs it there
    if not query.strip():
        raise problem(400, "The query is empty.", "empty-query")
    service = query_service(request)
    with mapped("query"):  # status and problem type of each failure: api.errors
        answer = await service.run_async(query, accept=accept, default_graphs=default_graphs,
                                         named_graphs=named_graphs)
    headers = _headers()
    if answer.etag:
        # Answers come from graph.query.cache until the data changes; a client holding the
        # same bytes gets a 304 (api.caching: weak comparison, *).
        headers["ETag"] = answer.etag
        cached = not_modified(request, answer.etag, headers)
        if cached is not None:
            return cached
    return Response(answer.body, media_type=content_type(answer.media_type), headers=headers)


class QueryFastPath:
    """ASGI middleware: ``GET``/``POST /sparql`` go straight to :func:`sparql`.

    FastAPI's routing (a match against every route) and dependency resolution cost about
    0.2 ms a request, a third of what Oxigraph needs for a whole lookup (BENCHMARKS.md, issue 3).
    The route stays registered, so that the OpenAPI document describes it; both run the same
    function, and the security middleware outside this one still applies.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST") or \
                scope["path"] != scope.get("root_path", "") + "/sparql":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await sparql(request, scope["app"].state.store)
        except Problem as exc:
            response = answer(exc, request.url.path)
        await response(scope, receive, send)


def _service_description(request: Request, store: Store, accept: list[str]) -> Response:
    try:
        fmt = negotiate(accept, "CONSTRUCT").graph
    except NotAcceptable:
        raise problem(406, "The service description is RDF: ask for Turtle, N-Triples, JSON-LD or RDF/XML.",
                      "not-acceptable") from None
    base = public_base(request)
    body = dataset_description.service_description(base, fmt, store)
    media = media_type_of(fmt)
    return Response(body, media_type=content_type(media), headers=_headers())


@router.get("/sparql/examples", summary="The competency questions, as ready example queries")
def examples() -> JSONResponse:
    """``[{"id", "question": {"de", "en"}, "query"}]`` from ``queries/*.rq``."""
    return JSONResponse([e.to_dict() for e in query_examples.examples()])


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico whatever a page links: the same SVG icon."""
    path, media = ASSETS["favicon.svg"]
    return FileResponse(path, media_type=media, headers=CACHE_AN_HOUR)


@router.post(
    "/sparql/update", summary="SPARQL 1.1 Update (bearer token; refused if the result would break the shapes)",
    dependencies=[Depends(require_token)],
    responses={200: {"description": "Applied; the SHACL report of the change"},
               **problem_responses(400, 401, 403, 413, 415),
               422: {"description": "Refused: the SHACL results it would cause",
                     "content": {"application/problem+json": {}}}},
)
async def sparql_update(request: Request, store: Store = Depends(get_store),
                        service: QueryService = Depends(query_service)) -> JSONResponse:
    params, direct = await _read_params(request)
    media, _ = _media_type(request)
    if media == DIRECT_QUERY:
        raise problem(415, f"Send updates as {DIRECT_UPDATE} or as a form with 'update='.", "unsupported-media-type")
    if any(k == "query" for k, _ in params):
        raise problem(400, "This endpoint takes updates; send queries to /sparql.", "query-not-allowed")
    update = direct if direct is not None else _single(params, "update")
    if update is None or not update.strip():
        raise problem(400, "No update given ('update' form field or an application/sparql-update body).",
                      "empty-update")
    if any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
        raise problem(400, "using-graph-uri / using-named-graph-uri are not supported; use USING in the update.",
                      "unsupported-parameter")
    limits = QueryLimits.from_env()
    if len(update.encode("utf-8")) > max(limits.max_query_bytes, 1_000_000):
        raise problem(413, "The update is too long.", "update-too-large")
    with mapped("update"):
        report = await anyio.to_thread.run_sync(lambda: updates.apply(store, update, service.update_effect))
    if not report.conforms:
        raise problem(422, "The update would break the shapes; nothing was changed.", "shacl-violation",
                      **report.to_dict())
    return JSONResponse(report.to_dict())
