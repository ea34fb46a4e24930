"""Crash safety (issue 8, item 4): SIGKILL the server while writes are under way.

Two client threads keep adding recommendations (each with a unique text) through
``POST /api/recommendations``; the server is killed with SIGKILL once several writes were
acknowledged, i.e. while others are in flight. Then, on the same on-disk store:

* every acknowledged write (201) is there;
* no write is half there: every recommendation found has exactly as many triples, and its
  submission graph exactly as many quads, as a write that completed before the kill;
* the server starts again, serves the writes, and the shapes still hold.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from graph.store import EmbeddedStore
from tests.conftest import start_api

pytestmark = pytest.mark.slow

ID = "https://w3id.org/zukunftsdialog/id/"
TOKEN = "crash-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SKOS = "http://www.w3.org/2004/02/skos/core#"
ACKS_BEFORE_KILL = 8
WRITERS = 2
READERS = 12


def body(text: str) -> dict:
    return {
        "text": text,
        "lang": "de",
        "themes": [ID + "theme/kreislaufwirtschaft"],
        "levels": [ID + "policy-level/land"],
        "proposed_by": [ID + "organisation/dgb-nrw"],
        "source": "https://www.example.org/absturztest",
    }


def shape_of(store: EmbeddedStore, rec: str) -> tuple[int, int]:
    """(triples about the recommendation, quads in its submission graph)."""
    triples = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{rec}> ?p ?o }} }}")[0]["n"]
    graph = rec.replace(ID + "recommendation/api-", ID + "source/api-")
    quads = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"]
    return int(triples), int(quads)


def recs_with_text(store: EmbeddedStore, text: str) -> list[str]:
    rows = store.select(f'SELECT DISTINCT ?r WHERE {{ GRAPH ?g {{ ?r <{SKOS}prefLabel> ?t }} FILTER(STR(?t) = "{text}") }}')
    return [str(r["r"]) for r in rows]


def test_sigkill_during_writes_loses_no_acknowledged_write_and_half_writes_none(tmp_path: Path) -> None:
    path = tmp_path / "store"
    server = start_api(str(path), tmp_path, {"ZDG_TOKEN": TOKEN})
    acked: dict[str, str] = {}  # text -> id
    sent: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    stop = threading.Event()
    children: list[psutil.Process] = []
    refused: list[str] = []
    try:
        def writer(n: int) -> None:
            with httpx.Client(timeout=60) as client:
                while not stop.is_set():
                    text = f"Absturztest-Empfehlung {n}-{uuid.uuid4().hex}"
                    with lock:
                        sent.append(text)
                    try:
                        r = client.post(server.url + "/api/recommendations", json=body(text), headers=AUTH)
                    except httpx.HTTPError:
                        return  # the server is gone: this write is unacknowledged
                    if r.status_code != 201:
                        with lock:
                            refused.append(f"{r.status_code}: {r.text[:300]}")
                        return
                    with lock:
                        acked[text] = r.json()["id"]
                        if len(acked) >= ACKS_BEFORE_KILL:
                            enough.set()

        threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(WRITERS)]
        for t in threads:
            t.start()
        assert enough.wait(120), f"only {len(acked)} writes acknowledged; refused: {refused[:2]}"
        children = psutil.Process(server.proc.pid).children(recursive=True)
        os.kill(server.proc.pid, signal.SIGKILL)  # writers are mid-request now
        server.proc.wait(10)
        stop.set()
        for t in threads:
            t.join(70)
        # Query workers notice their parent is gone and exit (they must not hold the store).
        _, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"processes left behind by the killed server: {alive}"
    finally:
        stop.set()
        for p in children:
            if p.is_running():
                p.kill()
        server.stop()

    assert not refused, refused[:3]
    assert len(sent) > len(acked), "the kill came when no write was under way"
    store = EmbeddedStore(path)  # opening it at all is the first check: RocksDB recovered
    try:
        reference = shape_of(store, next(iter(acked.values())))
        assert reference[0] >= 8 and reference[1] >= 1
        for text, rec in acked.items():
            assert recs_with_text(store, text) == [rec], f"acknowledged write lost: {text}"
        unacked_present = 0
        for text in sent:
            for rec in recs_with_text(store, text):
                assert shape_of(store, rec) == reference, f"half-written recommendation {rec}"
                unacked_present += text not in acked
        # At most the writes in flight at the kill can have landed without their answer.
        assert unacked_present <= WRITERS
    finally:
        store.close()
        del store

    again = start_api(str(path), tmp_path, {"ZDG_TOKEN": TOKEN})
    try:
        listed = httpx.get(again.url + "/api/recommendations", params={"limit": 1000}, timeout=60).json()
        ids = {item["id"] for item in listed["items"]}
        assert set(acked.values()) <= ids
        report = httpx.get(again.url + "/api/validation", timeout=120)
        assert report.status_code == 200, report.text[:300]
        violations = [r for r in report.json()["results"] if r.get("severity", "").endswith("Violation")]
        assert report.json()["conforms"] and not violations, violations[:3]
        # And the restarted server takes writes again.
        r = httpx.post(again.url + "/api/recommendations", json=body("Nach dem Neustart geschrieben"), headers=AUTH)
        assert r.status_code == 201, r.text[:300]
    finally:
        again.stop()


def test_queries_during_writes_never_get_a_server_error(api_server) -> None:
    """Reads racing writes on an on-disk store: every answer is 200/201, none 5xx, no reset.

    Bounded in count (WRITES writes; readers stop when the writer is done)."""
    server = api_server(env={"ZDG_TOKEN": TOKEN})
    writes = 60
    done = threading.Event()
    failures: list[str] = []
    counts = {"reads": 0}
    lock = threading.Lock()

    def reader() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            while not done.is_set():
                try:
                    r = c.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?r <{SKOS}prefLabel> ?t }}"},
                              headers={"Accept": "application/sparql-results+json"})
                    ok = r.status_code == 200
                    detail = f"/sparql {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as exc:
                    ok, detail = False, f"/sparql {type(exc).__name__}: {exc}"
                with lock:
                    counts["reads"] += 1
                    if not ok:
                        failures.append(detail)

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(READERS)]
    for t in readers:
        t.start()
    try:
        with httpx.Client(base_url=server.url, timeout=60, headers=AUTH) as c:
            for i in range(writes):
                r = c.post("/api/recommendations", json=body(f"Gleichzeitig geschrieben {i}"))
                if r.status_code != 201:
                    failures.append(f"write {r.status_code}: {r.text[:200]}")
    finally:
        done.set()
        for t in readers:
            t.join(90)
    assert counts["reads"] > 0
    server.stop()
    causes = sorted({line for line in server.log.read_text(errors="replace").splitlines()
                     if re.match(r"^\w+(Error|Exception)\b", line)})
    assert not failures, f"{len(failures)} of {counts['reads']} reads/writes failed, e.g. {failures[:2]}; server: {causes[:3]}"


def test_an_unexpected_error_is_answered_without_escaping_to_the_server() -> None:
    """A bug in a route gives a 500 problem and stays inside the app: uvicorn closes the
    connection of any exception that reaches it, which resets a keep-alive client's next request."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from fastapi import FastAPI

    from api import problems
    from api.security import SecurityMiddleware

    app = FastAPI()
    app.add_middleware(SecurityMiddleware)
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/boom")

    # A thread of its own: another test (Playwright's sync API) may have left a loop running here.
    # raise_app_exceptions: an escaping exception would fail the call.
    with ThreadPoolExecutor(1) as pool:
        r = pool.submit(lambda: asyncio.run(call())).result()
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] and "a bug" not in r.text  # no internals in the answer
    assert r.headers["x-content-type-options"] == "nosniff"
