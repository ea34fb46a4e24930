"""graph.shacl.validation: the compiled SHACL validation and the write gate against pyshacl.

pyshacl (whole graph) is the oracle: the compiled queries must find exactly its results, and
the write gate must give full validation's verdict and violations after every one of many
seeded random writes, valid and invalid, on the shipped graph (which conforms).
"""

from __future__ import annotations

import json
import random

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from graph.synthetic import generate
from graph.shacl import validation
from graph.vocab import SHAPES_GRAPH
from graph.shacl.engine import compiled_shapes
from graph.store import EmbeddedStore, QuerySyntaxError, Store, StoreError, open_store

ID = "https://w3id.org/zukunftsdialog/id/"
ZD = "https://w3id.org/zukunftsdialog/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def keys(report: validation.Report, severity: str | None = None) -> set:
    return {r.key() for r in report.results if severity is None or r.severity == severity}


def copy_of(store: Store) -> EmbeddedStore:
    copy = EmbeddedStore(None)
    copy.oxigraph.bulk_extend(store.quads())
    return copy


def changed(store: Store, add: list[ox.Quad], remove: list[ox.Quad]) -> EmbeddedStore:
    copy = copy_of(store)
    for q in remove:
        copy.oxigraph.remove(q)
    copy.oxigraph.extend(add)
    return copy


# --- Full validation -------------------------------------------------------------------------

def test_every_shape_compiles() -> None:
    """No shape is left to the slow pyshacl fallback."""
    assert compiled_shapes().fallback_shapes == set()


def test_shipped_graph_conforms_and_matches_pyshacl(built_store: Store) -> None:
    ours = validation.validate(built_store)
    theirs = validation.validate_pyshacl(built_store)
    assert ours.conforms, ours.to_text("en")
    assert ours.violations == []
    assert keys(ours) == keys(theirs)


def test_synthetic_graph_with_known_violations_matches_pyshacl() -> None:
    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(generate(12_000, seed=3, violations=6))
    ours = validation.validate(store)
    theirs = validation.validate_pyshacl(store)
    assert len(ours.violations) == 6  # the generator injects one violation per kind
    assert {r.shape.rsplit("#", 1)[1] for r in ours.violations} == {
        "Person-name", "Recommendation-status", "Recommendation-date", "Organisation-type",
        "Membership-member", "Provenance-excerpt"}
    assert keys(ours) == keys(theirs)


def test_generated_graph_without_violations_conforms() -> None:
    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(generate(10_000, seed=11))
    report = validation.validate(store)
    assert report.conforms and report.violations == [], report.to_text("en")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_matches_pyshacl_after_many_random_changes(built_store: Store, seed: int) -> None:
    """Twenty random writes applied one after another: results equal pyshacl's."""
    rng = random.Random(seed)
    pool = Pool(built_store)
    store = copy_of(built_store)
    for _ in range(20):
        add, remove = random_write(rng, pool)
        for q in remove:
            store.oxigraph.remove(q)
        store.oxigraph.extend(add)
    ours, theirs = validation.validate(store), validation.validate_pyshacl(store)
    assert ours.violations, "the random writes should have broken something"
    assert keys(ours) == keys(theirs)


# --- Random writes ---------------------------------------------------------------------------

class Pool:
    """What random writes are made of, taken from the shipped graph."""

    def __init__(self, store: Store):
        shapes = N(SHAPES_GRAPH)
        self.quads = [q for q in store.quads() if q.graph_name != shapes]
        self.subjects = sorted({q.subject for q in self.quads if isinstance(q.subject, ox.NamedNode)}, key=str)
        self.graphs = sorted({q.graph_name for q in self.quads}, key=str)
        reads = {r.predicate for s in compiled_shapes().shapes for r in s.reads if r.predicate}
        self.predicates = sorted(reads)
        self.classes = sorted({c for s in compiled_shapes().shapes for c in s.target_classes})
        self.iris = self.subjects[:]
        self.literals = [
            ox.Literal("Text"), ox.Literal("Text", language="de"), ox.Literal("Text", language="en"),
            ox.Literal("2023-01-20", datatype=N(XSD + "date")), ox.Literal("2023-13-45", datatype=N(XSD + "date")),
            ox.Literal("2045", datatype=N(XSD + "gYear")), ox.Literal("7", datatype=N(XSD + "integer")),
            ox.Literal(""), ox.Literal("Zweiter Text", language="de"),
        ]

    def term(self, rng: random.Random):
        return rng.choice(self.iris) if rng.random() < 0.6 else rng.choice(self.literals)


