"""``make serve`` on a fresh clone: from ``make`` to the first 200 of ``/healthz`` (issue 16).

Each case clones this repository's committed ``HEAD`` (``git clone``) into a temporary
directory and runs ``make serve`` there on a free loopback port, with its own package caches:

* ``uv, cold cache``: empty uv and pip caches and no uv bootstrap (pip installs uv itself into
  ``~/.cache/zukunftsdialog``, uv the project): every wheel is downloaded from the package index;
* ``uv, warm cache``: a second fresh clone with the caches the cold run filled (what a developer
  sees from the second clone on);
* the same two with ``INSTALLER=pip`` (pip alone, the fallback and what ``make serve`` did
  before): the peer.

The time includes creating ``.venv``, the install, building the graph into the empty store and
the server start. Target: at most 30 s (issue 16). Downloads depend on the network of the day,
so the cold figures are the least repeatable ones.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.bench_build import free_port

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30.0
TIMEOUT_S = 600.0


def serve_from_fresh_clone(workdir: Path, name: str, installer: str, caches: Path) -> float:
    """Seconds from ``make serve`` in a new clone until ``/healthz`` answers 200."""
    clone = workdir / name
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZDG_", "VIRTUAL_ENV", "UV_", "MAKE"))}
    # No virtual environment of ours on PATH: its uv would pass for a system uv.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env.update({
        "UV_CACHE_DIR": str(caches / "uv"),
        "PIP_CACHE_DIR": str(caches / "pip"),
        "XDG_CACHE_HOME": str(caches / "xdg"),  # where scripts/venv-install keeps its uv
        "XDG_DATA_HOME": str(workdir / "xdg"),
    })
    log = (workdir / f"{name}.log").open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "serve", f"PORT={port}", f"INSTALLER={installer}"],
        cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"make serve exited with {proc.returncode}: see {log.name}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"no /healthz within {TIMEOUT_S} s")
            time.sleep(0.1)
    finally:
        # make, the shell and uvicorn share one process group: end them together.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()


def run(quick: bool = False) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="zdg-fresh-clone-"))
    rows: list[dict] = []
    try:
        times: dict[tuple[str, str], float] = {}
        installers = ("uv",) if quick else ("uv", "pip")
        for installer in installers:
            caches = workdir / f"caches-{installer}"
            for cache in ("cold", "warm"):
                times[installer, cache] = serve_from_fresh_clone(workdir, f"{installer}-{cache}", installer, caches)
        for cache in ("cold", "warm"):
            ours = times["uv", cache]
            peer = times.get(("pip", cache))
            rows.append({
                "case": f"make serve on a fresh clone, {cache} package cache",
                "ours": round(ours, 1), "unit": "s (uv)",
                "peer": "pip (INSTALLER=pip)" if peer else "not run (--quick)",
                "peer_value": round(peer, 1) if peer else None,
                "ratio": round(ours / peer, 2) if peer else None,
                "target": f"<= {TARGET_S:.0f} s", "met": ours <= TARGET_S,
            })
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
