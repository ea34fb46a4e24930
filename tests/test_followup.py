"""The dialogue after the letter (2023–2025): data, provenance, shapes and the time questions.

Expected values come from the source record (data/sources/followup-2023-2025.md, fixture
``followup_text``) or the letter: either parsed from the record's text here, or written down
from reading it, and then checked to stand in the record, so an expectation cannot drift
away from the source. Where an answer depends on this project's editorial mappings
(ontology/followup.ttl), the test says so.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from graph.shacl import validation
from graph.vocab import sparql_prologue
from graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
FOLLOWUP_FILES = sorted((ROOT / "data").glob("followup-*.trig"))
ADDENDUM = ROOT / "data" / "sources" / "followup-addendum-2026-12.md"
SHAPES_FILE = ROOT / "shapes" / "followup.ttl"

ID = "https://w3id.org/zukunftsdialog/id/"
RECORD = ID + "source/followup-2023-2025"
ZDS = "https://w3id.org/zukunftsdialog/shapes#"
REL = {ID + "reliability/amtlich": "official", ID + "reliability/presse": "press",
       ID + "reliability/sekundaer": "secondary"}

PREFIXES = sparql_prologue() + "".join(
    f"PREFIX {p}: <{ID}{kind}/>\n" for p, kind in (
        ("event", "event"), ("statement", "statement"), ("change", "change"), ("conflict", "conflict"),
        ("claim", "claim"), ("hf2019", "handlungsfeld-2019"), ("hf2025", "handlungsfeld-2025"),
        ("source", "source"), ("excerpt", "excerpt"), ("doc", "document"), ("person", "person"),
        ("organisation", "organisation"), ("level", "policy-level"), ("theme", "theme"),
        ("scheme", "scheme"), ("rel", "reliability"), ("recommendation", "recommendation"),
        ("status", "status"), ("collaboration", "collaboration"), ("goal", "goal"), ("role", "role"),
    ))


def rows(store: Store, sparql: str) -> list[dict[str, str | None]]:
    return [{k: (str(v) if v is not None else None) for k, v in r.items()}
            for r in store.select(PREFIXES + sparql)]


def run_query(store: Store, name: str, replace: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    text = (QUERIES / name).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, f"{name}: {old!r} not in the query"
        text = text.replace(old, new)
    return [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in store.select(text)]


def in_record(text: str, *values: str) -> None:
    for value in values:
        assert value in text, f"test expectation {value!r} is not in the record"


def record_section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def followup_quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for f in FOLLOWUP_FILES:
        quads += list(ox.parse(path=str(f), format=ox.RdfFormat.TRIG))
    return quads


# --- Quotes and provenance ---------------------------------------------------------------------


def test_the_followup_files_exist_and_build(built_store):
    assert len(FOLLOWUP_FILES) >= 3
    (row,) = rows(built_store, "SELECT (COUNT(*) AS ?n) WHERE { ?m a zd:Meeting }")
    assert int(row["n"]) == 6  # M1, M3, M4, M6, M7, M8 of the record's table


def test_every_record_passage_stands_verbatim_in_the_record(built_store, followup_text):
    found = rows(built_store, """
        SELECT ?excerpt ?exact ?prefix ?suffix WHERE {
          ?excerpt oa:hasSource source:followup-2023-2025 ;
                   oa:hasSelector [ oa:exact ?exact ] .
          OPTIONAL { ?excerpt oa:hasSelector/oa:prefix ?prefix }
          OPTIONAL { ?excerpt oa:hasSelector/oa:suffix ?suffix }
        }""")
    assert len(found) > 60
    for r in found:
        assert r["exact"] in followup_text, f"{r['excerpt']}: {r['exact']!r} not in the record"
        located = (r["prefix"] or "") + r["exact"] + (r["suffix"] or "")
        assert located in followup_text, f"{r['excerpt']}: prefix/exact/suffix do not stand together"


def test_every_quote_literal_of_the_history_stands_in_the_record(built_store, followup_text):
    quotes = rows(built_store, """
        SELECT ?node ?quote WHERE {
          ?node zd:quote ?quote .
          ?node prov:wasDerivedFrom/oa:hasSource source:followup-2023-2025 .
        }""")
    assert len(quotes) >= 7 + 14 + 2  # statements, Leitbild measures, the two claims
    for q in quotes:
        # A quote the second record shows to be cut mid-sentence (A4) ends in " …" to say so.
        quote = q["quote"].removesuffix(" …")
        assert quote in followup_text, f"{q['node']}: {q['quote']!r} not in the record"


def test_every_new_fact_carries_a_source_with_reliability(built_store):
    # Every node derived from a record passage: each passage cites a web source, and that
    # source has a reliability (official / press / secondary).
    facts = rows(built_store, """
        SELECT DISTINCT ?fact ?excerpt ?source ?reliability WHERE {
          ?fact prov:wasDerivedFrom ?excerpt .
          ?excerpt oa:hasSource source:followup-2023-2025 .
          OPTIONAL { ?excerpt dcterms:source ?source OPTIONAL { ?source zd:reliability ?reliability } }
        }""")
    assert len({f["fact"] for f in facts}) > 80
    for f in facts:
        assert f["source"], f"{f['fact']}: passage {f['excerpt']} cites no source"
        assert f["reliability"] in REL, f"{f['fact']}: source {f['source']} has no reliability"
    # and every instance of the history's classes has such a passage
    # (from either record: the second one adds statements, claims and conflicts)
    for cls in ("zd:Meeting", "zd:Statement", "zd:Claim", "zd:Conflict", "org:ChangeEvent", "zd:Handlungsfeld"):
        missing = rows(built_store, f"""
            SELECT ?n WHERE {{ ?n a {cls} .
              FILTER NOT EXISTS {{ ?n prov:wasDerivedFrom/oa:hasSource ?record
                                   VALUES ?record {{ source:followup-2023-2025 source:followup-addendum-2026-12 }} }} }}""")
        assert not missing, f"{cls} without a record passage: {missing}"


def test_the_web_sources_carry_url_publisher_date_as_the_record_gives_them(built_store, followup_text):
    # The meetings' sources, with the URL and date the record's source table gives.
    expected = {
        "S3": ("https://land.nrw/pressemitteilung/die-transformation-gemeinsam-voranbringen-zukunftsdialog-industrie-setzt-sich-fuer", "2023-12-20"),
        "S4": ("https://rheinischer-spiegel.de/zukunftsdialog-industrie-setzt-sich-fuer-mehr-zirkulaere-wertschoepfung-in-nordrhein-westfalen-ein/", "2024-03"),
        "S7": ("https://invest-in-niederrhein.de/en/2025/07/13/gemeinsam-fuer-die-fachkraeftesicherung-fortsetzung-des-zukunftsdialogs-industrie-in-nordrhein-westfalen", "2025-07-13"),
    }
    found = {r["id"]: r for r in rows(built_store, """
        SELECT DISTINCT ?id ?page ?date ?publisher WHERE {
          ?m a zd:Meeting ; dcterms:source ?s .
          ?s dcterms:identifier ?id ; foaf:page ?page ; dcterms:date ?date ; dcterms:publisher/foaf:name ?publisher .
        }""")}
    for sid, (url, date) in expected.items():
        in_record(followup_text, url, f"| {sid} |")
        assert found[sid]["page"] == url and found[sid]["date"] == date and found[sid]["publisher"]


def test_each_fact_lies_in_the_graph_of_a_source_it_cites():
    # One named graph per source: outside the record's own graph, every subject's triples sit
    # in the graph of a source its record passage (in the same file set) cites.
    quads = followup_quads()
    cites: dict[str, set[str]] = {}
    derived: dict[tuple[str, str], set[str]] = {}
    for q in quads:
        if q.predicate.value == "http://purl.org/dc/terms/source" and q.graph_name.value == RECORD:
            cites.setdefault(q.subject.value, set()).add(q.object.value)
        if q.predicate.value == "http://www.w3.org/ns/prov#wasDerivedFrom":
            derived.setdefault((q.graph_name.value, q.subject.value), set()).add(q.object.value)
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads), "nothing in the default graph"
    checked = 0
    for q in quads:
        g = q.graph_name.value
        if g == RECORD or isinstance(q.subject, ox.BlankNode):
            continue
        excerpts = derived.get((g, q.subject.value), set())
        assert excerpts, f"{q.subject.value} in {g} has no passage in that graph"
        assert any(g in cites.get(e, set()) for e in excerpts), (
            f"{q.subject.value}: graph {g} is not a source its passages cite")
        checked += 1
    assert checked > 300


# --- Nothing beyond the record --------------------------------------------------------------------


def test_no_wikidata_no_legal_forms_no_invented_names():
    text = "\n".join(f.read_text(encoding="utf-8") for f in FOLLOWUP_FILES)
    text += (ROOT / "ontology" / "followup.ttl").read_text(encoding="utf-8")
    assert "wikidata" not in text.lower()
    literals = [q.object.value for q in followup_quads() if isinstance(q.object, ox.Literal)]
    for lit in literals:
        assert not re.search(r"\be\.\s?V\.|\bGmbH\b|\bgGmbH\b|\bKdöR\b", lit), f"legal form invented: {lit!r}"


def test_new_persons_are_only_those_the_record_names(built_store, followup_text, letter_text):
    names = {r["name"] for r in rows(built_store, "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name }")}
    new = {n for n in names if n not in letter_text}
    # the first record names two, the second record three more (O1, O2, F4)
    assert new == {"Oliver Krischer", "Andreas Pinkwart", "Thorben Albrecht", "Gunnar Groebler", "Johannes Pöttering"}
    in_record(followup_text, "environment minister Oliver Krischer", "under minister Andreas Pinkwart")
    in_record(ADDENDUM.read_text(encoding="utf-8"), "Thorben Albrecht", "Gunnar Groebler", "Johannes Pöttering")


def test_every_date_in_the_history_is_one_the_record_gives(followup_text):
    dated = {"http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#gYear",
             "http://www.w3.org/2001/XMLSchema#gYearMonth", "http://www.w3.org/2001/XMLSchema#dateTime"}
    values = {q.object.value for q in followup_quads()
              if isinstance(q.object, ox.Literal) and q.object.datatype.value in dated}
    assert "2024-03-07" in values and "2026-01-01" in values
    for v in values:
        assert v in followup_text, f"date {v} is not in the record"


def test_meeting_numbers_only_where_stated(built_store, followup_text):
    numbers = {r["n"] for r in rows(built_store, "SELECT ?n WHERE { ?m a zd:Meeting ; skos:notation ?n }")}
    assert numbers == {"1", "3", "4", "6"}
    in_record(followup_text, "3rd meeting", "4th meeting", "6th meeting",
              "The number of the last two meetings is not stated in the sources")
    # the 2nd and 5th meetings were not found: no events for them, a note instead
    in_record(followup_text, "the 2nd and 5th meetings were not found")
    notes = rows(built_store, "SELECT ?note WHERE { event:zukunftsdialog-industrie skos:editorialNote ?note FILTER(LANG(?note) = 'en') }")
    assert any("2nd and 5th meetings were not found" in n["note"] for n in notes)


def test_the_weekday_conflict_is_recorded_not_resolved(built_store, followup_text):
    in_record(followup_text, 'Source says "Dienstag, 7. März 2024", but 2024-03-07 was a Thursday')
    assert dt.date(2024, 3, 7).weekday() == 3  # the calendar: a Thursday, not a Tuesday
    (meeting,) = rows(built_store, "SELECT ?d WHERE { event:zukunftsdialog-2024-03-07 dcterms:date ?d }")
    assert meeting["d"] == "2024-03-07"
    claims = rows(built_store, """
        SELECT ?quote ?source WHERE {
          ?c a zd:Conflict ; dcterms:subject event:zukunftsdialog-2024-03-07 ; zd:claim ?claim .
          ?claim zd:quote ?quote ; dcterms:source ?source .
        }""")
    # the second record (F3) adds a third claim: the date stated without a weekday (T9)
    in_record(ADDENDUM.read_text(encoding="utf-8"), "Bei der vierten Sitzung dieses Dialogs am 7. März 2024")
    assert {c["quote"] for c in claims} == {"Dienstag, 7. März 2024", "2024-03-07 was a Thursday",
                                            "Bei der vierten Sitzung dieses Dialogs am 7. März 2024"}
    assert ID + "source/rheinischer-spiegel-2024-03" in {c["source"] for c in claims}


def test_igbce_merger_keeps_the_2023_facts(built_store, followup_text):
    in_record(followup_text, "merged with Landesbezirk Westfalen into Landesbezirk NRW from 2026-01-01")
    # the letter's membership stays dated 2023-01-20 and is not ended or rewritten
    (m,) = rows(built_store, """
        SELECT ?org ?date WHERE { ?m org:member person:frank-loellgen ; org:organization ?org ;
                                      org:memberDuring/time:inside/time:inXSDDate ?date }""")
    assert m == {"org": ID + "organisation/igbce-nordrhein", "date": "2023-01-20"}
    (c,) = rows(built_store, """
        SELECT ?date (GROUP_CONCAT(STR(?o); separator=" ") AS ?originals) ?result WHERE {
          ?c a org:ChangeEvent ; dcterms:date ?date ; org:originalOrganization ?o ; org:resultingOrganization ?result }
        GROUP BY ?date ?result""")
    assert c["date"] == "2026-01-01" and c["result"] == ID + "organisation/igbce-nrw"
    assert set(c["originals"].split()) == {ID + "organisation/igbce-nordrhein", ID + "organisation/igbce-westfalen"}


# --- Documents, fields, measures, statements ------------------------------------------------------


def test_documents_and_how_they_relate(built_store, followup_text):
    in_record(followup_text, "adopted by the cabinet on 2019-09-25", "45 pages", '"Düsseldorfer Erklärung" (2021-12-01)',
              "reaffirmed the 2019 Leitbild", "the direct result of the dialogue", "presented on 2025-05-12")
    assert built_store.ask(PREFIXES + """ASK {
        doc:industriepolitisches-leitbild-2019 dcterms:dateAccepted "2019-09-25"^^xsd:date ; schema:numberOfPages 45 .
        doc:duesseldorfer-erklaerung-2021 dcterms:date "2021-12-01"^^xsd:date ;
            <http://purl.org/spar/cito/confirms> doc:industriepolitisches-leitbild-2019 .
        doc:industriepolitisches-leitbild-2025 prov:wasRevisionOf doc:industriepolitisches-leitbild-2019 ;
            dcterms:isVersionOf doc:industriepolitisches-leitbild-2019 ;
            prov:wasGeneratedBy event:zukunftsdialog-industrie ;
            dcterms:issued "2025-05-12"^^xsd:date .
        event:zukunftsdialog-2024-03-07 dcterms:isPartOf event:zukunftsdialog-industrie .
    }""")


def test_handlungsfelder_2019_and_2025_as_in_the_record(built_store, followup_text):
    d1 = record_section(followup_text, "### D1:", "### D3:")
    expected_2019 = dict(re.findall(r"(\d+)\. (Für [^0-9]+?)(?= \d+\. | ###|$)", d1))
    assert len(expected_2019) == 14
    found = {r["n"]: r["l"] for r in rows(built_store, """
        SELECT ?n ?l WHERE { ?f skos:inScheme scheme:handlungsfelder-2019 ; skos:notation ?n ; skos:prefLabel ?l
                             FILTER(LANG(?l) = "de") }""")}
    assert found == {k: v.strip() for k, v in expected_2019.items()}
    d3 = record_section(followup_text, "### D3:", "## Statements")
    bullets = re.findall(r'(?:unknown\.|") - ([^:"]+)(?: \(also "[^"]*"; incomplete\))?:', d3)
    assert len(bullets) == 5, bullets  # four fields with measures, then the other four in one line
    names_2025 = bullets[:4] + bullets[4].split(", ")
    labels_2025 = {r["l"] for r in rows(built_store, """
        SELECT ?l WHERE { ?f skos:inScheme scheme:handlungsfelder-2025 ; skos:prefLabel ?l FILTER(LANG(?l) = "de") }""")}
    assert labels_2025 == set(names_2025) and len(names_2025) == 8


def test_leitbild_2025_measures_are_adopted_recommendations_of_their_field(built_store, followup_text):
    d3 = record_section(followup_text, "### D3:", "## Statements")
    expected: dict[str, str] = {}
    for field, items in re.findall(r"- ([^:\"]+?)(?: \(also \"[^\"]*\"; incomplete\))?: (\"[^\n]*?)(?= - |$)", d3):
        for quote in re.findall(r"\"([^\"]+)\"", items):
            expected[quote] = field.strip()
    assert len(expected) == 14, expected
    # the second record (F11) adds a third measure of "Klima und Energie", cut off in S13
    in_record(ADDENDUM.read_text(encoding="utf-8"), '"Umsetzung der Energie- und Wärmestra" (the text ends there) | S13')
    expected["Umsetzung der Energie- und Wärmestra"] = "Klima und Energie"
    found = rows(built_store, """
        SELECT ?quote ?field_label ?status ?by (GROUP_CONCAT(STR(?level); separator=" ") AS ?levels) WHERE {
          ?r a zd:Recommendation ; dcterms:source doc:industriepolitisches-leitbild-2025 , source:ihk-lippe-detmold-2025 ;
             zd:quote ?quote ; dcterms:subject ?field ; zd:status ?status ; zd:proposedBy ?by ; zd:addressesLevel ?level .
          ?field skos:prefLabel ?field_label FILTER(LANG(?field_label) = "de")
        } GROUP BY ?quote ?field_label ?status ?by""")
    assert {r["quote"]: r["field_label"] for r in found} == expected
    for r in found:
        assert r["status"] == ID + "status/beschlossen" and r["by"] == ID + "collaboration/zukunftsdialog-industrie"
        names_eu = "auf europäischer Ebene" in r["quote"]
        assert r["levels"] == ID + ("policy-level/eu" if names_eu else "policy-level/nicht-angegeben"), r


def test_the_2045_goal_is_related_to_the_letters_goal(built_store, followup_text, letter_text):
    in_record(followup_text, "Erste klimaneutrale Industrieregion Europas im Jahr 2045")
    assert "bis spätestens 2045 zur ersten klimaneutralen" in letter_text
    assert built_store.ask(PREFIXES + """ASK {
        ?g a zd:Goal ; zd:quote "Erste klimaneutrale Industrieregion Europas im Jahr 2045"@de ;
           zd:targetYear "2045"^^xsd:gYear ; prov:alternateOf goal:klimaneutrale-industrieregion-2045 }""")


def test_statements_are_attributed_quotes_with_their_meeting_and_level(built_store, followup_text):
    table = record_section(followup_text, "## Statements at meetings", "## Signatory organisations")
    expected_quotes = set(re.findall(r"\"([^\"]+)\"", table))
    found = rows(built_store, """
        SELECT ?quote ?name ?meeting (GROUP_CONCAT(STR(?level); separator=" ") AS ?levels) WHERE {
          ?s a zd:Statement ; zd:quote ?quote .
          FILTER EXISTS { ?s prov:wasDerivedFrom/oa:hasSource source:followup-2023-2025 }
          OPTIONAL { ?s prov:wasAttributedTo/foaf:name ?name }
          OPTIONAL { ?s prov:wasGeneratedBy ?meeting }
          OPTIONAL { ?s zd:addressesLevel ?level }
        } GROUP BY ?quote ?name ?meeting""")
    by_quote = {r["quote"]: r for r in found}
    # the M4 press text is printed with a leading "…" outside the quote marks in the record
    # (the M3 quote ends in " …": the second record shows that the sentence goes on)
    assert {q.lstrip("… ").removesuffix(" …") for q in by_quote} == {q.lstrip("… ") for q in expected_quotes}
    weber = by_quote["Dafür müssen Bund und Land konkrete Konzepte entwickeln."]
    assert weber["name"] == "Anja Weber" and weber["meeting"] == ID + "event/zukunftsdialog-2023-01-20"
    assert set(weber["levels"].split()) == {ID + "policy-level/bund", ID + "policy-level/land"}
    in_record(followup_text, "(addressed to the federal level)")
    m3 = next(r for q, r in by_quote.items() if q.startswith("Die Bundesregierung muss"))
    assert m3["name"] == "Mona Neubaur" and m3["levels"] == ID + "policy-level/bund"
    press = next(r for q, r in by_quote.items() if "sowohl auf Bundes- als auch auf EU-Ebene" in q)
    assert press["name"] is None and set(press["levels"].split()) == {ID + "policy-level/bund", ID + "policy-level/eu"}
    assert {r["name"] for r in found} == {"Anja Weber", "Mona Neubaur", None}


# --- Competency questions over time -----------------------------------------------------------------


def test_questions_have_german_and_english_headers():
    files = sorted(QUERIES.glob("q-time-*.rq"))
    assert len(files) >= 8
    for f in files:
        head = f.read_text(encoding="utf-8").splitlines()[:2]
        assert re.match(r"# de: .+\?$", head[0]) and re.match(r"# en: .+\?$", head[1]), f.name


def test_themes_discussed_in_2024(built_store, followup_text, letter_text):
    # Record: M4 2024-03-07 "Circular Economy / zirkuläre Wertschöpfung" (= the letter's key
    # theme Kreislaufwirtschaft); M6 2024-10-02 "digitale Infrastruktur", "Flächenentwicklung",
    # "Klima und Energie" (a 2025 Handlungsfeld by that name); M7 2024-11-13 names no topic;
    # M3 is known only from a 2023 report.
    in_record(followup_text, "| M4 | 2024-03-07 | 4th meeting: Circular Economy / zirkuläre Wertschöpfung",
              '| M6 | 2024-10-02 | 6th meeting: "digitale Infrastruktur", "Flächenentwicklung", "Klima und Energie"',
              "| M3 | press release 2023-12-20 |")
    assert "Kreislaufwirtschaft" in letter_text
    result = run_query(built_store, "q-time-themes-2024.rq")
    assert {r["label_de"] for r in result} == {"Kreislaufwirtschaft", "Digitale Infrastruktur", "Flächenentwicklung", "Klima und Energie"}
    dates = {r["label_de"]: r["dates"] for r in result}
    assert dates["Kreislaufwirtschaft"] == "2024-03-07" and dates["Klima und Energie"] == "2024-10-02"
    # no meeting of the dialogue is dated 2022 (it started on 2023-01-20)
    assert run_query(built_store, "q-time-themes-2024.rq", {"YEAR(?date) = 2024": "YEAR(?date) = 2022"}) == []


def test_leitbild_2025_measures_of_kreislaufwirtschaft(built_store, followup_text):
    expected = {"Zirkuläre Ausrichtung von Wertschöpfungsketten", "Entwicklung einer NRW-Kreislaufwirtschaftsstrategie",
                "Integration digitaler Technologien für eine einfachere und schnelle Umsetzung der Circular Economy"}
    in_record(followup_text, "- Zirkuläre Wertschöpfung (Circular Economy): " + "; ".join(
        f'"{q}"' for q in ["Zirkuläre Ausrichtung von Wertschöpfungsketten", "Entwicklung einer NRW-Kreislaufwirtschaftsstrategie",
                           "Integration digitaler Technologien für eine einfachere und schnelle Umsetzung der Circular Economy"]))
    result = run_query(built_store, "q-time-leitbild-2025-measures-kreislaufwirtschaft.rq")
    assert {r["text"] for r in result} == expected and len(result) == 3
    # the same question for the key theme digitale Infrastruktur: the record lists no measures there
    in_record(followup_text, "Digitale Infrastruktur, Flächenentwicklung, Bürokratieabbau, Fachkräftesicherung: no measures visible")
    assert run_query(built_store, "q-time-leitbild-2025-measures-kreislaufwirtschaft.rq",
                     {"theme/kreislaufwirtschaft": "theme/digitale-infrastruktur"}) == []


def test_2019_fields_without_counterpart_in_2025(built_store, followup_text):
    # Editorial judgement (ontology/followup.ttl): none of the eight 2025 fields nor any measure
    # the record lists under them addresses the world of work shaped by the social partners,
    # transport and mobility infrastructure, or international markets.
    expected = {"Für eine sozialpartnerschaftlich gestaltete digitalisierte Arbeitswelt",
                "Für leistungsstarke Verkehrswege und eine moderne Mobilitätsinfrastruktur",
                "Für beste Chancen auf internationalen Märkten"}
    in_record(followup_text, *expected)
    d3 = record_section(followup_text, "### D3:", "## Statements")
    for word in ("Arbeitswelt", "Verkehr", "Mobilität", "international", "Märkte"):
        assert word not in d3
    result = run_query(built_store, "q-time-2019-fields-without-2025-counterpart.rq")
    assert {r["label_de"] for r in result} == expected
    assert [r["notation"] for r in result] == ["5", "12", "13"]


def test_igbce_nordrhein_status_on_a_date(built_store, followup_text):
    in_record(followup_text, "IGBCE Landesbezirk Nordrhein", "into Landesbezirk NRW from 2026-01-01")
    (after,) = run_query(built_store, "q-time-igbce-nordrhein-status.rq")
    assert after["since"] == "2026-01-01" and after["successor_label"] == "IGBCE Landesbezirk NRW"
    assert after["status_en"] == "merged into: IGBCE Landesbezirk NRW"
    for date in ("2025-12-31", "2023-01-20"):
        (before,) = run_query(built_store, "q-time-igbce-nordrhein-status.rq", {'"2026-06-01"': f'"{date}"'})
        assert before["successor"] is None and before["status_en"] == "no change known by this date"


def test_meetings_in_chronological_order(built_store, followup_text):
    # (number, date, reported) as the record's table gives them, in time order
    expected = [("1", "2023-01-20", None), ("3", None, "2023-12-20"), ("4", "2024-03-07", None),
                ("6", "2024-10-02", None), (None, "2024-11-13", "2024-11-14"), (None, None, "2025-07-13")]
    in_record(followup_text, "| M1 | 2023-01-20, Düsseldorf |", "| M3 | press release 2023-12-20 |", "| M4 | 2024-03-07 |",
              "| M6 | 2024-10-02 |", "| M7 | 2024-11-13 (press release 2024-11-14) |", "| M8 | reported 2025-07-13 |")
    result = run_query(built_store, "q-time-meetings-in-order.rq")
    assert [(r["number"], r["date"], r["reported"]) for r in result] == expected
    assert result[0]["sources"] and set(result[0]["sources"].split(", ")) == {"S1", "S2"}
    assert result[-1]["topics"] == "Fachkräftesicherung"


def test_statements_addressed_to_the_federal_level(built_store, followup_text):
    result = run_query(built_store, "q-time-statements-federal-level.rq")
    by_speaker = {r["speaker"]: r for r in result}
    assert set(by_speaker) == {"Anja Weber", "Mona Neubaur", None}
    assert len(result) == 3
    in_record(followup_text, "Dafür müssen Bund und Land konkrete Konzepte entwickeln.",
              "sowohl auf Bundes- als auch auf EU-Ebene", "(addressed to the federal level)")
    assert by_speaker["Anja Weber"]["date"] == "2023-01-20" and by_speaker["Anja Weber"]["source_id"] == "S14"
    assert by_speaker["Mona Neubaur"]["reported"] == "2023-12-20" and by_speaker["Mona Neubaur"]["source_id"] == "S3"
    assert by_speaker[None]["date"] == "2024-03-07" and REL[by_speaker[None]["reliability"]] == "press"


def test_sources_by_reliability_match_the_record(built_store, followup_text):
    stated = dict(re.findall(r"\b(S\d+) \((official|press|secondary)\)", followup_text))
    assert {"S1", "S2", "S4", "S7", "S14"} <= set(stated)
    result = run_query(built_store, "q-time-sources-by-reliability.rq")
    found = {r["id"]: REL[r["reliability"]] for r in result if r["id"]}
    for sid, reliability in stated.items():
        assert found[sid] == reliability, sid
    assert len(found) == 24 + 16  # S1–S24 of the first record, T1–T16 of the second


def test_facts_resting_on_press_sources_only(built_store, followup_text):
    # Record: M4 rests on "S4 (press)" alone, M8 on "S7 (press)"; M1 has S1 (official) too,
    # M3, M6 and M7 are official.
    in_record(followup_text, "S4 (press) |", "S7 (press) |", "S1 (official), S2 (press)")
    facts = {r["fact"] for r in run_query(built_store, "q-time-press-only-facts.rq")}
    assert {ID + "event/zukunftsdialog-2024-03-07", ID + "event/zukunftsdialog-umsetzungsphase-fachkraeftesicherung",
            ID + "statement/neubaur-2024-03-07-kernaufgabe"} <= facts
    # S22 (the IGBCE merger) has no reliability in the record, so nothing is asserted about it.
    for official in ("zukunftsdialog-2023-01-20", "zukunftsdialog-drittes-treffen", "zukunftsdialog-2024-10-02",
                     "zukunftsdialog-2024-11-13"):
        assert ID + "event/" + official not in facts
    assert ID + "organisation/igbce-nordrhein" not in facts  # the letter attests it


def test_roles_held_on_a_date(built_store, followup_text):
    in_record(followup_text, "with environment minister Oliver Krischer", "under minister Andreas Pinkwart")
    on_m4 = run_query(built_store, "q-time-roles-on-date.rq")
    # S4's words for his office, as the second record (A5) gives them
    in_record(ADDENDUM.read_text(encoding="utf-8"), 'Oliver Krischer ("Umwelt- und Verkehrsminister" in S4)')
    assert [(r["name"], r["role_label"]) for r in on_m4] == [("Oliver Krischer", "Umwelt- und Verkehrsminister")]
    in_2019 = run_query(built_store, "q-time-roles-on-date.rq", {'"2024-03-07"': '"2019-09-25"'})
    assert [(r["name"], r["role_label"]) for r in in_2019] == [("Andreas Pinkwart", "Minister/in")]
    at_signing = run_query(built_store, "q-time-roles-on-date.rq", {'"2024-03-07"': '"2023-01-20"'})
    assert ("Frank Löllgen", "Landesbezirksleiter/in") in {(r["name"], r["role_label"]) for r in at_signing}


def test_theme_trail_from_2019_to_2025(built_store):
    result = run_query(built_store, "q-time-theme-trail.rq")
    trail = {(r["theme_label"], r["year"], r["field_label"]) for r in result if r["field"]}
    assert ("Kreislaufwirtschaft", "2025", "Zirkuläre Wertschöpfung (Circular Economy)") in trail
    assert ("Flächenentwicklung", "2019", "Für eine verantwortliche Flächenpolitik") in trail
    assert ("Flächenentwicklung", "2025", "Flächenentwicklung") in trail
    assert not any(t == "Kreislaufwirtschaft" and y == "2019" for t, y, _ in trail)


# --- Shapes -----------------------------------------------------------------------------------------


def test_shipped_data_gives_no_result_of_the_history_shapes(built_store):
    ours = {str(s) for s in Graph().parse(SHAPES_FILE).subjects() if str(s).startswith(ZDS)}
    for report in (validation.validate(built_store), validation.validate_pyshacl(built_store)):
        hits = [r for r in report.results if r.shape in ours or (r.shape or "").startswith(ZDS) and r.severity == "Violation"]
        assert hits == [], hits


# (shape, focus node, SPARQL update that breaks it)
BREAKS = [
    ("Meeting-prefLabel-de", "event/zukunftsdialog-2024-03-07",
     "DELETE { GRAPH ?g { event:zukunftsdialog-2024-03-07 skos:prefLabel ?l } } WHERE { GRAPH ?g { event:zukunftsdialog-2024-03-07 skos:prefLabel ?l FILTER(LANG(?l) = 'de') } }"),
    ("Meeting-prefLabel-en", "event/zukunftsdialog-2024-03-07",
     "DELETE { GRAPH ?g { event:zukunftsdialog-2024-03-07 skos:prefLabel ?l } } WHERE { GRAPH ?g { event:zukunftsdialog-2024-03-07 skos:prefLabel ?l FILTER(LANG(?l) = 'en') } }"),
    ("Meeting-date", "event/zukunftsdialog-2024-03-07",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { event:zukunftsdialog-2024-03-07 dcterms:date \"2024-03-05\"^^xsd:date } }"),
    ("Meeting-reportedOn", "event/zukunftsdialog-drittes-treffen",
     "INSERT DATA { GRAPH source:land-nrw-2023-12-20 { event:zukunftsdialog-drittes-treffen zd:reportedOn \"2023\"^^xsd:gYear } }"),
    ("Meeting-number", "event/zukunftsdialog-2024-11-13",
     "INSERT DATA { GRAPH source:land-nrw-2024-11-14 { event:zukunftsdialog-2024-11-13 skos:notation \"siebtes\" } }"),
    ("Meeting-partOf", "event/zukunftsdialog-2024-03-07",
     "DELETE WHERE { GRAPH ?g { event:zukunftsdialog-2024-03-07 dcterms:isPartOf ?p } }"),
    ("Meeting-topic", "event/zukunftsdialog-2024-03-07",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { event:zukunftsdialog-2024-03-07 dcterms:subject \"Kreislaufwirtschaft\" } }"),
    ("Meeting-participant", "event/zukunftsdialog-2024-03-07",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { event:zukunftsdialog-2024-03-07 prov:wasAssociatedWith person:niemand } }"),
    ("Meeting-source", "event/zukunftsdialog-2024-03-07",
     "DELETE WHERE { GRAPH ?g { event:zukunftsdialog-2024-03-07 dcterms:source ?s } }"),
    ("Meeting-not-secondary-only", "event/zukunftsdialog-umsetzungsphase-fachkraeftesicherung",
     "DELETE { GRAPH ?g { ?m dcterms:source ?s } } INSERT { GRAPH ?g { ?m dcterms:source source:followup-2023-2025 } } "
     "WHERE { BIND(event:zukunftsdialog-umsetzungsphase-fachkraeftesicherung AS ?m) GRAPH ?g { ?m dcterms:source ?s } }"),
    ("MeetingTime", "event/zukunftsdialog-2024-03-07",
     "DELETE WHERE { GRAPH ?g { event:zukunftsdialog-2024-03-07 dcterms:date ?d } }"),
    ("Statement-quote", "statement/neubaur-2024-03-07-kernaufgabe",
     "DELETE WHERE { GRAPH ?g { statement:neubaur-2024-03-07-kernaufgabe zd:quote ?q } }"),
    ("Statement-speaker", "statement/neubaur-2024-03-07-kernaufgabe",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { statement:neubaur-2024-03-07-kernaufgabe prov:wasAttributedTo person:niemand } }"),
    ("Statement-level", "statement/neubaur-2024-03-07-kernaufgabe",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { statement:neubaur-2024-03-07-kernaufgabe zd:addressesLevel theme:kreislaufwirtschaft } }"),
    ("Statement-meeting", "statement/neubaur-2024-03-07-kernaufgabe",
     "INSERT DATA { GRAPH source:rheinischer-spiegel-2024-03 { statement:neubaur-2024-03-07-kernaufgabe prov:wasGeneratedBy doc:industriepolitisches-leitbild-2025 } }"),
    ("Statement-source", "statement/neubaur-2024-03-07-kernaufgabe",
     "DELETE WHERE { GRAPH ?g { statement:neubaur-2024-03-07-kernaufgabe dcterms:source ?s } }"),
    ("StatementAttribution", "statement/weber-2023-01-20-bund-und-land",
     "DELETE WHERE { GRAPH ?g { statement:weber-2023-01-20-bund-und-land prov:wasAttributedTo ?p } }"),
    ("StatementOccasion", "statement/weber-2023-01-20-bund-und-land",
     "DELETE WHERE { GRAPH ?g { statement:weber-2023-01-20-bund-und-land prov:wasGeneratedBy ?m } }"),
    ("ChangeEvent-date", "change/igbce-landesbezirke-nrw-2026-01-01",
     "DELETE WHERE { GRAPH ?g { change:igbce-landesbezirke-nrw-2026-01-01 dcterms:date ?d } }"),
    ("ChangeEvent-original", "change/igbce-landesbezirke-nrw-2026-01-01",
     "DELETE WHERE { GRAPH ?g { change:igbce-landesbezirke-nrw-2026-01-01 org:originalOrganization ?o } }"),
    ("ChangeEvent-resulting", "change/igbce-landesbezirke-nrw-2026-01-01",
     "DELETE WHERE { GRAPH ?g { change:igbce-landesbezirke-nrw-2026-01-01 org:resultingOrganization ?o } }"),
    ("ChangeEvent-source", "change/igbce-landesbezirke-nrw-2026-01-01",
     "DELETE WHERE { GRAPH ?g { change:igbce-landesbezirke-nrw-2026-01-01 dcterms:source ?s } }"),
    ("Conflict-claims", "conflict/zukunftsdialog-2024-03-07-wochentag",
     "DELETE DATA { GRAPH source:followup-2023-2025 { conflict:zukunftsdialog-2024-03-07-wochentag zd:claim claim:zukunftsdialog-2024-03-07-donnerstag } "
     "GRAPH source:followup-addendum-2026-12 { conflict:zukunftsdialog-2024-03-07-wochentag zd:claim claim:zukunftsdialog-2024-03-07-ohne-wochentag } }"),
    ("Conflict-subject", "conflict/zukunftsdialog-2024-03-07-wochentag",
     "DELETE WHERE { GRAPH ?g { conflict:zukunftsdialog-2024-03-07-wochentag dcterms:subject ?s } }"),
    ("Conflict-note-de", "conflict/zukunftsdialog-2024-03-07-wochentag",
     "DELETE { GRAPH ?g { conflict:zukunftsdialog-2024-03-07-wochentag skos:editorialNote ?n } } WHERE { GRAPH ?g { conflict:zukunftsdialog-2024-03-07-wochentag skos:editorialNote ?n FILTER(LANG(?n) = 'de') } }"),
    ("Conflict-note-en", "conflict/zukunftsdialog-2024-03-07-wochentag",
     "DELETE { GRAPH ?g { conflict:zukunftsdialog-2024-03-07-wochentag skos:editorialNote ?n } } WHERE { GRAPH ?g { conflict:zukunftsdialog-2024-03-07-wochentag skos:editorialNote ?n FILTER(LANG(?n) = 'en') } }"),
    ("Claim-quote", "claim/zukunftsdialog-2024-03-07-dienstag",
     "DELETE WHERE { GRAPH ?g { claim:zukunftsdialog-2024-03-07-dienstag zd:quote ?q } }"),
    ("Claim-source", "claim/zukunftsdialog-2024-03-07-dienstag",
     "DELETE WHERE { GRAPH ?g { claim:zukunftsdialog-2024-03-07-dienstag dcterms:source ?s } }"),
    ("Handlungsfeld-scheme", "handlungsfeld-2025/buerokratieabbau",
     "INSERT DATA { GRAPH source:ihk-lippe-detmold-2025 { hf2025:buerokratieabbau skos:inScheme scheme:themes } }"),
    ("Handlungsfeld-number", "handlungsfeld-2019/chancen-auf-internationalen-maerkten",
     "DELETE WHERE { GRAPH ?g { hf2019:chancen-auf-internationalen-maerkten skos:notation ?n } }"),
    ("Handlungsfeld-mapping", "handlungsfeld-2025/buerokratieabbau",
     "INSERT DATA { GRAPH source:ihk-lippe-detmold-2025 { hf2025:buerokratieabbau skos:closeMatch <http://example.org/kein-begriff> } }"),
    ("Handlungsfeld-evidence", "handlungsfeld-2019/chancen-auf-internationalen-maerkten",
     "DELETE WHERE { GRAPH ?g { hf2019:chancen-auf-internationalen-maerkten prov:wasDerivedFrom ?e } }"),
    ("RecordExcerpt", "excerpt/record-m6",
     "DELETE WHERE { GRAPH ?g { excerpt:record-m6 dcterms:source ?s } }"),
    ("ExcerptCitedSource-reliability", "excerpt/record-m6",
     "INSERT DATA { GRAPH source:followup-2023-2025 { excerpt:record-m6 dcterms:source source:unbekannt } }"),
]


def test_every_history_shape_has_a_break_test():
    g = Graph().parse(SHAPES_FILE)
    with_severity = {str(s)[len(ZDS):] for s in g.subjects(SH.severity, None)}
    assert with_severity == {name for name, _, _ in BREAKS}


@pytest.mark.parametrize(("shape", "focus", "update"), BREAKS, ids=[b[0] for b in BREAKS])
def test_breaking_a_shape_reports_its_message_in_both_languages(fresh_store, shape, focus, update):
    g = Graph().parse(SHAPES_FILE)
    node = URIRef(ZDS + shape)
    messages = {m.language: str(m) for m in g.objects(node, SH.message) if isinstance(m, Literal)}
    severity = str(g.value(node, SH.severity)).rsplit("#", 1)[-1]
    assert set(messages) == {"de", "en"}
    before = [r for r in validation.validate(fresh_store).results if r.shape == ZDS + shape]
    assert before == []
    fresh_store.update(PREFIXES + update)
    hits = [r for r in validation.validate(fresh_store).results if r.shape == ZDS + shape and r.focus == ID + focus]
    assert hits, f"{shape} did not report {focus}"
    assert hits[0].message == messages and hits[0].severity == severity
    assert validation.validate(fresh_store).conforms is (severity != "Violation")