def recommendation(rng: random.Random, pool: Pool, n: int, graph: ox.NamedNode, omit: str | None) -> list[ox.Quad]:
    """A new recommendation with its excerpt; ``omit`` leaves out one of its parts."""
    rec, ex, sel = N(f"{ID}recommendation/random-{n}"), N(f"{ID}excerpt/random-{n}"), ox.BlankNode()
    themes = [N(ID + "theme/" + t) for t in ("kreislaufwirtschaft", "investitionsklima", "wissenstransfer")]
    parts = {
        "type": [(rec, RDF_TYPE, N(ZD + "Recommendation"))],
        "label": [(rec, SKOS + "prefLabel", ox.Literal(f"Empfehlung {n}", language="de"))],
        "theme": [(rec, DCT + "subject", rng.choice(themes))],
        "level": [(rec, ZD + "addressesLevel", N(ID + "policy-level/" + rng.choice(["land", "bund", "eu"])))],
        "proposer": [(rec, ZD + "proposedBy", N(ID + "organisation/dgb-nrw"))],
        "status": [(rec, ZD + "status", N(ID + "status/vorgeschlagen"))],
        "source": [(rec, DCT + "source", N(ID + "document/letter-of-intent-2023-01-20"))],
        "date": [(rec, DCT + "date", ox.Literal("2024-05-01", datatype=N(XSD + "date")))],
        "provenance": [(rec, PROV + "wasDerivedFrom", ex)],
        "excerpt": [(ex, RDF_TYPE, N(OA + "SpecificResource")), (ex, OA + "hasSource", N(ID + "document/letter-of-intent-2023-01-20")),
                    (ex, OA + "hasSelector", sel)],
        "selector": [(sel, RDF_TYPE, N(OA + "TextQuoteSelector")), (sel, OA + "exact", ox.Literal(f"Empfehlung {n}"))],
    }
    if omit == "bad-level":
        parts["level"] = [(rec, ZD + "addressesLevel", N(ID + "theme/investitionsklima"))]
        omit = None
    quads = []
    for name, triples in parts.items():
        if name == omit:
            continue
        for s, p, o in triples:
            quads.append(ox.Quad(s, p if isinstance(p, ox.NamedNode) else N(p), o, graph))
    return quads


def random_write(rng: random.Random, pool: Pool) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """One random write (1–3 operations): additions and removals, valid or not."""
    add: list[ox.Quad] = []
    remove: list[ox.Quad] = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["remove", "remove", "drop-node", "add-triple", "add-triple", "recommendation",
                         "recommendation", "type", "move", "copy"])
        if op == "remove":
            remove += rng.sample(pool.quads, rng.randint(1, 3))
        elif op == "drop-node":
            node = rng.choice(pool.subjects)
            remove += [q for q in pool.quads if q.subject == node or q.object == node]
        elif op == "add-triple":
            s = rng.choice(pool.subjects)
            add.append(ox.Quad(s, N(rng.choice(pool.predicates)), pool.term(rng), rng.choice(pool.graphs)))
        elif op == "recommendation":
            omit = rng.choice([None, None, "type", "label", "theme", "level", "proposer", "status", "source",
                               "date", "provenance", "excerpt", "selector", "bad-level"])
            add += recommendation(rng, pool, rng.randrange(10**6), N("urn:test:random"), omit)
        elif op == "type":
            add.append(ox.Quad(rng.choice(pool.subjects), N(RDF_TYPE), N(rng.choice(pool.classes)),
                               rng.choice(pool.graphs)))
        elif op == "move":  # the triple stays in the union: nothing changes for validation
            q = rng.choice(pool.quads)
            remove.append(q)
            add.append(ox.Quad(q.subject, q.predicate, q.object, N("urn:test:moved")))
        else:
            q = rng.choice(pool.quads)
            add.append(ox.Quad(q.subject, q.predicate, q.object, N("urn:test:copy")))
    return add, remove


