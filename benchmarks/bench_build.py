"""Build, load and serve-ready times and peak memory, next to rdflib as the peer.

Measured (each in its own child process, so that start-up and peak memory are honest):

* ``zdg build`` of the shipped graph into a fresh on-disk store (process start to exit),
  next to a child that parses the same files with rdflib into a ``Dataset``.
* serve-ready: ``zdg serve`` on an empty store (it builds, then serves) from process start
  until ``/healthz`` answers 200; target <= 3 s (issue 7).
* loading synthetic graphs in our model (``graph.synthetic``) of 10k/100k/400k/1M triples
  into an on-disk Oxigraph store, time and peak RSS, next to rdflib parsing the same file.

The helpers :func:`start_server` / :class:`Server` are shared with ``bench_load`` and
``fuzz_long``: a real ``zdg serve`` on a loopback port.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVE_READY_TARGET_S = 3.0
SCALES = (10_000, 100_000, 400_000, 1_000_000)
QUICK_SCALES = (10_000, 100_000)


# --------------------------------------------------------------------------- server helpers


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``zdg serve`` process on 127.0.0.1."""

    proc: subprocess.Popen
    url: str
    token: str
    log: Path
    ready_seconds: float

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s)."""
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` (SIGTERM, then SIGKILL after 10 s) if it still runs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def start_server(store: Path | str, workdir: Path, *, token: str | None = None,
                 env: dict[str, str] | None = None, timeout: float = 120.0) -> Server:
    """Start ``zdg serve`` on ``store`` and wait until ``/healthz`` is 200.

    ``ready_seconds`` is the wall time from spawning the process to the first 200.
    """
    port = free_port()
    token = token if token is not None else secrets.token_urlsafe(24)
    log = workdir / f"server-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if k != "ZDG_TOKEN"}
    full_env.update({"ZDG_STORE": str(store), "ZDG_TOKEN": token, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)],
        env=full_env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    deadline = started + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                if client.get(url + "/healthz").status_code == 200:
                    return Server(proc, url, token, log, time.perf_counter() - started)
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    proc.kill()
    raise TimeoutError(f"server not ready within {timeout} s")


# --------------------------------------------------------------------------- child processes

#: Prepended to each child's code: its peak memory and the imports the children share.
_CHILD_PRELUDE = """
import json, resource, sys, time

def peak_mib():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak across fork+exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_RDFLIB_PARSE = """
from rdflib import Dataset

t = time.perf_counter()
ds = Dataset()
for p in sys.argv[1:]:
    fmt = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "nt": "nt"}[p.rsplit(".", 1)[1]]
    ds.parse(p, format=fmt)
n = sum(1 for _ in ds.quads((None, None, None, None)))
print(json.dumps({"seconds": time.perf_counter() - t, "quads": n,
                  "peak_mib": peak_mib()}))
"""

_OXIGRAPH_LOAD = """
import pyoxigraph as ox

t = time.perf_counter()
store = ox.Store(sys.argv[1])
fmt = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE}[sys.argv[2].rsplit(".", 1)[1]]
store.bulk_load(path=sys.argv[2], format=fmt)
store.flush()
n = len(store)
print(json.dumps({"seconds": time.perf_counter() - t, "quads": n,
                  "peak_mib": peak_mib()}))
"""


