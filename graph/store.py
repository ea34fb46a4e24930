"""One small interface over the places the graph can live.

* :class:`EmbeddedStore`: Oxigraph in this process, on disk (a directory) or in memory.
* :class:`RemoteStore`: any SPARQL 1.1 server that takes queries and updates over HTTP
  (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever).

Both answer SPARQL with Oxigraph result objects (``QuerySolutions``, ``QueryBoolean`` or an
iterable of ``Triple``), so callers serialise and read results the same way whatever the
backend. The default graph is the union of the named graphs on both (a remote server must be
configured so: ``oxigraph serve --union-default-graph``, Fuseki ``unionDefaultGraph``).

>>> store = open_store("memory")
>>> store.load_data(b"<urn:a> <urn:b> <urn:c> .", "nt", graph="urn:g")
>>> len(store)
1
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph import formats

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]

class StoreError(Exception):
    """The store could not do what was asked (unreachable, refused, bad data)."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse."""


class StoreTimeout(StoreError):
    """The store did not answer within the time allowed."""


class StoreInUse(StoreError):
    """An on-disk store is held by another process (RocksDB allows one writer: a running
    ``zdg serve``, most likely). ``location`` is its directory."""

    def __init__(self, location: str):
        super().__init__(f"the store at {location} is in use by another process")
        self.location = location


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """:func:`graph.formats.rdf_format`, an unknown name being a :class:`StoreError` (what callers of the store catch).

    >>> rdf_format("data/x.trig") == ox.RdfFormat.TRIG
    True
    """
    try:
        return formats.rdf_format(name_or_path)
    except formats.UnknownFormat as exc:
        raise StoreError(str(exc)) from None


def to_rdflib(term: Any) -> Node | None:
    """An Oxigraph term as an rdflib term (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as an Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


class Store(ABC):
    """What every backend offers. Queries see the union of named graphs as default graph."""

    location: str
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
    def apply_change(self, added: list[ox.Quad], removed: list[ox.Quad]) -> None:
        """Remove ``removed`` and add ``added``, as one write: exactly the change a gate checked."""

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

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0

    def is_empty(self) -> bool:
        """True if the store holds no quad at all."""
        return not bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }"))

    def ping(self) -> bool:
        """True if the store answers a trivial query."""
        try:
            return bool(self.query("ASK {}"))
        except StoreError:
            return False

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Node | None]]:
        """A SELECT query's rows as dicts of rdflib terms (unbound variables are None).

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


def dataset_options(default_graphs: list[str] | None, named_graphs: list[str] | None) -> dict[str, Any]:
    """pyoxigraph ``Store.query`` keywords for a SPARQL protocol dataset; without
    ``default_graphs`` the default graph is the union of the named graphs."""
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return options


#: Deepest bracket nesting the embedded engine is given (see sparql_guard.nesting_depth).
MAX_NESTING = 500


def _check_nesting(sparql: str) -> None:
    from graph.sparql.guard import nesting_depth

    if nesting_depth(sparql) > MAX_NESTING:
        raise QuerySyntaxError(f"the text is nested more than {MAX_NESTING} levels deep; flatten it")


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
        _check_nesting(sparql)
        try:
            return self._store.query(sparql, **dataset_options(default_graphs, named_graphs))
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except ValueError as exc:  # e.g. an invalid IRI in the dataset
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def update(self, sparql):
        _check_nesting(sparql)
        self.generation += 1
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def apply_change(self, added, removed):
        self.generation += 1
        try:
            self._write_change(added, removed)
            if self.location != "memory":
                # A write reaches RocksDB's log without fsync: it survives a crash of this
                # process, not a power loss. Flushing makes it durable before it is acknowledged.
                self._store.flush()
        except OSError as exc:
            raise StoreError(str(exc)) from exc

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


_SELECT_FORMAT = "application/sparql-results+json"


