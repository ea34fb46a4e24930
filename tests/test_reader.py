"""The reader: every quoted passage anchors once in its source text (or the build fails, naming
it), is marked in the source's HTML view, and its excerpt page shows it in context.

Expected values come from the data (the selectors) and the source texts, not from the reader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from tests.sources import MARKDOWN_LEFT, selectors, shown, sources_with_text

ROOT = Path(__file__).resolve().parent.parent
BROWSER = {"Accept": "text/html"}
ID = "https://w3id.org/zukunftsdialog/id/"
RECORD = ID + "source/followup-2023-2025"
LETTER = ID + "document/letter-of-intent-2023-01-20"
class Marks(HTMLParser):
    """The text of every ``<mark data-passage>`` by passage, cells joined with " | "."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str | None] = []
        self.cell = 0
        self.parts: dict[str, list[tuple[int, str]]] = {}
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("td", "th", "p", "li", "h1", "h2", "h3", "h4"):
            self.cell += 1
        if tag == "mark":
            self.open.append(a.get("data-passage"))
            if a.get("id"):
                self.ids.add(a["id"])

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open.pop()

    def handle_data(self, data):
        for p in self.open:
            if p:
                self.parts.setdefault(p, []).append((self.cell, data))

    def text(self, passage: str) -> str:
        out, last = "", None
        for cell, data in self.parts.get(passage, []):
            if last is not None and cell != last:
                out += " | "
            out += data
            last = cell
        return re.sub(r"\s+", " ", out).strip()


def test_every_selector_of_the_data_anchors_exactly_once(built_store):
    from graph.domain import passages

    by_source = passages.selectors(built_store)
    anchors = passages.check(by_source)
    assert {LETTER, RECORD} <= set(anchors)
    assert sum(map(len, anchors.values())) == len(selectors(built_store)) > 90


def test_the_reader_marks_every_passage_of_every_source_with_its_quote(shared_api, built_store):
    rows = selectors(built_store)
    for source in sources_with_text(built_store):
        r = httpx.get(shared_api.url + "/id/" + source[len(ID):], headers=BROWSER)
        assert r.status_code == 200
        marks = Marks()
        marks.feed(r.text)
        for row in (x for x in rows if x["source"] == source):
            slug = row["excerpt"].rsplit("/", 1)[-1]
            assert slug in marks.ids, f"no <mark id={slug}> in the reader of {source}"
            assert marks.text(slug) == shown(row["exact"]), slug


def test_the_reader_shows_the_text_as_html_not_markdown(shared_api):
    html = httpx.get(shared_api.url + "/id/source/followup-2023-2025", headers=BROWSER).text
    article = html.split('<article class="source-text"', 1)[1].split("</article>", 1)[0]
    assert "<table>" in article and "<h2>" in article and "<ol>" in article and "<strong>" in article
    text = re.sub(r"<[^>]+>", "", article)
    assert not MARKDOWN_LEFT.search(text), MARKDOWN_LEFT.search(text)
    # The record's own words, rendered: its first heading and the reliability line.
    assert "What followed the Letter of Intent (2023–2025): source records" in text


def test_the_excerpt_page_shows_the_passage_in_context_and_what_it_supports(shared_api, followup_text):
    r = httpx.get(shared_api.url + "/id/excerpt/record-d2", headers=BROWSER)
    assert r.status_code == 200
    html = r.text
    assert 'href="/id/source/followup-2023-2025?lang=de#record-d2"' in html
    # the passage (its cells as cells) and the text before and after it, from the record
    assert "reaffirmed the 2019 Leitbild" in html and "Revised Industriepolitisches Leitbild NRW (2025)" in html
    assert 'href="/id/document/duesseldorfer-erklaerung-2021"' in html or "Düsseldorfer Erklärung" in html
    body = re.sub(r"<[^>]+>", "", html.split("<main>", 1)[1])
    assert not MARKDOWN_LEFT.search(body), MARKDOWN_LEFT.search(body)


def test_evidence_boxes_show_no_markdown(shared_api):
    html = httpx.get(shared_api.url + "/id/organisation/dgb-nrw", headers=BROWSER).text
    section = html.split("<section>", 1)[1].split("</section>", 1)[0]
    text = re.sub(r"<[^>]+>", "", section)
    assert "Anja Weber Vorsitzende des DGB NRW" in text
    assert not MARKDOWN_LEFT.search(text), MARKDOWN_LEFT.search(text)
    assert 'href="/id/document/letter-of-intent-2023-01-20?lang=de#loi-unterschrift-anja-weber"' in section


def _copy_of_the_checkout(tmp_path: Path) -> Path:
    for name in ("graph", "api", "ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "_resources"))
    return tmp_path


def _zdg(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = "import sys; from graph.cli import app; sys.argv[0] = 'zdg'; app()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_a_selector_that_matches_nothing_or_twice_fails_the_build_with_its_iri(tmp_path):
    copy = _copy_of_the_checkout(tmp_path)
    trig = copy / "data" / "followup-leitbild.trig"
    text = trig.read_text(encoding="utf-8")
    # record-d2: one changed word, so prefix + exact + suffix stand nowhere in the record.
    changed = text.replace("reaffirmed the 2019 Leitbild;", "reaffirmed the 2020 Leitbild;", 1)
    # record-hf2019-02: "Für höhere" without prefix and suffix stands twice (Handlungsfelder 1 and 2).
    changed = changed.replace('oa:exact "Für höhere Investitionen" ;\n            oa:prefix "here gesellschaftliche Wertschätzung 2. " ;\n            oa:suffix " 3. Für Innovationsfähigkeit und technol"',
                              'oa:exact "Für höhere"', 1)
    assert changed.count("2020 Leitbild") == 1 and 'oa:exact "Für höhere"\n' in changed
    trig.write_text(changed, encoding="utf-8")
    result = _zdg(copy, "build", "--store", str(tmp_path / "store"))
    assert result.returncode == 1, result.stderr
    message = " ".join(result.stderr.split())
    assert "https://w3id.org/zukunftsdialog/id/excerpt/record-d2" in message and "matches nothing" in message
    assert "https://w3id.org/zukunftsdialog/id/excerpt/record-hf2019-02" in message and "matches 2 places" in message


def test_the_unchanged_copy_builds(tmp_path):
    copy = _copy_of_the_checkout(tmp_path)
    result = _zdg(copy, "build", "--store", "memory")
    assert result.returncode == 0, result.stderr


def test_the_doctested_examples_of_the_anchoring_hold():
    import doctest

    import api.routes.reader
    import graph.domain.sources
    import graph.jsonld

    for module in (graph.domain.sources, graph.jsonld, api.routes.reader):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
