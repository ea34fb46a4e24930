"""Running researchers' SPARQL queries safely: a time limit on each, none blocking the others.

pyoxigraph cannot interrupt a query, so on an embedded store queries run in a small pool of
worker processes (:mod:`graph.query.worker`) that can be killed. Each worker reads a
read-only snapshot of the store:

* on disk: an Oxigraph checkpoint (``Store.backup``: hard links, ~10 ms), taken again after
  every write the serving process makes (the store's ``generation``) or that shows in the
  store's files;
* in memory: an N-Quads dump the workers load.

Where the system allows it (``unshare -rn``), workers run without any network at all, a
second wall behind :mod:`graph.sparql.guard`. On a remote store the query goes to the SPARQL
server with an HTTP timeout; run that server with its own limit too
(``oxigraph serve --timeout-s``).

Formats are negotiated from the client's ordered media types before the query runs; the
worker serialises the result itself (Oxigraph's serialisers), so answers cross the process
boundary once, as bytes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import pickle
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from graph.formats import GRAPH_MEDIA_TYPES, SOLUTION_MEDIA_TYPES, Formats, choose, media_type_of
from graph.query.cache import AnswerCache, etag_of_body
from graph.sparql import guard as sparql_guard
from graph.vocab import PREFIXES
from graph.sparql.guard import ForbiddenOperation
from graph.store import EmbeddedStore, QuerySyntaxError, RemoteStore, Store, StoreError, StoreTimeout, StoreUnavailable, io_error

__all__ = [
    "ForbiddenOperation", "InvalidDataset", "NotAcceptable", "QueryAnswer", "QueryLimits", "QueryService",
    "QueryTimeout", "QueryTooExpensive", "QueryTooLarge", "ResultTooLarge", "ServiceBusy", "UpdateTimeout", "UpdateTooExpensive", "SOLUTION_MEDIA_TYPES", "GRAPH_MEDIA_TYPES",
]
log = logging.getLogger("zdg.sparql")


class QueryTimeout(StoreError):
    """The query ran longer than the limit and was stopped."""


class NotAcceptable(StoreError):
    """None of the media types the client accepts fits the query's result."""


class QueryTooLarge(StoreError):
    """The query text is longer than the limit."""


class InvalidDataset(QuerySyntaxError):
    """A ``default-graph-uri``/``named-graph-uri`` is not an IRI."""


class QueryTooExpensive(StoreError):
    """The worker running the query died (it ran out of the memory a query may use)."""


class ResultTooLarge(StoreError):
    """The answer would be larger than ``ZDG_MAX_RESULT_MB``."""


class UpdateTimeout(StoreError):
    """Computing the update's effect ran longer than ``ZDG_UPDATE_TIMEOUT`` and was stopped."""


class UpdateTooExpensive(StoreError):
    """The process computing the update's effect died (a parser crash, or out of memory)."""


class ServerStopping(StoreUnavailable):
    """The server is stopping: a child's work (an update's effect, a dump) was cut off, nothing
    was changed; retry against the server once it is back."""


class ServiceBusy(StoreError):
    """Every worker stayed busy for as long as the query could have run."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class QueryLimits:
    """Limits of the query service; :meth:`from_env` reads the ``ZDG_*`` variables."""

    timeout: float = 30.0
    update_timeout: float = 30.0
    max_query_bytes: int = 100_000
    workers: int = 2
    memory_mb: int = 4096

    @classmethod
    def from_env(cls) -> QueryLimits:
        """``ZDG_QUERY_TIMEOUT`` and ``ZDG_UPDATE_TIMEOUT`` (s), ``ZDG_MAX_QUERY_BYTES``,
        ``ZDG_QUERY_WORKERS``, ``ZDG_QUERY_MEMORY_MB``."""
        return cls(
            timeout=max(0.1, _env_float("ZDG_QUERY_TIMEOUT", 30.0)),
            update_timeout=max(0.1, _env_float("ZDG_UPDATE_TIMEOUT", 30.0)),
            max_query_bytes=int(_env_float("ZDG_MAX_QUERY_BYTES", 100_000)),
            workers=max(1, int(_env_float("ZDG_QUERY_WORKERS", min(4, os.cpu_count() or 2)))),
            memory_mb=int(_env_float("ZDG_QUERY_MEMORY_MB", 4096)),
        )


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised result: its media type, the bytes, and whether it is a graph."""

    media_type: str
    body: bytes
    kind: str  # "solutions", "boolean" or "graph"
    #: A strong ETag over ``body`` (set on answers that went through the answer cache).
    etag: str = ""


