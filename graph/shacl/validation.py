"""SHACL validation of the store: full reports and the write gate.

* :func:`validate` checks the whole dataset (every named graph but the shapes graph). Shapes
  that :mod:`graph.shacl.engine` can compile run as SPARQL queries on the store's own engine
  (Oxigraph); any other shape runs through pyshacl on the same data.
* :func:`check_quads` is the write gate: it validates only the focus nodes a change can
  affect (see :mod:`graph.shacl.gate`), on the data as it would be after the change, without
  changing the store. :func:`insert_checked`, :func:`load_checked` and
  :func:`update_checked` store a change only if that verdict conforms.

"Conforms" means: no result of severity Violation. Warnings and infos are reported but do not
fail. The gate reports the results of the nodes a change affects, so on a store that conforms
before the change its verdict equals that of a full validation after it (tested against
pyshacl), while a violation elsewhere does not block an unrelated write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from graph.shacl import gate as shacl_gate
from graph.shacl.delta import Source, UpdateSyntaxError, oxigraph_source, remote_source, update_effect
from graph.shacl.full import add_labels, data_graphs, validate, validate_pyshacl
from graph.shacl.report import SEVERITIES, Report, Result
from graph.store import EmbeddedStore, QuerySyntaxError, Store, StoreError, WriteConflict, rdf_format

def check_quads(store: Store, add: Iterable[ox.Quad], remove: Iterable[ox.Quad] = ()) -> Report:
    """The verdict for the store after adding ``add`` and removing ``remove``, without changing it."""
    # Labels come from the data after the change (the gate fills them in).
    return Report.of(shacl_gate.check(store, list(add), list(remove)))


# One lock per process: the check and the write of a gated change happen together.
_WRITE_LOCK = threading.RLock()


@contextmanager
def write_lock(store: Store) -> Iterator[None]:
    """What every gated write holds (reentrant): this process's lock and the store's lease
    (:meth:`graph.store.Store.exclusive`). Hold it too to make a read and the write that
    depends on it one step (e.g. "is this submission stored yet?", then store it)."""
    with _WRITE_LOCK, store.exclusive():
        yield


def insert_checked(store: Store, quads: list[ox.Quad]) -> Report:
    """Store ``quads`` only if the result conforms; all or nothing."""
    quads = [_as_quad(q) for q in quads]
    return _gated_write(store, lambda: (quads, []))


#: How often a write checked against data that another process changed meanwhile is checked again.
WRITE_ATTEMPTS = 8


def _gated_write(store: Store, change: Callable[[], tuple[list[ox.Quad], list[ox.Quad]]],
                 refuse: Callable[[list[ox.Quad], list[ox.Quad]], None] | None = None) -> Report:
    """Compute a change, check it, and store exactly it if it conforms.

    In this process the write lock orders writes; other processes writing to the same remote
    store wait for its lease (:meth:`graph.store.Store.exclusive`). The write version is the
    second guard, for a lease held past its end: the change is stored only if nobody wrote since
    the version was read, else it is computed and checked again on the new data (raises
    :class:`graph.store.WriteConflict` after :data:`WRITE_ATTEMPTS`).
    """
    with write_lock(store):
        for _ in range(WRITE_ATTEMPTS):
            version = store.write_version()
            added, removed = change()
            if refuse is not None:
                refuse(added, removed)
            report = check_quads(store, added, removed)
            if not report.conforms or not (added or removed):
                return report
            if store.apply_change(added, removed, expected=version):
                return report
    raise WriteConflict("Other writes kept changing the data while this one was checked; nothing was "
                        "changed. Try again.")


def change_checked(store: Store, added: list[ox.Quad], removed: list[ox.Quad],
                   precondition: Callable[[], None] | None = None) -> Report:
    """Add ``added`` and remove ``removed`` only if the result conforms; all or nothing.

    ``precondition()``, if given, runs under the write lock before the check and may raise to
    stop the change (e.g. a revert whose facts were changed since).
    """
    added, removed = [_as_quad(q) for q in added], [_as_quad(q) for q in removed]
    with write_lock(store):
        if precondition is not None:
            precondition()
        report = check_quads(store, added, removed)
        if report.conforms and (added or removed):
            store.apply_change(added, removed)
    return report


def load_checked(store: Store, data: bytes, fmt: str | ox.RdfFormat, graph: str | None) -> Report:
    """Parse ``data`` and store it only if the result conforms; a parse error raises StoreError."""
    fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        parsed = list(ox.parse(data, format=fmt))
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot parse {fmt.name}: {exc}") from exc
    quads = []
    for q in parsed:
        if isinstance(q, ox.Quad) and not isinstance(q.graph_name, ox.DefaultGraph):
            quads.append(q)
        else:
            t = q.triple if isinstance(q, ox.Quad) else q
            if isinstance(target, ox.DefaultGraph):
                raise StoreError("triples need a named graph to go to (give --graph)")
            quads.append(ox.Quad(t.subject, t.predicate, t.object, target))
    return insert_checked(store, quads)


def update_checked(
    store: Store,
    sparql_update: str,
    refuse: Callable[[list[ox.Quad], list[ox.Quad]], None] | None = None,
    effect_of: Callable[[str], tuple[list[ox.Quad], list[ox.Quad]]] | None = None,
) -> Report:
    """Run a SPARQL update only if the data after it conforms; the update is atomic.

    The update's effect (quads added and removed) is computed by Oxigraph without touching the
    store (:func:`graph.shacl.delta.update_effect`; ``effect_of`` may compute it elsewhere, as
    the server does in a child process) and checked like any write; what is then stored is that
    effect itself, not the text run again, so what was checked is exactly what is stored.
    ``refuse(added, removed)``, if given, sees the effect first and may raise to stop the update
    (e.g. one that would change the model graphs).
    """
    def change() -> tuple[list[ox.Quad], list[ox.Quad]]:
        if effect_of is not None:
            return effect_of(sparql_update)
        try:
            effect = update_effect(update_source(store), sparql_update)
        except UpdateSyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        return effect.added, effect.removed

    return _gated_write(store, change, refuse)


def update_source(store: Store) -> Source:
    """The store as :func:`graph.shacl.delta.update_effect` reads it."""
    return oxigraph_source(store.oxigraph) if isinstance(store, EmbeddedStore) else remote_source(store)


def _as_quad(q: ox.Quad | ox.Triple) -> ox.Quad:
    if isinstance(q, ox.Quad):
        return q
    raise StoreError("insert_checked needs quads (a triple has no graph to go to)")


__all__ = [
    "SEVERITIES", "Result", "Report", "add_labels", "validate", "validate_pyshacl", "check_quads", "insert_checked",
    "change_checked", "load_checked", "update_checked", "update_source", "data_graphs", "write_lock",
]
