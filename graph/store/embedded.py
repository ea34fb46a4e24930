"""Oxigraph in this process, on disk (a directory) or in memory."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.sparql.dataset import dataset_options
from graph.store.base import Store, check_nesting, rdf_format
from graph.store.errors import QuerySyntaxError, StoreError, io_error
from graph.store.terms import _change_as_sparql, _has_blank_node


class EmbeddedStore(Store):
    """Oxigraph in this process: ``path`` a directory, or None for memory."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        if path is None:
            self.location = "memory"
            self._store = ox.Store()
        else:
            Path(path).mkdir(parents=True, exist_ok=True)
            self.location = str(path)
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store`` (for bulk work that must stay in Oxigraph)."""
        return self._store

    def query(self, sparql, *, default_graphs=None, named_graphs=None):
        check_nesting(sparql)
        try:
            return self._store.query(sparql, **dataset_options(default_graphs, named_graphs))
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except ValueError as exc:  # e.g. an invalid IRI in the dataset
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise io_error(exc) from exc

    def update(self, sparql):
        check_nesting(sparql)
        self.generation += 1
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise io_error(exc) from exc

    def apply_change(self, added, removed, expected=None):
        self.generation += 1
        try:
            self._write_change(added, removed)
            if self.location != "memory":
                # A write reaches RocksDB's log without fsync: it survives a crash of this
                # process, not a power loss. Flushing makes it durable before it is acknowledged.
                self._store.flush()
        except OSError as exc:
            raise io_error(exc) from exc
        return True

    def _write_change(self, added: list[ox.Quad], removed: list[ox.Quad]) -> None:
        if not removed:
            self._store.extend(added)  # one transaction, blank nodes kept as they are
        elif not any(_has_blank_node(q) for q in [*added, *removed]):
            self._store.update(_change_as_sparql(added, removed))  # one transaction
        else:
            # SPARQL cannot name a blank node, and pyoxigraph has no transaction spanning a
            # removal and an insertion: the rare change that deletes or reuses blank nodes is
            # applied in two steps (under the caller's write lock).
            for q in removed:
                self._store.remove(q)
            self._store.extend(added)

    def load_data(self, data, fmt, graph=None):
        fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        to_graph = ox.NamedNode(graph) if graph and not fmt.supports_datasets else None
        self.generation += 1
        try:
            self._store.load(data, format=fmt, to_graph=to_graph)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot parse {fmt.name}: {exc}") from exc
        except OSError as exc:
            raise io_error(exc) from exc

    def quads(self):
        return iter(self._store.quads_for_pattern(None, None, None, None))

    def named_graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def clear_graph(self, graph):
        node = ox.NamedNode(graph)
        self.generation += 1
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def clear(self):
        self.generation += 1
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)

    def close(self):
        self._store.flush() if self.location != "memory" else None


def open_snapshot(kind: str, path: str) -> ox.Store:
    """A snapshot a query service handed to a child process (``graph.query.service``): ``"disk"``,
    an Oxigraph checkpoint, opened read-only; ``"nquads"``, a dump, read into memory."""
    if kind == "disk":
        return ox.Store.read_only(path)
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    return store
