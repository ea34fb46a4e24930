"""The second record (December 2026): its sources, offices in time, corrections and conflicts.

Expected values are read from data/sources/followup-addendum-2026-12.md (fixture
``addendum_text``), the first record or the letter, and checked to stand there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.vocab import sparql_prologue
from graph.store import Store
from tests.conftest import ROOT, normalise

ID = "https://w3id.org/zukunftsdialog/id/"
ADDENDUM_GRAPH = ID + "source/followup-addendum-2026-12"
RECORD_GRAPH = ID + "source/followup-2023-2025"
QUERIES = ROOT / "queries"
DATA = ROOT / "data"
PREFIXES = sparql_prologue() + "".join(
    f"PREFIX {p}: <{ID}{kind}/>\n" for p, kind in (
        ("source", "source"), ("excerpt", "excerpt"), ("person", "person"), ("post", "post"),
        ("organisation", "organisation"), ("event", "event"), ("doc", "document"), ("rel", "reliability"),
        ("statement", "statement"), ("scheme", "scheme"), ("hf2025", "handlungsfeld-2025"), ("role", "role"),
        ("instant", "instant"), ("conflict", "conflict"),
    ))
SOURCE_TEXTS = {
    ID + "document/letter-of-intent-2023-01-20": DATA / "sources" / "letter-of-intent-2023-01-20.md",
    RECORD_GRAPH: DATA / "sources" / "followup-2023-2025.md",
    ADDENDUM_GRAPH: DATA / "sources" / "followup-addendum-2026-12.md",
}


def rows(store: Store, sparql: str) -> list[dict[str, str | None]]:
    return [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in store.select(PREFIXES + sparql)]


def run_query(store: Store, name: str, replace: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    text = (QUERIES / name).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    return [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in store.select(text)]


def in_text(text: str, *values: str) -> None:
    for v in values:
        assert v in text, f"expectation {v!r} is not in the source"


# --- Every passage anchors exactly once --------------------------------------------------------


def test_every_excerpt_anchors_exactly_once_in_its_source_text(built_store):
    # exact + prefix + suffix must match one place of the (normalised) Markdown text, so a reader
    # can anchor each excerpt from its selector alone.
    texts = {k: normalise(p.read_text(encoding="utf-8")) for k, p in SOURCE_TEXTS.items()}
    found = rows(built_store, """
        SELECT ?e ?src ?exact ?prefix ?suffix WHERE {
          ?e a oa:SpecificResource ; oa:hasSource ?src ; oa:hasSelector [ oa:exact ?exact ] .
          OPTIONAL { ?e oa:hasSelector/oa:prefix ?prefix } OPTIONAL { ?e oa:hasSelector/oa:suffix ?suffix } }""")
    assert len(found) > 150
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in found:
        located = (r["prefix"] or "") + r["exact"] + (r["suffix"] or "")
        assert texts[r["src"]].count(located) == 1, f"{r['e']}: anchors {texts[r['src']].count(located)} times"
        start = texts[r["src"]].index(located) + len(r["prefix"] or "")
        spans.setdefault(r["src"], []).append((start, start + len(r["exact"]), r["e"]))
    # and no two passages of one source overlap, so the reader can mark each once
    for src, found_spans in spans.items():
        found_spans.sort()
        for a, b in zip(found_spans, found_spans[1:]):
            assert b[0] >= a[1], f"{a[2]} and {b[2]} overlap in {src}"


# --- Sources T1–T16 ------------------------------------------------------------------------------


def test_the_second_records_sources_are_catalogued_with_their_reliability(built_store, addendum_text):
    table = addendum_text[addendum_text.index("## Sources"):]
    listed = dict(re.findall(r"\| (T\d+) \| [^|]+ \| (\S+) \|", table))
    assert len(listed) == 16
    stated = dict(re.findall(r"\b(T\d+) \((official|press|secondary)\b", addendum_text))
    name = {"amtlich": "official", "presse": "press", "sekundaer": "secondary"}
    found = {r["id"]: r for r in rows(built_store, """
        SELECT ?id ?page ?rel ?g WHERE { GRAPH ?g { ?s dcterms:identifier ?id ; foaf:page ?page }
          ?s zd:reliability ?rel FILTER(STRSTARTS(?id, "T")) }""")}
    assert set(found) == set(listed)
    for tid, url in listed.items():
        assert found[tid]["page"] == url
        assert found[tid]["g"] != ADDENDUM_GRAPH  # one named graph per source
        if tid in stated:
            assert name[found[tid]["rel"].rsplit("/", 1)[-1]] == stated[tid], tid
    assert set(listed) - set(stated) == {"T15", "T16"}  # no reliability given: editorial


def test_each_fact_of_the_second_record_lies_in_the_graph_of_a_source_it_cites():
    quads = list(ox.parse(path=str(DATA / "addendum-2026-12.trig"), format=ox.RdfFormat.TRIG))
    cites: dict[str, set[str]] = {}
    derived: dict[tuple[str, str], set[str]] = {}
    for q in quads:
        if q.predicate.value == "http://purl.org/dc/terms/source" and q.graph_name.value in (ADDENDUM_GRAPH, RECORD_GRAPH):
            cites.setdefault(q.subject.value, set()).add(q.object.value)
        if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom":
            derived.setdefault((q.graph_name.value, q.subject.value), set()).add(q.object.value)
    checked = 0
    for q in quads:
        g = q.graph_name.value
        if g in (ADDENDUM_GRAPH, RECORD_GRAPH) or isinstance(q.subject, ox.BlankNode):
            continue
        if q.subject.value == g:  # a source's description of itself
            continue
        excerpts = derived.get((g, q.subject.value), set())
        assert excerpts, f"{q.subject.value} in {g} has no passage in that graph"
        assert any(g in cites.get(e, set()) for e in excerpts), f"{q.subject.value}: {g} is not cited"
        checked += 1
    assert checked > 200


# --- Offices in time -------------------------------------------------------------------------------

LETTER_HOLDERS = {"Mona Neubaur", "Ralf Stoffels", "Andreas Ehlert", "Arndt G. Kirchhoff", "Thomas Wessel",
                  "Timo Berger", "Bernhard Osburg", "Ulrich Leidecker", "Berthold Schröder", "Michael Hagspühl",
                  "Anja Weber", "Knut Giesler", "Frank Löllgen", "Lars Baumgürtel", "Daniela Jansen"}


@pytest.mark.parametrize(("day", "gone", "new"), [
    ("2023-01-20", set(), set()),
    # O2: Groebler succeeds Osburg "zum heutigen 9. September" (2024 inferred)
    ("2025-06-01", {"Bernhard Osburg"}, {"Gunnar Groebler"}),
    # O1: Albrecht succeeds Weber in December 2025
    ("2026-06-01", {"Bernhard Osburg", "Anja Weber"}, {"Gunnar Groebler", "Thorben Albrecht"}),
])
def test_who_held_each_post_on_a_day(built_store, letter_text, addendum_text, day, gone, new):
    in_text(letter_text, *(n.replace("Timo Berger", "Dr. Timo Berger") for n in LETTER_HOLDERS))
    in_text(addendum_text, "Thorben Albrecht ist neuer Vorsitzender des DGB NRW.", "Seine Vorgängerin Anja Weber",
            "Damit tritt er die Nachfolge von Bernhard Osburg an", "No source found says that any other signatory left")
    result = run_query(built_store, "q-time-representatives-on-date.rq", {'"2025-06-01"': f'"{day}"'})
    names = [r["name"] for r in result]
    assert len(names) == len(set(names)) == 15  # one holder per organisation
    assert set(names) == (LETTER_HOLDERS - gone) | new
    assert run_query(built_store, "q-time-representatives-on-date.rq", {'"2025-06-01"': '"2022-06-01"'}) == []


def test_starts_and_ends_are_as_precise_as_the_sources(built_store, addendum_text):
    in_text(addendum_text, "December 2025 (a report of the conference is dated 2025-12-10)",
            "Bernhard Osburg wird als Präsident für die Jahre 2023 und 2024 ehrenamtlich tätig werden.",
            '"zum heutigen 9. September" (year not printed; 2024 inferred')
    by_name = {r["name"]: r for r in run_query(built_store, "q-time-representatives-on-date.rq", {'"2025-06-01"': '"2026-06-01"'})}
    assert (by_name["Thorben Albrecht"]["start"], by_name["Thorben Albrecht"]["end"]) == ("2025-12", None)
    assert (by_name["Gunnar Groebler"]["start"], by_name["Gunnar Groebler"]["start_inferred"]) == ("2024-09-09", "true")
    assert by_name["Ralf Stoffels"]["start"] is None and by_name["Ralf Stoffels"]["end"] is None
    ends = {r["name"]: r for r in run_query(built_store, "q-time-representatives-on-date.rq", {'"2025-06-01"': '"2023-01-20"'})}
    assert (ends["Anja Weber"]["start"], ends["Anja Weber"]["end"]) == (None, "2025-12")
    assert (ends["Bernhard Osburg"]["start"], ends["Bernhard Osburg"]["end"]) == ("2023", "2024-09-09")
    types = {r["v"]: r["t"] for r in rows(built_store, """SELECT ?v (DATATYPE(?v) AS ?t) WHERE {
        ?i a time:Instant ; time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?v }""")}
    assert types["2025-12"].endswith("gYearMonth") and types["2023"].endswith("gYear")
    # the letter's "held on 2023-01-20" stays as it was
    assert len(rows(built_store, "SELECT ?m WHERE { ?m org:memberDuring <%sinterval/attested-2023-01-20> }" % ID)) == 15


def test_an_inferred_date_says_so(built_store, addendum_text):
    in_text(addendum_text, "June 2024 (inferred: the Thursday before the European election)", "2024 (inferred)")
    inferred = rows(built_store, """SELECT ?n ?date ?note WHERE { ?n zd:dateInferred true ; skos:scopeNote ?note
        OPTIONAL { ?n dcterms:date|time:inXSDDate ?date } FILTER(LANG(?note) = "de") }""")
    by_date = {r["date"]: r["note"] for r in inferred}
    assert set(by_date) == {"2024-09-09", "2024-06", "2024"}
    assert "Wochentag" in by_date["2024-06"] and "erschlossen" in by_date["2024-09-09"].lower()


def test_confirmations_are_recorded_and_change_nothing(built_store, addendum_text):
    in_text(addendum_text, "Ralf Stoffels confirmed as president (no change)",
            "Arndt G. Kirchhoff confirmed for two more years (no change)",
            "Berthold Schröder's board re-elected for three years (no change) | undated")
    found = {r["name"]: r for r in rows(built_store, """SELECT ?name ?post ?date WHERE {
        ?c a zd:Confirmation ; zd:confirms ?post ; prov:wasAssociatedWith/foaf:name ?name OPTIONAL { ?c dcterms:date ?date } }""")}
    assert {n: r["date"] for n, r in found.items()} == {"Ralf Stoffels": "2024", "Arndt G. Kirchhoff": "2024-06",
                                                       "Berthold Schröder": None}
    for r in found.values():  # no post of theirs begins or ends
        assert not built_store.ask(PREFIXES + f"ASK {{ ?m zd:attests <{r['post']}> ; org:memberDuring/(time:hasEnd|time:hasBeginning) ?t }}")


# --- Corrections -----------------------------------------------------------------------------------


def test_titles_no_source_gives_are_descriptions(built_store, addendum_text):
    in_text(addendum_text, "the first record gives no title for it, nor for S9, S15, S16 and S23")
    for sid in ("S9", "S15", "S16", "S22", "S23"):
        (r,) = rows(built_store, f"""SELECT ?s (COUNT(?t) AS ?titles) (COUNT(?d) AS ?descriptions) WHERE {{
            ?s dcterms:identifier "{sid}" OPTIONAL {{ ?s dcterms:title ?t }} OPTIONAL {{ ?s dcterms:description ?d }} }} GROUP BY ?s""")
        assert r["titles"] == "0" and int(r["descriptions"]) >= 1, sid
    assert "IGBCE's own press release" not in (DATA / "sources.trig").read_text(encoding="utf-8")


def test_s10_names_the_ministry_of_its_time(built_store, addendum_text):
    in_text(addendum_text, '"Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie", not today\'s name')
    (r,) = rows(built_store, 'SELECT ?p WHERE { ?s dcterms:identifier "S10" ; dcterms:publisher/foaf:name ?p }')
    assert r["p"] == "Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie"


def test_reliability_notes_of_s8_s10_s14_no_longer_deny_the_record(built_store, followup_text):
    in_text(followup_text, "S8 (official)", "S10 (official)", "S14 (official)")
    for sid in ("S8", "S10", "S14"):
        notes = rows(built_store, f'SELECT ?n WHERE {{ ?s dcterms:identifier "{sid}" ; skos:editorialNote ?n }}')
        assert not any("states none" in n["n"] or "nennt keine" in n["n"] for n in notes), sid
    header = (DATA / "sources.trig").read_text(encoding="utf-8").split("source:followup-2023-2025 {")[0]
    assert "For S8–S24 it gives none" not in header


def test_m8_is_dated_by_its_report_only(built_store, addendum_text):
    in_text(addendum_text, "M8's date is the date of the report (2025-07-13); the meeting's own date is not known.")
    (note,) = rows(built_store, "SELECT ?n WHERE { event:zukunftsdialog-industrie skos:editorialNote ?n FILTER(LANG(?n) = 'de') }")
    assert "Juli 2025" not in note["n"].replace("13. Juli 2025", "") and "13. Juli 2025" in note["n"]
    assert not rows(built_store, "SELECT ?d WHERE { event:zukunftsdialog-umsetzungsphase-fachkraeftesicherung dcterms:date ?d }")
    (d,) = rows(built_store, "SELECT ?d WHERE { event:zukunftsdialog-umsetzungsphase-fachkraeftesicherung dcterms:description ?d FILTER(LANG(?d) = 'de') }")
    assert "„Sondervermögen Infrastruktur“ des Bundes" not in d["d"]  # "federal" is the record's word, said as such


def test_the_themes_definition_keeps_the_letters_u_a(built_store, letter_text):
    in_text(letter_text, "es u.a. entlang der Schlüsselthemen")
    (d,) = rows(built_store, "SELECT ?d WHERE { scheme:themes skos:definition ?d FILTER(LANG(?d) = 'de') }")
    assert "u.a." in d["d"] and "nicht abschließend" in d["d"]


def test_the_2025_fields_and_their_order_come_from_s12(built_store, addendum_text):
    in_text(addendum_text, "the eight Handlungsfelder in this order, as S12 lists them",
            "S13 breaks off inside the fourth field")
    s12 = rows(built_store, "SELECT ?f WHERE { GRAPH source:unternehmer-nrw-2025-05 { doc:industriepolitisches-leitbild-2025 zd:keyTheme ?f } }")
    s13 = rows(built_store, "SELECT ?n WHERE { GRAPH source:ihk-lippe-detmold-2025 { doc:industriepolitisches-leitbild-2025 zd:keyTheme ?f } ?f skos:notation ?n }")
    assert len(s12) == 8 and sorted(r["n"] for r in s13) == ["1", "2", "3", "4"]
    (d,) = rows(built_store, "SELECT ?d WHERE { scheme:handlungsfelder-2025 skos:definition ?d FILTER(LANG(?d) = 'en') }")
    assert "S12" in d["d"] and "only the first four" in d["d"]


def test_the_m3_quote_shows_it_is_cut(built_store, addendum_text):
    in_text(addendum_text, '"… und den Menschen Sicherheit zu geben." (a quote cut mid-sentence must show that it is cut)')
    (r,) = rows(built_store, """SELECT ?q ?n WHERE { statement:neubaur-drittes-treffen-bundesregierung-haushalt zd:quote ?q ;
        skos:scopeNote ?n FILTER(LANG(?n) = "de") }""")
    assert r["q"].endswith("zu unterstützen …") and "… und den Menschen Sicherheit zu geben." in r["n"]


def test_krischer_is_minister_for_environment_and_transport(built_store, addendum_text):
    in_text(addendum_text, '"Umwelt- und Verkehrsminister" in S4')
    (r,) = rows(built_store, """SELECT ?l WHERE { ?a prov:agent person:oliver-krischer ; prov:hadRole/skos:prefLabel ?l
        FILTER(LANG(?l) = "de") }""")
    assert r["l"] == "Umwelt- und Verkehrsminister"


# --- Facts and conflicts -------------------------------------------------------------------------


def test_statements_of_the_second_record_are_attributed_quotes(built_store, addendum_text):
    table = addendum_text[addendum_text.index("## Statements"):addendum_text.index("## Corrections")]
    quotes = {q for q in re.findall(r'"([^"]+)"', table) if not q.startswith("…")}
    quotes.discard("Umwelt- und Verkehrsminister")
    assert len(quotes) == 8  # A1–A9 without A4, the continuation of a first-record quote
    found = {r["q"]: r["name"] for r in rows(built_store, """SELECT ?q ?name WHERE {
        ?s a zd:Statement ; zd:quote ?q ; prov:wasAttributedTo/foaf:name ?name }""")}
    for q in quotes:
        assert q in found, q
    assert found["Die Lage in der nordrhein-westfälischen Industrie ist im Sommer 2025 fast unverändert kritisch."] == "Ralf Stoffels"
    assert found["Um Klimaneutralität zu erreichen sind der Erhalt und Ausbau der Wettbewerbsfähigkeit eine wichtige Grundlage."] == "Timo Berger"


def test_the_conflicts_a_query_finds(built_store, addendum_text, followup_text):
    in_text(addendum_text, '"Niederrhein und Westfalen" (T16)', '"Wieland Pieper, Leiter des IHK Projektbüros In|du|strie" (T15)',
            'six "zentrale Zukunftsthemen" plus Bürokratieabbau and Fachkräftesicherung', "Bei der vierten Sitzung dieses Dialogs am 7. März 2024")
    in_text(followup_text, "started in 2013 by companies with IHK Köln")
    result = run_query(built_store, "q-time-conflicts.rq")
    sides: dict[str, set[str | None]] = {}
    for r in result:
        sides.setdefault(r["subject"], set()).add(r["source_id"])
    assert sides == {
        ID + "event/zukunftsdialog-2024-03-07": {"S4", None, "T9"},  # None: the calendar (the first record)
        ID + "organisation/igbce-nordrhein": {"S22", "T16"},
        ID + "organisation/initiative-industrie": {"S23", "T15"},
        ID + "document/industriepolitisches-leitbild-2025": {"S6", "S12"},
    }
    # the letter's name stays
    assert built_store.ask(PREFIXES + 'ASK { organisation:igbce-nordrhein skos:altLabel "IGBCE Nordrhein"@de }')


def test_a_separate_duesseldorfer_erklaerung_of_2024_is_not_d2(built_store, addendum_text):
    in_text(addendum_text, "a separate \"Düsseldorfer Erklärung – Industriestandort Nordrhein-Westfalen stärken\" presented by unternehmer nrw in March 2024")
    (r,) = rows(built_store, """SELECT ?d ?date WHERE { ?d dcterms:title "Düsseldorfer Erklärung – Industriestandort Nordrhein-Westfalen stärken"@de ;
        dcterms:date ?date ; prov:wasAttributedTo organisation:unternehmer-nrw }""")
    assert r["date"] == "2024-03" and r["d"] != ID + "document/duesseldorfer-erklaerung-2021"
