"""Shared fixtures: a built in-memory store, the source texts, a real uvicorn server and a
real Oxigraph server, each started on a free loopback port and stopped after use."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from graph.build import build
from graph.store import EmbeddedStore, Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "data" / "sources"
LETTER = SOURCES / "letter-of-intent-2023-01-20.md"
FOLLOWUP = SOURCES / "followup-2023-2025.md"
ADDENDUM = SOURCES / "followup-addendum-2026-12.md"
ID = "https://w3id.org/zukunftsdialog/id/"
#: A recommendation the API must accept: the themes, level and proposer are the letter's.
VALID_RECOMMENDATION = {
    "text": "Genehmigungsverfahren für Anlagen der Kreislaufwirtschaft beschleunigen",
    "lang": "de",
    "themes": [ID + "theme/kreislaufwirtschaft"],
    "levels": [ID + "policy-level/land"],
    "proposed_by": [ID + "organisation/dgb-nrw"],
    "source": "https://www.example.org/stellungnahme",
    "date": "2025-06-30",
}


def normalise(text: str) -> str:
    """Source text as quotes are compared: markdown emphasis dropped, whitespace folded."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@pytest.fixture(scope="session")
def letter_text() -> str:
    """The Letter of Intent as printed (OCR), normalised."""
    return normalise(LETTER.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def followup_text() -> str:
    """The follow-up source record, normalised."""
    return normalise(FOLLOWUP.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def addendum_text() -> str:
    """The second source record (December 2026), normalised."""
    return normalise(ADDENDUM.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_store() -> Store:
    """The shipped graph in memory, built once per session. Read only: do not write to it."""
    store = open_store("memory")
    build(store)
    return store


@pytest.fixture
def fresh_store() -> Store:
    """A newly built in-memory store a test may change."""
    store = open_store("memory")
    build(store)
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


class ServerProcess:
    """A real server process on a loopback port."""

    def __init__(self, proc: subprocess.Popen, url: str, log: Path):
        self.proc, self.url, self.log = proc, url, log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_api(store: str, tmp: Path, env: dict[str, str] | None = None, port: int | None = None) -> ServerProcess:
    """Start ``zdg serve`` (uvicorn) on ``store`` and wait until /healthz answers."""
    port = port or free_port()
    log = tmp / f"api-{port}.log"
    # Writes are off unless the test configures a token itself.
    full_env = {k: v for k, v in os.environ.items() if k != "ZDG_TOKEN"}
    full_env.update({"ZDG_STORE": store, **(env or {})})
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--store", store],
        env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # (a first start builds the graph: seconds alone, a minute on a busy machine)
        wait_http(url + "/healthz", timeout=180, proc=proc)
    except Exception:
        proc.kill()
        raise RuntimeError(log.read_text(errors="replace")[-3000:]) from None
    return ServerProcess(proc, url, log)


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Factory: ``api_server(env={"ZDG_TOKEN": "t"})`` starts a real uvicorn server on a
    fresh on-disk store (or ``store=...``); every server is stopped after the test."""
    started: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None, store: str | None = None) -> ServerProcess:
        server = start_api(store or str(tmp_path / f"store-{len(started)}"), tmp_path, env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real uvicorn server over the shipped graph for read-only tests (token "test-token")."""
    tmp = tmp_path_factory.mktemp("shared-api")
    server = start_api(str(tmp / "store"), tmp, {"ZDG_TOKEN": "test-token"})
    yield server
    server.stop()


def start_oxigraph(tmp: Path, port: int | None = None) -> ServerProcess:
    """Start the real Oxigraph server (PyPI ``oxigraph``) with the union default graph."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = port or free_port()
    log = tmp / f"oxigraph-{port}.log"
    location = tmp / f"oxigraph-{port}"
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/query?query=ASK%7B%7D", proc=proc)
    return ServerProcess(proc, url + "/sparql", log)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real, empty Oxigraph server; ``.url`` is its SPARQL endpoint (queries and updates)."""
    server = start_oxigraph(tmp_path)
    yield server
    server.stop()


CHROMIUM = os.environ.get("ZDG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One real Chromium for the whole run (the system one; Playwright's own download does
    not work here). Playwright's sync API allows one session per thread, so every browser
    test shares this one and opens its own pages or contexts."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is required at {CHROMIUM} (apt-get install chromium; .ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Listener:
    """A loopback TCP listener that records every connection attempt."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(addr)
            conn.close()

    def connections_before_now(self, timeout: float = 30.0) -> list[tuple]:
        """The connection attempts made before this call, without a fixed wait.

        A connection of our own queues behind every earlier attempt in the listen backlog, and
        the listener accepts in order: once it has recorded ours, every earlier one is recorded.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as probe:
            mine = probe.getsockname()
            deadline = time.monotonic() + timeout
            while mine not in self.connections:
                if time.monotonic() > deadline:
                    raise TimeoutError("the listener did not accept our own connection")
                time.sleep(0.01)
        return self.connections[: self.connections.index(mine)]

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    """A loopback listener that SERVICE/LOAD tests point at; it must see no connection."""
    lis = Listener()
    yield lis
    lis.close()


def sorted_nquads(path: Path) -> list[str]:
    """An on-disk store's N-Quads, sorted, to compare a store before and after a request.
    The store must not be open in another process (stop its server first)."""
    import pyoxigraph as ox

    store = EmbeddedStore(path)
    try:
        return sorted(store.dump(ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    finally:
        store.close()
        del store


def embedded(path: Path) -> EmbeddedStore:
    return EmbeddedStore(path)
