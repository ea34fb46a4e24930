"""The ``zdg`` entry point: the graph's commands (:mod:`graph.cli`) plus ``serve``.

``serve`` lives here because it starts the HTTP application; :mod:`graph` knows nothing of
HTTP, so the arrow points from ``api`` to ``graph`` only. Exit codes as in :mod:`graph.cli`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from api.server import uvicorn_options

from graph import store as store_mod
from graph.cli import EXIT_STORE, StoreOpt, UpdateUrlOpt, app, build_with_progress, check_remote, err, fail, open_or_exit
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
    from api.deps import public_url_from_env  # (here: the other commands start without FastAPI)

    try:
        public_url = public_url_from_env()
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if workers > 1 and not remote:
        raise fail("--workers > 1 needs a remote store (an embedded store is owned by one process)")
    # Opened (and built once) here: a store held by another server is refused with a clear
    # message before uvicorn starts, and the log says what the server starts from.
    s = open_or_exit(location, update_url, build_if_empty=False)
    try:
        if s.is_empty():
            err.print(f"the store at {location} is empty (first use): building the shipped graph into it", highlight=False)
            build_with_progress(s)
        else:
            err.print(f"the store at {location} holds {len(s)} quads: serving them as they are "
                      f"(zdg build --store {location} rebuilds the shipped graph)", highlight=False)
    except StoreError as exc:
        s.close()
        raise fail(str(exc), EXIT_STORE) from exc
    check_remote(s)  # a server whose default graph hides the data: exit 2, saying how to fix it
    base = f"http://{host}:{port}"
    err.print(
        f"serving on {base}/ (store: {location}; published as {public_url or 'the address each client uses'})\n"
        f"  {base}/graph   network page for staff (Netzwerkkarte)\n"
        f"  {base}/sparql  SPARQL query page and endpoint (zdg query --store {base}/sparql ...)\n"
        f"  {base}/docs    JSON API documentation (OpenAPI)",
        highlight=False,
    )
    if remote:
        # Each worker opens its own connection; this process only checked and built.
        s.close()
        os.environ["ZDG_STORE"] = location
        if update_url:
            os.environ["ZDG_UPDATE_URL"] = update_url
        # Staff sessions are signed with one secret: the workers inherit it (a remote store has
        # no folder of ours to keep it in; set ZDG_SESSION_SECRET to keep sessions over restarts).
        os.environ.setdefault("ZDG_SESSION_SECRET", secrets.token_urlsafe(32))
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info",
                    **uvicorn_options())
        return
    # An embedded store is owned by this one process (RocksDB holds a lock): the app serves
    # the store opened above. (Imported here: the other commands start without FastAPI.)
    from api.app import create_app
    from api.server import serve as serve_app

    try:
        serve_app(create_app(s), host, port)
    finally:
        s.close()


account_app = typer.Typer(help="Staff accounts for signing in to the editing pages (file: ZDG_ACCOUNTS).",
                          no_args_is_help=True)
app.add_typer(account_app, name="account")


@account_app.command("add")
def account_add(
    name: Annotated[str, typer.Argument(help="The username (lower-case letters, digits, '.', '_', '-').")],
    accounts: Annotated[str | None, typer.Option(help="The accounts file (default: env ZDG_ACCOUNTS).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts).")] = False,
) -> None:
    """Add a staff account (or set a new password): asks for the password, stores only its scrypt hash."""
    import sys

    from api import accounts as acc

    path_text = accounts or os.environ.get("ZDG_ACCOUNTS")
    if not path_text:
        raise fail("name the accounts file: --accounts PATH or env ZDG_ACCOUNTS")
    try:
        acc.check_username(name)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        new = acc.add_account(Path(path_text), name, password)
    except acc.AccountError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(f"cannot write {path_text}: {exc.strerror}", EXIT_STORE) from exc
    err.print(f"{'added' if new else 'changed the password of'} {name} in {path_text}", highlight=False)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
