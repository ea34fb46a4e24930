"""The change log and the forms, in process on a fresh store: a change is gated and recorded,
its revert restores exactly what was there, a stale or repeated revert is refused, protected
graphs cannot be touched, passages must stand once in their source, forms follow the shapes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.domain import changes, facts, forms
from graph.vocab import ID_BASE, SHAPES_GRAPH, SOURCE

M4 = ID_BASE + "event/zukunftsdialog-2024-03-07"
S4 = SOURCE + "rheinischer-spiegel-2024-03"
RECORD = SOURCE + "followup-2023-2025"
DATE = "http://purl.org/dc/terms/date"


def dates(store) -> set[str]:
    return {str(r["d"]) for r in store.select(f"SELECT ?d WHERE {{ GRAPH ?g {{ <{M4}> <{DATE}> ?d }} }}")}


def correct_m4(store, value: str, who="anna"):
    # The record's row M4 gives 2024-03-07; correcting it is a test of the mechanism only.
    built = facts.build_correction(store, M4, "date", value, S4, facts.Passage(RECORD, "M4 | 2024-03-07", occurrence=0))
    return changes.record(store, built.added, built.removed, agent=changes.staff_agent(who), agent_label=who,
                          reason="test", kind="correction")


def test_correction_and_revert_restore_exactly(fresh_store):
    before = sorted(str(q) for q in fresh_store.quads() if not str(q.graph_name).startswith("<" + changes.CHANGE_BASE))
    assert dates(fresh_store) == {"2024-03-07"}
    change = correct_m4(fresh_store, "2024-03-05")
    assert dates(fresh_store) == {"2024-03-05"}
    assert {q.object.value for q in change.removed if q.predicate.value == DATE} == {"2024-03-07"}
    undo = changes.revert(fresh_store, change.id, agent=changes.staff_agent("bert"), agent_label="bert")
    assert dates(fresh_store) == {"2024-03-07"}
    after = sorted(str(q) for q in fresh_store.quads() if not str(q.graph_name).startswith("<" + changes.CHANGE_BASE))
    assert after == before
    log = changes.changes(fresh_store)
    assert [(c.kind, c.agent_label) for c in log] == [("revert", "bert"), ("correction", "anna")]
    assert log[1].reverted_by == undo.id and log[0].reverts == change.id
    assert [c.id for c in changes.changes(fresh_store, about=M4)] == [undo.id, change.id]
    with pytest.raises(changes.Refused) as twice:
        changes.revert(fresh_store, change.id, agent="urn:x", agent_label="x")
    assert twice.value.status == 409


def test_stale_revert_refused(fresh_store):
    first = correct_m4(fresh_store, "2024-03-05")
    correct_m4(fresh_store, "2024-03-06")  # a later change replaces what the first added
    with pytest.raises(changes.Refused) as stale:
        changes.revert(fresh_store, first.id, agent="urn:x", agent_label="x")
    assert stale.value.status == 409
    assert dates(fresh_store) == {"2024-03-06"}


def test_invalid_change_stores_nothing(fresh_store):
    n = len(fresh_store)
    bad = ox.Quad(ox.NamedNode(M4), ox.NamedNode(DATE), ox.Literal("2024-03-08", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#date")), ox.NamedNode(S4))  # a second date breaks sh:maxCount 1
    with pytest.raises(changes.Rejected) as refused:
        changes.record(fresh_store, [bad], [], agent="urn:x", agent_label="x", reason="", kind="test")
    assert any("höchstens ein Datum" in r.message["de"] for r in refused.value.report.results)
    assert len(fresh_store) == n and changes.changes(fresh_store) == []


def test_protected_graphs_refused(fresh_store):
    for graph in (str(SHAPES_GRAPH), changes.CHANGE_BASE + "x"):
        q = ox.Quad(ox.NamedNode(M4), ox.NamedNode(DATE), ox.Literal("x"), ox.NamedNode(graph))
        with pytest.raises(changes.Refused):
            changes.record(fresh_store, [q], [], agent="urn:x", agent_label="x", reason="", kind="test")
        with pytest.raises(changes.Refused):
            changes.check(fresh_store, [], [q])


def test_passage_must_stand_once(followup_text):
    sel = facts.locate(facts.Passage(RECORD, 'Implementation phase ("Umsetzungsphase")'))
    assert (sel.prefix + sel.exact + sel.suffix) in followup_text
    assert followup_text.count(sel.prefix + sel.exact + sel.suffix) == 1
    with pytest.raises(facts.Invalid, match="verbatim"):
        facts.locate(facts.Passage(RECORD, "Implementation phase (Umsetzungsphase)"))  # quotes dropped: not verbatim
    with pytest.raises(facts.Invalid, match="times in the source"):
        facts.locate(facts.Passage(RECORD, "official"))  # many places, none named
    second = facts.locate(facts.Passage(RECORD, "official", occurrence=1))
    assert followup_text.count(second.prefix + "official" + second.suffix) == 1
    with pytest.raises(facts.Invalid, match="no text"):
        facts.locate(facts.Passage(SOURCE + "bitkom", "x"))


def test_forms_follow_the_shapes(built_store):
    meeting = {f.name: f for f in forms.form(built_store, "meeting")}
    assert meeting["prefLabel_de"].required and meeting["prefLabel_de"].lang == "de"   # sh:qualifiedMinCount 1, sh:languageIn
    assert meeting["date"].widget == "date" and not meeting["date"].required           # sh:datatype xsd:date, no minCount
    assert meeting["notation"].pattern == "^[1-9][0-9]*$"
    assert meeting["source"].required and meeting["source"].choices                    # sh:minCount 1, sh:node
    assert meeting["date"].message["en"] == "A meeting has at most one date (dcterms:date), an xsd:date."
    statement = {f.name: f for f in forms.form(built_store, "statement", "en")}
    # sh:in ( level:land level:bund level:eu level:nicht-angegeben )
    assert sorted(c.value.rsplit("/", 1)[-1] for c in statement["addressesLevel"].choices) == ["bund", "eu", "land", "nicht-angegeben"]
    assert any(c.value == ID_BASE + "person/anja-weber" for c in statement["wasAttributedTo"].choices)


def test_sparql_update_cannot_rewrite_the_log(fresh_store):
    from graph.shacl.update import ProtectedGraph, apply

    change = correct_m4(fresh_store, "2024-03-05")
    for update in (f'INSERT DATA {{ GRAPH <{change.id}> {{ <{change.id}> <http://www.w3.org/2000/01/rdf-schema#comment> "forged" }} }}',
                   f"DROP GRAPH <{change.id}>",
                   f"DELETE WHERE {{ GRAPH <{change.id}> {{ ?s ?p ?o }} }}"):
        with pytest.raises(ProtectedGraph):
            apply(fresh_store, update)
    assert [c.id for c in changes.changes(fresh_store)] == [change.id]
