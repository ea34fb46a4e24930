"""The network after a write (issue 18): the first /api/network and /graph after a write.

For the shipped graph and synthetic stores of about 2,000 and 10,000 network nodes
(:mod:`graph.synthetic`, bulk-loaded), a real ``zdg serve`` is started; then:

1. the first ``/api/network`` and ``/graph`` (nothing computed yet: the full computation of
   projection, metrics, layout and HTML) — the **peer**, what every write cost before;
2. a write (``POST /api/recommendations``, a new node linked to existing ones);
3. the first ``/api/network`` and ``/graph`` after it — **ours** (the previous picture, marked
   ``updating`` / "wird aktualisiert", while the new one is computed in the background);
4. how long until both show the write (no longer ``updating``): ``fresh_s``.

A second server with ``ZDG_NETWORK_BACKGROUND=0`` (every request computes synchronously) does
the same write: ``sync_after_write_s`` is what the first request after a write costs when it
must include the write (igraph betweenness and the incremental layout, but no background).
Targets (issue 18): at most 0.3 s (shipped), 1 s (2,000 nodes), 5 s (10,000 nodes).

    python -m benchmarks.bench_network [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_build import start_server, stop_process  # noqa: E402

ID = "https://w3id.org/zukunftsdialog/id/"
#: (case, triples for graph.synthetic or None for the shipped graph, target seconds)
CASES = (("shipped graph", None, 0.3), ("synthetic ~2,000 nodes", 42_000, 1.0), ("synthetic ~10,000 nodes", 206_000, 5.0))
QUICK_CASES = CASES[:2]
TIMEOUT = 900.0


def _store(path: Path, triples: int | None) -> None:
    if triples is None:
        from graph.build import build
        from graph.store import EmbeddedStore

        store = EmbeddedStore(str(path))
        build(store)
        store.close()
        return
    from graph.synthetic import generate

    store = ox.Store(str(path))
    store.bulk_extend(generate(triples))
    store.flush()
    del store


def _timed_get(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    r = client.get(url, timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    r.raise_for_status()
    return elapsed, r


def _write(client: httpx.Client, base: str, token: str, i: int) -> str:
    body = {
        "text": f"Benchmark-Empfehlung {i}: Genehmigungsverfahren beschleunigen", "lang": "de",
        "themes": [ID + "theme/kreislaufwirtschaft"], "levels": [ID + "policy-level/land"],
        "proposed_by": [ID + "organisation/dgb-nrw"], "source": "https://www.example.org/benchmark",
        "date": "2025-06-30",
    }
    r = client.post(base + "/api/recommendations", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    r.raise_for_status()
    return r.json()["id"]


def _updating(api: httpx.Response, page: httpx.Response) -> tuple[bool, bool]:
    return bool(api.json()["graph"].get("updating")), "zdg-updating" in page.text


def measure(case: str, triples: int | None, target: float, workdir: Path) -> dict:
    store = workdir / "store"
    _store(store, triples)
    # The synchronous server works on a copy (one store, one process).
    sync_store = workdir / "store-sync"
    shutil.copytree(store, sync_store)
    row: dict = {"case": case}
    ours = start_server(store, workdir, timeout=600)
    try:
        with httpx.Client() as client:
            base = ours.url
            cold_api, api = _timed_get(client, base + "/api/network")
            cold_page, _ = _timed_get(client, base + "/graph")
            nodes, edges = len(api.json()["nodes"]), len(api.json()["links"])
            new_id = _write(client, base, ours.token, 1)
            written = time.perf_counter()
            first_api, api = _timed_get(client, base + "/api/network")
            first_page, page = _timed_get(client, base + "/graph")
            marked = _updating(api, page)
            while True:
                api = client.get(base + "/api/network", timeout=TIMEOUT)
                page = client.get(base + "/graph", timeout=TIMEOUT)
                if _updating(api, page) == (False, False):
                    break
                if time.perf_counter() - written > TIMEOUT:
                    raise TimeoutError("the network did not finish updating")
                time.sleep(0.1)
            fresh = time.perf_counter() - written
            assert new_id in {n["id"] for n in api.json()["nodes"]} and new_id in page.text
    finally:
        stop_process(ours.proc)
    sync = start_server(sync_store, workdir, env={"ZDG_NETWORK_BACKGROUND": "0"}, timeout=600)
    try:
        with httpx.Client() as client:
            _timed_get(client, sync.url + "/api/network")
            _timed_get(client, sync.url + "/graph")
            _write(client, sync.url, sync.token, 1)
            sync_api, _ = _timed_get(client, sync.url + "/api/network")
            sync_page, _ = _timed_get(client, sync.url + "/graph")
    finally:
        stop_process(sync.proc)
    ours_s = first_api + first_page
    peer_s = cold_api + cold_page
    row.update({
        "nodes": nodes, "edges": edges,
        "ours": round(ours_s, 3), "unit": "s",
        "peer": "first /api/network + /graph, full computation (what a write cost before)",
        "peer_value": round(peer_s, 3), "ratio": round(ours_s / peer_s, 3),
        "target": f"<= {target} s", "met": ours_s <= target,
        "api_s": round(first_api, 3), "graph_s": round(first_page, 3),
        "marked_updating": "api and page" if all(marked) else ("api" if marked[0] else ("page" if marked[1] else "no (already fresh)")),
        "fresh_s": round(fresh, 2),
        "sync_after_write_s": round(sync_api + sync_page, 2),
    })
    return row


def run(quick: bool = False) -> list[dict]:
    rows = []
    for case, triples, target in (QUICK_CASES if quick else CASES):
        workdir = Path(tempfile.mkdtemp(prefix="zdg-bench-network-"))
        try:
            rows.append(measure(case, triples, target, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the shipped graph and 2,000 nodes only")
    args = parser.parse_args(argv)
    for row in run(quick=args.quick):
        print("\t".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