def assert_gate_agrees(store: Store, base: validation.Report, add, remove, full) -> validation.Report:
    """The gate's verdict and violations equal full validation's; every new result is reported."""
    before = len(store)
    gate = validation.check_quads(store, add, remove)
    assert len(store) == before, "check_quads must not change the store"
    after = full(changed(store, add, remove))
    assert gate.conforms == after.conforms
    assert keys(gate, "Violation") == keys(after, "Violation")
    assert keys(gate) <= keys(after)
    assert keys(after) - keys(base) <= keys(gate)
    return gate


def test_gate_agrees_with_full_pyshacl_on_random_writes(built_store: Store) -> None:
    rng = random.Random(2024)
    pool = Pool(built_store)
    base = validation.validate_pyshacl(built_store)
    verdicts = []
    for _ in range(25):
        add, remove = random_write(rng, pool)
        verdicts.append(assert_gate_agrees(built_store, base, add, remove, validation.validate_pyshacl).conforms)
    assert True in verdicts and False in verdicts  # both valid and invalid writes were tried


def test_gate_agrees_with_full_validation_on_many_random_writes(built_store: Store) -> None:
    rng = random.Random(7)
    pool = Pool(built_store)
    base = validation.validate(built_store)
    verdicts = []
    for _ in range(120):
        add, remove = random_write(rng, pool)
        verdicts.append(assert_gate_agrees(built_store, base, add, remove, validation.validate).conforms)
    assert verdicts.count(True) > 15 and verdicts.count(False) > 15


def test_gate_on_larger_synthetic_graph_agrees_with_pyshacl() -> None:
    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(generate(7_000, seed=5))
    rng = random.Random(99)
    pool = Pool(store)
    base = validation.validate_pyshacl(store)
    for _ in range(3):
        add, remove = random_write(rng, pool)
        assert_gate_agrees(store, base, add, remove, validation.validate_pyshacl)


def test_gate_on_a_store_with_a_violation_on_a_hub(fresh_store: EmbeddedStore) -> None:
    """A key theme nobody addresses: a write fixing it passes, one that does not is refused."""
    theme = ID + "theme/flaechenentwicklung"
    fresh_store.update(f"DELETE WHERE {{ GRAPH ?g {{ ?r <{DCT}subject> <{theme}> }} }}")
    assert ZDS_KEY in {r.shape for r in validation.validate(fresh_store).violations}
    pool, rng = Pool(fresh_store), random.Random(3)
    fixing = [q for q in recommendation(rng, pool, 1, N("urn:test:hub"), omit="theme")]
    fixing.append(ox.Quad(N(f"{ID}recommendation/random-1"), N(DCT + "subject"), N(theme), N("urn:test:hub")))
    assert validation.check_quads(fresh_store, fixing).conforms
    not_fixing = [ox.Quad(N(ID + "place/x"), N(DCT + "subject"), N(theme), N("urn:test:hub"))]
    report = validation.check_quads(fresh_store, not_fixing)
    assert not report.conforms and [r.shape for r in report.violations] == [ZDS_KEY]
    assert report.violations[0].focus_label == "Flächenentwicklung"


ZDS_KEY = "https://w3id.org/zukunftsdialog/shapes#KeyTheme-addressed"


# --- Checked writes --------------------------------------------------------------------------

