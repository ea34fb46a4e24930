"""Clear answers when something outside fails, and a server that one answer cannot bloat
(issue 17, points 2 and 5). Real servers on loopback, started and stopped here."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, VALID_RECOMMENDATION, free_port, start_api, start_oxigraph, wait_http

TOKEN = "outside-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
BIG = "SELECT ?a ?b ?c WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } } LIMIT 1000000"


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_an_answer_over_the_cap_is_a_clear_4xx_and_the_server_stays_small(tmp_path: Path) -> None:
    server = start_api(str(tmp_path / "store"), tmp_path, {"ZDG_MAX_RESULT_MB": "2"})
    try:
        before = _rss_mib(server.proc.pid)
        r = httpx.get(server.url + "/sparql", params={"query": BIG}, headers=JSON, timeout=120)
        assert r.status_code == 422, r.text[:300]
        assert r.json()["type"].endswith("result-too-large") and "ZDG_MAX_RESULT_MB" in r.json()["detail"]
        assert _rss_mib(server.proc.pid) - before < 50  # the worker stopped at 2 MB; nothing big came over
        small = httpx.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"},
                          headers=JSON, timeout=60)
        assert small.status_code == 200 and len(small.json()["results"]["bindings"]) == 10
    finally:
        server.stop()


def _snapshot_dirs(pid: int, dumps: bool = False) -> list[Path]:
    """The server's snapshot folders (with ``dumps``, also its folder of dumps)."""
    return [p for p in Path(tempfile.gettempdir()).glob(f"zdg-sparql-{pid}-*") if dumps or "-dumps-" not in p.name]


def test_snapshots_are_bounded_and_removed(tmp_path: Path) -> None:
    server = start_api(str(tmp_path / "store"), tmp_path, {"ZDG_TOKEN": TOKEN})
    try:
        for i in range(25):  # a write, then a query that needs the new state: a snapshot each
            update = f'INSERT DATA {{ GRAPH <urn:zdg-test:snap> {{ <urn:zdg-test:s{i}> <http://www.w3.org/2004/02/skos/core#note> "n" }} }}'
            assert httpx.post(server.url + "/sparql/update", data={"update": update}, headers=AUTH, timeout=60).status_code == 200
            r = httpx.get(server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:zdg-test:snap> { ?s ?p ?o } }"},
                          headers=JSON, timeout=60)
            assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == i + 1  # each write seen
        folders = _snapshot_dirs(server.proc.pid)
        assert len(folders) == 1
        assert len(list(folders[0].iterdir())) <= 3  # the live snapshot (and one being retired)
    finally:
        server.stop()
    assert _snapshot_dirs(server.proc.pid, dumps=True) == []  # a clean stop removes them


