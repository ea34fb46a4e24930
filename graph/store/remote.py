"""Any SPARQL 1.1 server that takes queries and updates over HTTP (Oxigraph server, Fuseki,
GraphDB, Virtuoso, QLever)."""

from __future__ import annotations

import logging
import os
import random
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pyoxigraph as ox

from graph.store.base import Store, rdf_format
from graph.store.errors import (
    DefaultGraphNotUnion,
    QuerySyntaxError,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    WriteConflict,
)
from graph.store.terms import (
    _change_as_sparql,
    _chunks,
    _has_blank_node,
    _insert_as_sparql,
    _quads_as_sparql,
)
from graph.vocab import VERSION_GRAPH

log = logging.getLogger("zdg.store")


_SELECT_FORMAT = "application/sparql-results+json"

#: Graphs a server keeps for itself, not part of the dataset (Virtuoso: its RDF-view schema, the
#: LDP vocabulary and its URIQA graph). A remote store leaves them out of its named graphs, its
#: quads, its size and "is it empty?"; its default graph (Virtuoso's union) still holds them.
SERVER_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
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

    own_graphs_only = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in SERVER_GRAPHS) + "))"

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
        self._lease_depth = 0

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

    #: How long a write lease holds at most (a holder that died is overtaken after it), and how
    #: long a writer waits for one before it answers with a conflict. A gated write holds it for
    #: one check and one update; the update's effect is computed in a child killed well before.
    LEASE_SECONDS = 120.0
    WAIT_SECONDS = 60.0

    # One SPARQL update is atomic, but Oxigraph server runs concurrent updates with "repeatable
    # read" isolation: two DELETE/INSERT ... WHERE that both see the same version both apply
    # (measured: 6 versions side by side after 4 threads). So writers of several processes take
    # a lease first, by announcing it and then looking: a writer whose look finds only its own
    # lease holds it, since of two announcers the later one's look always sees the earlier one.
    # Both back off at random when they see each other. The lease's end is a client clock's
    # time (processes on several machines need synchronised clocks, as NTP gives).
    @contextmanager
    def exclusive(self) -> Iterator[None]:
        # Reentrant: the callers hold this process's write lock, so only one thread nests here.
        if self._lease_depth:
            self._lease_depth += 1
            try:
                yield
            finally:
                self._lease_depth -= 1
            return
        mine = f"{time.time() + self.LEASE_SECONDS:.3f}/{uuid.uuid4()}"
        deadline, attempt = time.monotonic() + self.WAIT_SECONDS, 0
        while True:
            self.update(f"INSERT DATA {{ {_lease(mine)} }}")
            others = [str(r["l"]) for r in self.select(_LEASES) if str(r["l"]) != mine]
            stale = [o for o in others if _lease_end(o) < time.time()]
            for o in stale:
                self.update(f"DELETE DATA {{ {_lease(o)} }}")
            if len(others) == len(stale):
                break
            self.update(f"DELETE DATA {{ {_lease(mine)} }}")
            if time.monotonic() > deadline:
                raise WriteConflict(f"Another process has been writing to the SPARQL store for {self.WAIT_SECONDS:g} s; "
                                    "nothing was changed. Try again.")
            attempt += 1
            time.sleep(random.uniform(0.0, min(0.5, 0.01 * 2 ** attempt)))
        self._lease_depth = 1
        try:
            yield
        finally:
            self._lease_depth = 0
            self.update(f"DELETE DATA {{ {_lease(mine)} }}")

    # Several API processes may write to one server. Each gated write reads the version first
    # and is applied by one update request that also replaces the version, only if it is still
    # the one read: a write checked against data that changed meanwhile is not applied, and the
    # caller checks it again (graph.shacl.validation). The server's own atomicity of a single
    # update request is all this needs.
    def write_version(self):
        names = {"graph": f"<{VERSION_GRAPH}>", "property": f"<{_VERSION}>"}
        rows = self.select(self._text("write-version.rq", **names))
        if not rows:
            self.update(self._text("init-version.ru", **names, version=uuid.uuid4()))
            rows = self.select(self._text("write-version.rq", **names))
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
        for row in self.query(self._text("quads.rq")):
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def named_graphs(self):
        return sorted(str(r["g"]) for r in self.select(self._text("named-graphs.rq")))

    def check_default_graph(self) -> None:
        """Raise :class:`DefaultGraphNotUnion` unless a quad of a named graph is also in the
        default graph (nothing to check on an empty server)."""
        sample = self.query(self._text("sample-quad.rq"))
        for row in sample:
            if not bool(self.query(f"ASK {{ {row['s']} {row['p']} {row['o']} }}")):
                raise DefaultGraphNotUnion(self.location)

    def clear_graph(self, graph):
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def clear(self):
        self.update("DROP SILENT ALL")

    def close(self):
        self._http.close()


_VERSION = "https://w3id.org/zukunftsdialog/ontology#writeVersion"
_APPLIED = "https://w3id.org/zukunftsdialog/ontology#appliedWrite"
_LEASE = "https://w3id.org/zukunftsdialog/ontology#writeLease"
_LEASES = f"SELECT ?l WHERE {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_LEASE}> ?l }} }}"


def _lease(value: str) -> str:
    return f'GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_LEASE}> "{value}" }}'


def _lease_end(lease: str) -> float:
    """When a lease ``"{end}/{uuid}"`` ends (a malformed one: long ago, so it is cleared)."""
    try:
        return float(lease.split("/", 1)[0])
    except ValueError:
        return 0.0
