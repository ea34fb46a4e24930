"""SPARQL Update through the service: guarded, model graphs protected, checked against the shapes.

Order of checks: no ``LOAD``/``SERVICE`` (:mod:`graph.sparql.guard`); the update's effect is
computed once by Oxigraph without changing the store (:func:`graph.shacl.delta.update_effect`,
inside :func:`graph.shacl.validation.update_checked`), refused if it touches the ontology or the shapes
graph (the model everything is checked against is not data), and, only if the data still
conforms, that same effect is stored.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from graph.sparql import guard as sparql_guard
from graph.vocab import CHANGE_BASE, ONTOLOGY_GRAPH, SHAPES_GRAPH
from graph.sparql.guard import ForbiddenOperation
from graph.store import Store

#: Graphs only ``zdg build`` writes.
PROTECTED_GRAPHS = (ONTOLOGY_GRAPH, SHAPES_GRAPH)


class ProtectedGraph(ForbiddenOperation):
    """The update would change the ontology or the shapes."""


def refuse_protected(added: list[ox.Quad], removed: list[ox.Quad]) -> None:
    """Raise :class:`ProtectedGraph` if an update's effect changes the ontology or the shapes."""
    graphs = {q.graph_name.value for q in [*added, *removed] if isinstance(q.graph_name, ox.NamedNode)}
    touched = sorted(g for g in PROTECTED_GRAPHS if g in graphs)
    log = sorted(g for g in graphs if g.startswith(CHANGE_BASE))
    if log:
        # The change log records who changed what; a SPARQL update must not rewrite history.
        raise ProtectedGraph(f"The change log is written only by the editing pages and /api/changes. "
                             f"This update would change: {', '.join(log[:5])}.")
    if touched:
        raise ProtectedGraph(
            "The ontology and the shapes are the model the data is checked against; they change only "
            f"through `zdg build`. This update would change: {', '.join(touched)}.")


def apply(store: Store, update: str, effect_of: Callable[[str], tuple[list[ox.Quad], list[ox.Quad]]] | None = None):
    """Run ``update`` if it is allowed and keeps the data conforming; returns the SHACL report.

    Raises :class:`ForbiddenOperation` (LOAD, SERVICE, a query), :class:`ProtectedGraph`,
    :class:`graph.store.QuerySyntaxError`.
    """
    from graph.shacl import validation

    sparql_guard.check_update(update)
    if sparql_guard.query_form(update) in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise ForbiddenOperation("This endpoint takes updates; send queries to /sparql.")
    # One computation of the update's effect serves both checks (on a large store the general
    # case copies the whole store to find it).
    return validation.update_checked(store, update, refuse=refuse_protected, effect_of=effect_of)
