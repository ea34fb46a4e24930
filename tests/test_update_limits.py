"""One update must not bring the server down or freeze it (issue 17, point 2).

Each case runs against a real uvicorn server: the update is refused with a 4xx, nothing is
changed, ``/healthz`` answers meanwhile, and the next write goes through.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

TOKEN = "limits-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
MARK = "INSERT DATA { GRAPH <urn:zdg-test:limits> { <urn:zdg-test:a> <http://www.w3.org/2004/02/skos/core#note> \"ok\" } }"


def _total(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import start_api

    tmp = tmp_path_factory.mktemp("limits")
    process = start_api(str(tmp / "store"), tmp, {"ZDG_TOKEN": TOKEN, "ZDG_UPDATE_TIMEOUT": "3"})
    yield process
    process.stop()


RUNAWAY = ("INSERT { GRAPH <urn:zdg-test:limits> { ?a <urn:zdg-test:x> ?c } } "
           "WHERE { GRAPH ?g1 { ?a ?p ?b } GRAPH ?g2 { ?c ?q ?d } GRAPH ?g3 { ?e ?r ?f } }")
LONG_PATH = "INSERT { <urn:zdg-test:a> <urn:zdg-test:b> ?o } WHERE { ?s " + "/".join(["<urn:zdg-test:p>"] * 20_000) + " ?o }"
MANY_UNIONS = "INSERT { <urn:zdg-test:a> <urn:zdg-test:b> ?o } WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 30_000) + " }"


@pytest.mark.parametrize("update", [RUNAWAY, LONG_PATH, MANY_UNIONS], ids=["cross-product", "path-20000", "unions-30000"])
def test_an_update_that_would_crash_or_run_forever_is_a_4xx(server, update: str) -> None:
    before = _total(server.url)
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            t = time.monotonic()
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
            health.append(time.monotonic() - t)
            time.sleep(0.2)

    watcher = threading.Thread(target=probe)
    watcher.start()
    try:
        r = httpx.post(server.url + "/sparql/update", data={"update": update}, headers=AUTH, timeout=120)
    finally:
        done.set()
        watcher.join()
    assert 400 <= r.status_code < 500, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert server.proc.poll() is None  # the server lives
    assert health and max(health) < 2.0  # and answered all along
    assert _total(server.url) == before
    r = httpx.post(server.url + "/sparql/update", data={"update": MARK}, headers=AUTH, timeout=60)
    assert r.status_code == 200, r.text[:300]
    r = httpx.post(server.url + "/sparql/update", data={"update": MARK.replace("INSERT", "DELETE")}, headers=AUTH,
                   timeout=60)
    assert r.status_code == 200


def test_the_runaway_update_is_stopped_at_the_limit(server) -> None:
    start = time.monotonic()
    r = httpx.post(server.url + "/sparql/update", data={"update": RUNAWAY}, headers=AUTH, timeout=120)
    elapsed = time.monotonic() - start
    assert r.status_code == 422 and r.json()["type"].endswith("update-timeout"), r.text[:300]
    assert elapsed < 3 + 10  # the limit (3 s) plus start-up and the gate, far from "never"


def test_the_child_computing_an_update_does_not_get_the_token(server) -> None:
    """Query and update children see no write token (issue 17, point 5)."""
    import os
    import subprocess

    pids = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    assert pids, "the server runs its query workers as children"
    for pid in pids:
        try:
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except (FileNotFoundError, PermissionError):
            continue
        assert not any(e.startswith(b"ZDG_TOKEN=") for e in environ), pid
    assert os.environ.get("ZDG_TOKEN") != TOKEN


def _children(pid: int, module: str) -> list:
    import psutil

    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if module in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def test_sigterm_during_a_runaway_update_stops_the_server_cleanly(tmp_path) -> None:
    # A runaway update used to hold the write lock and ignore SIGTERM. Now the server stops:
    # the update child is killed, nothing of the update is stored, no snapshot is left behind.
    import glob
    import os
    import signal

    from graph.store import EmbeddedStore
    from tests.conftest import start_api

    server = start_api(str(tmp_path / "store"), tmp_path, {"ZDG_TOKEN": TOKEN, "ZDG_UPDATE_TIMEOUT": "600"})
    pid = server.proc.pid
    before = _total(server.url)
    answers: list[int] = []

    def send() -> None:
        try:
            answers.append(httpx.post(server.url + "/sparql/update", data={"update": RUNAWAY}, headers=AUTH,
                                      timeout=120).status_code)
        except httpx.HTTPError:
            answers.append(0)  # the connection closed by the stopping server

    sender = threading.Thread(target=send)
    sender.start()
    try:
        for _ in range(600):  # until the update runs in its child
            children = _children(pid, "graph.shacl.delta")
            if children:
                break
            time.sleep(0.1)
        assert children, "the update child never started"
        server.proc.send_signal(signal.SIGTERM)
        # uvicorn ends by raising the signal again once it stopped cleanly (so: -SIGTERM)
        assert server.proc.wait(60) in (0, -signal.SIGTERM)
        assert "Finished server process" in server.log.read_text()
        sender.join(60)
        for child in children:
            assert not child.is_running() or child.status() == "zombie", "the update child outlived the server"
    finally:
        server.stop()
    assert not glob.glob(f"{os.environ.get('TMPDIR', '/tmp')}/zdg-sparql-{pid}-*")
    assert answers == [503]  # answered within the graceful period: the server is stopping, retry
    store = EmbeddedStore(tmp_path / "store")
    try:
        assert len(store) == before
    finally:
        store.close()
