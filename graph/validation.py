"""SHACL validation of the store: full reports and the write gate.

* :func:`validate` checks the whole dataset (every named graph but the shapes graph). Shapes
  that :mod:`graph.shacl_sparql` can compile run as SPARQL queries on the store's own engine
  (Oxigraph); any other shape runs through pyshacl on the same data.
* :func:`check_quads` is the write gate: it validates only the focus nodes a change can
  affect (see :mod:`graph.shacl_gate`), on the data as it would be after the change, without
  changing the store. :func:`insert_checked`, :func:`load_checked` and
  :func:`update_checked` store a change only if that verdict conforms.

"Conforms" means: no result of severity Violation. Warnings and infos are reported but do not
fail. The gate reports the results of the nodes a change affects, so on a store that conforms
before the change its verdict equals that of a full validation after it (tested against
pyshacl), while a violation elsewhere does not block an unrelated write.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from graph.namespaces import PREFIXES, bind_all
from graph.store import Store, StoreError, rdf_format

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class Result:
    """One validation result, with its message in German and English."""

    focus: str
    focus_label: str | None
    path: str | None
    severity: str  # "Violation" | "Warning" | "Info"
    message: dict[str, str] = field(hash=False, compare=True)
    shape: str | None = None
    value: str | None = None

    def key(self) -> tuple[str, str | None, str, str | None]:
        """What identifies a result when comparing two reports."""
        return (self.focus, self.shape, self.severity, self.value)


@dataclass(frozen=True)
class Report:
    """A validation report; ``conforms`` is False only if a Violation was found."""

    conforms: bool
    results: list[Result]

    @classmethod
    def of(cls, results: Iterable[Result]) -> Report:
        """A report over ``results``, sorted (violations first) and with its verdict."""
        unique = {(r.key(), r.path): r for r in results}
        ordered = sorted(
            unique.values(),
            key=lambda r: (SEVERITIES.index(r.severity), (r.focus_label or r.focus).lower(), r.focus, r.shape or "", r.value or ""),
        )
        return cls(not any(r.severity == "Violation" for r in ordered), ordered)

    @property
    def violations(self) -> list[Result]:
        """The results of severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    def to_dict(self) -> dict:
        """``{"conforms": bool, "results": [{focus, focus_label, path, severity, message, shape, value}]}``."""
        return {"conforms": self.conforms, "results": [asdict(r) for r in self.results]}

    def to_json(self) -> str:
        """The report as JSON (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_turtle(self) -> str:
        """The report as a standard ``sh:ValidationReport`` in Turtle."""
        g = bind_all(Graph())
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _term(r.focus)))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            for lang, text in r.message.items():
                g.add((node, SH.resultMessage, Literal(text, lang=lang)))
            if r.shape:
                g.add((node, SH.sourceShape, _term(r.shape)))
            if r.path:
                path = _path_node(g, r.path)
                if path is not None:
                    g.add((node, SH.resultPath, path))
            if r.value is not None:
                g.add((node, SH.value, _value_term(r.value)))
        return g.serialize(format="turtle")

    def to_text(self, lang: str | None = None) -> str:
        """People-readable: one block per result naming the focus node by its label.

        ``lang`` "de" or "en" shows that language only; None shows both.
        """
        langs = [lang] if lang in ("de", "en") else ["de", "en"]
        counts = {s: sum(1 for r in self.results if r.severity == s) for s in SEVERITIES}
        lines: list[str] = []
        for r in self.results:
            name = r.focus_label or _compact(r.focus)
            lines.append(f"{r.severity}: {name} <{r.focus}>")
            for code in langs:
                text = r.message.get(code) or next(iter(r.message.values()), "")
                lines.append(f"  {code}: {name}: {text}")
            details = []
            if r.path:
                details.append(f"path {_compact_path(r.path)}")
            if r.value is not None:
                details.append(f"value {_compact(r.value)}")
            if r.shape:
                details.append(f"shape {_compact(r.shape)}")
            if details:
                lines.append("  (" + "; ".join(details) + ")")
        verdict = {
            "de": "konform" if self.conforms else "NICHT konform",
            "en": "conforms" if self.conforms else "does NOT conform",
        }
        summary = {
            "de": f"{counts['Violation']} Verstöße, {counts['Warning']} Warnungen, {counts['Info']} Hinweise",
            "en": f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos",
        }
        for code in langs:
            lines.append(f"{code}: {verdict[code]} ({summary[code]})")
        return "\n".join(lines)


# --- Formatting helpers ----------------------------------------------------------------------

_REVERSE_PREFIXES = sorted(((iri, p) for p, iri in PREFIXES.items()), key=lambda x: -len(x[0]))


def _compact(iri: str) -> str:
    for base, prefix in _REVERSE_PREFIXES:
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    if iri.startswith("https://w3id.org/zukunftsdialog/shapes#"):
        return "zds:" + iri.rsplit("#", 1)[1]
    return iri


def _compact_path(path: str) -> str:
    if "<" not in path:
        return _compact(path)
    return re.sub(r"<([^>]+)>", lambda m: _compact(m.group(1)), path)


def _term(text: str) -> URIRef | BNode:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _value_term(text: str) -> URIRef | BNode | Literal:
    """A result value back as a term: values are stored as IRIs, ``_:b`` or N-Triples literals."""
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith('"'):
        try:
            g = Graph().parse(data=f"<urn:s> <urn:p> {text} .", format="nt")
            return next(iter(g.objects()))
        except Exception:  # an unparseable value stays a plain string
            return Literal(text)
    return URIRef(text)


def _path_node(g: Graph, path: str) -> URIRef | BNode | None:
    """A ``sh:resultPath`` for simple paths (an IRI or ``^<iri>``); complex paths are omitted."""
    if path.startswith("<") and path.endswith(">") and path.count("<") == 1:
        return URIRef(path[1:-1])
    if path.startswith("^<") and path.endswith(">") and path.count("<") == 1:
        node = BNode()
        g.add((node, SH.inversePath, URIRef(path[2:-1])))
        return node
    if "<" not in path:
        return URIRef(path)
    return None


# --- Validation ------------------------------------------------------------------------------

def data_graphs(store: Store) -> list[str]:
    """The named graphs validated: every graph except the shapes graph."""
    from graph.build import SHAPES_GRAPH

    return [g for g in store.named_graphs() if g != SHAPES_GRAPH]


def validate(store: Store) -> Report:
    """Full validation of the store's data (all named graphs but the shapes graph)."""
    from graph import shacl_sparql

    compiled = shacl_sparql.compiled_shapes()
    if compiled.union_safe:
        results = shacl_sparql.run(compiled, store)  # union default graph: same results, faster
    else:
        results = shacl_sparql.run(compiled, store, default_graphs=data_graphs(store))
    if compiled.fallback_shapes:
        results += validate_pyshacl(store, only_shapes=compiled.fallback_shapes).results
    return Report.of(add_labels(store, results))


