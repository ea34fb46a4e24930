"""Conditional GET, in one place: ETags and ``If-None-Match`` → 304 (RFC 9110 13.1.2)."""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response


def etag_of(*parts: bytes | str) -> str:
    """A strong ETag over the given bytes (or text), e.g. a response body or a cache key."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return '"' + digest.hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag``: weak comparison (``W/`` ignored), ``*`` matches any.

    >>> etag_matches('W/"abc", "def"', '"abc"')
    True
    >>> etag_matches('"abcd"', '"abc"')
    False
    """
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def not_modified(request: Request, etag: str, headers: dict[str, str] | None = None) -> Response | None:
    """A 304 response (with the ETag and ``headers``) if the client already has ``etag``, else None."""
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={**(headers or {}), "ETag": etag})
    return None