def negotiate(accept: list[str], form: str | None) -> Formats:
    """Result formats for the client's media types (:func:`graph.formats.choose`).

    Raises :class:`NotAcceptable` if the query form is known and nothing fits.

    >>> negotiate(["text/csv"], "SELECT").solutions
    'CSV'
    >>> negotiate(["*/*"], "CONSTRUCT").graph
    'TURTLE'
    """
    chosen = choose(accept)
    wanted = {"SELECT": chosen.solutions, "ASK": chosen.solutions,
              "CONSTRUCT": chosen.graph, "DESCRIBE": chosen.graph}
    if form in wanted and wanted[form] is None:
        kinds = "SPARQL results (JSON, XML, CSV, TSV)" if form in ("SELECT", "ASK") else \
            "RDF (Turtle, N-Triples, JSON-LD, RDF/XML)"
        raise NotAcceptable(f"A {form} query answers with {kinds}; none of the accepted media types fits.")
    return chosen


# --- worker processes -------------------------------------------------------------------


@cache
def _sandbox_prefix() -> tuple[str, ...]:
    """``unshare -rn`` (a private, empty network namespace) if this system permits it."""
    exe = shutil.which("unshare")
    if os.environ.get("ZDG_QUERY_SANDBOX", "1") == "0" or not exe:
        return ()
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (exe, "-rn") if ok else ()


def sandboxed() -> bool:
    """True if query workers run without network access."""
    return bool(_sandbox_prefix())


#: Workers are started from this one long-lived thread: Linux's parent-death signal (which
#: the worker asks for) fires when the *thread* that forked it ends, and pool threads come and go.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zdg-sparql-spawn")


def _nquads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def child_env(memory_mb: int = 0) -> dict[str, str]:
    """The environment of a query or update child: ours, less the write token it never needs."""
    env = {k: v for k, v in os.environ.items() if k != "ZDG_TOKEN"}
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_root + os.pathsep + env.get("PYTHONPATH", "")
    env["ZDG_QUERY_MEMORY_MB"] = str(memory_mb)
    return env


def _spawn(memory_mb: int) -> _Worker:
    return _SPAWNER.submit(_Worker, memory_mb).result()


class _Worker:
    """One worker process and its two pipes (create through :func:`_spawn`)."""

    def __init__(self, memory_mb: int):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = child_env(memory_mb)
        cmd = [*_sandbox_prefix(), sys.executable, "-m", "graph.query.worker",
               str(to_child_r), str(from_child_w), str(os.getpid())]
        try:
            self.proc = subprocess.Popen(cmd, pass_fds=(to_child_r, from_child_w), env=env, stdin=subprocess.DEVNULL)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._out = Connection(to_child_w, readable=False)
        self._in = Connection(from_child_r, writable=False)
        if not self._in.poll(60):
            self.kill()
            raise StoreError("a query worker did not start")
        pickle.loads(self._in.recv_bytes())  # ("ready", pid)

    def fileno(self) -> int:
        """The descriptor the replies arrive on (for an event loop to watch)."""
        return self._in.fileno()

    def send(self, message: tuple) -> None:
        """Send a request without waiting for the reply."""
        self._out.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def receive(self) -> tuple:
        """The reply (call when one is ready)."""
        return pickle.loads(self._in.recv_bytes())

    def ask(self, message: tuple, timeout: float) -> tuple | None:
        """Send a request; the reply, or None if it did not come within ``timeout``."""
        self._out.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        if not self._in.poll(max(0.0, timeout)):
            return None
        return pickle.loads(self._in.recv_bytes())

    def kill(self) -> None:
        """Stop the process now (a query in it is abandoned)."""
        try:
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, subprocess.SubprocessError):
            pass
        for conn in (self._out, self._in):
            try:
                conn.close()
            except OSError:
                pass


