"""The SPARQL page as a researcher reads it: examples grouped by topic with whole numbers and
the question in the page's language, results with prefixed IRIs linked to our /id/ pages, a
favicon that is there. Expected questions come from the queries/*.rq files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
QUERIES = Path(__file__).resolve().parent.parent.parent / "queries"


def _question(path: Path, lang: str) -> str:
    return re.search(rf"^# {lang}: (.+)$", path.read_text(encoding="utf-8"), re.M).group(1).strip()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_examples_grouped_numbered_and_in_the_page_language(shared_api, page, lang):
    failed: list[str] = []
    page.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.page.goto(shared_api.url + f"/sparql?lang={lang}")
    page.page.wait_for_selector("button.example")
    groups = page.page.evaluate("""() => [...document.querySelectorAll('#example-list ol')].map(ol =>
        [ol.previousElementSibling.textContent, ol.start, [...ol.querySelectorAll('button.example')].map(b => [b.dataset.example, b.textContent])])""")
    headings = [g[0] for g in groups]
    assert headings[:4] == ({"de": ["Der Letter of Intent", "Organisationen und Personen", "Themen und Handlungsfelder",
                                    "Der Dialog 2023–2025 und seine Quellen"],
                             "en": ["The Letter of Intent", "Organisations and people", "Themes and fields of action",
                                    "The dialogue 2023–2025 and its sources"]}[lang])
    numbers, n = [], 0
    for _, start, items in groups:
        assert start == n + 1  # numbering runs on across the groups
        n += len(items)
        for ident, text in items:
            assert text == _question(QUERIES / f"{ident}.rq", lang)
            numbers.append(ident)
    assert len(numbers) == len(list(QUERIES.glob("*.rq")))
    assert numbers[0] == "q01-signatories"
    # The marker of item 10 and more fits in the list's padding (was clipped to "0.").
    clipped = page.page.evaluate("""() => { const ol = document.querySelectorAll('#example-list ol')[1];
        return parseFloat(getComputedStyle(ol).paddingLeft) }""")
    assert clipped >= 32
    assert not [u for u in failed if u.endswith("favicon.ico") or "favicon" in u], failed


def test_results_are_prefixed_and_link_to_our_own_pages(shared_api, page):
    page.page.goto(shared_api.url + "/sparql")
    page.page.wait_for_selector("button.example")
    page.page.locator("button.example[data-example='q01-signatories']").click()
    page.page.wait_for_selector(".yasr table td a.iri", timeout=30_000)
    links = page.page.evaluate("""() => [...document.querySelectorAll('.yasr table a.iri')].map(a =>
        [a.getAttribute('href'), a.textContent, a.getAttribute('target')])""")
    ours = [l for l in links if l[0].startswith("/id/")]
    assert ours, links
    assert not [l for l in links if l[0].startswith("https://w3id.org/zukunftsdialog/")]
    assert all(text.startswith("id:") for _, text, _ in ours) and all(t != "_blank" for _, _, t in ours)
    assert [u for u in page.requests if not u.startswith(shared_api.url + "/")] == []
