"""The editorial layer: this project's reading of the sources, kept in one named graph.

Every statement that no source makes but this project adds (organisation types, mappings
between concept schemes, inferences from the signing …) is in :data:`EDITORIAL_GRAPH`
(``data/editorial.trig``). :class:`WithoutEditorial` is a read-only view of a store that leaves
that graph out, so the same queries answer "what do the sources say" (``editorial=false``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from graph.vocab import source_graph
from graph.store import QueryResult, Store, StoreError

EDITORIAL_GRAPH = source_graph("editorial")


class WithoutEditorial(Store):
    """A read-only view of ``store`` whose queries see every named graph but the editorial one.

    >>> from graph.store import open_store
    >>> from graph.build import build
    >>> s = open_store("memory"); _ = build(s)
    >>> q = "SELECT (COUNT(*) AS ?n) WHERE { ?o <http://www.w3.org/ns/org#classification> ?t }"
    >>> int(s.select(q)[0]["n"]) > 0, int(WithoutEditorial(s).select(q)[0]["n"])
    (True, 0)
    """

    def __init__(self, store: Store):
        self.inner = store
        self.location = store.location

    @property
    def generation(self) -> int:  # type: ignore[override]
        return self.inner.generation

    def _graphs(self) -> list[str]:
        return [g for g in self.inner.named_graphs() if g != EDITORIAL_GRAPH]

    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult:
        graphs = self._graphs()
        keep = set(graphs)
        return self.inner.query(
            sparql,
            default_graphs=[g for g in default_graphs if g in keep] if default_graphs else graphs,
            named_graphs=[g for g in named_graphs if g in keep] if named_graphs else graphs,
        )

    def quads(self) -> Iterator[ox.Quad]:
        editorial = ox.NamedNode(EDITORIAL_GRAPH)
        return (q for q in self.inner.quads() if q.graph_name != editorial)

    def named_graphs(self) -> list[str]:
        return self._graphs()

    # A view does not write.
    def update(self, sparql: str) -> None:
        raise StoreError("the view without the editorial graph is read-only")

    def apply_change(self, added: list[ox.Quad], removed: list[ox.Quad]) -> None:
        raise StoreError("the view without the editorial graph is read-only")

    def load_data(self, data: bytes, fmt: Any, graph: str | None = None) -> None:
        raise StoreError("the view without the editorial graph is read-only")

    def clear_graph(self, graph: str) -> None:
        raise StoreError("the view without the editorial graph is read-only")

    def clear(self) -> None:
        raise StoreError("the view without the editorial graph is read-only")


def view(store: Store, editorial: bool = True) -> Store:
    """``store`` itself, or (``editorial=False``) the view without the editorial graph."""
    return store if editorial else WithoutEditorial(store)