class _FrameReader:
    """Collects one reply from a worker's pipe as data arrives, without blocking the event loop.

    The worker writes with ``Connection.send_bytes``: a 4-byte big-endian length, then the bytes.
    """

    def __init__(self, fd: int, done: asyncio.Future):
        self.fd, self.done = fd, done
        self.buffer = bytearray()
        self.size: int | None = None

    def on_readable(self) -> None:
        if self.done.done():
            return
        try:
            chunk = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError as exc:
            self.done.set_exception(exc)
            return
        if not chunk:
            self.done.set_exception(EOFError("the query worker closed its pipe"))
            return
        self.buffer += chunk
        if self.size is None and len(self.buffer) >= 4:
            self.size = int.from_bytes(self.buffer[:4], "big", signed=True)
            if self.size < 0:  # > 2 GiB replies use a longer header; no query result is that large here
                self.done.set_exception(OSError("reply too large"))
                return
        if self.size is not None and len(self.buffer) >= 4 + self.size:
            self.done.set_result(memoryview(self.buffer)[4 : 4 + self.size])  # no copy: unpickled once


def _remove_orphans() -> None:
    """Remove snapshot folders whose server is gone (killed, so it could not clean up)."""
    for folder in Path(tempfile.gettempdir()).glob("zdg-sparql-*"):
        owner = folder.name.split("-")[2]
        if not owner.isdigit():
            # Named by an older version, which did not say whose it is: only when surely stale.
            try:
                if time.time() - folder.stat().st_mtime > 86_400:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                pass
            continue
        try:
            os.kill(int(owner), 0)
            continue  # its server still runs
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue


