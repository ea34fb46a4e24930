"""The network after a write without the wait: the previous picture, marked, until the new one is ready.

Recomputing the staff page's network after a change of the data (projection, metrics with a
seeded Louvain run, layout, HTML) takes seconds on a big graph (BENCHMARKS.md, issue 18). Here
each such result is kept with the *state* of the store it was computed from. A request on an
unchanged store gets it at once, without even asking the store for the projection's facts. The
first request after a write gets the previous result together with ``updating=True`` (the page
says "wird aktualisiert" / "updating" and reloads itself; ``/api/network`` says
``"updating": true``), while one background thread computes the new one; the next request
after that gets the new one. The very first request (nothing to show yet) waits for it.

The state of an embedded store is its write generation: every write through :mod:`graph.store`
counts one (a write straight on the pyoxigraph store, past the Store, is not seen until the next
counted one; the server makes none). A remote store's
data can change without this process knowing, so there every request computes (the projection
cache in :mod:`graph.network` still spares an unchanged answer its metrics and layout).

``ZDG_NETWORK_BACKGROUND=0`` turns this off (every request computes synchronously, as before
issue 18): the benchmarks' peer.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.store import EmbeddedStore, Store

__all__ = ["current", "state_token", "enabled", "wait_idle"]
log = logging.getLogger("zdg.network")
T = TypeVar("T")

_MAX_ENTRIES = 128


def enabled() -> bool:
    """False when ``ZDG_NETWORK_BACKGROUND=0``: then every request computes synchronously."""
    return os.environ.get("ZDG_NETWORK_BACKGROUND", "1").strip() not in ("0", "false", "no", "off")


def _serial(store: Store) -> int:
    # Not id(): a new store may get the id of a closed one (tests open many).
    with _lock:
        found = _serials.get(store)
        if found is None:
            found = _serials[store] = next(_counter)
        return found


def state_token(store: Store) -> Hashable | None:
    """What identifies the data of ``store`` cheaply (None: no cheap way, e.g. a remote store)."""
    if isinstance(store, EmbeddedStore):
        # Every write of the serving process goes through the Store, which counts it (the
        # quad count would also catch writes straight on the pyoxigraph store, but counting
        # 400,000 quads on disk costs more than the answer it guards).
        return (_serial(store), store.generation)
    return None


@dataclass
class _Kept:
    token: Hashable
    value: Any


_serials: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_counter = itertools.count(1)
_kept: OrderedDict[Hashable, _Kept] = OrderedDict()
_pending: set[Hashable] = set()
_lock = threading.Lock()
_jobs: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None
_idle = threading.Condition(_lock)


def _keep(key: Hashable, token: Hashable, value: Any) -> None:
    # Under _lock.
    _kept[key] = _Kept(token, value)
    _kept.move_to_end(key)
    while len(_kept) > _MAX_ENTRIES:
        _kept.popitem(last=False)


#: Seconds a job waits before it starts: the requests right after a write (page, API) are
#: answered first, without the job competing for the interpreter, and a burst of writes
#: (several in a row) is computed once.
DEBOUNCE_S = 0.5


def _run_jobs() -> None:
    while True:
        key, store, compute = _jobs.get()
        time.sleep(DEBOUNCE_S)
        token = state_token(store)  # read before computing: a write meanwhile makes it stale again
        try:
            value = compute()
        except Exception:  # e.g. the focus of an ego view was deleted: the next request computes and answers
            log.info("background network refresh of %r failed; the next request computes it", key, exc_info=True)
            with _lock:
                _kept.pop(key, None)
        else:
            with _lock:
                _keep(key, token, value)
        finally:
            with _lock:
                _pending.discard(key)
                _idle.notify_all()


def _schedule(key: Hashable, store: Store, compute: Callable[[], Any]) -> None:
    # Under _lock. One thread: the jobs of one write (page, API, languages) do not compete
    # for the two cores with each other, and never run twice at once for one key.
    global _worker
    if key in _pending:
        return
    _pending.add(key)
    _jobs.put((key, store, compute))
    if _worker is None or not _worker.is_alive():
        _worker = threading.Thread(target=_run_jobs, name="zdg-network-refresh", daemon=True)
        _worker.start()


def current(store: Store, key: Hashable, compute: Callable[[], T]) -> tuple[T, bool]:
    """``compute()`` for the store's data now, or the previous result while it is recomputed.

    Returns ``(value, updating)``: ``updating`` is True when ``value`` was computed before the
    last write and the new one is being computed in the background. Exceptions of a
    synchronous ``compute()`` (a bad argument, an unknown focus) reach the caller.
    """
    token = state_token(store)
    if token is None or not enabled():
        return compute(), False
    key = (_serial(store), key)
    with _lock:
        kept = _kept.get(key)
        if kept is not None and kept.token == token:
            _kept.move_to_end(key)
            return kept.value, False
        if kept is not None:
            _schedule(key, store, compute)
            return kept.value, True
    value = compute()  # nothing to show yet: the first request waits
    with _lock:
        _keep(key, token, value)
    return value, False


def wait_idle(timeout: float = 120.0) -> bool:
    """Block until no background refresh is pending (tests and benchmarks); False on timeout."""
    with _idle:
        return _idle.wait_for(lambda: not _pending, timeout=timeout)
