"""The SPARQL examples of the README's "Where each fact comes from" run and say what they claim."""

from __future__ import annotations

import re

from tests.conftest import ROOT

ID = "https://w3id.org/zukunftsdialog/id/"


def examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Where each fact comes from"):text.index("## Competency questions")]
    return re.findall(r"```sparql\n(.*?)```", section, flags=re.S)


def test_the_section_has_one_example_each_for_editorial_layer_time_and_conflicts():
    assert len(examples()) == 3


def test_the_editorial_example(built_store):
    rows = built_store.select(examples()[0])
    assert len(rows) == 23
    assert {str(r["type"]).rsplit("/", 1)[-1] for r in rows} == {"ministerium", "kammerorganisation", "wirtschaftsverband", "gewerkschaft", "initiative"}


def test_the_time_example(built_store, addendum_text):
    assert "Thorben Albrecht ist neuer Vorsitzender des DGB NRW." in addendum_text
    rows = {(str(r["name"]), r["start"] and str(r["start"]), r["end"] and str(r["end"])) for r in built_store.select(examples()[1])}
    assert rows == {("Anja Weber", None, None), ("Anja Weber", None, "2025-12"), ("Thorben Albrecht", "2025-12", None)}


def test_the_conflicts_example(built_store):
    rows = built_store.select(examples()[2])
    assert len(rows) == 9 and len({str(r["conflict"]) for r in rows}) == 4
