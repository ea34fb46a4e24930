"""Whole-graph SHACL validation with pyshacl: the reference implementation.

Used as the baseline of the benchmarks, as the oracle of the tests that check the compiled
shapes and the write gate, and as the fallback for shapes that graph/shacl_sparql.py does not
compile.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from graph.shacl.engine import SEVERITY, parse_path, path_label, shapes_graph
from graph.shacl.report import Result
from graph.store import to_rdflib


def data_graph(quads: Iterable[ox.Quad], exclude: str | None = None) -> Graph:
    """The union of the quads' graphs as one rdflib Graph (blank node ids kept)."""
    g = Graph()
    skip = ox.NamedNode(exclude) if exclude else None
    add = g.add
    for q in quads:
        if skip is not None and q.graph_name == skip:
            continue
        add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _reduced_shapes(only: set[str] | None) -> Graph:
    """A copy of the shapes graph; with ``only``, the targets of every other shape removed."""
    full = shapes_graph()
    g = Graph()
    for t in full:
        g.add(t)
    if only is None:
        return g
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        for s, _, o in list(g.triples((None, p, None))):
            if _text(s) not in only:
                g.remove((s, p, o))
    return g


def _text(term: Node) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return ox_literal_text(term)
    return str(term)


def ox_literal_text(lit: Literal) -> str:
    """An rdflib literal in the same N-Triples form Oxigraph prints."""
    if lit.language:
        return str(ox.Literal(str(lit), language=lit.language))
    dt = lit.datatype
    return str(ox.Literal(str(lit), datatype=ox.NamedNode(str(dt)) if dt else None))


def validate_graph(data: Graph, only_shapes: Iterable[str] | None = None) -> list:
    """pyshacl's results on ``data`` as :class:`graph.shacl.validation.Result` (labels not filled)."""
    # Always a copy: pyshacl adds triples to the shapes graph it is given.
    shapes = _reduced_shapes(set(only_shapes) if only_shapes is not None else None)
    _, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False,
        allow_warnings=True, allow_infos=True, advanced=False,
    )
    results = []
    # Only the report's own results: nested ones (sh:detail of a failed sh:node) are typed
    # sh:ValidationResult too but are explanations, not results of their own.
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    for node in report.objects(top, SH.result):
        focus = report.value(node, SH.focusNode)
        path_node = report.value(node, SH.resultPath)
        path = path_label(parse_path(report, path_node)) if path_node is not None else None
        severity = SEVERITY.get(report.value(node, SH.resultSeverity), "Violation")
        messages: dict[str, str] = {}
        for m in report.objects(node, SH.resultMessage):
            messages.setdefault(m.language or "en", str(m))
        messages.setdefault("de", messages.get("en", ""))
        messages.setdefault("en", messages["de"])
        shape = report.value(node, SH.sourceShape)
        value = report.value(node, SH.value)
        results.append(Result(
            _text(focus), None, path, severity, messages,
            _text(shape) if shape is not None else None,
            _text(value) if value is not None else None,
        ))
    return results


__all__ = ["data_graph", "validate_graph", "URIRef"]
