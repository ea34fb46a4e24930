"""Bearer-token check for writes. The token comes only from env ``ZDG_TOKEN``; with none set,
writes are disabled. Comparison is constant-time; the token is never logged or echoed."""

from __future__ import annotations

import hashlib
import hmac
import os

from fastapi import Request

from api.problems import Problem

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="zukunftsdialog"'}


def configured_token() -> str | None:
    """The write token, or None when writes are disabled."""
    token = os.environ.get("ZDG_TOKEN", "")
    return token or None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


async def require_token(request: Request) -> None:
    """FastAPI dependency: 401 unless ``Authorization: Bearer <ZDG_TOKEN>``; 403 if writes are off."""
    expected = configured_token()
    if expected is None:
        raise Problem(403, "Writes are disabled on this server (no ZDG_TOKEN configured).", type_="writes-disabled")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Problem(401, "A bearer token is required for writes.", type_="unauthorized", headers=_CHALLENGE)
    # Digests of equal length: compare_digest then takes the same time whatever the given
    # token's length or content, so neither the token's value nor its length leaks.
    if not hmac.compare_digest(_digest(given.strip()), _digest(expected)):
        raise Problem(401, "The bearer token is not valid.", type_="unauthorized", headers=_CHALLENGE)