def validate_pyshacl(store: Store, only_shapes: Iterable[str] | None = None) -> Report:
    """Whole-graph validation with pyshacl: the reference and the fallback for uncompiled shapes."""
    from graph import shacl_pyshacl

    data = shacl_pyshacl.data_graph(store.quads(), exclude=_shapes_graph())
    results = shacl_pyshacl.validate_graph(data, only_shapes=only_shapes)
    return Report.of(add_labels(store, results))


def _shapes_graph() -> str:
    from graph.build import SHAPES_GRAPH

    return SHAPES_GRAPH


def add_labels(store: Store, results: list[Result]) -> list[Result]:
    """The results with ``focus_label`` filled in from the store (name, preferred label …)."""
    from graph import shacl_sparql

    labels = shacl_sparql.labels(store, {r.focus for r in results if not r.focus.startswith("_:")})
    return [
        Result(r.focus, labels.get(r.focus, r.focus_label), r.path, r.severity, r.message, r.shape, r.value)
        for r in results
    ]


def check_quads(store: Store, add: Iterable[ox.Quad], remove: Iterable[ox.Quad] = ()) -> Report:
    """The verdict for the store after adding ``add`` and removing ``remove``, without changing it."""
    from graph import shacl_gate

    # Labels come from the data after the change (the gate fills them in).
    return Report.of(shacl_gate.check(store, list(add), list(remove)))


# One lock per process: the check and the write of a gated change happen together.
_WRITE_LOCK = threading.RLock()


def write_lock() -> threading.RLock:
    """The lock every gated write holds (reentrant): hold it too to make a read and the write
    that depends on it one step (e.g. "is this submission stored yet?", then store it)."""
    return _WRITE_LOCK


def insert_checked(store: Store, quads: list[ox.Quad]) -> Report:
    """Store ``quads`` only if the result conforms; all or nothing."""
    quads = [_as_quad(q) for q in quads]
    with _WRITE_LOCK:
        report = check_quads(store, quads)
        if report.conforms and quads:
            store.apply_change(quads, [])
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
) -> Report:
    """Run a SPARQL update only if the data after it conforms; the update is atomic.

    The update's effect (quads added and removed) is computed by Oxigraph without touching the
    store (:func:`graph.update_delta.update_effect`) and checked like any write; what is then
    stored is that effect itself, not the text run again, so what was checked is exactly what
    is stored. ``refuse(added, removed)``, if given, sees the effect first and may raise to stop
    the update (e.g. one that would change the model graphs).
    """
    from graph.update_delta import update_effect

    with _WRITE_LOCK:
        effect = update_effect(store, sparql_update)
        if refuse is not None:
            refuse(effect.added, effect.removed)
        report = check_quads(store, effect.added, effect.removed)
        if report.conforms and (effect.added or effect.removed):
            store.apply_change(effect.added, effect.removed)
    return report


def _as_quad(q: ox.Quad | ox.Triple) -> ox.Quad:
    if isinstance(q, ox.Quad):
        return q
    raise StoreError("insert_checked needs quads (a triple has no graph to go to)")


__all__ = [
    "Result", "Report", "validate", "validate_pyshacl", "check_quads", "insert_checked",
    "load_checked", "update_checked", "data_graphs", "write_lock",
]
