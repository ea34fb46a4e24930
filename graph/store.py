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

import errno
import logging
import os
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph import formats
from graph.vocab import VERSION_GRAPH

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]

log = logging.getLogger("zdg.store")


class StoreError(Exception):
    """The store could not do what was asked (unreachable, refused, bad data)."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse."""


class StoreUnavailable(StoreError):
    """A remote store does not answer (down, unreachable, or failing). The message names no
    internal address: it reaches clients; the log has the details."""


class StoreTimeout(StoreUnavailable):
    """The store did not answer within the time allowed."""


class WriteConflict(StoreError):
    """Other processes kept changing the data while this write was being checked."""


class DefaultGraphNotUnion(StoreError):
    """A remote server's default graph is not the union of its named graphs: every query
    without ``GRAPH`` would miss the data (the API would answer with less than there is)."""

    def __init__(self, location: str):
        super().__init__(
            f"the SPARQL server at {location}: its default graph is not the union of its named graphs, "
            "so queries without GRAPH would not see the data. Configure it so: Oxigraph server "
            "`oxigraph serve --union-default-graph`, Fuseki `tdb2:unionDefaultGraph true`; "
            "Virtuoso and GraphDB do it by default."
        )
        self.location = location


class StorageFull(StoreError):
    """The store's disk is full: the write was not made (nothing half-written)."""


def io_error(exc: OSError | RuntimeError) -> StoreError:
    """An engine I/O error as the store error it means (a full disk says so)."""
    text = str(exc)
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in text or "ENOSPC" in text:
        return StorageFull("The store's disk is full; nothing was changed. Reads go on; free space, then retry.")
    return StoreError(text)


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
    def apply_change(self, added: list[ox.Quad], removed: list[ox.Quad], expected: str | None = None) -> bool:
        """Remove ``removed`` and add ``added``, as one write: exactly the change a gate checked.

        With ``expected`` (from :meth:`write_version`), only if nobody wrote since: returns False
        and changes nothing if somebody did.
        """

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
            raise io_error(exc) from exc

    def update(self, sparql):
        _check_nesting(sparql)
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


_SELECT_FORMAT = "application/sparql-results+json"

#: Graphs a server keeps for itself, not part of the dataset (Virtuoso: its RDF-view schema, the
#: LDP vocabulary and its URIQA graph). A remote store leaves them out of its named graphs, its
#: quads, its size and "is it empty?"; its default graph (Virtuoso's union) still holds them.
SERVER_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
_OURS = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in SERVER_GRAPHS) + "))"
#: Virtuoso answers a SPARQL syntax error with 500 and this start of its message (SQL state 37000).
_VIRTUOSO_SYNTAX = re.compile(r"^Virtuoso 37000 Error SP0")


