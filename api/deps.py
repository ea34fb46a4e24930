"""Access to the one store a process serves from (opened at start-up, see api.app)."""

from __future__ import annotations

from fastapi import Request

from graph.store import Store


async def get_store(request: Request) -> Store:
    """The store of this application (FastAPI dependency)."""
    return request.app.state.store
