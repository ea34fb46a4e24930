"""The competency questions in queries/*.rq, answered from the graph and checked against the
letter. Every expected value below was read off the source text, and each test also checks
that the expected value really stands in the letter (or the follow-up record), so an
expectation cannot drift away from the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from graph.store import Store

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def run(store: Store, name: str) -> list[dict[str, str | None]]:
    rows = store.select((QUERIES / name).read_text(encoding="utf-8"))
    return [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in rows]


def column(rows: list[dict], key: str) -> list[str | None]:
    return [r[key] for r in rows]


def in_source(text: str, *values: str) -> None:
    for value in values:
        assert value in text, f"test expectation {value!r} is not in the source text"


def test_at_least_twenty_questions_each_stated_in_german_and_english():
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 20
    for f in files:
        head = f.read_text(encoding="utf-8").splitlines()[:2]
        assert re.match(r"# de: .+\?$", head[0]), f"{f.name}: first line must be '# de: <Frage>?'"
        assert re.match(r"# en: .+\?$", head[1]), f"{f.name}: second line must be '# en: <question>?'"


def _questions_with_their_own_test() -> set[str]:
    """The .rq names a test function runs and checks, in any test module (read from their
    source text; the check below is not counted)."""
    names: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") \
                    and node.name != "test_every_question_answers_and_is_checked_against_the_sources":
                names |= {c.value for c in ast.walk(node) if isinstance(c, ast.Constant)
                          and isinstance(c.value, str) and c.value.endswith(".rq")}
    return names


def test_every_question_answers_and_is_checked_against_the_sources(built_store):
    """Each question answers, and a test of its own compares that answer with values read off
    the sources (a new question without one fails here)."""
    checked = _questions_with_their_own_test()
    for f in sorted(QUERIES.glob("q*.rq")):
        assert run(built_store, f.name), f"{f.name} returned no rows"
        assert f.name in checked, f"{f.name}: no test compares its answer with the sources"


def test_signatories(built_store, letter_text):
    expected = {
        "Mona Neubaur", "Ralf Stoffels", "Andreas Ehlert", "Arndt G. Kirchhoff", "Thomas Wessel",
        "Timo Berger", "Bernhard Osburg", "Ulrich Leidecker", "Berthold Schröder", "Michael Hagspühl",
        "Anja Weber", "Knut Giesler", "Frank Löllgen", "Lars Baumgürtel", "Daniela Jansen",
    }
    in_source(letter_text, *expected)
    rows = run(built_store, "q01-signatories.rq")
    assert set(column(rows, "name")) == expected
    assert len(rows) == 15  # one post and organisation each


def test_trade_unions(built_store, letter_text):
    expected = {("DGB NRW", "Anja Weber"), ("IG Metall NRW", "Knut Giesler"), ("IGBCE Nordrhein", "Frank Löllgen")}
    in_source(letter_text, *(x for pair in expected for x in pair))
    rows = run(built_store, "q02-trade-unions.rq")
    assert {(r["shortName"], r["signatory"]) for r in rows} == expected


def test_chambers(built_store, letter_text):
    # "Präsident IHK NRW" and "Präsident Westdeutscher Handwerkskammertag" sign for chambers.
    in_source(letter_text, "Ralf Stoffels Präsident IHK NRW", "Berthold Schröder Präsident Westdeutscher Handwerkskammertag")
    rows = run(built_store, "q03-chambers.rq")
    assert set(column(rows, "signatory")) == {"Ralf Stoffels", "Berthold Schröder"}


def test_regional_branches(built_store, followup_text):
    expected_branch_words = {"VCI", "VDMA", "ZVEI", "DGB", "IG Metall", "IGBCE"}
    in_source(followup_text, "regional unit of the federal association", "regional district of IGBCE",
              "regional district of IG Metall", "regional district of the Deutscher Gewerkschaftsbund",
              "regional unit of VDMA e.V.", "regional office of the Zentralverband")
    rows = run(built_store, "q04-regional-branches.rq")
    # six signatories are branches; the record adds IGBCE's Landesbezirke Westfalen and NRW
    in_source(followup_text, "merged with Landesbezirk Westfalen into Landesbezirk NRW")
    assert len(rows) == 8
    assert sum("Westfalen" in r["branchLabel"] and "IGBCE" in r["parentLabel"] for r in rows) == 1
    parents = " | ".join(column(rows, "parentLabel"))
    for word in expected_branch_words - {"VCI", "ZVEI", "DGB"}:
        assert word in parents
    assert "Chemischen Industrie" in parents and "Elektrotechnik" in parents and "Gewerkschaftsbund" in parents


KEY_THEMES = [
    "digitale Infrastruktur", "Innovations- und Forschungsförderung", "Investitionsklima",
    "Flächenentwicklung", "Klima- und Umweltverträglichkeit", "Kreislaufwirtschaft",
    "Transfer von Wissenschaftsfortschritt in Unternehmen",
]


def test_key_themes_in_the_letters_order(built_store, letter_text):
    in_source(letter_text, "Schlüsselthemen: " + ", ".join(KEY_THEMES[:-1]) + " und " + KEY_THEMES[-1])
    rows = run(built_store, "q06-key-themes.rq")
    # Labels are capitalised as headings; the order is the letter's.
    assert [r["label"].lower() for r in rows] == [t.lower() for t in KEY_THEMES]
    assert all(r["labelEn"] for r in rows)


def test_eu_level_themes_cover_the_key_themes(built_store, letter_text):
    in_source(letter_text, "Handlungsempfehlungen für die Politik auf Landes-, Bundes-, und EU-Ebene")
    labels = {r["label"].lower() for r in run(built_store, "q05-eu-themes.rq")}
    assert {t.lower() for t in KEY_THEMES} <= labels


def test_commitments(built_store, letter_text):
    rows = run(built_store, "q07-commitments.rq")
    assert len(rows) == 4
    in_source(letter_text, *column(rows, "quote"))
    assert "Zukunftsdialoq" in rows[0]["quote"]  # the quote stays as printed (OCR) ...
    assert "Zukunftsdialog Industrie" in rows[0]["label"]  # ... the label is corrected


def test_goal(built_store, letter_text):
    in_source(letter_text, "bis spätestens 2045 zur ersten klimaneutralen")
    (row,) = run(built_store, "q08-goal.rq")
    assert row["targetYear"] == "2045"
    assert row["region"] == "http://data.europa.eu/nuts/code/DEA"
    assert row["regionLabel"] == "Nordrhein-Westfalen"


def test_signing_date_and_place(built_store, letter_text):
    in_source(letter_text, "Düsseldorf, den 20. Januar 2023")
    assert run(built_store, "q09-signing-date-place.rq") == [{"date": "2023-01-20", "place": "Düsseldorf"}]


def test_honorifics(built_store, letter_text):
    in_source(letter_text, "Mona Neubaur MdL", "Dr. Timo Berger")
    rows = run(built_store, "q10-honorifics.rq")
    assert {(r["name"], r["prefix"], r["suffix"]) for r in rows} == {
        ("Mona Neubaur", None, "MdL"), ("Timo Berger", "Dr.", None)}


def test_organisation_types_add_up(built_store):
    rows = run(built_store, "q11-organisation-types.rq")
    counts = {r["label"]: int(r["organisations"]) for r in rows}
    assert sum(counts.values()) == 15
    assert counts["Gewerkschaft"] == 3 and counts["Ministerium"] == 1 and counts["Initiative"] == 2


def test_business_associations(built_store):
    labels = " | ".join(column(run(built_store, "q12-business-associations.rq"), "label"))
    for name in ("Wirtschaftsvereinigung Stahl", "Unternehmensverbände", "VDMA", "Chemischen Industrie", "ZVEI", "Bitkom", "HANDWERK.NRW"):
        assert name in labels


def test_policy_levels(built_store, letter_text):
    in_source(letter_text, "Landes-, Bundes-, und EU-Ebene")
    assert column(run(built_store, "q13-policy-levels.rq"), "label") == ["Land", "Bund", "EU"]


def test_aims(built_store, letter_text):
    expected = ["Wettbewerbsfähigkeit", "Wertschöpfungsketten", "Innovationen", "Klimaschutz",
                "Erhalt der natürlichen Lebensgrundlagen", "Prinzipien guter Arbeit", "soziale Sicherheit"]
    in_source(letter_text, *expected)
    assert [x.lower() for x in column(run(built_store, "q14-aims.rq"), "label")] == [x.lower() for x in expected]


def test_initiatives(built_store, letter_text):
    in_source(letter_text, "Sprecher der Initiative In|du|strie", "Stv. Vorsitzende des Vorstands Zukunft durch Industrie")
    rows = run(built_store, "q15-initiatives.rq")
    assert {r["signatory"] for r in rows} == {"Lars Baumgürtel", "Daniela Jansen"}


def test_chairs(built_store, letter_text):
    in_source(letter_text, "Vorstandsvorsitzender des VCI NRW", "Vorsitzender des Vorstands des VDMA NRW",
              "Vorsitzender der ZVEI-Landesstelle", "Vorsitzende des DGB NRW")
    assert set(column(run(built_store, "q16-chairs.rq"), "name")) == {
        "Thomas Wessel", "Timo Berger", "Ulrich Leidecker", "Anja Weber"}


def test_presidents(built_store, letter_text):
    names = ["Ralf Stoffels", "Andreas Ehlert", "Arndt G. Kirchhoff", "Bernhard Osburg", "Berthold Schröder"]
    in_source(letter_text, *(f"{n} Präsident" for n in names))
    assert set(column(run(built_store, "q17-presidents.rq"), "name")) == set(names)


def test_passage_of_a_post(built_store, letter_text):
    (row,) = run(built_store, "q18-passage-of-post.rq")
    assert row["exact"] == "Anja Weber Vorsitzende des DGB NRW"
    in_source(letter_text, row["exact"])


def test_referenced_documents(built_store, letter_text):
    in_source(letter_text, "Industriepolitische Leitbild des Landes Nordrhein-Westfalen", "Zukunftserklärung zur Industrie NRW")
    titles = column(run(built_store, "q19-referenced-documents.rq"), "title")
    assert any("Leitbild" in t for t in titles) and any("Zukunftserklärung zur Industrie NRW" == t for t in titles)


def test_dialogue_members_are_the_signatory_organisations(built_store):
    members = set(column(run(built_store, "q20-dialogue-members.rq"), "organisation"))
    signers = set(column(run(built_store, "q01-signatories.rq"), "organisation"))
    assert members == signers and len(members) == 15


def test_federal_bodies_and_their_representatives(built_store, letter_text):
    rows = run(built_store, "q21-federal-bodies.rq")
    in_source(letter_text, *column(rows, "branchLabel"), *column(rows, "signatory"))
    assert set(column(rows, "signatory")) == {
        "Anja Weber", "Knut Giesler", "Frank Löllgen", "Timo Berger", "Thomas Wessel", "Ulrich Leidecker"}


def test_counts(built_store):
    assert run(built_store, "q22-counts.rq") == [{"persons": "15", "organisations": "15"}]


def test_announced_recommendations(built_store, letter_text):
    rows = run(built_store, "q23-announced-recommendations.rq")
    assert len(rows) == 1
    in_source(letter_text, rows[0]["quote"])
    assert set(rows[0]["levels"].split(", ")) == {"Land", "Bund", "EU"}


def test_every_organisation_fact_has_a_source_with_reliability(built_store):
    rows = run(built_store, "q24-sources-of-facts.rq")
    assert rows and all(r["source"] and r["reliability"] for r in rows)
