"""SHACL results and reports: what a validation says, as JSON, Turtle or text.

A leaf: the engine, pyshacl and the gate all produce :class:`Result` s, and only
:mod:`graph.shacl.validation` and :mod:`graph.shacl.full` gather them into a :class:`Report`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from graph.vocab import bind_all, compact

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
            name = r.focus_label or compact(r.focus)
            lines.append(f"{r.severity}: {name} <{r.focus}>")
            for code in langs:
                text = r.message.get(code) or next(iter(r.message.values()), "")
                lines.append(f"  {code}: {name}: {text}")
            details = []
            if r.path:
                details.append(f"path {_compact_path(r.path)}")
            if r.value is not None:
                details.append(f"value {compact(r.value)}")
            if r.shape:
                details.append(f"shape {compact(r.shape)}")
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

def _compact_path(path: str) -> str:
    if "<" not in path:
        return compact(path)
    return re.sub(r"<([^>]+)>", lambda m: compact(m.group(1)), path)


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
