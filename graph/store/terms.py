"""Terms and quads between Oxigraph, rdflib and SPARQL text.

* :func:`to_rdflib` / :func:`to_oxigraph`: one term in the other library.
* ``_quads_as_sparql`` and its callers: quads as the text of one update request (the remote
  store's only way to write, and the embedded store's one-transaction change).
* ``_chunks``: a bulk of quads as requests every server accepts, blank nodes kept together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


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