class _Snapshots:
    """Read-only copies of an embedded store for the workers, renewed after writes."""

    def __init__(self, store: EmbeddedStore, keep_seconds: float):
        self._store = store
        self._disk = store.location != "memory"
        _remove_orphans()
        self._dir = Path(tempfile.mkdtemp(prefix=f"zdg-sparql-{os.getpid()}-"))
        self._lock = threading.Lock()
        self._current: tuple[str, str] | None = None
        self._mark: object = None
        self._count = 0
        self._retired: list[tuple[float, Path]] = []
        self._users: dict[str, int] = {}  # snapshot path -> queries reading it now
        self._keep = keep_seconds

    def _fingerprint(self) -> tuple:
        # Any write reaches the store's files at once: it appends to the write-ahead log
        # (*.log), or adds files (SST ingestion, flushes) and rewrites MANIFEST/CURRENT. The
        # names of all files and the sizes of those that grow in place say it; the info LOG
        # files change on their own and are left out.
        entries = []
        for e in os.scandir(self._store.location):
            name = e.name
            if name.startswith("LOG"):
                continue
            if name.endswith(".log") or name.startswith(("MANIFEST", "CURRENT")):
                try:
                    st = e.stat()
                except FileNotFoundError:  # removed by RocksDB just now: the store changed
                    entries.append((name, -1, -1))
                    continue
                entries.append((name, st.st_size, st.st_mtime_ns))
            else:
                entries.append((name, 0, 0))
        return tuple(sorted(entries))

    def _mark_now(self) -> object:
        # In memory there are no files to watch: the size stands in for writes made on the
        # pyoxigraph store directly (not through the Store methods that count generations).
        if not self._disk:
            return (self._store.generation, len(self._store.oxigraph))
        return (self._store.generation, os.stat(self._store.location).st_mtime_ns, self._fingerprint())

    def _fresh(self) -> bool:
        """True if the store has not changed since the current snapshot was taken."""
        mark = self._mark
        if self._current is None or mark is None:
            return False
        if not self._disk:
            return self._mark_now() == mark
        # The quick check (a few stats instead of a directory scan; it runs before every
        # query): a write grows a file that is already there (the write-ahead log, the
        # MANIFEST) or adds, removes or renames one (the directory's mtime).
        generation, dir_mtime, entries = mark  # type: ignore[misc]
        location = self._store.location
        if self._store.generation != generation or os.stat(location).st_mtime_ns != dir_mtime:
            return False
        for name, size, mtime in entries:
            if size == 0 and mtime == 0:
                continue  # a file that is never rewritten in place (an SST)
            try:
                st = os.stat(os.path.join(location, name))
            except FileNotFoundError:
                return False
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return False
        return True

    def current(self) -> tuple[str, str]:
        """The snapshot reflecting the store now (taken if the store changed since the last)."""
        if self._fresh():
            return self._current  # type: ignore[return-value]
        with self._lock:
            before = self._mark_now()
            if self._current is not None and before == self._mark:
                return self._current
            self._count += 1
            snapshot, before = self._take(self._dir / f"s{self._count}")
            after = self._mark_now()
            # A write during the copy: keep no mark, so the next query takes a new snapshot.
            self._mark = before if after == before else None
            if self._current is not None:
                self._retired.append((time.monotonic(), Path(self._current[1])))
            self._current = snapshot
            self._collect()
            return snapshot

    def _take(self, target: Path) -> tuple[tuple[str, str], object]:
        """A new snapshot, and the store's mark just before it was copied."""
        if self._disk:
            try:
                for attempt in range(3):
                    try:
                        self._store.oxigraph.flush()  # (it changes the files: the mark is read after it)
                        before = self._mark_now()
                        self._store.oxigraph.backup(str(target))
                        return ("disk", str(target)), before
                    except RuntimeError as exc:
                        # A write appending to the log while the checkpoint copies it ("File smaller
                        # than expected for copy"): a race with that write, not damage; try again.
                        log.info("checkpoint raced a write (%s); again", exc)
                        shutil.rmtree(target, ignore_errors=True)
                raise OSError("the checkpoint kept racing writes")
            except OSError as exc:
                # A full disk: a checkpoint must write to the store's own disk, a dump does not
                # (the snapshots live elsewhere), so reads go on, and see every acknowledged write.
                log.warning("snapshot as a dump, the checkpoint failed: %s", exc)
                shutil.rmtree(target, ignore_errors=True)
        before = self._mark_now()
        try:
            target.write_bytes(self._store.dump(ox.RdfFormat.N_QUADS))
        except OSError as exc:
            raise io_error(exc) from exc
        return ("nquads", str(target)), before

    def acquire(self, fresh_only: bool = False) -> tuple[str, str] | None:
        """The current snapshot, held until :meth:`release` (None if ``fresh_only`` and stale)."""
        if fresh_only and not self._fresh():
            return None
        while True:
            snapshot = self.current()
            with self._lock:  # it may have been retired and removed since: then take the new one
                if snapshot == self._current or any(str(p) == snapshot[1] for _, p in self._retired):
                    self._users[snapshot[1]] = self._users.get(snapshot[1], 0) + 1
                    return snapshot

    def release(self, snapshot: tuple[str, str]) -> None:
        with self._lock:
            left = self._users.get(snapshot[1], 1) - 1
            if left > 0:
                self._users[snapshot[1]] = left
            else:
                self._users.pop(snapshot[1], None)
            self._collect()

    def _collect(self) -> None:
        """Delete retired snapshots that no query reads any more (or that one has held past any
        query's time limit): one live snapshot per store state in use, not one per write."""
        now = time.monotonic()
        keep = []
        for retired_at, path in self._retired:
            if not self._users.get(str(path)) or now - retired_at > self._keep:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
                self._users.pop(str(path), None)
            else:
                keep.append((retired_at, path))
        self._retired = keep

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