def anja_weber_post_in(store: Store) -> ox.Quad:
    quads = list(store.oxigraph.quads_for_pattern(N(ID + "post/dgb-nrw-vorsitz"), N(ORG + "postIn"), None, None))
    assert quads, "the shipped graph has Anja Weber's post in the DGB NRW"
    return quads[0]


def test_removing_a_signatorys_organisation_is_refused_naming_her(fresh_store: EmbeddedStore, letter_text: str) -> None:
    assert "Anja Weber Vorsitzende des DGB NRW" in letter_text
    report = validation.check_quads(fresh_store, [], [anja_weber_post_in(fresh_store)])
    assert not report.conforms
    person = [r for r in report.violations if r.focus == ID + "person/anja-weber"]
    assert person and person[0].focus_label == "Anja Weber"
    assert person[0].message["de"].startswith("Jede unterzeichnende Person")
    assert person[0].message["en"].startswith("Every signatory")
    text = report.to_text(None)
    assert "Anja Weber: Jede unterzeichnende Person" in text and "Anja Weber: Every signatory" in text


def test_insert_checked_stores_a_valid_write_and_refuses_an_invalid_one(fresh_store: EmbeddedStore) -> None:
    pool = Pool(fresh_store)
    rng = random.Random(1)
    before = set(fresh_store.quads())
    bad = recommendation(rng, pool, 1, N("urn:test:api"), omit="theme")
    report = validation.insert_checked(fresh_store, bad)
    assert not report.conforms
    assert [r.shape.rsplit("#", 1)[1] for r in report.violations] == ["Recommendation-theme"]
    assert report.violations[0].focus_label == "Empfehlung 1"
    assert set(fresh_store.quads()) == before  # nothing of it was stored
    good = recommendation(rng, pool, 2, N("urn:test:api"), omit=None)
    assert validation.insert_checked(fresh_store, good).conforms
    assert set(fresh_store.quads()) == before | set(good)


def test_load_checked_is_all_or_nothing(fresh_store: EmbeddedStore) -> None:
    before = len(fresh_store)
    ttl = f"""<{ID}recommendation/x> a <{ZD}Recommendation> ; <{SKOS}prefLabel> "X"@de .""".encode()
    report = validation.load_checked(fresh_store, ttl, "ttl", graph="urn:test:file")
    assert not report.conforms and len(fresh_store) == before
    with pytest.raises(StoreError):
        validation.load_checked(fresh_store, b"<not turtle", "ttl", graph="urn:test:file")
    with pytest.raises(StoreError):  # triples need a graph
        validation.load_checked(fresh_store, b"<urn:a> <urn:b> <urn:c> .", "nt", graph=None)
    assert len(fresh_store) == before
    fine = f"""<{ID}place/x> <{SKOS}prefLabel> "Ort"@de .""".encode()
    assert validation.load_checked(fresh_store, fine, "ttl", graph="urn:test:file").conforms
    assert len(fresh_store) == before + 1


def test_update_checked(fresh_store: EmbeddedStore) -> None:
    before = set(fresh_store.quads())
    # INSERT DATA of an incomplete recommendation: refused.
    insert = f"""INSERT DATA {{ GRAPH <urn:test:u> {{ <{ID}recommendation/u> a <{ZD}Recommendation> . }} }}"""
    report = validation.update_checked(fresh_store, insert)
    assert not report.conforms and set(fresh_store.quads()) == before
    # DELETE WHERE that removes every post's organisation: refused (computed on a copy).
    delete = f"DELETE WHERE {{ GRAPH ?g {{ ?post <{ORG}postIn> ?org }} }}"
    report = validation.update_checked(fresh_store, delete)
    assert not report.conforms and set(fresh_store.quads()) == before
    assert "Anja Weber" in {r.focus_label for r in report.violations}
    # A harmless update is applied.
    ok = f"""INSERT DATA {{ GRAPH <urn:test:u> {{ <{ID}place/u> <{SKOS}prefLabel> "U"@de . }} }}"""
    assert validation.update_checked(fresh_store, ok).conforms
    assert len(set(fresh_store.quads()) - before) == 1
    ok2 = f"""DELETE {{ GRAPH ?g {{ ?p <{SKOS}prefLabel> ?l }} }} WHERE {{ GRAPH ?g {{ ?p <{SKOS}prefLabel> ?l FILTER(?p = <{ID}place/u>) }} }}"""
    assert validation.update_checked(fresh_store, ok2).conforms
    assert set(fresh_store.quads()) == before
    with pytest.raises(QuerySyntaxError):
        validation.update_checked(fresh_store, "INSERT DATA { this is not sparql")
    assert set(fresh_store.quads()) == before