class RemoteStore(Store):
    """A SPARQL 1.1 server over HTTP (Query and Update protocols).

    Data is written with ``INSERT DATA`` so that any server taking updates works; reads of
    the whole dataset use a ``SELECT`` over ``GRAPH ?g``. Credentials come from the
    environment (``ZDG_REMOTE_USER``/``ZDG_REMOTE_PASSWORD`` or ``ZDG_REMOTE_TOKEN``).
    """

    #: Keeps each INSERT DATA request of a bulk load to a size every server accepts.
    CHUNK = 5000

    def __init__(self, url: str, update_url: str | None = None, timeout: float = 60.0):
        self.location = url
        self.update_url = update_url or os.environ.get("ZDG_UPDATE_URL") or url
        headers = {"User-Agent": "zdg"}
        auth = None
        if token := os.environ.get("ZDG_REMOTE_TOKEN"):
            headers["Authorization"] = f"Bearer {token}"
        elif user := os.environ.get("ZDG_REMOTE_USER"):
            auth = (user, os.environ.get("ZDG_REMOTE_PASSWORD", ""))
        self._http = httpx.Client(headers=headers, auth=auth, timeout=timeout)

    def _post(self, url: str, data: dict[str, Any], accept: str) -> httpx.Response:
        try:
            response = self._http.post(url, data=data, headers={"Accept": accept})
        except httpx.TimeoutException as exc:
            raise StoreTimeout(f"SPARQL server at {url} did not answer within {self._http.timeout.read} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"SPARQL server at {url} not reachable: {exc}") from exc
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip()[:1000])
        if response.status_code >= 300:
            raise StoreError(
                f"SPARQL server at {url} answered {response.status_code}: {response.text[:500]}"
            )
        return response

    def query(self, sparql, *, default_graphs=None, named_graphs=None):
        form: dict[str, Any] = {"query": sparql}
        if default_graphs:
            form["default-graph-uri"] = default_graphs
        if named_graphs:
            form["named-graph-uri"] = named_graphs
        accept = f"{_SELECT_FORMAT}, application/n-triples;q=0.9"
        response = self._post(self.location, form, accept)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in (_SELECT_FORMAT, "application/json"):
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        return list(ox.parse(response.content, format=fmt))

    def update(self, sparql):
        self._post(self.update_url, {"update": sparql}, "*/*")

    def apply_change(self, added, removed):
        if any(_has_blank_node(q) for q in removed):
            raise QuerySyntaxError("this change deletes blank nodes, which a remote SPARQL server cannot be "
                                   "told to delete exactly; give the resources IRIs")
        self.update(_change_as_sparql(added, removed))

    def load_data(self, data, fmt, graph=None):
        fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        try:
            quads = list(ox.parse(data, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot parse {fmt.name}: {exc}") from exc
        default = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        for chunk in _chunks(quads, self.CHUNK):
            self.update("INSERT DATA {\n" + _quads_as_sparql(chunk, default) + "}")

    def quads(self):
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for row in rows:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def named_graphs(self):
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r["g"]) for r in rows)

    def clear_graph(self, graph):
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def clear(self):
        self.update("DROP SILENT ALL")

    def close(self):
        self._http.close()


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _has_blank_node(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) \
        or isinstance(q.graph_name, ox.BlankNode)


def _change_as_sparql(added: list[ox.Quad], removed: list[ox.Quad]) -> str:
    """One update request that removes ``removed`` and then adds ``added``."""
    parts = []
    if removed:
        parts.append("DELETE DATA {\n" + _quads_as_sparql(removed, ox.DefaultGraph()) + "}")
    if added:
        parts.append("INSERT DATA {\n" + _quads_as_sparql(added, ox.DefaultGraph()) + "}")
    return " ;\n".join(parts) or "INSERT DATA {}"


def _quads_as_sparql(quads: list[Any], default: ox.NamedNode | ox.DefaultGraph) -> str:
    """Quads as the body of ``INSERT DATA``, grouped by graph (N-Triples term syntax)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        g = q.graph_name if isinstance(q, ox.Quad) else default
        if isinstance(g, ox.DefaultGraph):
            g = default
        key = str(g) if not isinstance(g, ox.DefaultGraph) else ""
        by_graph.setdefault(key, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = []
    for g, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(f"GRAPH {g} {{\n{body}\n}}\n" if g else body + "\n")
    return "".join(parts)


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