class _WorkerPool:
    """At most ``size`` workers alive, busy or idle; a query waits for a free one, a late one is
    killed and replaced.

    Counting the live ones (not just the busy ones) matters: a worker started ahead of the first
    query (``warm``) or after a kill (``_replace``) may arrive after a query started its own, and
    each used to join the idle ones, so the pool grew past ``ZDG_QUERY_WORKERS``.
    """

    def __init__(self, limits: QueryLimits):
        self._limits = limits
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(limits.workers)
        self._live = 0  # started (or being started) and not killed
        self._count_lock = threading.Lock()
        self._closed = False

    @property
    def live(self) -> int:
        """Workers alive now, busy or idle."""
        return self._live

    def _reserve(self) -> bool:
        with self._count_lock:
            if self._closed or self._live >= self._limits.workers:
                return False
            self._live += 1
            return True

    def _start(self) -> _Worker:
        """A new worker for a place reserved by :meth:`_reserve`."""
        try:
            return _spawn(self._limits.memory_mb)
        except BaseException:
            self._gone()
            raise

    def _gone(self) -> None:
        with self._count_lock:
            self._live -= 1

    def _kill(self, worker: _Worker) -> None:
        worker.kill()
        self._gone()

    def _start_in_background(self, count: int) -> None:
        def start() -> None:
            for _ in range(count):
                if not self._reserve():
                    return
                self._give_back(self._start())  # (killed at once if the service closed meanwhile)
        threading.Thread(target=start, daemon=True, name="zdg-sparql-start").start()

    def warm(self) -> None:
        """Start the workers ahead of the first query (in the background)."""
        self._start_in_background(self._limits.workers)

    def _replace(self) -> None:
        self._start_in_background(1)

    def _take(self, deadline: float) -> _Worker:
        """An idle worker, or a new one while fewer than ``size`` live, or the next one freed
        or started (this caller holds a slot, so one is on its way)."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if self._reserve():
            return self._start()
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ServiceBusy("All query workers are busy; try again in a moment.") from None

    def _give_back(self, worker: _Worker) -> None:
        if self._closed:
            self._kill(worker)
        else:
            self._idle.put(worker)

    def run(self, message: tuple, deadline: float) -> tuple:
        """Send ``message`` to a free worker and return its reply; stop it at ``deadline``."""
        if self._closed:
            raise StoreError("the query service is shut down")
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ServiceBusy("All query workers are busy; try again in a moment.")
        try:
            worker = self._take(deadline)
            try:
                reply = worker.ask(message, deadline - time.monotonic())
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                self._kill(worker)
                self._replace()
                raise QueryTooExpensive("The query needed more memory than a query may use and was stopped.") from exc
            if reply is None:
                self._kill(worker)
                self._replace()
                raise QueryTimeout(f"The query did not finish within {self._limits.timeout:g} s and was stopped.")
            self._give_back(worker)
            return reply
        finally:
            self._slots.release()

    async def run_async(self, message: tuple, deadline: float) -> tuple:
        """Like :meth:`run`, but waits for the reply on the event loop instead of a thread."""
        if self._closed:
            raise StoreError("the query service is shut down")
        # Wait for a free worker without holding a thread (many waiting requests must not
        # use up the threads other requests need).
        while not self._slots.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise ServiceBusy("All query workers are busy; try again in a moment.")
            await asyncio.sleep(0.01)
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await asyncio.to_thread(self._take, deadline)
            loop = asyncio.get_running_loop()
            fd = worker.fileno()
            reader = _FrameReader(fd, loop.create_future())
            loop.add_reader(fd, reader.on_readable)
            try:
                worker.send(message)
                reply = pickle.loads(await asyncio.wait_for(reader.done, max(0.0, deadline - time.monotonic())))
            except (TimeoutError, asyncio.TimeoutError):
                loop.remove_reader(fd)
                self._kill(worker)
                self._replace()
                raise QueryTimeout(f"The query did not finish within {self._limits.timeout:g} s and was stopped.") from None
            except (EOFError, OSError, pickle.UnpicklingError) as exc:
                loop.remove_reader(fd)
                self._kill(worker)
                self._replace()
                raise QueryTooExpensive("The query needed more memory than a query may use and was stopped.") from exc
            except BaseException:  # the request was cancelled (client gone): the worker's state is unknown
                loop.remove_reader(fd)
                self._kill(worker)
                self._replace()
                raise
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop made it non-blocking; the threaded path reads it blocking
            self._give_back(worker)
            return reply
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._count_lock:
            self._closed = True
        while True:
            try:
                self._kill(self._idle.get_nowait())
            except queue.Empty:
                return


def _cache_key(sparql: str, default_graphs, named_graphs, formats: Formats) -> tuple:
    """What besides the store's state decides an answer (graph.query.cache)."""
    return (sparql, tuple(default_graphs or ()), tuple(named_graphs or ()), formats.solutions, formats.graph)


