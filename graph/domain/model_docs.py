"""The ontology and the shapes as documentation: plain data for the ``/ontology`` and
``/shapes`` HTML pages, read from their Turtle (small graphs: rdflib), labels per language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from graph.vocab import ZD, bind_all

SHAPES_NS = "https://w3id.org/zukunftsdialog/shapes#"
_KINDS = (("classes", OWL.Class), ("object_properties", OWL.ObjectProperty),
          ("datatype_properties", OWL.DatatypeProperty), ("annotation_properties", OWL.AnnotationProperty))
#: Shape keys shown in their own column, not as constraints.
_NOT_CONSTRAINTS = {SH.path, SH.severity, SH.message, SH.name, SH.description, RDF.type, RDFS.label, RDFS.comment}


def _graph(turtle: bytes) -> Graph:
    g = bind_all(Graph())
    g.bind("zds", SHAPES_NS)
    g.parse(data=turtle.decode("utf-8"), format="turtle")
    return g


def _text(g: Graph, node, prop, lang: str) -> str | None:
    values = {v.language or "": str(v) for v in g.objects(node, prop) if isinstance(v, Literal)}
    for candidate in (lang, "de" if lang == "en" else "en", ""):
        if candidate in values:
            return values[candidate]
    return None


def term(g: Graph, node) -> str:
    """A term as people read Turtle: prefixed names, lists in ( ), blank nodes in [ ]."""
    if isinstance(node, URIRef):
        try:
            return g.namespace_manager.normalizeUri(node).strip("<>")
        except Exception:  # noqa: BLE001 - an IRI without a prefix is shown whole
            return str(node)
    if isinstance(node, Literal):
        return f'"{node}"' if node.datatype is None and node.language is None and not str(node).isdigit() else str(node)
    if (node, RDF.first, None) in g:
        return "( " + " ".join(term(g, x) for x in Collection(g, node)) + " )"
    parts = [f"{term(g, p)} {term(g, o)}" for p, o in sorted(g.predicate_objects(node))]
    return "[ " + " ; ".join(parts) + " ]"


@dataclass
class Term:
    iri: str
    curie: str
    label: str
    other_label: str | None
    comment: str | None
    facts: list[tuple[str, str]] = field(default_factory=list)  # (what, value), e.g. ("subClassOf", "prov:Entity")


def ontology_terms(turtle: bytes, lang: str) -> dict[str, list[Term]]:
    """Our own terms (``zd:``) by kind, sorted by label in ``lang``."""
    g = _graph(turtle)
    other = "en" if lang == "de" else "de"
    out: dict[str, list[Term]] = {}
    for kind, cls in _KINDS:
        found = []
        for s in set(g.subjects(RDF.type, cls)):
            if not isinstance(s, URIRef) or not str(s).startswith(str(ZD)):
                continue
            label = _text(g, s, RDFS.label, lang) or term(g, s)
            other_label = _text(g, s, RDFS.label, other)
            facts = [(name, term(g, o)) for name, prop in (("subClassOf", RDFS.subClassOf), ("domain", RDFS.domain),
                                                           ("range", RDFS.range), ("subPropertyOf", RDFS.subPropertyOf))
                     for o in sorted(g.objects(s, prop))]
            found.append(Term(str(s), term(g, s), label, other_label if other_label != label else None,
                              _text(g, s, RDFS.comment, lang), facts))
        out[kind] = sorted(found, key=lambda t: t.label.casefold())
    return out


def ontology_header(turtle: bytes, lang: str) -> dict[str, str | None]:
    g = _graph(turtle)
    ont = next((s for s in g.subjects(RDF.type, OWL.Ontology) if str(s).startswith(str(ZD).rstrip("#"))), None)
    from rdflib.namespace import DCTERMS

    return {"iri": str(ont) if ont else str(ZD), "title": _text(g, ont, DCTERMS.title, lang) if ont else None,
            "description": _text(g, ont, DCTERMS.description, lang) if ont else None,
            "version": str(next(g.objects(ont, OWL.versionInfo), "")) if ont else None}


@dataclass
class PropertyRule:
    iri: str
    path: str
    constraints: list[str]
    severity: str
    message_de: str | None
    message_en: str | None


@dataclass
class Shape:
    iri: str
    curie: str
    label: str
    targets: list[str]
    rules: list[PropertyRule]


def shapes(turtle: bytes, lang: str) -> list[Shape]:
    """Every node shape with its targets and its property shapes (constraints, severity,
    German and English messages), in the order of their labels in ``lang``."""
    g = _graph(turtle)
    out = []
    for s in set(g.subjects(RDF.type, SH.NodeShape)):
        targets = [f"{term(g, p)} {term(g, o)}" for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                   for o in sorted(g.objects(s, p))]
        rules = []
        own = [s] if any(g.objects(s, SH.message)) else []  # a node shape may check itself (e.g. sh:sparql)
        for p in own + sorted(g.objects(s, SH.property), key=str):
            constraints = [f"{term(g, k)} {term(g, v)}" for k, v in sorted(g.predicate_objects(p)) if k not in _NOT_CONSTRAINTS
                           and k != SH.property and not (p == s and k in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf))]
            path = next(g.objects(p, SH.path), None)
            rules.append(PropertyRule(str(p) if isinstance(p, URIRef) else "", term(g, path) if path is not None else "—",
                                      constraints, term(g, next(g.objects(p, SH.severity), SH.Violation)).replace("sh:", ""),
                                      _text_exact(g, p, "de"), _text_exact(g, p, "en")))
        out.append(Shape(str(s), term(g, s) if isinstance(s, URIRef) else "[]", _text(g, s, RDFS.label, lang) or term(g, s),
                         targets, rules))
    return sorted(out, key=lambda x: x.label.casefold())


def _text_exact(g: Graph, node, lang: str) -> str | None:
    return next((str(v) for v in g.objects(node, SH.message) if isinstance(v, Literal) and v.language == lang), None)


__all__ = ["BNode", "Shape", "Term", "ontology_header", "ontology_terms", "shapes", "term"]
