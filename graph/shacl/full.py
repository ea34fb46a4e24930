"""Full validation of the store: every shape on every data graph.

Shapes that :mod:`graph.shacl.engine` compiles run as SPARQL on the store's own engine
(Oxigraph); any other shape runs through pyshacl (:mod:`graph.shacl.reference`) on the same
data. The write gate's slow path (:mod:`graph.shacl.gate`) uses it on a changed copy.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.shacl import engine
from graph.shacl import reference
from graph.shacl.report import Report, Result
from graph.store import Store
from graph.vocab import SHAPES_GRAPH

__all__ = ["add_labels", "data_graphs", "validate", "validate_pyshacl"]


def data_graphs(store: Store) -> list[str]:
    """The named graphs validated: every graph except the shapes graph."""
    return [g for g in store.named_graphs() if g != SHAPES_GRAPH]


def validate(store: Store) -> Report:
    """Full validation of the store's data (all named graphs but the shapes graph)."""
    compiled = engine.compiled_shapes()
    if compiled.union_safe:
        results = engine.run(compiled, store)  # union default graph: same results, faster
    else:
        results = engine.run(compiled, store, default_graphs=data_graphs(store))
    if compiled.fallback_shapes:
        results += validate_pyshacl(store, only_shapes=compiled.fallback_shapes).results
    return Report.of(add_labels(store, results))


def validate_pyshacl(store: Store, only_shapes: Iterable[str] | None = None) -> Report:
    """Whole-graph validation with pyshacl: the reference and the fallback for uncompiled shapes."""
    data = reference.data_graph(store.quads(), exclude=SHAPES_GRAPH)
    results = reference.validate_graph(data, only_shapes=only_shapes)
    return Report.of(add_labels(store, results))


def add_labels(store: Store, results: list[Result]) -> list[Result]:
    """The results with ``focus_label`` filled in from the store (name, preferred label …)."""
    # Only IRIs have labels (a focus may be a blank node, or a literal reached by sh:targetObjectsOf).
    labels = engine.labels(store, {r.focus for r in results if not r.focus.startswith(("_:", '"'))})
    return [
        Result(r.focus, labels.get(r.focus, r.focus_label), r.path, r.severity, r.message, r.shape, r.value)
        for r in results
    ]