def _message(snapshot: tuple[str, str], sparql: str, default_graphs, named_graphs, formats: Formats) -> tuple:
    """A request for a worker (the layout :mod:`graph.query.worker` documents)."""
    return (snapshot, sparql, default_graphs or None, named_graphs or None, formats.solutions, formats.graph, PREFIXES)


@dataclass
class QueryService:
    """Runs read-only SPARQL queries on ``store`` under ``limits``.

    >>> from graph.store import open_store
    >>> from graph.build import build
    >>> store = open_store("memory"); _ = build(store)
    >>> service = QueryService(store, QueryLimits(timeout=30, workers=1))
    >>> answer = service.run("ASK { ?s ?p ?o }", accept=["application/sparql-results+json"])
    >>> answer.media_type, b'"boolean":true' in answer.body
    ('application/sparql-results+json', True)
    >>> service.close()
    """

    store: Store
    limits: QueryLimits = field(default_factory=QueryLimits.from_env)

    def __post_init__(self) -> None:
        self._children: set[subprocess.Popen] = set()  # update and dump children running now
        self._stopping = False
        self._remote: RemoteStore | None = None
        self._pool: _WorkerPool | None = None
        self._snapshots: _Snapshots | None = None
        if isinstance(self.store, RemoteStore):
            # Its own client, so that the query limit is the HTTP timeout.
            self._remote = RemoteStore(self.store.location, update_url=self.store.update_url,
                                       timeout=self.limits.timeout)
        elif isinstance(self.store, EmbeddedStore):
            self._snapshots = _Snapshots(self.store, keep_seconds=self.limits.timeout + 30)
            self._pool = _WorkerPool(self.limits)
        else:  # pragma: no cover - only two kinds of store exist
            raise TypeError(f"no query service for {type(self.store).__name__}")
        #: Answers until the data changes (graph.query.cache).
        self.cache = AnswerCache.from_env(remote=self._remote is not None)

    def warm(self) -> None:
        """Start workers and take the first snapshot now rather than on the first query."""
        if self._pool is not None and self._snapshots is not None:
            self._snapshots.current()
            self._pool.warm()

    def update_effect(self, update: str) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """What ``update`` would add and remove, computed in a child process killed at the limit.

        Oxigraph can crash on a deeply nested text and run unboundedly on an expensive one (a
        500-step property path takes 15 s on an empty store); in a child neither reaches the
        server. The child (``python -m graph.shacl.delta``) reads the current snapshot of an
        embedded store, without network, or asks a remote server.
        Raises :class:`UpdateTimeout`, :class:`UpdateTooExpensive`, :class:`QuerySyntaxError`.
        """
        with self.held_source() as source:
            return self._effect_in_child(update, source)

    @contextmanager
    def held_source(self) -> Iterator[dict[str, list]]:
        """Where a child process reads the store as it is now, as a message for it:
        ``{"snapshot": [kind, path]}`` (held until the block ends, see
        :func:`graph.store.open_snapshot`) or ``{"remote": [url, update_url]}``."""
        if self._snapshots is None:
            yield {"remote": [self.store.location, getattr(self.store, "update_url", None)]}
            return
        snapshot = self._snapshots.acquire()
        try:
            yield {"snapshot": list(snapshot)}
        finally:
            self._snapshots.release(snapshot)

    def _effect_in_child(self, update: str, source: dict[str, list]) -> tuple[list[ox.Quad], list[ox.Quad]]:
        prefix = _sandbox_prefix() if "snapshot" in source else ()
        try:
            done = self.run_child([*prefix, sys.executable, "-m", "graph.shacl.delta"], {**source, "update": update},
                                  timeout=self.limits.update_timeout, memory_mb=self.limits.memory_mb)
        except subprocess.TimeoutExpired:
            raise UpdateTimeout(f"The update ran longer than {self.limits.update_timeout:g} s and was stopped; "
                                "nothing was changed.") from None
        if done.returncode != 0:
            log.warning("update child exited with %s: %s", done.returncode, done.stderr[-500:])
            raise UpdateTooExpensive("The update is too complex to evaluate here (it needs more memory or "
                                     "deeper parsing than an update may use); nothing was changed.")
        reply = json.loads(done.stdout)
        if reply.get("error"):
            raise QuerySyntaxError(reply["error"])
        return _nquads(reply["added"]), _nquads(reply["removed"])

    def run_child(self, args: list[str], message: dict, *, timeout: float | None = None,
                  memory_mb: int = 0) -> subprocess.CompletedProcess:
        """Run a child of this service (``message`` as JSON on its stdin), killed when the service
        stops. Raises :class:`ServerStopping` if it stops meanwhile, ``subprocess.TimeoutExpired``
        after ``timeout`` seconds (the child killed)."""
        if self._stopping:
            raise ServerStopping("The server is stopping; nothing was changed. Retry in a moment.")
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=child_env(memory_mb))
        self._children.add(proc)
        try:
            out, err = proc.communicate(json.dumps(message), timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        finally:
            self._children.discard(proc)
        if self._stopping:
            raise ServerStopping("The server is stopping; nothing was changed. Retry in a moment.")
        return subprocess.CompletedProcess(args, proc.returncode, out, err)

    def stop(self) -> None:
        """A stop begins (SIGTERM, see api.server): the children running now are killed, so that
        their requests are answered (503) within uvicorn's graceful period instead of cut off."""
        self._stopping = True
        for proc in list(self._children):  # (a copy: this may run in a signal handler)
            proc.kill()

    def check(self, sparql: str) -> str | None:
        """Validate a query before running it; returns its form (SELECT, ASK, ...).

        Raises :class:`QueryTooLarge`, :class:`ForbiddenOperation` (SERVICE, or an update).
        """
        if len(sparql.encode("utf-8")) > self.limits.max_query_bytes:
            raise QueryTooLarge(f"The query is longer than {self.limits.max_query_bytes} bytes.")
        form = sparql_guard.query_form(sparql)
        if form == "UPDATE":
            raise ForbiddenOperation("This endpoint is read-only: send updates to /sparql/update.")
        sparql_guard.check_query(sparql)
        return form

    def run(
        self,
        sparql: str,
        *,
        accept: list[str] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryAnswer:
        """Run a query and serialise its result in the best format the client accepts.

        Raises :class:`QuerySyntaxError`, :class:`NotAcceptable`, :class:`QueryTimeout`,
        :class:`ServiceBusy`, :class:`ForbiddenOperation`, :class:`QueryTooLarge`, :class:`StoreError`.
        """
        formats = self._prepare(sparql, accept, default_graphs, named_graphs)
        started = time.monotonic()
        deadline = started + self.limits.timeout
        key = _cache_key(sparql, default_graphs, named_graphs, formats)
        if self._remote is not None:
            # Read before the query runs: writes count a generation before and after.
            state = ("remote", self.store.generation)
            hit = self.cache.get(state, key)
            if hit is not None:
                return hit.answer
            return self._keep(state, key, self._run_remote(sparql, formats, default_graphs, named_graphs), started)
        assert self._pool is not None and self._snapshots is not None
        snapshot = self._snapshots.acquire()
        try:
            hit = self.cache.get(snapshot, key)
            if hit is not None:
                return hit.answer
            message = _message(snapshot, sparql, default_graphs, named_graphs, formats)
            return self._keep(snapshot, key, self._answer(self._pool.run(message, deadline), formats), started)
        finally:
            self._snapshots.release(snapshot)

    async def run_async(
        self,
        sparql: str,
        *,
        accept: list[str] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryAnswer:
        """:meth:`run` for an asyncio event loop: the loop never blocks on the query."""
        if self._remote is not None or self._pool is None or self._snapshots is None:
            return await asyncio.to_thread(self.run, sparql, accept=accept, default_graphs=default_graphs,
                                           named_graphs=named_graphs)
        formats = self._prepare(sparql, accept, default_graphs, named_graphs)
        started = time.monotonic()
        deadline = started + self.limits.timeout
        snapshot = self._snapshots.acquire(fresh_only=True) or await asyncio.to_thread(self._snapshots.acquire)
        try:
            key = _cache_key(sparql, default_graphs, named_graphs, formats)
            hit = self.cache.get(snapshot, key)
            if hit is not None:
                return hit.answer
            message = _message(snapshot, sparql, default_graphs, named_graphs, formats)
            return self._keep(snapshot, key, self._answer(await self._pool.run_async(message, deadline), formats), started)
        finally:
            self._snapshots.release(snapshot)

    def _keep(self, state, key, answer: QueryAnswer, started: float) -> QueryAnswer:
        """``answer`` with its ETag, kept in the cache for ``state``."""
        answer = dataclasses.replace(answer, etag=etag_of_body(answer.body))
        self.cache.put(state, key, answer, answer.body, stored_at=started, etag=answer.etag)
        return answer

    def _prepare(self, sparql: str, accept, default_graphs, named_graphs) -> Formats:
        form = self.check(sparql)
        for iri in [*(default_graphs or []), *(named_graphs or [])]:
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise InvalidDataset(f"{iri!r} is not a valid IRI (default-graph-uri / named-graph-uri).") from None
        return negotiate(accept or ["*/*"], form)

    @staticmethod
    def _answer(reply: tuple, formats: Formats) -> QueryAnswer:
        status, kind, payload = reply
        if status == "ok":
            fmt = formats.graph if kind == "graph" else formats.solutions
            return QueryAnswer(media_type_of(fmt), payload, kind)
        if kind == "syntax":
            raise QuerySyntaxError(payload)
        if kind == "not-acceptable":
            raise NotAcceptable(f"The query gives a {payload}; none of the accepted media types fits.")
        if kind == "too-large":
            raise ResultTooLarge(f"The answer would be larger than {payload} (ZDG_MAX_RESULT_MB); "
                                 "ask for fewer rows (LIMIT) or fewer variables.")
        raise StoreError(payload)

    def _run_remote(self, sparql: str, formats: Formats, default_graphs, named_graphs) -> QueryAnswer:
        assert self._remote is not None
        try:
            result = self._remote.query(sparql, default_graphs=default_graphs or None,
                                        named_graphs=named_graphs or None)
        except StoreTimeout as exc:
            raise QueryTimeout(f"The query did not finish within {self.limits.timeout:g} s.") from exc
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            if formats.solutions is None:
                raise NotAcceptable("The query gives SPARQL results; none of the accepted media types fits.")
            kind = "solutions" if isinstance(result, ox.QuerySolutions) else "boolean"
            body = result.serialize(format=getattr(ox.QueryResultsFormat, formats.solutions))
            return QueryAnswer(media_type_of(formats.solutions), body, kind)
        if formats.graph is None:
            raise NotAcceptable("The query gives RDF; none of the accepted media types fits.")
        fmt = getattr(ox.RdfFormat, formats.graph)
        body = ox.serialize(result, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
        return QueryAnswer(media_type_of(formats.graph), body, "graph")

    def close(self) -> None:
        """Stop the workers and children and delete the snapshots."""
        self.stop()
        if self._pool is not None:
            self._pool.close()
        if self._snapshots is not None:
            self._snapshots.close()
        if self._remote is not None:
            self._remote.close()
