"""``GET /healthz``: 200 when the store answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import get_store
from api.problems import Problem
from graph.store import Store

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Liveness: 200 when the store answers")
def healthz(store: Store = Depends(get_store)) -> dict[str, str]:
    if not store.ping():
        raise Problem(503, "The store does not answer.", type_="store-unavailable")
    return {"status": "ok", "store": "remote" if store.location.startswith("http") else "embedded"}
