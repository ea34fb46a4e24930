"""How uvicorn serves: limits that keep one slow client from locking the others out.

uvicorn closes idle keep-alive connections, but it waits forever for the headers of a request
that has begun: 1,100 connections that each send a request line and then nothing held every file
descriptor, and nobody else got in. Here a request's headers must arrive within
``ZDG_HEADER_TIMEOUT`` seconds (default 10) of its first byte (or of the connection), and the
number of connections is capped (``ZDG_MAX_CONNECTIONS``, default 1000; beyond it uvicorn answers
503), below the file-descriptor limit, which is raised to its hard maximum.
"""

from __future__ import annotations

import asyncio
import os
import resource
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers do not arrive."""

    header_timeout = _env_float("ZDG_HEADER_TIMEOUT", 10.0)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._start_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._stop_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _start_header_timer(self) -> None:
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The options every ``zdg serve`` passes to uvicorn (and the file-descriptor limit raised)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    connections = int(_env_float("ZDG_MAX_CONNECTIONS", 1000))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return {
        "http": HeaderTimeoutProtocol,
        # Room for the store's own files, the workers' pipes and the snapshots under the limit.
        "limit_concurrency": max(16, min(connections, limit - 200)),
        "timeout_keep_alive": 5,
        # On SIGTERM, requests in flight get this long; a query or update child is killed with us.
        "timeout_graceful_shutdown": 10,
    }


class Server(uvicorn.Server):
    """uvicorn's server, telling the application when a stop begins: the callables in its
    ``state.on_stop`` run at the signal, before the graceful period. A running update's child is
    killed then and its request answered 503 within the period; uvicorn alone would wait out the
    period and then cut the request off with a 500."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        for stop in getattr(getattr(self.config.app, "state", None), "on_stop", ()):
            stop()
        super().handle_exit(sig, frame)


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` (an application object, not a factory) with :func:`uvicorn_options`."""
    Server(uvicorn.Config(app, host=host, port=port, log_level="info", **uvicorn_options())).run()
