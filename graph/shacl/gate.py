"""The write gate: validate only what a change can affect, as the data would be after it.

1. The change is reduced to the triples it really adds to or removes from the union of the
   named graphs (what validation sees).
2. Each compiled shape says which triples it reads (``shacl_sparql.Read``: a predicate, a
   direction, and the path from the focus node to where it is read). A changed triple read at
   the end of such a path makes every node that reaches it by that path, backwards, a
   candidate focus node of that shape; so a new recommendation on a theme makes the theme a
   candidate of "every key theme is addressed" through ``^dcterms:subject``, and a changed
   ``rdf:type`` re-targets its subject.
3. Everything the shapes read from the candidates (the same reads, forwards) is copied from
   the store into a small in-memory Oxigraph store, the change is applied there, and the
   compiled checks run on it; results are kept for the candidates only.
4. Shortcut for writes that only add triples: a shape made only of checks that additions
   cannot break (minCount, hasValue, qualifiedMinCount of such a shape) is checked for its
   existing candidates on the store as it is; the ones that pass need no copy. This keeps
   hubs cheap (a theme with thousands of recommendations).

The store itself is never touched. Walks and copies use Oxigraph's indexes directly on an
embedded store and SPARQL on a remote one (where blank nodes cannot be looked up by name,
so the gate is exact only for changes around IRIs). A change to ``rdfs:subClassOf`` (which can
re-target anything) and shapes that did not compile fall back to a full validation of a
changed copy: correct, but slow on large graphs.
"""

from __future__ import annotations

from collections.abc import Iterable
from string import Template

import pyoxigraph as ox

from graph import sparql
from graph.shacl import engine as shacl_sparql
from graph.labels import LABEL_PROPERTIES
from graph.shacl import full
from graph.shacl.engine import Path, Read
from graph.shacl.report import Result
from graph.store import EmbeddedStore, Store, StoreError
from graph.vocab import SHAPES_GRAPH

SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Above this many changed triples (a bulk load) validating a changed copy is simpler and
#: no slower than walking the change.
BULK = 50_000
#: Predicates copied for every candidate so that reports can name it.
LABELS = [ox.NamedNode(p) for p in LABEL_PROPERTIES]

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _View:
    """The store plus the quads a change adds (a superset of the data after the change)."""

    def __init__(self, store: Store, added: list[ox.Quad]):
        self.store = store
        self.embedded = store.oxigraph if isinstance(store, EmbeddedStore) else None
        self.out: dict[tuple, set] = {}
        self.inc: dict[tuple, set] = {}
        for q in added:
            self.out.setdefault((q.subject, q.predicate), set()).add(q.object)
            self.inc.setdefault((q.object, q.predicate), set()).add(q.subject)

    def quads(self, nodes: Iterable[Term], predicate: ox.NamedNode | None, forward: bool) -> list[ox.Quad]:
        """The store's quads with a node of ``nodes`` as subject (forward) or object."""
        nodes = [n for n in nodes if forward is False or not isinstance(n, ox.Literal)]
        if not nodes:
            return []
        if self.embedded is not None:
            found = []
            for n in nodes:
                if forward:
                    found += self.embedded.quads_for_pattern(n, predicate, None, None)
                else:
                    found += self.embedded.quads_for_pattern(None, predicate, n, None)
            return found
        return _remote_quads(self.store, nodes, predicate, forward)

    def step(self, nodes: set[Term], predicate: str | None, forward: bool) -> set[Term]:
        """Nodes one ``predicate`` step away from ``nodes`` (forward: objects)."""
        pred = ox.NamedNode(predicate) if predicate else None
        result = {q.object if forward else q.subject for q in self.quads(nodes, pred, forward)}
        index = self.out if forward else self.inc
        for n in nodes:
            if pred is not None:
                result |= index.get((n, pred), set())
            else:
                for (node, _), values in index.items():
                    if node == n:
                        result |= values
        return result