def test_snapshots_of_a_killed_server_are_removed_at_the_next_start(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    first = start_api(store, tmp_path)
    httpx.get(first.url + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=60)
    assert _snapshot_dirs(first.proc.pid)
    first.proc.kill()
    first.proc.wait(10)
    second = start_api(store, tmp_path)
    try:
        httpx.get(second.url + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=60)
        assert _snapshot_dirs(first.proc.pid, dumps=True) == []
    finally:
        second.stop()


def test_remote_store_down_gives_503_everywhere_without_internal_addresses(tmp_path: Path) -> None:
    oxigraph = start_oxigraph(tmp_path)
    server = start_api(oxigraph.url, tmp_path, {"ZDG_TOKEN": TOKEN})
    try:
        oxigraph.stop()
        port = oxigraph.url.split(":")[2].split("/")[0]
        answers = {
            "/api/organisations": httpx.get(server.url + "/api/organisations", timeout=60),
            "/id/organisation/dgb-nrw": httpx.get(server.url + "/id/organisation/dgb-nrw",
                                                  headers={"Accept": "text/turtle"}, timeout=60),
            "/sparql/update": httpx.post(server.url + "/sparql/update", headers=AUTH, timeout=60, data={
                "update": 'INSERT DATA { GRAPH <urn:zdg-test:x> { <urn:zdg-test:a> <urn:zdg-test:b> "c" } }'}),
            "/api/recommendations": httpx.post(server.url + "/api/recommendations", json=VALID_RECOMMENDATION,
                                               headers=AUTH, timeout=60),
        }
        for path, r in answers.items():
            assert r.status_code in (502, 503), (path, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith("application/problem+json"), path
            assert port not in r.text and "127.0.0.1" not in r.text, (path, r.text[:300])
        sparql = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=60)
        assert sparql.status_code in (502, 503) and port not in sparql.text
    finally:
        server.stop()
        oxigraph.stop()


@pytest.fixture
def small_disk(tmp_path: Path):
    """A server whose store lives on a 64 MiB tmpfs of its own (a private mount namespace,
    so no root is needed) and a switch that fills that disk."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.fail("this machine cannot make a private mount namespace (unshare -rm); the disk-full test needs one")
    mount = tmp_path / "disk"
    mount.mkdir()
    control = tmp_path / "control"
    control.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items()}
    env.update({"ZDG_TOKEN": TOKEN, "ZDG_STORE": f"{mount}/store"})
    script = (
        f"mount -t tmpfs -o size=64m tmpfs {mount} || exit 9\n"
        f"{sys.executable} -m api.cli serve --host 127.0.0.1 --port {port} --store {mount}/store &\n"
        f"while [ ! -e {control}/fill ]; do sleep 0.1; done\n"
        f"dd if=/dev/zero of={mount}/filler bs=1M 2>/dev/null; touch {control}/full\n"
        "wait\n"
    )
    log = tmp_path / "small-disk.log"
    proc = subprocess.Popen(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", proc=proc, timeout=60)

    def fill() -> None:
        (control / "fill").touch()
        deadline = time.monotonic() + 30
        while not (control / "full").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (control / "full").exists()

    yield url, fill
    os.killpg(proc.pid, 15)
    proc.wait(20)


def test_a_full_disk_gives_507_keeps_reads_and_loses_nothing(small_disk) -> None:
    url, fill = small_disk
    first = httpx.post(url + "/api/recommendations", json=VALID_RECOMMENDATION, headers=AUTH, timeout=60)
    assert first.status_code == 201, first.text[:300]
    fill()
    second = dict(VALID_RECOMMENDATION, text="Eine zweite Empfehlung, die nicht mehr auf die Platte passt")
    answers = [
        httpx.post(url + "/api/recommendations", json=second, headers=AUTH, timeout=60),
        httpx.post(url + "/sparql/update", headers=AUTH, timeout=60, data={
            "update": 'INSERT DATA { GRAPH <urn:zdg-test:x> { <urn:zdg-test:a> <urn:zdg-test:b> "c" } }'}),
    ]
    for r in answers:
        assert r.status_code == 507, r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "full" in r.json()["detail"]
    query = ("SELECT ?t WHERE { GRAPH ?g { ?r a <https://w3id.org/zukunftsdialog/ontology#Recommendation> ; "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?t } }")
    r = httpx.get(url + "/sparql", params={"query": query}, headers=JSON, timeout=60)
    assert r.status_code == 200, r.text[:300]
    texts = {b["t"]["value"] for b in r.json()["results"]["bindings"]}
    assert VALID_RECOMMENDATION["text"] in texts and second["text"] not in texts
    assert httpx.get(url + "/api/organisations", timeout=60).status_code == 200
    assert httpx.get(url + "/healthz", timeout=10).status_code == 200


def test_parallel_dumps_are_made_once_and_healthz_keeps_answering(tmp_path: Path) -> None:
    server = start_api(str(tmp_path / "store"), tmp_path)
    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            dumps = list(pool.map(lambda _: httpx.get(server.url + "/dump.jsonld", timeout=300), range(8)))
            assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
        assert {r.status_code for r in dumps} == {200}
        assert len({r.content for r in dumps}) == 1  # the same bytes for everyone
        made = [p for d in _snapshot_dirs(server.proc.pid, dumps=True) if "-dumps-" in d.name for p in d.iterdir()]
        assert len(made) == 1  # made once for this store state
    finally:
        server.stop()