def _child_json(code: str, *args: str, timeout: float = 1800) -> dict:
    out = subprocess.run([PYTHON, "-c", _CHILD_PRELUDE + code, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - started


def _shipped_files() -> list[str]:
    from graph.build import source_files

    return [str(f.path) for f in source_files()]


def _row(case: str, ours: float, peer_name: str, peer: float, unit: str = "s",
         target: str = "", met: bool | None = None, **extra) -> dict:
    return {"case": case, "ours": round(ours, 3), "peer": peer_name, "peer_value": round(peer, 3),
            "unit": unit, "ratio": round(ours / peer, 2) if peer else None,
            "target": target, "met": met, **extra}


# --------------------------------------------------------------------------- benchmarks


def bench_shipped(repeats: int, tmp: Path) -> list[dict]:
    """``zdg build`` and serve-ready on the shipped graph vs rdflib parsing the same files."""
    files = _shipped_files()
    builds, parses, readies, warm = [], [], [], []
    for i in range(repeats):
        store = tmp / f"build-{i}"
        builds.append(_wall([PYTHON, "-m", "graph.cli", "build", "--store", str(store)]))
        started = time.perf_counter()
        _child_json(_RDFLIB_PARSE, *files)
        parses.append(time.perf_counter() - started)
        server = start_server(tmp / f"serve-{i}", tmp)  # empty store: the server builds it first
        readies.append(server.ready_seconds)
        server.stop()
        server = start_server(store, tmp)  # the store zdg build just filled
        warm.append(server.ready_seconds)
        server.stop()
    build_s, parse_s, ready_s, warm_s = (statistics.median(x) for x in (builds, parses, readies, warm))
    return [
        _row("zdg build, shipped graph (process wall time)", build_s, "rdflib parse, same files (process)", parse_s,
             runs=repeats),
        _row("zdg serve on empty store: start -> /healthz 200", ready_s, "rdflib parse, same files (process)", parse_s,
             target=f"<= {SERVE_READY_TARGET_S:g} s", met=ready_s <= SERVE_READY_TARGET_S, runs=repeats),
        _row("zdg serve on a built store: start -> /healthz 200", warm_s, "rdflib parse, same files (process)", parse_s,
             runs=repeats),
    ]


def _generator():
    try:
        from graph import synthetic as generate
    except ImportError:
        return None
    return getattr(generate, "generate", None)


def _write_synthetic(gen, triples: int, path: Path) -> None:
    """Write ``gen``'s output for ``triples`` as N-Quads to ``path`` (whatever it returns)."""
    import pyoxigraph as ox

    data = gen(triples)
    if isinstance(data, (bytes, str)):
        raw = data.encode() if isinstance(data, str) else data
        # Generators may emit TriG or N-Quads; normalise to N-Quads via Oxigraph.
        for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            try:
                quads = list(ox.parse(raw, format=fmt))
                break
            except SyntaxError:
                continue
        else:
            raise ValueError("generate() returned text that is neither N-Quads nor TriG")
    elif isinstance(data, ox.Store):
        quads = list(data)
    else:
        quads = list(data)
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def bench_scales(scales: tuple[int, ...], tmp: Path) -> list[dict]:
    """Load time and peak memory at each scale: Oxigraph bulk load vs rdflib parse."""
    gen = _generator()
    if gen is None:
        return [{"case": "synthetic scales", "note": "skipped: graph.synthetic.generate does not exist yet"}]
    rows = []
    for n in scales:
        path = tmp / f"synthetic-{n}.nq"
        _write_synthetic(gen, n, path)
        ours = _child_json(_OXIGRAPH_LOAD, str(tmp / f"ox-{n}"), str(path))
        peer = _child_json(_RDFLIB_PARSE, str(path))
        label = f"{ours['quads']:,} quads"
        rows.append(_row(f"load {label}: time (Oxigraph on-disk bulk load)", ours["seconds"],
                         "rdflib Dataset.parse", peer["seconds"]))
        rows.append(_row(f"load {label}: peak RSS", ours["peak_mib"], "rdflib Dataset.parse", peer["peak_mib"],
                         unit="MiB"))
        path.unlink()
        shutil.rmtree(tmp / f"ox-{n}", ignore_errors=True)
    return rows


def run(quick: bool = False) -> list[dict]:
    """All build/load/serve-ready rows (``quick``: one repeat, scales up to 100k)."""
    with tempfile.TemporaryDirectory(prefix="zdg-bench-build-") as d:
        tmp = Path(d)
        rows = bench_shipped(1 if quick else 5, tmp)
        rows += bench_scales(QUICK_SCALES if quick else SCALES, tmp)
    return rows


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r)
