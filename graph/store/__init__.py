"""One small interface over the places the graph can live.

* :class:`EmbeddedStore` (:mod:`graph.store.embedded`): Oxigraph in this process, on disk (a
  directory) or in memory.
* :class:`RemoteStore` (:mod:`graph.store.remote`): any SPARQL 1.1 server that takes queries and
  updates over HTTP (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever).
* :class:`Store` (:mod:`graph.store.base`) what both offer; :mod:`graph.store.errors` what can go
  wrong; :mod:`graph.store.terms` terms and quads between Oxigraph, rdflib and SPARQL text.

Both answer SPARQL with Oxigraph result objects. The default graph is the union of the named
graphs on both (a remote server must be configured so: ``oxigraph serve --union-default-graph``,
Fuseki ``unionDefaultGraph``).

>>> store = open_store("memory")
>>> store.load_data(b"<urn:a> <urn:b> <urn:c> .", "nt", graph="urn:g")
>>> len(store)
1
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from graph.store.base import MAX_NESTING, QueryResult, Store, rdf_format
from graph.store.embedded import EmbeddedStore, dataset_options, open_snapshot
from graph.store.errors import (
    DefaultGraphNotUnion,
    QuerySyntaxError,
    StorageFull,
    StoreError,
    StoreInUse,
    StoreTimeout,
    StoreUnavailable,
    WriteConflict,
    io_error,
)
from graph.store.remote import SERVER_GRAPHS, RemoteStore
from graph.store.terms import to_oxigraph, to_rdflib

__all__ = [
    "MAX_NESTING", "SERVER_GRAPHS", "DefaultGraphNotUnion", "EmbeddedStore", "QueryResult", "QuerySyntaxError",
    "RemoteStore", "StorageFull", "Store", "StoreError", "StoreInUse", "StoreTimeout", "StoreUnavailable",
    "WriteConflict", "dataset_options", "default_location", "io_error", "open_snapshot", "open_store", "rdf_format",
    "to_oxigraph", "to_rdflib",
]


def default_location() -> Path:
    """The per-user data directory of the default embedded store."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zukunftsdialog" / "store"


_URL = re.compile(r"^https?://", re.IGNORECASE)


def open_store(spec: str | Path | None = None, *, update_url: str | None = None) -> Store:
    """Open the store named by ``spec`` (or env ``ZDG_STORE``, else the per-user default).

    ``spec`` is a directory (embedded Oxigraph on disk), ``memory``, or an ``http(s)://``
    URL of a SPARQL endpoint (updates go to ``update_url`` / env ``ZDG_UPDATE_URL`` if set).
    """
    spec = spec or os.environ.get("ZDG_STORE") or default_location()
    text = str(spec)
    if text == "memory":
        return EmbeddedStore(None)
    if _URL.match(text):
        return RemoteStore(text, update_url=update_url)
    try:
        return EmbeddedStore(text)
    except OSError as exc:
        # RocksDB's own words: "IO error: While lock file: <dir>/LOCK: Resource temporarily unavailable"
        if "lock file" in str(exc).lower():
            raise StoreInUse(text) from exc
        raise StoreError(f"cannot open the store at {text}: {exc}") from exc
