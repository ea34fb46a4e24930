"""The query workers of a server never outnumber ZDG_QUERY_WORKERS, however queries arrive
(issue 17, point 5: the idle pool grew past it). A real server, its real child processes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import start_api

JSON = {"Accept": "application/sparql-results+json"}
#: Runs far past the 2 s limit: the worker answering it is killed and replaced.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _workers(pid: int) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "graph.query.worker" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pool_never_outgrows_its_size(tmp_path: Path, workers: int) -> None:
    server = start_api(str(tmp_path / "store"), tmp_path,
                       {"ZDG_QUERY_WORKERS": str(workers), "ZDG_QUERY_TIMEOUT": "2", "ZDG_QUERY_CACHE_MB": "0"})
    try:
        seen: list[int] = []

        def query(i: int) -> int:
            seen.append(len(_workers(server.proc.pid)))
            text = RUNAWAY if i % 7 == 3 else f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(?o != {i}) }}"
            return httpx.get(server.url + "/sparql", params={"query": text}, headers=JSON, timeout=120).status_code

        # Queries at once right after start (while the first workers start), with runaways
        # among them that get their workers killed and replaced.
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(query, range(40)))
        assert set(codes) <= {200, 422, 429} and 200 in codes and 422 in codes, codes
        for _ in range(20):  # replacements settle
            seen.append(len(_workers(server.proc.pid)))
            time.sleep(0.1)
        assert max(seen) <= workers, seen
        assert len(_workers(server.proc.pid)) >= 1  # and the pool is not left empty
        r = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=60)
        assert r.status_code == 200 and r.json()["boolean"] is True
    finally:
        server.stop()
