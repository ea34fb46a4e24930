"""Several API processes on one remote store (issue 17, point 4): no acknowledged write lost, and
no pair of writes that together break the shapes. Two real `zdg serve` processes on one real
Oxigraph server, writing at the same time from threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ID, VALID_RECOMMENDATION, start_api, start_oxigraph

pytestmark = [pytest.mark.remote, pytest.mark.slow]

TOKEN = "writers-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
COUNTER = "<urn:zdg-test:counter>"
GRAPH = f"<{ID}source/test-counter>"
INCREMENT = (f"DELETE {{ GRAPH {GRAPH} {{ {COUNTER} <urn:zdg-test:n> ?v }} }} "
             f"INSERT {{ GRAPH {GRAPH} {{ {COUNTER} <urn:zdg-test:n> ?w }} }} "
             f"WHERE {{ GRAPH {GRAPH} {{ {COUNTER} <urn:zdg-test:n> ?v }} BIND(?v + 1 AS ?w) }}")


@pytest.fixture
def two_processes(tmp_path: Path):
    oxigraph = start_oxigraph(tmp_path)
    first = start_api(oxigraph.url, tmp_path, {"ZDG_TOKEN": TOKEN})
    second = start_api(oxigraph.url, tmp_path, {"ZDG_TOKEN": TOKEN})
    yield first, second
    for server in (first, second, oxigraph):
        server.stop()


def _value(url: str, query: str) -> list[dict]:
    r = httpx.get(url + "/sparql", params={"query": query}, headers=JSON, timeout=60)
    return r.json()["results"]["bindings"]


def test_concurrent_increments_through_two_processes_lose_none(two_processes) -> None:
    first, second = two_processes
    start = f"INSERT DATA {{ GRAPH {GRAPH} {{ {COUNTER} <urn:zdg-test:n> 0 }} }}"
    assert httpx.post(first.url + "/sparql/update", data={"update": start}, headers=AUTH, timeout=60).status_code == 200

    def increment(i: int) -> int:
        server = (first, second)[i % 2]
        return httpx.post(server.url + "/sparql/update", data={"update": INCREMENT}, headers=AUTH, timeout=120).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(increment, range(30)))
    assert set(codes) <= {200, 409}, codes
    rows = _value(first.url, f"SELECT ?v WHERE {{ GRAPH {GRAPH} {{ {COUNTER} <urn:zdg-test:n> ?v }} }}")
    assert len(rows) == 1  # never two values side by side
    assert int(rows[0]["v"]["value"]) == codes.count(200)
    assert codes.count(200) >= 27  # conflicts are checked again, not just refused


def test_two_writes_that_together_break_a_shape_cannot_both_succeed(two_processes) -> None:
    first, second = two_processes
    themes = [ID + "theme/kreislaufwirtschaft", ID + "theme/wissenstransfer"]
    for trial in range(3):
        body = dict(VALID_RECOMMENDATION, text=f"{VALID_RECOMMENDATION['text']} (Versuch {trial})", themes=themes)
        r = httpx.post(first.url + "/api/recommendations", json=body, headers=AUTH, timeout=60)
        assert r.status_code == 201, r.text[:300]
        rec = r.json()["id"]
        # Each alone leaves the recommendation one theme (it needs at least one); both leave none.
        drops = [f"DELETE DATA {{ GRAPH <{r.json()['graph']}> {{ <{rec}> <http://purl.org/dc/terms/subject> <{t}> }} }}"
                 for t in themes]
        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(lambda pair: httpx.post(pair[0].url + "/sparql/update", data={"update": pair[1]},
                                                          headers=AUTH, timeout=120).status_code,
                                  zip((first, second), drops)))
        assert sorted(codes) in ([200, 422], [200, 409]), codes
        left = _value(first.url, f"SELECT ?t WHERE {{ GRAPH ?g {{ <{rec}> <http://purl.org/dc/terms/subject> ?t }} }}")
        assert len(left) == 1
    assert httpx.get(first.url + "/api/validation", timeout=60).json()["conforms"] is True
