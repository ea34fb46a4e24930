"""The FastAPI application: wiring only. Each router lives in its own module.

``create_app()`` opens the store named by ``ZDG_STORE`` (or the one passed in), builds the
graph if the store is empty, and mounts the routers. uvicorn calls it as a factory::

    uvicorn api.app:create_app --factory
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api import problems
from api.assets import CACHE_AN_HOUR, AllowedFiles
from api.deps import public_url_from_env
from api.security import SecurityMiddleware
from api.routes.sparql import QueryFastPath
from graph import __version__
from graph.build import build
from graph.export import Dumps
from graph.store import Store, open_store


def create_app(store: Store | None = None) -> FastAPI:
    """The application over ``store`` (default: ``open_store()`` from the environment)."""
    own_store = store is None
    store = store or open_store(os.environ.get("ZDG_STORE"), update_url=os.environ.get("ZDG_UPDATE_URL"))
    if store.is_empty():
        build(store)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        # A clean stop ends the query workers and removes their snapshots at once.
        service = getattr(app.state, "sparql_service", None)
        if service is not None:
            service.close()
        app.state.dumps.close()
        if own_store:
            store.close()

    app = FastAPI(
        title="Zukunftsdialog Industrie – Wissensgraph / knowledge graph",
        version=__version__,
        description=(
            "JSON API, SPARQL endpoint and linked data of the Zukunftsdialog Industrie NRW. "
            "Every fact points to the passage of the source it comes from."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.on_stop = []  # run when a stop begins (api.server.Server)
    app.state.public_url = public_url_from_env()
    app.state.dumps = Dumps()
    app.add_middleware(QueryFastPath)  # inside CORS and security: added first
    # Cross-origin reads are welcome: researchers query from notebooks and other web tools. No
    # credentials: a cross-origin page never acts with a visitor's cookies.
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Authorization"],
        expose_headers=["Content-Type", "Content-Length", "ETag"], max_age=86400,
    )
    app.add_middleware(SecurityMiddleware)
    problems.install(app)
    _mount_routers(app)
    return app


def _mount_routers(app: FastAPI) -> None:
    from api.routes import curation, docs, health, landing, linked_data, network, pages, recommendations, resources, sparql

    for module in (health, landing, sparql, linked_data, resources, recommendations, network, pages, curation):
        app.include_router(module.router)
    # Files served as they are: Starlette's StaticFiles over each page's allow-list (api.assets).
    app.mount("/sparql/assets", AllowedFiles(sparql.ASSETS, headers=CACHE_AN_HOUR))
    app.mount("/graph/assets", pages.assets())
    app.mount("/edit/assets", AllowedFiles(curation.ASSETS, headers={"Cache-Control": "no-cache"}))
    docs.install(app)  # /docs and /openapi.json with locally served Swagger UI assets