def _remote_quads(store: Store, nodes: list[Term], predicate, forward: bool) -> list[ox.Quad]:
    """Quads around ``nodes`` from a SPARQL endpoint (blank nodes cannot be named there)."""
    named = [n for n in nodes if not isinstance(n, ox.BlankNode)]
    found: list[ox.Quad] = []
    p = str(predicate) if predicate is not None else "?p"
    for start in range(0, len(named), 200):
        values = " ".join(str(n) for n in named[start : start + 200])
        pattern = f"?n {p} ?x" if forward else f"?x {p} ?n"
        query = Template(sparql.text("gate/around.rq")).substitute(values=values, pattern=pattern)
        for row in store.query(query):
            pred = predicate if predicate is not None else row["p"]
            if forward:
                found.append(ox.Quad(row["n"], pred, row["x"], row["g"]))
            else:
                found.append(ox.Quad(row["x"], pred, row["n"], row["g"]))
    return found


# --- Walking paths ---------------------------------------------------------------------------

def _walk(view: _View, path: Path | None, nodes: set[Term], forward: bool) -> set[Term]:
    """The nodes reached from ``nodes`` along ``path`` (forward) or reaching them (backward)."""
    if path is None or not nodes:
        return set(nodes)
    kind, arg = path
    if kind == "pred":
        return view.step(nodes, arg, forward)
    if kind == "inv":
        return _walk(view, arg, nodes, not forward)
    if kind == "seq":
        steps = arg if forward else list(reversed(arg))
        for step in steps:
            nodes = _walk(view, step, nodes, forward)
        return nodes
    if kind == "alt":
        return set().union(*(_walk(view, p, nodes, forward) for p in arg))
    if kind == "opt":
        return set(nodes) | _walk(view, arg, nodes, forward)
    closure, frontier = set(nodes), set(nodes)
    while frontier:  # star and plus: repeat until nothing new is reached
        frontier = _walk(view, arg, frontier, forward) - closure
        closure |= frontier
    if kind == "plus":
        return _walk(view, arg, closure, forward)
    return closure


# --- The gate --------------------------------------------------------------------------------

def _net_change(store: Store, add: list[ox.Quad], remove: list[ox.Quad]) -> tuple[list, list, set, set]:
    """Quads really added/removed, and the triples that appear in/vanish from the union."""
    add_set, remove_set = set(add), set(remove) - set(add)
    if isinstance(store, EmbeddedStore):
        ox_store = store.oxigraph

        def holds(q: ox.Quad) -> bool:
            return any(True for _ in ox_store.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name))

        def graphs_of(t: ox.Triple) -> set:
            return {q.graph_name for q in ox_store.quads_for_pattern(t.subject, t.predicate, t.object, None)}
    else:
        def holds(q: ox.Quad) -> bool:
            return q.graph_name in graphs_of(q.triple)

        def graphs_of(t: ox.Triple) -> set:
            rows = store.query(Template(sparql.text("gate/graphs-of.rq")).substitute(
                triple=f"{t.subject} {t.predicate} {t.object}"))
            return {r["g"] for r in rows}
    added = [q for q in add_set if not holds(q)]
    removed = [q for q in remove_set if holds(q)]
    new_triples = {q.triple for q in added if not graphs_of(q.triple)}
    gone_triples = set()
    removed_by_triple: dict[ox.Triple, set] = {}
    for q in removed:
        removed_by_triple.setdefault(q.triple, set()).add(q.graph_name)
    added_triples = {q.triple for q in added}
    for t, graphs in removed_by_triple.items():
        if t not in added_triples and graphs_of(t) <= graphs:
            gone_triples.add(t)
    return added, removed, new_triples, gone_triples


