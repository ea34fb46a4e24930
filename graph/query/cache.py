"""Answers to SPARQL queries kept in memory until the data changes (issue 18).

Notebooks, dashboards and the staff page ask the same questions again and again between
writes; an answer that Oxigraph computed once is served from here until the store changes.

An entry's key is the store's *state* together with the query text, the dataset
(``default-graph-uri``/``named-graph-uri``) and the chosen result format. The state is what
makes an answer stale-proof:

* embedded store: the identity of the read-only snapshot the query ran on
  (:class:`graph.query.service._Snapshots`). A new snapshot is taken exactly when the store
  changed (a write through this process counts a generation; any other write shows in the
  store's files), so a write is seen by the next query;
* remote store: the store's ``generation`` (writes through this process count it, before and
  after the write, so an answer read during a write is never served after it), plus a
  time-to-live for writes by other clients of the same SPARQL server, which this process
  cannot see: ``ZDG_QUERY_CACHE_TTL`` seconds (default 2; 0 keeps no remote answers).

The cache holds answers of one state only: the first lookup with a new state drops every
older entry. Its size is capped at ``ZDG_QUERY_CACHE_MB`` (default 64; 0 turns it off), the
least recently used answers going first; an answer larger than a quarter of the cap is not
kept. Each entry carries a strong ETag over its bytes, so ``/sparql`` can answer
``If-None-Match`` with 304 without hashing again.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

__all__ = ["AnswerCache", "CachedAnswer", "etag_of_body"]

DEFAULT_MB = 64.0
DEFAULT_REMOTE_TTL = 2.0
#: What an entry costs besides its body (key, dataclass, dict slot), roughly.
_OVERHEAD = 512


def etag_of_body(body: bytes) -> str:
    """A strong ETag over an answer's bytes (same answer, same tag, whatever the state)."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@dataclass(frozen=True)
class CachedAnswer:
    """A kept answer: the service's answer object, its ETag and when it was stored."""

    answer: Any
    etag: str
    size: int
    stored_at: float


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


class AnswerCache:
    """An LRU of query answers for one store state, capped in bytes; thread-safe.

    >>> cache = AnswerCache(max_bytes=10_000)
    >>> cache.get("s1", ("ASK {}",)) is None
    True
    >>> _ = cache.put("s1", ("ASK {}",), "yes", b"true")
    >>> cache.get("s1", ("ASK {}",)).answer
    'yes'
    >>> cache.get("s2", ("ASK {}",)) is None   # the data changed: older answers are gone
    True
    >>> len(cache)
    0
    """

    def __init__(self, max_bytes: int, ttl: float | None = None):
        self.max_bytes = max(0, int(max_bytes))
        #: Seconds an entry may be served (None: as long as the state holds).
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._state: Hashable = None
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_env(cls, remote: bool) -> AnswerCache:
        """``ZDG_QUERY_CACHE_MB`` (cap) and, for a remote store, ``ZDG_QUERY_CACHE_TTL`` (s)."""
        max_bytes = int(max(0.0, _env_float("ZDG_QUERY_CACHE_MB", DEFAULT_MB)) * 1024 * 1024)
        ttl = max(0.0, _env_float("ZDG_QUERY_CACHE_TTL", DEFAULT_REMOTE_TTL)) if remote else None
        if ttl == 0.0:
            max_bytes = 0
        return cls(max_bytes, ttl)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes held (bodies plus a small overhead per entry)."""
        return self._bytes

    def _switch(self, state: Hashable) -> None:
        # Under the lock. Answers of an older state can never be asked for again.
        if state != self._state:
            self._entries.clear()
            self._bytes = 0
            self._state = state

    def get(self, state: Hashable, key: Hashable) -> CachedAnswer | None:
        """The answer kept for ``key`` in ``state``, or None."""
        if not self.enabled:
            return None
        with self._lock:
            self._switch(state)
            found = self._entries.get(key)
            if found is not None and self.ttl is not None and time.monotonic() - found.stored_at > self.ttl:
                self._drop(key)
                found = None
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, state: Hashable, key: Hashable, answer: Any, body: bytes,
            stored_at: float | None = None, etag: str | None = None) -> CachedAnswer:
        """Keep ``answer`` (whose bytes are ``body``) for ``key`` in ``state``; returns the entry.

        ``stored_at`` is when the query started (monotonic clock): a remote answer's age
        counts from then. Not kept if ``state`` is no longer the newest or the body is too big.
        """
        entry = CachedAnswer(answer, etag or etag_of_body(body), len(body) + _OVERHEAD,
                             time.monotonic() if stored_at is None else stored_at)
        if not self.enabled or entry.size > self.max_bytes // 4:
            return entry
        with self._lock:
            if self._state is not None and state != self._state:
                return entry  # a write came between this query's start and its answer
            self._state = state
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))
        return entry

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._state = None
