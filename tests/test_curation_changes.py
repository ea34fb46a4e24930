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


# --- a change of office and a recommendation (issue 19, 1a/1b) ---------------------------------

ADDENDUM = SOURCE + "followup-addendum-2026-12"
DGB_NRW, CHAIR = ID_BASE + "organisation/dgb-nrw", ID_BASE + "role/vorsitz"
WEBER = ID_BASE + "person/anja-weber"
#: What data/ says about row O1 of the addendum (Albrecht succeeds Weber, December 2025); the
#: tests take it out and record O1 again through the form, from the same passage and source.
O1_NODES = [ID_BASE + x for x in ("person/thorben-albrecht", "post/dgb-nrw-vorsitz-thorben-albrecht",
                                  "membership/thorben-albrecht-dgb-nrw", "interval/thorben-albrecht-dgb-nrw-vorsitz",
                                  "membership/anja-weber-dgb-nrw-bis-2025-12", "interval/anja-weber-dgb-nrw-vorsitz")]
O1_PASSAGE = "Thorben Albrecht ist neuer Vorsitzender des DGB NRW."


def without_o1(store) -> None:
    for node in O1_NODES:
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{node}> ?p ?o }} }}")
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ ?s ?p <{node}> }} }}")


def chairs(store, day: str) -> list[tuple[str, str | None, str | None]]:
    from graph.domain import lists

    return [(h["person"], h["start"], h["end"]) for h in lists.holdings(store, day) if h["org"] == DGB_NRW and h["role"] == CHAIR]


def test_change_of_office_ends_the_predecessors_holding_and_reverts(fresh_store):
    without_o1(fresh_store)
    assert chairs(fresh_store, "2026-01-15") == [(WEBER, None, None)]
    built = facts.build_fact(fresh_store, "office", {
        "organization": DGB_NRW, "role": CHAIR, "new_person": "Thorben Albrecht", "start": "2025-12",
        "source": SOURCE + "dgb-nrw-2025-12"}, facts.Passage(ADDENDUM, O1_PASSAGE))
    assert [e["person"] for e in built.ends] == [WEBER]
    change = changes.record(fresh_store, built.added, [], agent=changes.staff_agent("anna"), agent_label="anna",
                            reason="O1", kind="office")
    (after,) = chairs(fresh_store, "2026-01-15")
    assert after[0].startswith(ID_BASE + "person/thorben-albrecht") and after[1:] == ("2025-12", None)
    assert chairs(fresh_store, "2025-11-30") == [(WEBER, None, "2025-12")]  # Weber's holding ends with December 2025
    name = fresh_store.select(f"SELECT ?n WHERE {{ GRAPH ?g {{ <{after[0]}> <http://xmlns.com/foaf/0.1/name> ?n }} }}")
    assert [str(r["n"]) for r in name] == ["Thorben Albrecht"]
    changes.revert(fresh_store, change.id, agent=changes.staff_agent("anna"), agent_label="anna")
    assert chairs(fresh_store, "2026-01-15") == [(WEBER, None, None)]


def test_change_of_office_needs_one_holder(fresh_store):
    values = {"organization": DGB_NRW, "role": CHAIR, "start": "2025-12", "source": SOURCE + "dgb-nrw-2025-12"}
    with pytest.raises(facts.Invalid, match="one of the two"):
        facts.build_fact(fresh_store, "office", values, facts.Passage(ADDENDUM, O1_PASSAGE))
    with pytest.raises(facts.Invalid, match="one of the two"):
        facts.build_fact(fresh_store, "office", {**values, "member": WEBER, "new_person": "X Y"}, facts.Passage(ADDENDUM, O1_PASSAGE))
    with pytest.raises(facts.Invalid, match="YYYY"):
        facts.build_fact(fresh_store, "office", {**values, "member": WEBER, "start": "Dez. 2025"}, facts.Passage(ADDENDUM, O1_PASSAGE))


#: Row D3 of the record: a measure of the 2025 Leitbild's field "Klima und Energie" (source S13).
D3_MEASURE = "Bezahlbare, nachhaltige und stets sichere Energieversorgung"


