"""The ``zdg`` entry point: the graph's commands (:mod:`graph.cli`) plus ``serve``.

``serve`` lives here because it starts the HTTP application; :mod:`graph` knows nothing of
HTTP, so the arrow points from ``api`` to ``graph`` only. Exit codes as in :mod:`graph.cli`.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from graph import store as store_mod
from graph.cli import EXIT_STORE, StoreOpt, UpdateUrlOpt, app, build_with_progress, err, fail, open_or_exit
from graph.store import StoreError

__all__ = ["app", "main"]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind (default: loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
    workers: Annotated[int, typer.Option(help="Worker processes (remote stores only).")] = 1,
) -> None:
    """Build if the store is empty, then serve the HTTP API, SPARQL endpoint and pages."""
    location = str(store or os.environ.get("ZDG_STORE") or store_mod.default_location())
    remote = location.startswith(("http://", "https://"))
    if workers > 1 and not remote:
        raise fail("--workers > 1 needs a remote store (an embedded store is owned by one process)")
    if remote:
        # Build once here, not in each worker. An embedded store is built by the app
        # itself: it must be opened by the serving process only (RocksDB holds a lock).
        s = open_or_exit(location, update_url)
        try:
            if s.is_empty():
                build_with_progress(s)
        except StoreError as exc:
            raise fail(str(exc), EXIT_STORE) from exc
        finally:
            s.close()
    os.environ["ZDG_STORE"] = location
    if update_url:
        os.environ["ZDG_UPDATE_URL"] = update_url
    err.print(f"serving on http://{host}:{port}/ (store: {location})", highlight=False)
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
