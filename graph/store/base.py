"""The interface every store offers (:class:`Store`), and what both backends share.

Both backends answer SPARQL with Oxigraph result objects (``QuerySolutions``, ``QueryBoolean`` or
an iterable of ``Triple``), so callers serialise and read results the same way whatever the backend.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from string import Template
from typing import Any

import pyoxigraph as ox
from rdflib.term import Node

from graph import formats
from graph.sparql import text as sparql_text
from graph.store.errors import QuerySyntaxError, StoreError
from graph.store.terms import to_rdflib

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """:func:`graph.formats.rdf_format`, an unknown name being a :class:`StoreError` (what callers of the store catch).

    >>> rdf_format("data/x.trig") == ox.RdfFormat.TRIG
    True
    """
    try:
        return formats.rdf_format(name_or_path)
    except formats.UnknownFormat as exc:
        raise StoreError(str(exc)) from None


class Store(ABC):
    """What every backend offers. Queries see the union of named graphs as default graph."""

    location: str
    #: A FILTER on ``?g`` leaving out graphs a server keeps for itself (the ``$ours`` of the
    #: queries in graph/sparql/store/; none here).
    own_graphs_only: str = ""
    #: Counts writes made through this object, so that readers holding a snapshot (the
    #: SPARQL query workers) know when to take a new one.
    generation: int = 0

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``default_graphs``/``named_graphs`` as in the SPARQL protocol."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update atomically."""

    @abstractmethod
    def apply_change(self, added: list[ox.Quad], removed: list[ox.Quad], expected: str | None = None) -> bool:
        """Remove ``removed`` and add ``added``, as one write: exactly the change a gate checked.

        With ``expected`` (from :meth:`write_version`), only if nobody wrote since: returns False
        and changes nothing if somebody did.
        """

    def exclusive(self) -> AbstractContextManager[None]:
        """Held around every gated write: no other process writes through the gate meanwhile
        (nothing to do here: one process owns an embedded store, and its write lock orders its
        writes)."""
        return nullcontext()

    def write_version(self) -> str | None:
        """A mark that every gated write changes, where other processes may write too (None here:
        one process owns an embedded store, and its write lock orders its writes)."""
        return None

    @abstractmethod
    def load_data(self, data: bytes, fmt: str | ox.RdfFormat, graph: str | None = None) -> None:
        """Add RDF data; triples go to ``graph`` (a quad format keeps its own graphs)."""

    @abstractmethod
    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the store."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs."""

    @abstractmethod
    def clear_graph(self, graph: str) -> None:
        """Remove one named graph (no error if it does not exist)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    def _text(self, name: str, **values: object) -> str:
        """One of graph/sparql/store/ with ``$ours`` and ``values`` filled in."""
        return Template(sparql_text(f"store/{name}")).substitute(ours=self.own_graphs_only, **values)

    def __len__(self) -> int:
        rows = self.select(self._text("size.rq"))
        return int(rows[0]["n"]) if rows else 0

    def is_empty(self) -> bool:
        """True if the store holds no quad at all."""
        return not bool(self.query(self._text("is-empty.rq")))

    def ping(self) -> bool:
        """True if the store answers a trivial query."""
        try:
            return bool(self.query("ASK {}"))
        except StoreError:
            return False

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Node | None]]:
        """A SELECT query's rows as dicts of rdflib terms (unbound variables are None).

        >>> from graph.store import open_store
        >>> s = open_store("memory")
        >>> s.select("SELECT ?x WHERE { VALUES ?x { 1 } }")[0]["x"].toPython()
        1
        """
        result = self.query(sparql, **dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_rdflib(row[n]) for n in names} for row in result]

    def ask(self, sparql: str) -> bool:
        """An ASK query's answer."""
        result = self.query(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def dump(self, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
        """The whole dataset serialised (quad formats keep graphs; triple formats get the union)."""
        if fmt.supports_datasets:
            return ox.serialize(self.quads(), format=fmt)
        return ox.serialize((q.triple for q in self.quads()), format=fmt)

    def close(self) -> None:
        """Release resources (files, connections)."""


#: Deepest bracket nesting the embedded engine is given (see sparql_guard.nesting_depth).
MAX_NESTING = 500


def check_nesting(sparql: str) -> None:
    """Refuse a text nested deeper than :data:`MAX_NESTING` (the engine's parser would overflow the stack)."""
    from graph.sparql.guard import nesting_depth

    if nesting_depth(sparql) > MAX_NESTING:
        raise QuerySyntaxError(f"the text is nested more than {MAX_NESTING} levels deep; flatten it")
