"""The write gate (first version: whole-store check on a copy; replaced by the fast path)."""
from __future__ import annotations

import pyoxigraph as ox

from graph.store import EmbeddedStore, Store


def _copy(store: Store) -> EmbeddedStore:
    copy = EmbeddedStore(None)
    copy.oxigraph.bulk_extend(store.quads())
    return copy


def check(store: Store, add: list[ox.Quad], remove: list[ox.Quad]) -> list:
    from graph import shacl_sparql
    from graph.validation import data_graphs

    copy = _copy(store)
    for q in remove:
        copy.oxigraph.remove(q)
    copy.oxigraph.extend(add)
    return shacl_sparql.run(shacl_sparql.compiled_shapes(), copy, default_graphs=data_graphs(copy))


def update_delta(store: Store, sparql_update: str) -> tuple[list[ox.Quad], list[ox.Quad]]:
    before = set(store.quads())
    copy = _copy(store)
    copy.update(sparql_update)
    after = set(copy.quads())
    return list(after - before), list(before - after)
