"""SHACL Core shapes compiled to SPARQL, run by the store's own engine (Oxigraph).

pyshacl walks every focus node in Python and needs the whole graph in rdflib; at 400k triples
that is ~14 s plus ~13 s of parsing. Here every constraint of every shape becomes one SELECT
query (``?this`` the focus node, ``?value`` the offending value) that Oxigraph answers from its
indexes. Nested shapes (``sh:node``, ``sh:qualifiedValueShape``, ``sh:or`` …) become
``FILTER (NOT) EXISTS`` expressions.

Supported: targets (class incl. ``rdfs:subClassOf*``, node, subjects-of, objects-of), every
SHACL path form, and the components minCount, maxCount, class, datatype (incl. ill-formed
lexical forms), nodeKind, in, hasValue, languageIn, uniqueLang, pattern, min/maxLength,
min/max In/Exclusive, node, not, and, or, qualifiedValueShape with qualifiedMin/MaxCount
(nested: counts of 0 or 1). A node shape using anything else (sh:sparql, sh:xone, equality
pairs, closed shapes …) is listed in ``Compiled.fallback_shapes`` and validated by pyshacl.

The same compilation tells the write gate (graph/shacl/gate.py) which triples each shape
reads, as ``Read`` records.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from graph import labels as graph_labels
from graph import resources
from graph.shacl.report import Result
from graph.store import Store

SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_RDF_TYPE = f"<{RDF.type}>"
_SUBCLASS = f"<{RDFS.subClassOf}>"

#: Datatypes whose lexical form Oxigraph can check by casting (an ill-formed literal fails).
_CASTABLE = {
    str(XSD[t]) for t in (
        "date", "dateTime", "time", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay",
        "integer", "decimal", "double", "float", "boolean", "duration",
    )
}


class Unsupported(Exception):
    """A shape uses a SHACL feature this compiler does not translate."""


# --- Paths -----------------------------------------------------------------------------------

# A path as a small tree: ("pred", iri) | ("inv", p) | ("seq", [p…]) | ("alt", [p…]) |
# ("star", p) | ("plus", p) | ("opt", p)
Path = tuple


def parse_path(g: Graph, node: Node) -> Path:
    """The SHACL path at ``node`` as a path tree."""
    if isinstance(node, URIRef):
        return ("pred", str(node))
    if (node, RDF.first, None) in g:
        return ("seq", [parse_path(g, n) for n in Collection(g, node)])
    for prop, kind in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "star"),
                       (SH.oneOrMorePath, "plus"), (SH.zeroOrOnePath, "opt")):
        inner = g.value(node, prop)
        if inner is not None:
            return (kind, parse_path(g, inner))
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return ("alt", [parse_path(g, n) for n in Collection(g, alt)])
    raise Unsupported(f"unknown path {node}")


def path_sparql(path: Path) -> str:
    """A path tree as a SPARQL property path."""
    kind, arg = path
    if kind == "pred":
        return f"<{arg}>"
    if kind == "inv":
        return f"^({path_sparql(arg)})" if arg[0] != "pred" else f"^<{arg[1]}>"
    if kind == "seq":
        return "(" + "/".join(path_sparql(p) for p in arg) + ")"
    if kind == "alt":
        return "(" + "|".join(path_sparql(p) for p in arg) + ")"
    suffix = {"star": "*", "plus": "+", "opt": "?"}[kind]
    return f"({path_sparql(arg)}){suffix}"


def path_pattern(path: Path, subj: str, obj: str, fresh) -> str:
    """Triple patterns matching ``path`` from ``subj`` to ``obj``.

    Fixed-length paths become plain triple patterns (Oxigraph plans those well; a sequence
    path such as ``^a/^b`` inside NOT EXISTS was ~100x slower at 400k triples); the others
    stay property paths. ``fresh()`` gives new variable names.
    """
    kind, arg = path
    if kind == "pred":
        return f"{subj} <{arg}> {obj} ."
    if kind == "inv" and arg[0] in ("pred", "seq", "inv"):
        return path_pattern(arg, obj, subj, fresh)
    if kind == "seq":
        parts, at = [], subj
        for i, step in enumerate(arg):
            nxt = obj if i == len(arg) - 1 else fresh()
            parts.append(path_pattern(step, at, nxt, fresh))
            at = nxt
        return " ".join(parts)
    return f"{subj} {path_sparql(path)} {obj} ."


def path_exists(path: Path, subj: str, obj: str, cond: str | None, fresh) -> str:
    """``EXISTS { subj path obj FILTER(cond) }``, a sequence path as nested EXISTS, one step each.

    Oxigraph evaluates an EXISTS of several joined patterns by materialising the join (5 s at
    400k triples for ``^org:postIn/^org:holds``) but one pattern per level by lookups (18 ms).
    """
    filt = f" FILTER({cond})" if cond else ""
    kind, arg = path
    if kind == "inv" and arg[0] == "seq":
        return path_exists(("seq", [("inv", p) for p in reversed(arg[1])]), subj, obj, cond, fresh)
    if kind == "seq" and len(arg) > 1:
        mid = fresh()
        rest = arg[1:] if len(arg) > 2 else [arg[1]]
        inner = path_exists(("seq", rest) if len(rest) > 1 else rest[0], mid, obj, cond, fresh)
        return f"EXISTS {{ {path_pattern(arg[0], subj, mid, fresh)} FILTER({inner}) }}"
    return f"EXISTS {{ {path_pattern(path, subj, obj, fresh)}{filt} }}"


def path_label(path: Path) -> str:
    """A path for reports: a bare IRI for a predicate, else SPARQL path syntax."""
    return path[1] if path[0] == "pred" else path_sparql(path)


# --- Terms -----------------------------------------------------------------------------------

def term_sparql(term: Node) -> str:
    """An rdflib IRI or literal in SPARQL syntax."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise Unsupported(f"blank node {term} as a constant")


