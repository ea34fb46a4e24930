"""What the reliability promises cost (issue 17).

* The cost of syncing each write: gated writes on an on-disk store with the flush that makes
  them durable, against the same writes without it (the peer), in one run.
* A 1 MB ``INSERT DATA`` gated (effect by Oxigraph, SHACL gate, stored) on a 400k-triple store;
  target under 1 s.
* Peak memory of the API process while it refuses a 349 MB-class answer (capped) and while it
  serves a large answer under the cap, against its memory at rest.
* ``/healthz`` latency during 8 parallel ``/dump.jsonld``, against ``/healthz`` at rest.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from benchmarks.bench_build import start_server, stop_process
from graph.synthetic import generate

NOTE = "http://www.w3.org/2004/02/skos/core#note"


def _write_quads(i: int) -> list[ox.Quad]:
    g = ox.NamedNode("https://w3id.org/zukunftsdialog/id/source/bench-sync")
    return [ox.Quad(ox.NamedNode(f"urn:bench:sync{i}"), ox.NamedNode(NOTE), ox.Literal(f"Notiz {i}"), g)]


def bench_sync(writes: int) -> list[dict]:
    from graph.build import build
    from graph.shacl import validation
    from graph.store import EmbeddedStore

    rows = []
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store = EmbeddedStore(Path(tmp) / "store")
        build(store)
        timings: dict[str, list[float]] = {"synced": [], "unsynced": []}
        flush = store.oxigraph.flush
        for i in range(writes):
            for mode in ("synced", "unsynced"):
                if mode == "unsynced":
                    store._store = _NoFlush(store.oxigraph)  # the same write, minus the flush
                t = time.perf_counter()
                assert validation.insert_checked(store, _write_quads(i * 2 + (mode == "unsynced"))).conforms
                timings[mode].append(time.perf_counter() - t)
                if mode == "unsynced":
                    store._store = store._store.inner
        del flush
        ours, peer = statistics.median(timings["synced"]), statistics.median(timings["unsynced"])
        rows.append({"case": f"gated write of one quad, median of {writes}", "ours": round(ours * 1000, 1), "unit": "ms",
                     "peer": "the same write without the flush", "peer_value": round(peer * 1000, 1),
                     "ratio": round(ours / peer, 2), "target": "measured (no target)", "met": None})
        store.close()
    return rows


class _NoFlush:
    """A pyoxigraph store whose flush does nothing (only for the unsynced peer)."""

    def __init__(self, inner: ox.Store):
        self.inner = inner

    def flush(self) -> None:
        pass

    def __getattr__(self, name):
        return getattr(self.inner, name)


def bench_insert_data(triples: int) -> list[dict]:
    from graph.shacl import validation
    from graph.store import EmbeddedStore

    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(generate(triples))
    lines, i = [], 0
    while sum(map(len, lines)) < 1_000_000:
        lines.append(f'<urn:bench:item{i}> <{NOTE}> "Anmerkung Nummer {i} zum Benchmark mit etwas Text" .')
        i += 1
    text = ("INSERT DATA { GRAPH <https://w3id.org/zukunftsdialog/id/source/bench-insert> {\n"
            + "\n".join(lines) + "\n} }")
    t = time.perf_counter()
    report = validation.update_checked(store, text)
    took = time.perf_counter() - t
    assert report.conforms
    t = time.perf_counter()
    raw = ox.Store()
    raw.update(text)
    raw_took = time.perf_counter() - t
    return [{"case": f"1 MB INSERT DATA ({i:,} triples) gated on {len(store) - i:,} quads", "ours": round(took, 2),
             "unit": "s", "peer": "Oxigraph running it on an empty store, unchecked", "peer_value": round(raw_took, 3),
             "ratio": round(took / raw_took, 1), "target": "< 1 s", "met": took < 1.0}]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_server(triples: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        data = Path(tmp) / "data.nq"
        data.write_bytes(ox.serialize(generate(triples), format=ox.RdfFormat.N_QUADS))
        store = Path(tmp) / "store"
        from graph.store import EmbeddedStore

        s = EmbeddedStore(store)
        s.oxigraph.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        s.close()
        del s
        server = start_server(str(store), Path(tmp), env={"ZDG_MAX_RESULT_MB": "100"})
        url = server.url
        try:
            rest = _rss_mib(server.proc.pid)
            peak = [rest]
            stop = threading.Event()

            def watch() -> None:
                while not stop.is_set():
                    peak.append(_rss_mib(server.proc.pid))
                    time.sleep(0.05)

            watcher = threading.Thread(target=watch)
            watcher.start()
            huge = "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 1000000"
            r = httpx.get(url + "/sparql", params={"query": huge}, headers={"Accept": "application/sparql-results+json"},
                          timeout=600)
            refused = r.status_code
            large = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 200000"
            r = httpx.get(url + "/sparql", params={"query": large}, headers={"Accept": "application/sparql-results+json"},
                          timeout=600)
            size = len(r.content) / (1 << 20)
            stop.set()
            watcher.join()
            rows.append({"case": f"API process while answering: the 1M-row cross product (answer {refused}) and "
                                 f"200k rows ({size:.0f} MiB)", "ours": round(max(peak)), "unit": "MiB peak RSS",
                         "peer": "the same process at rest", "peer_value": round(rest), "ratio": round(max(peak) / rest, 2),
                         "target": "bounded (cap ZDG_MAX_RESULT_MB=100)", "met": refused == 422})

            probe = httpx.Client(timeout=60)  # one client: a new one per probe costs ~30 ms of TLS set-up

            def healthz_times(n: int) -> list[float]:
                out = []
                for _ in range(n):
                    t = time.perf_counter()
                    probe.get(url + "/healthz")
                    out.append(time.perf_counter() - t)
                    time.sleep(0.05)
                return out

            quiet = healthz_times(20)
            # The eight downloads run in processes of their own: eight threads reading 8 x 30 MB in
            # this process would delay its own probes (the interpreter lock), not the server's answers.
            fetch = ("import httpx, sys\n"
                     "with httpx.stream('GET', sys.argv[1], timeout=1200) as r:\n"
                     "    [None for _ in r.iter_bytes()]\n"
                     "    print(r.status_code)")
            downloads = [subprocess.Popen([sys.executable, "-c", fetch, url + "/dump.jsonld"], stdout=subprocess.PIPE,
                                          text=True) for _ in range(8)]
            busy = []
            while any(d.poll() is None for d in downloads):
                busy += healthz_times(1)
            dumps_done = [int(d.communicate()[0].strip() or 0) for d in downloads]
            probe.close()
            p95 = sorted(busy)[int(len(busy) * 0.95) - 1] if busy else 0.0
            rows.append({"case": f"/healthz during 8 parallel /dump.jsonld ({triples:,} triples; answers "
                                 f"{sorted(set(dumps_done))}), p95 of {len(busy)}", "ours": round(p95 * 1000, 1),
                         "unit": "ms", "peer": "/healthz at rest (p95)",
                         "peer_value": round(sorted(quiet)[18] * 1000, 1),
                         "ratio": round(p95 / max(sorted(quiet)[18], 1e-6), 1), "target": "< 100 ms", "met": p95 < 0.1})
        finally:
            stop_process(server.proc)
    return rows


def run(quick: bool = False) -> list[dict]:
    size = 40_000 if quick else 400_000
    rows = [*bench_sync(10 if quick else 40), *bench_insert_data(size), *bench_server(size // 2 if quick else 300_000)]
    # Absolute times here depend on what else the machine runs: say how loaded it was.
    rows.append({"case": "load average of the machine (1 min) at the end of this run", "ours": round(os.getloadavg()[0], 1),
                 "unit": f"runnable processes on {os.cpu_count()} cores"})
    return rows


if __name__ == "__main__":
    for row in run(quick=os.environ.get("QUICK") == "1"):
        print(row)