# --- Report formats --------------------------------------------------------------------------

def test_report_formats(fresh_store: EmbeddedStore) -> None:
    report = validation.check_quads(fresh_store, [], [anja_weber_post_in(fresh_store)])
    data = json.loads(report.to_json())
    assert data["conforms"] is False
    first = data["results"][0]
    assert set(first) == {"focus", "focus_label", "path", "severity", "message", "shape", "value"}
    assert set(first["message"]) == {"de", "en"}
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    reports = list(g.subjects(predicate=SH.conforms))
    assert len(reports) == 1
    assert len(list(g.objects(reports[0], SH.result))) == len(report.results)
    assert {str(o) for o in g.objects(None, SH.focusNode)} >= {ID + "person/anja-weber"}
    english = report.to_text("en")
    assert "Every signatory" in english and "Jede unterzeichnende" not in english
    assert "does NOT conform" in english


@pytest.mark.remote
def test_gate_and_validation_on_a_remote_oxigraph_server(oxigraph_server) -> None:
    from graph.build import build

    store = open_store(oxigraph_server.url)
    build(store)
    assert validation.validate(store).conforms
    post_in = ox.Quad(N(ID + "post/dgb-nrw-vorsitz"), N(ORG + "postIn"), N(ID + "organisation/dgb-nrw"),
                      N(ID + "source/letter-of-intent-2023-01-20"))
    report = validation.check_quads(store, [], [post_in])
    assert not report.conforms
    assert "Anja Weber" in {r.focus_label for r in report.violations}
    assert validation.validate(store).conforms  # nothing was changed


def test_bulk_writes_take_the_copy_path_with_the_same_verdict(fresh_store: EmbeddedStore, monkeypatch) -> None:
    from graph.shacl import gate as shacl_gate

    rng, pool = random.Random(5), Pool(fresh_store)
    writes = [random_write(rng, pool) for _ in range(12)]
    fast = [validation.check_quads(fresh_store, a, r) for a, r in writes]
    monkeypatch.setattr(shacl_gate, "BULK", 0)
    slow = [validation.check_quads(fresh_store, a, r) for a, r in writes]
    for f, s in zip(fast, slow):
        assert f.conforms == s.conforms
        assert keys(f, "Violation") == keys(s, "Violation")


def test_pyshacl_leaves_the_shapes_as_they_are(built_store: Store) -> None:
    """pyshacl adds triples to a shapes graph it is given: it must get a copy, so neither the
    shapes the engine compiled from nor the store's shapes graph change."""
    from graph.resources import files
    from graph.shacl.engine import shapes_graph

    def stored_shapes() -> list[str]:
        return sorted(str(q) for q in built_store.quads() if q.graph_name == ox.NamedNode(SHAPES_GRAPH))

    before, in_store = set(shapes_graph()), stored_shapes()
    validation.validate_pyshacl(built_store)
    assert set(shapes_graph()) == before
    assert stored_shapes() == in_store
    files_say = Graph()
    for path in files("shapes", ".ttl"):
        files_say.parse(path, format="turtle")
    assert len(shapes_graph()) == len(files_say)  # nothing was added to the engine's shapes