def _subclass_closure(view: _View, added: list[ox.Quad]) -> dict[str, set[str]]:
    """Each class with all its subclasses (itself included), from the store and the change."""
    direct: dict[str, set[str]] = {}
    for q in _subclass_quads(view) + [q for q in added if q.predicate == SUBCLASS]:
        if isinstance(q.object, ox.NamedNode) and isinstance(q.subject, ox.NamedNode):
            direct.setdefault(q.object.value, set()).add(q.subject.value)

    def closure(c: str) -> set[str]:
        seen, todo = {c}, [c]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen

    return {c: closure(c) for c in set(direct)}


def _expand(classes: Iterable[str], sub: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    for c in classes:
        out |= sub.get(c, {c})
    return out


def _is_target(view: _View, shape: shacl_sparql.TopShape, node: Term, sub: dict[str, set[str]]) -> bool:
    """Whether ``node`` is a focus node of ``shape`` in the store or after the change."""
    if isinstance(node, ox.NamedNode) and node.value in shape.target_nodes:
        return True
    if shape.target_classes:
        types = {t.value for t in view.step({node}, RDF_TYPE, True) if isinstance(t, ox.NamedNode)}
        if types & _expand(shape.target_classes, sub):
            return True
    if any(view.step({node}, p, True) for p in shape.target_subjects_of):
        return True
    return any(view.step({node}, p, False) for p in shape.target_objects_of)


def candidates(view: _View, compiled: shacl_sparql.Compiled, changed: set[ox.Triple],
               sub: dict[str, set[str]] | None = None) -> dict[str, set[Term]]:
    """Per shape, the focus nodes whose result the changed triples can alter."""
    sub = sub or {}
    by_pred: dict[str, list[ox.Triple]] = {}
    for t in changed:
        by_pred.setdefault(t.predicate.value, []).append(t)
    found: dict[str, set[Term]] = {}
    for shape in compiled.shapes:
        nodes: set[Term] = set()
        for read in shape.reads:
            triples = changed if read.predicate is None else by_pred.get(read.predicate, [])
            if read.classes is not None and triples:
                # A type matters only if it is (a subclass of) a class the shape looks for.
                wanted = _expand(read.classes, sub)
                triples = [t for t in triples if isinstance(t.object, ox.NamedNode) and t.object.value in wanted]
            if not triples:
                continue
            anchors = {t.subject if read.forward else t.object for t in triples}
            nodes |= _walk(view, read.prefix, anchors, forward=False)
        # A literal can be a focus node only by sh:targetObjectsOf (e.g. zd:signedFor "Text").
        nodes = {n for n in nodes if (not isinstance(n, ox.Literal) or shape.target_objects_of)
                 and _is_target(view, shape, n, sub)}
        if nodes:
            found[shape.iri] = nodes
    return found


def _extract(view: _View, compiled: shacl_sparql.Compiled, cands: dict[str, set[Term]],
             sub: dict[str, set[str]]) -> list[ox.Quad]:
    """Every quad of the store the shapes read when validating the candidates."""
    wanted: dict[tuple, set[Term]] = {}  # (predicate, forward, classes) -> nodes
    for shape in compiled.shapes:
        nodes = cands.get(shape.iri)
        if not nodes:
            continue
        for read in shape.reads:
            at = _walk(view, read.prefix, nodes, forward=True)
            classes = frozenset(_expand(read.classes, sub)) if read.classes is not None else None
            wanted.setdefault((read.predicate, read.forward, classes), set()).update(at)
        for label in LABELS:
            wanted.setdefault((label.value, True, None), set()).update(nodes)
    shapes = ox.NamedNode(SHAPES_GRAPH)  # validation never sees the shapes' own triples
    quads: list[ox.Quad] = []
    for (pred, forward, classes), nodes in wanted.items():
        found = view.quads(nodes, ox.NamedNode(pred) if pred else None, forward)
        if classes is not None:  # only the types a class check or target looks at
            found = [q for q in found if isinstance(q.object, ox.NamedNode) and q.object.value in classes]
        quads += [q for q in found if q.graph_name != shapes]
    if compiled.class_dependent:
        quads += _subclass_quads(view)
    return quads


def _subclass_quads(view: _View) -> list[ox.Quad]:
    if view.embedded is not None:
        return list(view.embedded.quads_for_pattern(None, SUBCLASS, None, None))
    rows = view.store.query(sparql.text("gate/subclasses.rq"))
    return [ox.Quad(r["s"], SUBCLASS, r["o"], r["g"]) for r in rows]


def check(store: Store, add: list[ox.Quad], remove: list[ox.Quad]) -> list:
    """Results, after the change, of every focus node the change can affect."""
    compiled = shacl_sparql.compiled_shapes()
    added, removed, new, gone = _net_change(store, add, remove)
    changed = new | gone
    if not changed:
        return []
    if compiled.fallback_shapes or any(t.predicate == SUBCLASS for t in changed) or len(changed) > BULK:
        return _check_on_copy(store, added, removed, compiled)
    view = _View(store, added)
    sub = _subclass_closure(view, added)
    cands = candidates(view, compiled, changed, sub)
    if not gone:
        cands = _drop_still_satisfied(store, compiled, cands, sub)
    if not cands:
        return []
    tmp_store = EmbeddedStore(None)
    temp = tmp_store.oxigraph
    temp.extend(_extract(view, compiled, cands, sub))
    for q in removed:
        temp.remove(q)
    temp.extend(added)
    wanted = {iri: {shacl_sparql.ox_term_text(n) for n in nodes} for iri, nodes in cands.items()}
    results = shacl_sparql.run(compiled, tmp_store, only=wanted)
    labels = shacl_sparql.labels(tmp_store, {r.focus for r in results if not r.focus.startswith(("_:", '"'))})
    return [Result(r.focus, labels.get(r.focus), r.path, r.severity, r.message, r.shape, r.value) for r in results]


def _drop_still_satisfied(store: Store, compiled: shacl_sparql.Compiled, cands: dict[str, set[Term]],
                          sub: dict[str, set[str]]) -> dict[str, set[Term]]:
    """For a change that only adds triples: drop the candidates of monotone shapes that pass now.

    A node that satisfies a shape made only of minCount / hasValue / qualifiedMinCount checks
    still satisfies it when triples are added. This keeps hubs cheap: a new recommendation on
    a theme with thousands of them needs no copy of those to know the theme stays addressed.
    """
    pre_view = _View(store, [])
    kept: dict[str, set[Term]] = {}
    for shape in compiled.shapes:
        nodes = cands.get(shape.iri)
        if not nodes:
            continue
        if not all(c.monotone for c in shape.checks):
            kept[shape.iri] = nodes
            continue
        old = {n for n in nodes if isinstance(n, ox.NamedNode) and _is_target(pre_view, shape, n, sub)}
        if old:
            single = shacl_sparql.Compiled([shape])
            failing = {r.focus for r in shacl_sparql.run(single, store, focus={shape.iri: {n.value for n in old}},
                                                         **_dataset(store, compiled))}
            nodes = nodes - {n for n in old if n.value not in failing}
        if nodes:
            kept[shape.iri] = nodes
    return kept


def _dataset(store: Store, compiled: shacl_sparql.Compiled) -> dict:
    """Query the union default graph unless the shapes graph could change results."""
    if compiled.union_safe:
        return {}
    return {"default_graphs": full.data_graphs(store)}


def _copy(store: Store) -> EmbeddedStore:
    copy = EmbeddedStore(None)
    copy.oxigraph.bulk_extend(store.quads())
    return copy


def _check_on_copy(store: Store, added: list[ox.Quad], removed: list[ox.Quad], compiled) -> list:
    """The slow path: validate a changed copy of the whole store.

    Like the fast path, a result the store already had does not count against the change.
    """
    before = {r.key() for r in full.validate(store).results}
    copy = _copy(store)
    for q in removed:
        copy.oxigraph.remove(q)
    copy.oxigraph.extend(added)
    return [r for r in full.validate(copy).results if r.key() not in before]


__all__ = ["check", "candidates", "StoreError", "Read"]