class RemoteStore(Store):
    """A SPARQL 1.1 server over HTTP (Query and Update protocols).

    Data is written with ``INSERT DATA`` so that any server taking updates works; reads of
    the whole dataset use a ``SELECT`` over ``GRAPH ?g``. Credentials come from the
    environment (``ZDG_REMOTE_USER``/``ZDG_REMOTE_PASSWORD`` or ``ZDG_REMOTE_TOKEN``).
    """

    #: Keeps each INSERT DATA request of a bulk load to a size every server accepts.
    CHUNK = 5000
    #: Above this many quads a gated change is applied in chunks (see apply_change).
    BULK = 50_000
    #: The same for quads with blank nodes, sent as an INSERT template: Virtuoso compiles a
    #: template to SQL and refuses one over 10,000 lines (about 1,000 triples).
    BLANK_CHUNK = 300

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
            log.warning("SPARQL server at %s did not answer within %s s", url, self._http.timeout.read)
            raise StoreTimeout(f"The SPARQL store did not answer within {self._http.timeout.read:g} s.") from exc
        except httpx.HTTPError as exc:
            log.warning("SPARQL server at %s not reachable: %s", url, exc)
            raise StoreUnavailable("The SPARQL store is not reachable; try again later.") from exc
        if response.status_code == 400 or _VIRTUOSO_SYNTAX.match(response.text):
            raise QuerySyntaxError(response.text.strip()[:1000])
        if response.status_code >= 300:
            log.warning("SPARQL server at %s answered %s: %s", url, response.status_code, response.text[:500])
            raise StoreUnavailable(f"The SPARQL store answered {response.status_code}; try again later.")
        return response

    def query(self, sparql, *, default_graphs=None, named_graphs=None):
        form: dict[str, Any] = {"query": sparql}
        if default_graphs:
            form["default-graph-uri"] = default_graphs
        if named_graphs:
            form["named-graph-uri"] = named_graphs
        from graph.sparql.guard import query_form

        # Ask for the form the query has: Virtuoso answers a CONSTRUCT asked for as JSON with a
        # table of ?s ?p ?o, which would read as solutions.
        if query_form(sparql) in ("CONSTRUCT", "DESCRIBE"):
            accept = "application/n-triples, text/turtle;q=0.9"
        else:
            accept = f"{_SELECT_FORMAT}, application/n-triples;q=0.9"
        response = self._post(self.location, form, accept)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in (_SELECT_FORMAT, "application/json"):
            # Virtuoso names blank nodes "nodeID://b123" in JSON results: not a blank node label.
            content = response.content.replace(b'"nodeID://', b'"')
            return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
        fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
        return list(ox.parse(response.content, format=fmt))

    def update(self, sparql):
        # Counted before and after: an answer read while the server applies the write
        # (graph.query.cache keys on the generation) is never taken for one after it.
        self.generation += 1
        try:
            self._post(self.update_url, {"update": sparql}, "*/*")
        finally:
            self.generation += 1

    # Several API processes may write to one server. Each gated write reads the version first
    # and is applied by one update request that also replaces the version, only if it is still
    # the one read: a write checked against data that changed meanwhile is not applied, and the
    # caller checks it again (graph.shacl.validation). The server's own atomicity of a single
    # update request is all this needs.
    def write_version(self):
        rows = self.select(_VERSION_QUERY)
        if not rows:
            self.update(f"INSERT {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_VERSION}> \"{uuid.uuid4()}\" }} }} "
                        f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_VERSION}> ?v }} }} }}")
            rows = self.select(_VERSION_QUERY)
        return str(rows[0]["v"]) if rows else None

    def apply_change(self, added, removed, expected=None):
        if any(_has_blank_node(q) for q in removed):
            raise QuerySyntaxError("this change deletes blank nodes, which a remote SPARQL server cannot be "
                                   "told to delete exactly; give the resources IRIs")
        if len(added) + len(removed) > self.BULK:
            # A bulk load: in chunks every server takes, so neither atomic nor ordered against
            # other processes' writes (stated in the README).
            for chunk in _chunks(removed, self.CHUNK, self.BLANK_CHUNK):
                self.update(_change_as_sparql([], chunk))
            for chunk in _chunks(added, self.CHUNK, self.BLANK_CHUNK):
                self.update(_insert_as_sparql(chunk, ox.DefaultGraph()))
            return True
        if expected is None:
            self.update(_change_as_sparql(added, removed))
            return True
        new = str(uuid.uuid4())
        version = f"GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_VERSION}> "
        # The same request leaves a receipt: reading the version back cannot tell, because another
        # process may already have written after this one, and a write taken for refused would be
        # checked and applied again.
        receipt = f"GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_APPLIED}> \"{new}\" }}"
        self.update(
            f"DELETE {{ {version}\"{expected}\" }}\n{_quads_as_sparql(removed, ox.DefaultGraph())}}}\n"
            f"INSERT {{ {version}\"{new}\" }} {receipt}\n{_quads_as_sparql(added, ox.DefaultGraph())}}}\n"
            f"WHERE {{ {version}\"{expected}\" }} }}")
        if not bool(self.query(f"ASK {{ {receipt} }}")):
            return False
        self.update(f"DELETE DATA {{ {receipt} }}")
        return True

    def load_data(self, data, fmt, graph=None):
        fmt = fmt if isinstance(fmt, ox.RdfFormat) else rdf_format(fmt)
        try:
            quads = list(ox.parse(data, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot parse {fmt.name}: {exc}") from exc
        default = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        for chunk in _chunks(quads, self.CHUNK, self.BLANK_CHUNK):
            self.update(_insert_as_sparql(chunk, default))

    def quads(self):
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }}")
        for row in rows:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def named_graphs(self):
        rows = self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }}")
        return sorted(str(r["g"]) for r in rows)

    def __len__(self) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }}")
        return int(rows[0]["n"]) if rows else 0

    def is_empty(self) -> bool:
        return not bool(self.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }}"))

    def check_default_graph(self) -> None:
        """Raise :class:`DefaultGraphNotUnion` unless a quad of a named graph is also in the
        default graph (nothing to check on an empty server)."""
        sample = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} "
                            "FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1")
        for row in sample:
            if not bool(self.query(f"ASK {{ {row['s']} {row['p']} {row['o']} }}")):
                raise DefaultGraphNotUnion(self.location)

    def clear_graph(self, graph):
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def clear(self):
        self.update("DROP SILENT ALL")

    def close(self):
        self._http.close()


