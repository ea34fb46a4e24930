"""A query worker: a separate process that answers SPARQL queries over a read-only snapshot.

Started by :mod:`graph.query.service` (``python -m graph.query.worker READ_FD WRITE_FD PARENT_PID``).
It exists so that a query can be stopped: pyoxigraph has no timeout, but a process can be
killed. It imports nothing but pyoxigraph so that a replacement starts in a fraction of a
second. Messages are pickles over two pipes (parent and child are the same program).

Request: ``(snapshot, sparql, default_graphs, named_graphs, solutions_format, graph_format, prefixes)``
where ``snapshot`` is ``("disk", path)`` (an Oxigraph checkpoint, opened read-only) or
``("nquads", path)`` (a dump loaded into memory) and the formats are Oxigraph format names
(or None when the client accepts no format of that kind); ``prefixes`` are those a Turtle
answer declares.
Reply: ``("ok", kind, bytes)`` with kind ``solutions``/``boolean``/``graph``, or
``("error", kind, message)`` with kind ``syntax``/``not-acceptable``/``store``.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

from graph.sparql.dataset import dataset_options

_current: tuple[tuple[str, str], ox.Store] | None = None


def _open(snapshot: tuple[str, str]) -> ox.Store:
    global _current
    if _current is not None and _current[0] == snapshot:
        return _current[1]
    _current = None  # drop the old snapshot before opening the new one
    kind, path = snapshot
    if kind == "disk":
        store = ox.Store.read_only(path)
    else:
        store = ox.Store()
        store.load(path=path, format=ox.RdfFormat.N_QUADS)
    _current = (snapshot, store)
    return store


class _TooLarge(Exception):
    pass


class _Capped:
    """Collects a serialised answer and gives up as soon as it passes the cap, so that neither
    this worker nor the server ever holds more than ``ZDG_MAX_RESULT_MB`` of one answer."""

    def __init__(self, cap: int):
        self.cap, self.size, self.parts = cap, 0, []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _cap() -> int:
    return int(float(os.environ.get("ZDG_MAX_RESULT_MB", "") or 100) * (1 << 20))


def _run(message: tuple) -> tuple:
    snapshot, sparql, default_graphs, named_graphs, solutions_fmt, graph_fmt, prefixes = message
    try:
        store = _open(snapshot)
    except (OSError, ValueError, SyntaxError) as exc:
        return ("error", "store", f"cannot open the snapshot: {exc}")
    try:
        result = store.query(sparql, **dataset_options(default_graphs, named_graphs))
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            kind = "solutions" if isinstance(result, ox.QuerySolutions) else "boolean"
            if solutions_fmt is None:
                return ("error", "not-acceptable", f"{kind} result")
            out = _Capped(_cap())
            result.serialize(out, format=getattr(ox.QueryResultsFormat, solutions_fmt))
            return ("ok", kind, out.value())
        if graph_fmt is None:
            return ("error", "not-acceptable", "graph result")
        fmt = getattr(ox.RdfFormat, graph_fmt)
        use_prefixes = prefixes if fmt in (ox.RdfFormat.TURTLE,) else None
        out = _Capped(_cap())
        ox.serialize(result, out, format=fmt, prefixes=use_prefixes)
        return ("ok", "graph", out.value())
    except _TooLarge:
        return ("error", "too-large", f"{_cap() >> 20} MB")
    except SyntaxError as exc:
        return ("error", "syntax", str(exc))
    except ValueError as exc:  # e.g. an invalid IRI among the dataset graphs
        return ("error", "syntax", str(exc))
    except OSError as exc:
        return ("error", "store", str(exc))


def _limit_memory() -> None:
    """Cap the address space so a runaway query fails here instead of starving the machine."""
    megabytes = int(os.environ.get("ZDG_QUERY_MEMORY_MB", "0") or 0)
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the API process ends (even by SIGKILL), so that a
    runaway query never outlives it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent already died before prctl took effect
        os._exit(1)


def main(read_fd: int, write_fd: int, parent: int) -> None:
    """Serve requests until the parent closes the pipe."""
    _die_with_parent(parent)
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    _limit_memory()
    outbox.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            message = pickle.loads(inbox.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply = _run(message)
        except MemoryError:
            reply = ("error", "store", "the query needs more memory than a query may use")
        except Exception as exc:  # noqa: BLE001 - report, never die on one bad request
            reply = ("error", "store", f"{type(exc).__name__}: {exc}")
        outbox.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