def test_recommendation_without_theme_is_refused_by_the_shapes(fresh_store):
    values = {"source": SOURCE + "ihk-lippe-detmold-2025", "status": ID_BASE + "status/beschlossen", "date": "2025",
              "addressesLevel": [ID_BASE + "policy-level/nicht-angegeben"], "proposedBy": [DGB_NRW]}
    built = facts.build_fact(fresh_store, "recommendation", values, facts.Passage(RECORD, D3_MEASURE))
    report = changes.check(fresh_store, built.added, built.removed)
    assert not report.conforms
    assert any("mindestens ein Thema" in r["message"]["de"] for r in report.to_dict()["results"])
    with pytest.raises(changes.Rejected):
        changes.record(fresh_store, built.added, [], agent=changes.staff_agent("anna"), agent_label="anna", reason="", kind="recommendation")
    assert changes.changes(fresh_store) == []
    values["subject"] = [ID_BASE + "handlungsfeld-2025/klima-und-energie"]
    built = facts.build_fact(fresh_store, "recommendation", values, facts.Passage(RECORD, D3_MEASURE))
    change = changes.record(fresh_store, built.added, [], agent=changes.staff_agent("anna"), agent_label="anna", reason="", kind="recommendation")
    quote = fresh_store.select(f"SELECT ?q WHERE {{ GRAPH ?g {{ <{built.node}> <https://w3id.org/zukunftsdialog/ontology#quote> ?q }} }}")
    assert [str(r["q"]) for r in quote] == [D3_MEASURE] and change.about == built.node


def test_new_forms_follow_the_shapes(built_store):
    rec = {f.name: f for f in forms.form(built_store, "recommendation")}
    assert rec["status"].required and not rec["status"].many                    # sh:minCount 1 ; sh:maxCount 1
    assert {c.value.rsplit("/", 1)[-1] for c in rec["status"].choices} >= {"beschlossen", "vorgeschlagen"}  # zds:StatusValue
    assert rec["date"].widget == "partial-date" and not rec["date"].required    # sh:or of three datatypes; date-present is sh:Info
    office = {f.name: f for f in forms.form(built_store, "office", "en")}
    assert office["role"].required and office["role"].message["en"] == "A post needs a role (org:role, an org:Role)."
    assert not office["member"].required and not office["new_person"].required  # one of the two, checked by the builder
    assert office["new_person"].message["en"].startswith("A person has exactly one name")


def _t1(text: str) -> dict:
    # Source T1 of the addendum (DGB NRW's press release of December 2025, official).
    return {"prefLabel_de": "DGB NRW: Thorben Albrecht zum neuen Vorsitzenden gewählt",
            "prefLabel_en": "DGB NRW: Thorben Albrecht elected new chair", "page": "https://nrw.dgb.de/presse/pressemitteilungen",
            "publisher": "DGB NRW", "date": "2025-12", "reliability": ID_BASE + "reliability/amtlich", "text": text}


def test_new_source_keeps_its_text_in_its_graph_and_reverts(fresh_store):
    from graph.domain import passages

    text = "# Pressemitteilung\n\n" + O1_PASSAGE + "\n"
    built = facts.build_source(fresh_store, _t1(text))
    assert {q.graph_name.value for q in built.added} == {built.node}  # one named graph: the source's own
    change = changes.record(fresh_store, built.added, [], agent=changes.staff_agent("anna"), agent_label="anna",
                            reason="T1", kind="source")
    assert passages.source_text(built.node, fresh_store) == text.strip()
    assert built.node in facts.text_sources(fresh_store)
    assert facts.locate(facts.Passage(built.node, O1_PASSAGE), fresh_store).exact == O1_PASSAGE
    # Its reliability makes it a source facts may cite (zds:SourceWithReliability).
    assert built.node in {c.value for c in forms.choices_for(fresh_store, node=forms.ZDS + "SourceWithReliability")}
    changes.revert(fresh_store, change.id, agent=changes.staff_agent("anna"), agent_label="anna")
    assert passages.source_text(built.node, fresh_store) is None


@pytest.mark.parametrize("field,value,message", [
    ("text", "Text <script>alert(1)</script>", "raw HTML"),
    ("text", "[klick](javascript:alert(1))", "raw HTML"),
    ("text", "", "paste or upload"),
    ("page", "javascript:alert(1)", "web address"),
    ("date", "Dezember 2025", "YYYY"),
    ("reliability", ID_BASE + "reliability/erfunden", "not one of the choices"),
])
def test_new_source_refuses_bad_fields(fresh_store, field, value, message):
    with pytest.raises(facts.Invalid, match=message):
        facts.build_source(fresh_store, {**_t1("Text"), field: value})
