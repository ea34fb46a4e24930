"""Security headers on every response and a limit on request bodies.

HTML pages get a Content-Security-Policy that allows only our own origin (scripts, styles,
images, connections), so that even a payload that slipped past escaping cannot load or send
anything elsewhere. Bodies above ``ZDG_MAX_BODY`` bytes (default 1 MiB) get 413 before the
application reads them.
"""

from __future__ import annotations

import json
import logging
import os

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("zdg.api")

#: The one Content-Security-Policy of every HTML page: scripts only from this server (the pages'
#: data travels as JSON, never as inline script); inline styles are allowed for the reader's
#: highlight rules and the landing page.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
HTML_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
]


def max_body() -> int:
    """The largest request body accepted, in bytes (env ``ZDG_MAX_BODY``)."""
    return int(os.environ.get("ZDG_MAX_BODY", str(1024 * 1024)))


async def _send_problem(send: Send, status: int, title: str, detail: str, *, type_: str = "about:blank",
                        instance: str | None = None) -> None:
    problem = {"type": type_, "title": title, "status": status, "detail": detail}
    if instance:
        problem["instance"] = instance
    body = json.dumps(problem).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
        *COMMON_HEADERS]})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    await _send_problem(send, 413, "Content Too Large", f"The request body exceeds the limit of {limit} bytes.",
                        type_="/problems/too-large")


class SecurityMiddleware:
    """ASGI middleware: headers on all responses, CSP on HTML, body size limit."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max_body()
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _too_large(send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                extra = COMMON_HEADERS + (HTML_HEADERS if content_type.startswith(b"text/html") else [])
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await _too_large(send, limit)
        except Exception:
            # Answer an unexpected error here rather than in Starlette's outermost handler:
            # that one re-raises after answering, and uvicorn then closes the connection, so
            # a keep-alive client's next request (often an unrelated one) fails with a reset.
            if started:
                raise  # half a response is out: only closing the connection is honest
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await _send_problem(send, 500, "Internal Server Error", "An internal error occurred; it has been logged.",
                                instance=scope.get("path"))


class _BodyTooLarge(HTTPException):
    """Raised while the app reads a body past the limit; the problem handlers answer 413."""

    def __init__(self) -> None:
        super().__init__(413, f"The request body exceeds the limit of {max_body()} bytes.")