def _chunks(quads: list[Any], size: int, blank_size: int) -> Iterable[list]:
    """Requests of at most ``size`` quads; the quads that share a blank node stay in one request
    (a label means the same node only within one request), in requests of about ``blank_size``.

    >>> a, b = ox.BlankNode("a"), ox.BlankNode("b")
    >>> n = [ox.Quad(ox.NamedNode(f"urn:{i}"), ox.NamedNode("urn:p"), ox.Literal("x")) for i in range(3)]
    >>> q = [ox.Quad(a, ox.NamedNode("urn:p"), b), ox.Quad(b, ox.NamedNode("urn:p"), ox.Literal("y"))]
    >>> [len(c) for c in _chunks(n + q, 2, 1)]
    [2, 1, 2]
    """
    plain = [q for q in quads if not _blank_terms(q)]
    for start in range(0, len(plain), size):
        yield plain[start : start + size]
    # blank nodes that occur together belong together (union-find over their labels)
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    linked = [q for q in quads if _blank_terms(q)]
    for q in linked:
        first, *rest = _blank_terms(q)
        for other in rest:
            parent[root(other)] = root(first)
    groups: dict[str, list[Any]] = {}
    for q in linked:
        groups.setdefault(root(_blank_terms(q)[0]), []).append(q)
    # One graph a request: Virtuoso 7.2 fails an INSERT template whose blank nodes stand in two
    # GRAPH blocks (SR002 string_output_string); a group spanning graphs goes as it is.
    by_graph: dict[str, list[list[Any]]] = {}
    for group in groups.values():
        by_graph.setdefault(str(getattr(group[0], "graph_name", "")), []).append(group)
    for graph_groups in by_graph.values():
        chunk: list[Any] = []
        for group in graph_groups:
            if chunk and len(chunk) + len(group) > blank_size:
                yield chunk
                chunk = []
            chunk.extend(group)
        if chunk:
            yield chunk


def _blank_terms(q: Any) -> list[str]:
    return [t.value for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]


_VERSION = "https://w3id.org/zukunftsdialog/ontology#writeVersion"
_APPLIED = "https://w3id.org/zukunftsdialog/ontology#appliedWrite"
_VERSION_QUERY = f"SELECT ?v WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_VERSION}> ?v }} }}"


def _has_blank_node(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) \
        or isinstance(q.graph_name, ox.BlankNode)


def _change_as_sparql(added: list[ox.Quad], removed: list[ox.Quad]) -> str:
    """One update request that removes ``removed`` and then adds ``added``."""
    parts = []
    if removed:
        parts.append("DELETE DATA {\n" + _quads_as_sparql(removed, ox.DefaultGraph()) + "}")
    if added:
        parts.append(_insert_as_sparql(added, ox.DefaultGraph()))
    return " ;\n".join(parts) or "INSERT DATA {}"


def _insert_as_sparql(quads: list[Any], default: ox.NamedNode | ox.DefaultGraph) -> str:
    """One request adding ``quads``. Virtuoso 7 refuses blank nodes in ``INSERT DATA`` (SP031);
    a template with an empty WHERE adds the same fresh blank nodes on every server."""
    body = _quads_as_sparql(quads, default)
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        return "INSERT {\n" + body + "} WHERE {}"
    return "INSERT DATA {\n" + body + "}"


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


def open_snapshot(kind: str, path: str) -> ox.Store:
    """A snapshot a query service handed to a child process (``graph.query.service``): ``"disk"``,
    an Oxigraph checkpoint, opened read-only; ``"nquads"``, a dump, read into memory."""
    if kind == "disk":
        return ox.Store.read_only(path)
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    return store