def ox_term_text(term) -> str:
    """An Oxigraph term as the text results carry: IRI, ``_:id`` or an N-Triples literal."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# --- Compiled form ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Read:
    """A triple pattern a shape reads: from the node reached by ``prefix`` from the focus
    node, the triples with ``predicate`` going forward (node is subject) or backward (node
    is object). ``prefix`` None is the focus node itself."""

    prefix: Path | None
    predicate: str | None  # None: any predicate (a path we cannot bound)
    forward: bool
    #: For ``rdf:type`` reads: the classes that matter (subclasses are added at check time).
    classes: frozenset[str] | None = None


@dataclass
class Check:
    """One constraint component of one shape, as a query body over ``?this``."""

    shape: str  # the shape reported as sh:sourceShape
    severity: str
    message: dict[str, str]
    path: str | None
    component: str
    body: str  # SPARQL group pattern after the targets; binds ?value if the result has one
    has_value: bool
    counting: bool = False  # body is a sub-select that embeds the targets itself
    #: Once satisfied, adding triples cannot break it (minCount, hasValue, qualifiedMinCount
    #: of a monotone shape): the write gate skips such checks for nodes that pass already.
    monotone: bool = False


@dataclass
class TopShape:
    """A targeted shape: how to find its focus nodes, its checks, and what it reads."""

    iri: str
    targets: str  # SPARQL pattern binding ?this (UNION of the target kinds)
    target_nodes: list[str]
    checks: list[Check]
    reads: list[Read]
    target_classes: frozenset[str] = frozenset()
    target_subjects_of: frozenset[str] = frozenset()
    target_objects_of: frozenset[str] = frozenset()


@dataclass
class Compiled:
    """Every targeted shape, compiled or left to pyshacl."""

    shapes: list[TopShape]
    fallback_shapes: set[str] = field(default_factory=set)
    class_dependent: bool = False  # some shape reads rdfs:subClassOf
    #: The checks may run on the union default graph (see :func:`shapes_invisible`).
    union_safe: bool = False


class _Vars:
    """Fresh variable names for nested patterns."""

    def __init__(self) -> None:
        self._n = itertools.count()

    def new(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._n)}"


def _messages(g: Graph, shape: Node, default: str) -> dict[str, str]:
    msgs = {}
    for m in g.objects(shape, SH.message):
        lang = m.language if isinstance(m, Literal) and m.language else "en"
        msgs.setdefault(lang, str(m))
    if not msgs:
        msgs = {"en": default}
    msgs.setdefault("de", msgs.get("en", default))
    msgs.setdefault("en", msgs["de"])
    return msgs


def _severity(g: Graph, shape: Node) -> str:
    sev = g.value(shape, SH.severity)
    if sev is None:
        return "Violation"
    if sev not in SEVERITY:
        raise Unsupported(f"custom severity {sev}")
    return SEVERITY[sev]


_HANDLED = {
    SH.path, SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue,
    SH.languageIn, SH.uniqueLang, SH.pattern, SH.flags, SH.minLength, SH.maxLength,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.node, SH["not"],
    SH["and"], SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.severity, SH.message, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue, RDF.type, RDFS.label, RDFS.comment,
}


def _check_supported(g: Graph, shape: Node) -> None:
    for p in set(g.predicates(shape, None)):
        if p not in _HANDLED and str(p).startswith(str(SH)):
            raise Unsupported(f"{p} on {shape}")
    if g.value(shape, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
        raise Unsupported("sh:qualifiedValueShapesDisjoint")


class _Compiler:
    def __init__(self, g: Graph):
        self.g = g
        self.vars = _Vars()
        self.uses_class = False

    # Boolean SPARQL expressions "value at VAR violates X" ------------------------------------

    def value_violation(self, shape: Node, comp: Node, obj: Node, var: str) -> str:
        """Expression true if ``var`` violates one value-level component of ``shape``."""
        g = self.g
        if comp == SH["class"]:
            self.uses_class = True
            return f"NOT EXISTS {{ {var} {_RDF_TYPE}/{_SUBCLASS}* {term_sparql(obj)} }}"
        if comp == SH.datatype:
            dt = str(obj)
            cond = f"!isLiteral({var}) || datatype({var}) != <{dt}>"
            if dt in _CASTABLE:
                cond += f" || !COALESCE(isLiteral(<{dt}>(STR({var}))), false)"
            return f"({cond})"
        if comp == SH.nodeKind:
            kinds = {
                SH.IRI: "!isIRI({v})", SH.BlankNode: "!isBlank({v})", SH.Literal: "!isLiteral({v})",
                SH.BlankNodeOrIRI: "isLiteral({v})", SH.BlankNodeOrLiteral: "isIRI({v})",
                SH.IRIOrLiteral: "isBlank({v})",
            }
            return kinds[obj].format(v=var)
        if comp == SH["in"]:
            items = list(Collection(g, obj))
            if not items:
                return "true"
            return "!(" + " || ".join(f"sameTerm({var}, {term_sparql(t)})" for t in items) + ")"
        if comp == SH.languageIn:
            langs = [str(x) for x in Collection(g, obj)]
            ok = " || ".join(f'langMatches(lang({var}), "{lang}")' for lang in langs) or "false"
            return f"(!isLiteral({var}) || !({ok}))"
        if comp == SH.pattern:
            flags = g.value(shape, SH.flags)
            pat = Literal(str(obj)).n3()
            f_arg = f", {Literal(str(flags)).n3()}" if flags else ""
            return f"(isBlank({var}) || !regex(STR({var}), {pat}{f_arg}))"
        if comp == SH.minLength:
            return f"(isBlank({var}) || STRLEN(STR({var})) < {int(obj)})"
        if comp == SH.maxLength:
            return f"(isBlank({var}) || STRLEN(STR({var})) > {int(obj)})"
        ops = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
        if comp in ops:
            return f"!COALESCE({var} {ops[comp]} {term_sparql(obj)}, false)"
        if comp == SH.node:
            return self.shape_violation(obj, var)
        if comp == SH["not"]:
            return f"!({self.shape_violation(obj, var)})"
        if comp == SH["and"]:
            parts = [self.shape_violation(s, var) for s in Collection(g, obj)]
            return "(" + " || ".join(parts) + ")" if parts else "false"
        if comp == SH["or"]:
            parts = [self.shape_violation(s, var) for s in Collection(g, obj)]
            return "(" + " && ".join(parts) + ")" if parts else "true"
        if comp == SH.hasValue:  # node-level: the node itself must be the value
            return f"!sameTerm({var}, {term_sparql(obj)})"
        raise Unsupported(str(comp))

    _VALUE_COMPONENTS = (
        SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, SH.minLength,
        SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
        SH.node, SH["not"], SH["and"], SH["or"],
    )

    def shape_violation(self, shape: Node, var: str, depth: int = 0) -> str:
        """Expression true if the node at ``var`` does not conform to ``shape``."""
        if depth > 8:
            raise Unsupported("recursive shapes")
        g = self.g
        _check_supported(g, shape)
        if g.value(shape, SH.deactivated) == Literal(True):
            return "false"
        parts: list[str] = []
        path_node = g.value(shape, SH.path)
        if path_node is None:
            for comp in (*self._VALUE_COMPONENTS, SH.hasValue):
                for obj in g.objects(shape, comp):
                    parts.append(self.value_violation(shape, comp, obj, var))
        else:
            parts += self._nested_property(shape, parse_path(g, path_node), var)
        for prop in g.objects(shape, SH.property):
            _check_supported(g, prop)
            if g.value(prop, SH.deactivated) == Literal(True):
                continue
            parts += self._nested_property(prop, parse_path(g, g.value(prop, SH.path)), var)
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def _nested_property(self, prop: Node, path: Path, var: str) -> list[str]:
        g = self.g
        parts = []

        def P(subj: str, obj: str) -> str:
            return path_pattern(path, subj, obj, self.vars.new)

        for n in g.objects(prop, SH.minCount):
            n = int(n)
            if n > 1:
                raise Unsupported("nested sh:minCount > 1")
            if n == 1:
                parts.append("NOT " + path_exists(path, var, self.vars.new(), None, self.vars.new))
        for n in g.objects(prop, SH.maxCount):
            n = int(n)
            a, b = self.vars.new(), self.vars.new()
            if n == 0:
                parts.append(path_exists(path, var, a, None, self.vars.new))
            elif n == 1:
                parts.append(f"EXISTS {{ {P(var, a)} {P(var, b)} FILTER(!sameTerm({a}, {b})) }}")
            else:
                raise Unsupported("nested sh:maxCount > 1")
        for comp in self._VALUE_COMPONENTS:
            for obj in g.objects(prop, comp):
                x = self.vars.new()
                parts.append(path_exists(path, var, x, self.value_violation(prop, comp, obj, x), self.vars.new))
        for obj in g.objects(prop, SH.hasValue):
            parts.append("NOT " + path_exists(path, var, term_sparql(obj), None, self.vars.new))
        if g.value(prop, SH.uniqueLang) == Literal(True):
            a, b = self.vars.new(), self.vars.new()
            parts.append(
                f"EXISTS {{ {P(var, a)} {P(var, b)} FILTER(!sameTerm({a}, {b}) && "
                f"lang({a}) != \"\" && LCASE(lang({a})) = LCASE(lang({b}))) }}"
            )
        q = g.value(prop, SH.qualifiedValueShape)
        if q is not None:
            x = self.vars.new()
            conforming = path_exists(path, var, x, f"!{self.shape_violation(q, x)}", self.vars.new)
            qmin = g.value(prop, SH.qualifiedMinCount)
            qmax = g.value(prop, SH.qualifiedMaxCount)
            if qmin is not None and int(qmin) > 1 or qmax is not None and int(qmax) > 0:
                raise Unsupported("nested qualified counts other than min 1 / max 0")
            if qmin is not None and int(qmin) == 1:
                parts.append(f"NOT {conforming}")
            if qmax is not None:
                parts.append(conforming)
        return parts

    # Top-level checks ----------------------------------------------------------------------

    def property_checks(self, prop: Node) -> list[Check]:
        """The checks of one property shape (reported with the property shape as source)."""
        g = self.g
        _check_supported(g, prop)
        path = parse_path(g, g.value(prop, SH.path))

        def P(subj: str, obj: str) -> str:
            return path_pattern(path, subj, obj, self.vars.new)

        sev = _severity(g, prop)
        label = path_label(path)
        shape_id = _id(prop)

        def check(component: str, body: str, has_value: bool, counting: bool = False) -> Check:
            msgs = _messages(g, prop, f"{component} not satisfied on {label}")
            monotone = component in ("MinCount", "HasValue") or (
                component == "QualifiedMinCount" and self.monotone_shape(g.value(prop, SH.qualifiedValueShape)))
            return Check(shape_id, sev, msgs, label, component, body, has_value, counting, monotone)

        out: list[Check] = []
        for n in g.objects(prop, SH.minCount):
            n = int(n)
            if n == 1:
                out.append(check("MinCount", "FILTER NOT " + path_exists(path, "?this", "?_any", None, self.vars.new), False))
            elif n > 1:
                out.append(check("MinCount", (
                    f"{{ SELECT ?this (COUNT(DISTINCT ?_v) AS ?_c) WHERE {{ {{TARGETS}} "
                    f"OPTIONAL {{ {P('?this', '?_v')} }} }} GROUP BY ?this }} FILTER(?_c < {n})"), False, True))
        for n in g.objects(prop, SH.maxCount):
            out.append(check("MaxCount", (
                f"{{ SELECT ?this WHERE {{ {{TARGETS}} {P('?this', '?_v')} }} GROUP BY ?this "
                f"HAVING(COUNT(DISTINCT ?_v) > {int(n)}) }}"), False, True))
        for comp in self._VALUE_COMPONENTS:
            for obj in g.objects(prop, comp):
                expr = self.value_violation(prop, comp, obj, "?value")
                out.append(check(_local(comp), f"{P('?this', '?value')} FILTER({expr})", True))
        for obj in g.objects(prop, SH.hasValue):
            out.append(check("HasValue", "FILTER NOT " + path_exists(path, "?this", term_sparql(obj), None, self.vars.new), False))
        if g.value(prop, SH.uniqueLang) == Literal(True):
            out.append(check("UniqueLang", (
                f"{P('?this', '?_a')} {P('?this', '?_b')} FILTER(!sameTerm(?_a, ?_b) && lang(?_a) != \"\" "
                f"&& LCASE(lang(?_a)) = LCASE(lang(?_b)))"), False))
        q = g.value(prop, SH.qualifiedValueShape)
        if q is not None:
            ok = f"!{self.shape_violation(q, '?_q')}"
            qmin = g.value(prop, SH.qualifiedMinCount)
            qmax = g.value(prop, SH.qualifiedMaxCount)
            if qmin is not None and int(qmin) == 1:
                out.append(check("QualifiedMinCount",
                                 "FILTER NOT " + path_exists(path, "?this", "?_q", ok, self.vars.new), False))
            elif qmin is not None and int(qmin) > 1:
                out.append(check("QualifiedMinCount", (
                    f"{{ SELECT ?this (COUNT(DISTINCT ?_q) AS ?_c) WHERE {{ {{TARGETS}} OPTIONAL {{ "
                    f"{P('?this', '?_q')} FILTER({ok}) }} }} GROUP BY ?this }} FILTER(?_c < {int(qmin)})"), False, True))
            if qmax is not None:
                out.append(check("QualifiedMaxCount", (
                    f"{{ SELECT ?this WHERE {{ {{TARGETS}} {P('?this', '?_q')} FILTER({ok}) }} GROUP BY ?this "
                    f"HAVING(COUNT(DISTINCT ?_q) > {int(qmax)}) }}"), False, True))
        return out

    _INTRINSIC = (SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, SH.minLength,
                  SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive)

    def monotone_shape(self, shape: Node, depth: int = 0) -> bool:
        """True if a node conforming to ``shape`` still conforms after triples are added."""
        g = self.g
        if depth > 8 or g.value(shape, SH["not"]) is not None:
            return False
        if g.value(shape, SH.path) is not None or any(True for _ in g.objects(shape, SH.property)):
            props = [shape] if g.value(shape, SH.path) is not None else []
            props += list(g.objects(shape, SH.property))
            for prop in props:
                allowed = {SH.path, SH.minCount, SH.hasValue, SH.qualifiedValueShape, SH.qualifiedMinCount,
                           SH.severity, SH.message, SH.name, SH.description, RDF.type, RDFS.label}
                if prop != shape and any(p not in allowed for p in g.predicates(prop, None)):
                    return False
                q = g.value(prop, SH.qualifiedValueShape)
                if q is not None and not self.monotone_shape(q, depth + 1):
                    return False
                if prop == shape and any(g.objects(shape, c) for c in (SH.maxCount, SH.qualifiedMaxCount, SH.uniqueLang)):
                    return False
        for comp in (SH.node,):
            if any(not self.monotone_shape(s, depth + 1) for s in g.objects(shape, comp)):
                return False
        for comp in (SH["and"], SH["or"]):
            for lst in g.objects(shape, comp):
                if any(not self.monotone_shape(s, depth + 1) for s in Collection(g, lst)):
                    return False
        return True  # class, hasValue and the intrinsic components only grow more satisfied

    def node_checks(self, shape: Node) -> list[Check]:
        """Node-level constraints of a node shape (the focus node is the value)."""
        g = self.g
        out = []
        for comp in (*self._VALUE_COMPONENTS, SH.hasValue):
            for obj in g.objects(shape, comp):
                expr = self.value_violation(shape, comp, obj, "?this")
                msgs = _messages(g, shape, f"{_local(comp)} not satisfied")
                out.append(Check(_id(shape), _severity(g, shape), msgs, None, _local(comp),
                                 f"BIND(?this AS ?value) FILTER({expr})", True))
        return out


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1].replace("ConstraintComponent", "").capitalize()


def _id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


# --- Reads (for the write gate) --------------------------------------------------------------

def _path_reads(path: Path, prefix: Path | None) -> list[Read]:
    """The triples a path reads when followed from the node at ``prefix``."""
    kind, arg = path
    if kind == "pred":
        return [Read(prefix, arg, True)]
    if kind == "inv" and arg[0] == "pred":
        return [Read(prefix, arg[1], False)]
    if kind == "seq":
        reads, at = [], prefix
        for step in arg:
            reads += _path_reads(step, at)
            at = step if at is None else ("seq", [at, step])
        return reads
    if kind == "alt":
        return [r for p in arg for r in _path_reads(p, prefix)]
    if kind in ("star", "plus", "opt"):
        # Every node reachable by the repetition is a possible start of the inner path.
        inner_prefix = ("star", arg) if prefix is None else ("seq", [prefix, ("star", arg)])
        return _path_reads(arg, inner_prefix)
    if kind == "inv":  # inverse of a complex path: read it the other way round
        return _path_reads(_invert(arg), prefix)
    raise Unsupported(kind)


def _invert(path: Path) -> Path:
    """The inverse of a path, with inverses pushed down to the predicates."""
    kind, arg = path
    if kind == "pred":
        return ("inv", path)
    if kind == "inv":
        return arg
    if kind == "seq":
        return ("seq", [_invert(p) for p in reversed(arg)])
    if kind == "alt":
        return ("alt", [_invert(p) for p in arg])
    return (kind, _invert(arg))


def _target_classes(g: Graph, shape: Node) -> frozenset[str]:
    classes = {str(c) for c in g.objects(shape, SH.targetClass)}
    if (shape, RDF.type, RDFS.Class) in g:
        classes.add(str(shape))
    return frozenset(classes)


def _join(prefix: Path | None, path: Path) -> Path:
    return path if prefix is None else ("seq", [prefix, path])


def shape_reads(g: Graph, shape: Node, prefix: Path | None, depth: int = 0) -> list[Read]:
    """What validating the node at ``prefix`` against ``shape`` reads."""
    if depth > 8:
        raise Unsupported("recursive shapes")
    reads: list[Read] = []
    path_node = g.value(shape, SH.path)
    if path_node is not None:
        path = parse_path(g, path_node)
        reads += _path_reads(path, prefix)
        reads += _value_reads(g, shape, _join(prefix, path), depth)
    else:
        reads += _value_reads(g, shape, prefix, depth)
    for prop in g.objects(shape, SH.property):
        reads += shape_reads(g, prop, prefix, depth + 1)
    return reads


def _value_reads(g: Graph, shape: Node, at: Path | None, depth: int) -> list[Read]:
    """What the value-level components of ``shape`` read about the values at ``at``."""
    reads = []
    classes = frozenset(str(c) for c in g.objects(shape, SH["class"]))
    if classes:
        reads.append(Read(at, str(RDF.type), True, classes))
    for comp in (SH.node, SH["not"], SH.qualifiedValueShape):
        for s in g.objects(shape, comp):
            reads += shape_reads(g, s, at, depth + 1)
    for comp in (SH["and"], SH["or"]):
        for lst in g.objects(shape, comp):
            for s in Collection(g, lst):
                reads += shape_reads(g, s, at, depth + 1)
    return reads


# --- Compilation of the shapes graph ----------------------------------------------------------

@cache
def shapes_graph() -> Graph:
    """The shapes (every shapes/*.ttl), parsed once."""
    g = Graph()
    for path in resources.files("shapes", ".ttl"):
        g.parse(path, format="turtle")
    return g


def _targets(g: Graph, shape: Node) -> tuple[str, list[str]]:
    parts, nodes = [], []
    for c in g.objects(shape, SH.targetClass):
        parts.append(f"?this {_RDF_TYPE}/{_SUBCLASS}* {term_sparql(c)} .")
    if (shape, RDF.type, RDFS.Class) in g:
        parts.append(f"?this {_RDF_TYPE}/{_SUBCLASS}* {term_sparql(shape)} .")
    for n in g.objects(shape, SH.targetNode):
        nodes.append(str(n))
        parts.append(f"VALUES ?this {{ {term_sparql(n)} }}")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?this {term_sparql(p)} ?_t .")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_t {term_sparql(p)} ?this .")
    return " UNION ".join(f"{{ {p} }}" for p in parts), nodes


def _target_reads(g: Graph, shape: Node) -> list[Read]:
    reads = []
    classes = _target_classes(g, shape)
    if classes:
        reads.append(Read(None, str(RDF.type), True, classes))
    for p in g.objects(shape, SH.targetSubjectsOf):
        reads.append(Read(None, str(p), True))
    for p in g.objects(shape, SH.targetObjectsOf):
        reads.append(Read(None, str(p), False))
    return reads


_TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def targeted_shapes(g: Graph) -> list[Node]:
    """Every shape with a target, in a stable order."""
    found = {s for p in _TARGET_PREDICATES for s in g.subjects(p, None)}
    found |= {s for s in g.subjects(RDF.type, SH.NodeShape) if (s, RDF.type, RDFS.Class) in g}
    return sorted(found, key=str)


def compile_shapes(g: Graph) -> Compiled:
    """Compile every targeted shape of ``g``; the ones that do not compile go to pyshacl."""
    compiled = Compiled([])
    for shape in targeted_shapes(g):
        if g.value(shape, SH.deactivated) == Literal(True):
            continue
        c = _Compiler(g)
        try:
            targets, nodes = _targets(g, shape)
            _check_supported(g, shape)
            checks: list[Check] = []
            if g.value(shape, SH.path) is not None:  # a targeted property shape
                checks += c.property_checks(shape)
            else:
                checks += c.node_checks(shape)
            for prop in g.objects(shape, SH.property):
                if g.value(prop, SH.deactivated) == Literal(True):
                    continue
                checks += c.property_checks(prop)
            reads = _target_reads(g, shape) + shape_reads(g, shape, None)
        except Unsupported:
            compiled.fallback_shapes.add(_id(shape))
            continue
        compiled.class_dependent |= c.uses_class or (shape, SH.targetClass, None) in g
        compiled.shapes.append(TopShape(
            _id(shape), targets, nodes, checks, reads, _target_classes(g, shape),
            frozenset(str(p) for p in g.objects(shape, SH.targetSubjectsOf)),
            frozenset(str(p) for p in g.objects(shape, SH.targetObjectsOf)),
        ))
    return compiled


@cache
def compiled_shapes() -> Compiled:
    """The shipped shapes, compiled once per process."""
    g = shapes_graph()
    compiled = compile_shapes(g)
    compiled.union_safe = shapes_invisible(compiled, g)
    return compiled


def shapes_invisible(compiled: Compiled, shapes: Graph) -> bool:
    """True if the shapes' own triples cannot change any result.

    Then the checks can run on the store's union default graph, which Oxigraph answers about
    7x faster than a dataset listing every data graph: no shape reads a predicate the shapes
    graph uses (rdf:type only for the classes the shapes target or require).
    """
    read_preds = {r.predicate for s in compiled.shapes for r in s.reads}
    if None in read_preds:
        return False
    read_preds.discard(str(RDF.type))
    classes = {str(o) for p in (SH.targetClass, SH["class"]) for o in shapes.objects(None, p)}
    for _, p, o in shapes:
        if str(p) in read_preds or str(p) == str(RDFS.subClassOf):
            return False
        if p == RDF.type and str(o) in classes:
            return False
    return True


def check_query(shape: TopShape, check: Check, focus: Iterable[str] | None = None) -> str:
    """The SELECT query of one check; ``focus`` restricts it to those focus nodes."""
    targets = shape.targets
    if focus is not None:
        values = " ".join(f"<{f}>" for f in focus if not f.startswith("_:"))
        targets = f"VALUES ?this {{ {values} }} {{ {targets} }}"
    else:
        targets = f"{{ {targets} }}"
    value = "?value" if check.has_value else ""
    if check.counting:
        body = check.body.replace("{TARGETS}", targets)
        return f"SELECT DISTINCT ?this {value} WHERE {{ {body} }}"
    return f"SELECT DISTINCT ?this {value} WHERE {{ {targets} {check.body} }}"


def run(compiled: Compiled, store: Store, default_graphs: list[str] | None = None,
        focus: dict[str, set[str]] | None = None, only: dict[str, set[str]] | None = None) -> list:
    """Run every compiled check and return :class:`graph.shacl.validation.Result` s (no labels).

    ``focus`` (shape IRI → focus IRIs) restricts the queries to those focus nodes; ``only``
    (shape IRI → focus IRIs or ``_:`` blank nodes) runs just those shapes on all their
    targets and keeps the results of those nodes (for small stores, e.g. the write gate's).
    """
    results = []
    for shape in compiled.shapes:
        nodes = None
        if focus is not None:
            nodes = focus.get(shape.iri)
            if not nodes:
                continue
        keep = None
        if only is not None:
            keep = only.get(shape.iri)
            if not keep:
                continue
            if not any(k.startswith(("_:", '"')) for k in keep):
                nodes = keep  # blank nodes (and here literals) are not named in VALUES; IRIs are
        for check in shape.checks:
            query = check_query(shape, check, nodes)
            if default_graphs is not None:
                solutions = store.query(query, default_graphs=default_graphs or ["urn:zdg:empty"])
            else:
                solutions = store.query(query)
            for row in solutions:
                if keep is not None and ox_term_text(row["this"]) not in keep:
                    continue
                value = row["value"] if check.has_value else None
                results.append(Result(
                    ox_term_text(row["this"]), None, check.path, check.severity, check.message,
                    check.shape, ox_term_text(value) if value is not None else None,
                ))
    return results


def labels(store: Store, nodes: set[str]) -> dict[str, str]:
    """A readable label per IRI, in German (reports carry both languages in their messages; the
    focus node's name is one): the one label policy, :func:`graph.labels.best_label`."""
    found = graph_labels.fetch(store, nodes)
    return {iri: label for iri, lits in found.items() if (label := graph_labels.best_label(lits, "de"))}
