"""Passages of the letter and facts of the first record that the graph lacked (issue 15).

Each expected quote is checked to stand in the letter (OCR text, normalised), with the prefix and
suffix the excerpt gives, and each excerpt is linked to the node it supports.
"""

from __future__ import annotations

import pytest

from graph.vocab import sparql_prologue

ID = "https://w3id.org/zukunftsdialog/id/"

PASSAGES = [
    ("einer drohenden De-Industrialisierung Nordrhein-Westfalens entgegenzuwirken", "collaboration/zukunftsdialog-industrie"),
    ("das Industriepolitische Leitbild des Landes Nordrhein-Westfalen gezielt weiterentwickeln, konzeptionell stärken und in der Umsetzung begleiten", "collaboration/zukunftsdialog-industrie"),
    ("In einem institutionalisierten, kooperativen und vertrauensvollen Dialog", "collaboration/zukunftsdialog-industrie"),
    ("Resilienz und Transformation", "collaboration/zukunftsdialog-industrie"),
    ("Das Industriepolitische Leitbild ist ein bewährtes Commitment", "document/industriepolitisches-leitbild-2019"),
    ("in diesem Jahr weiterzuentwickeln", "document/industriepolitisches-leitbild-2019"),
    ("die jeweilige Fachexpertise von Landesregierung, Wirtschaft und Sozialpartnern", "collaboration/zukunftsdialog-industrie"),
    ("Als Startpunkt des Prozesses", "document/letter-of-intent-2023-01-20"),
    ("Die Übereinkunft wird von folgenden Partnern getragen:", "document/letter-of-intent-2023-01-20"),
    ("HANDWERK.NRW", "organisation/handwerk-nrw"),
    ("zvei electrifying ideas", "organisation/zvei-nrw"),
    ("bitkom", "organisation/bitkom"),
    ("ZUKUNFT DURCH INDUSTRIE", "organisation/zukunft-durch-industrie"),
    ("In|du|strie GEMEINSAM. ZUKUNFT. LEBEN.", "organisation/initiative-industrie"),
]


def excerpts_of(store, node: str) -> list[dict[str, str]]:
    rows = store.select(sparql_prologue() + f"""
        SELECT ?exact ?prefix ?suffix WHERE {{
          <{ID}{node}> prov:wasDerivedFrom ?e .
          ?e oa:hasSource <{ID}document/letter-of-intent-2023-01-20> ;
             oa:hasSelector [ oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix ] }}""")
    return [{k: str(v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize(("quote", "node"), PASSAGES)
def test_each_new_passage_is_verbatim_with_prefix_and_suffix_and_linked(built_store, letter_text, quote, node):
    assert quote in letter_text
    found = [e for e in excerpts_of(built_store, node) if quote in e["exact"]]
    assert found, f"no passage with {quote!r} supports {node}"
    for e in found:
        assert letter_text.count(e["prefix"] + e["exact"] + e["suffix"]) == 1
        assert e["prefix"] and (e["suffix"] or letter_text.endswith(e["exact"]))  # the last logo ends the text


def test_the_lands_logo_text_supports_the_ministry(built_store, letter_text):
    assert "e.V. Nordrhein-Westfalen zvei electrifying ideas" in letter_text
    found = [e for e in excerpts_of(built_store, "organisation/ministerium-wirtschaft-nrw") if e["exact"] == "Nordrhein-Westfalen"]
    assert len(found) == 1 and found[0]["suffix"].startswith(" zvei electrifying")


def test_first_record_facts_on_the_organisations(built_store, followup_text):
    for text in ("(formerly Nordrhein-Westfälischer Handwerkstag)", "federal steel industry association, seat Düsseldorf",
                 "umbrella of the 7 Handwerkskammern in NRW, Düsseldorf", "association of the 16 IHKs in NRW",
                 "a federal association, Berlin", "für den VDMA unterzeichnet"):
        assert text in followup_text, text
    q = sparql_prologue() + f"""ASK {{
        <{ID}organisation/handwerk-nrw> skos:historyNote ?h FILTER(CONTAINS(?h, "Nordrhein-Westfälischer Handwerkstag"))
        <{ID}organisation/wirtschaftsvereinigung-stahl> org:hasPrimarySite/prov:atLocation <{ID}place/duesseldorf> .
        <{ID}organisation/whkt> dcterms:description ?w FILTER(CONTAINS(?w, "sieben Handwerkskammern"))
        <{ID}organisation/ihk-nrw> dcterms:description ?i FILTER(CONTAINS(?i, "16 Industrie- und Handelskammern"))
        <{ID}organisation/bitkom> org:hasPrimarySite/prov:atLocation/skos:prefLabel "Berlin"@de .
        <{ID}signature/timo-berger> skos:scopeNote ?v FILTER(CONTAINS(?v, "für den VDMA"))
    }}"""
    assert built_store.ask(q)
