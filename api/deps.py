"""What every route may depend on: the one store a process serves from (opened at start-up, see
api.app) and the public address under which it is published."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from fastapi import Request

from api.problems import Problem
from graph.store import Store

#: A Host header that is a host name, IPv4 or [IPv6] address, and an optional port: nothing that
#: could smuggle markup or a path into the absolute URLs we publish.
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*"
                   r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


async def get_store(request: Request) -> Store:
    """The store of this application (FastAPI dependency)."""
    return request.app.state.store


def public_url_from_env() -> str | None:
    """``ZDG_PUBLIC_URL`` (e.g. ``https://zukunftsdialog.example.org``), checked at start-up;
    None if unset. Raises ValueError for anything but an absolute http(s) URL without query.

    >>> os.environ["ZDG_PUBLIC_URL"] = "https://kg.example.org/zdg/"; public_url_from_env()
    'https://kg.example.org/zdg'
    >>> os.environ["ZDG_PUBLIC_URL"] = "kg.example.org"; public_url_from_env()
    Traceback (most recent call last):
    ...
    ValueError: ZDG_PUBLIC_URL must be an absolute http(s) URL such as https://kg.example.org, not 'kg.example.org'
    >>> del os.environ["ZDG_PUBLIC_URL"]
    """
    raw = os.environ.get("ZDG_PUBLIC_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or not _HOST.match(parts.netloc.rsplit("@", 1)[-1]) or "@" in parts.netloc:
        raise ValueError(f"ZDG_PUBLIC_URL must be an absolute http(s) URL such as https://kg.example.org, not {raw!r}")
    return raw.rstrip("/")


def public_base(request: Request) -> str:
    """The base of the absolute URLs we publish (service description, ``/dataset``): the
    configured ``ZDG_PUBLIC_URL``; without one, the address the client used, if its ``Host``
    header is a plain host (400 otherwise: a crafted Host is never copied into an answer)."""
    configured = getattr(request.app.state, "public_url", None)
    if configured:
        return configured
    host = request.headers.get("host", "")
    if not _HOST.match(host):
        raise Problem(400, "The Host header is not a host name with an optional port.", type_="invalid-host")
    return str(request.base_url).rstrip("/")
