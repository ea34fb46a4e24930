"""The reader in a real Chromium: every passage of every source is marked with its quote,
``#slug`` scrolls to it and highlights it, and no page shows Markdown or loads from elsewhere.
Expected quotes come from the data (the selectors), read with SPARQL, not from the reader."""

from __future__ import annotations

import re

import pytest

from tests.sources import ID, MARKDOWN_LEFT, selectors, shown, sources_with_text

pytestmark = pytest.mark.browser

MARK_TEXTS = """() => {
  const out = {};
  for (const m of document.querySelectorAll('mark[data-passage]')) {
    const p = m.dataset.passage;
    const cell = m.closest('td,th,li,p,h1,h2,h3,h4');
    (out[p] = out[p] || []).push([cell ? [...document.querySelectorAll('td,th,li,p,h1,h2,h3,h4')].indexOf(cell) : -1, m.textContent]);
  }
  return out;
}"""


def joined(parts: list[list]) -> str:
    """A passage's marks read in order, table cells (and blocks) joined with " | "."""
    out, last = "", None
    for cell, text in parts:
        if last is not None and cell != last:
            out += " | "
        out += text
        last = cell
    return re.sub(r"\s+", " ", out).strip()


def visible_text_without_markdown(page) -> None:
    text = page.inner_text("body")
    found = MARKDOWN_LEFT.search(text)
    assert not found, f"Markdown left on {page.url}: {text[max(0, found.start() - 40):found.end() + 40]!r}"


def test_every_passage_of_every_source_is_marked_and_reachable(shared_api, browser, built_store):
    rows = selectors(built_store)
    sources = sources_with_text(built_store)
    assert len(sources) >= 2
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        for source in sorted(sources):
            url = shared_api.url + "/id/" + source[len(ID):]
            page.goto(url)
            marks = page.evaluate(MARK_TEXTS)
            mine = [r for r in rows if r["source"] == source]
            for row in mine:
                slug = row["excerpt"].rsplit("/", 1)[-1]
                assert page.locator(f'mark[id="{slug}"]').count() == 1, slug
                assert joined(marks[slug]) == shown(row["exact"]), slug
            visible_text_without_markdown(page)
            # Every fifth passage: the address #slug scrolls to it and highlights it (CSS :target).
            for row in mine[::5]:
                slug = row["excerpt"].rsplit("/", 1)[-1]
                page.goto(f"{url}?lang=de#{slug}")
                box = page.evaluate(f"""() => {{ const r = document.getElementById({slug!r}).getBoundingClientRect();
                    return [r.top, r.bottom, innerHeight] }}""")
                assert 0 <= box[0] and box[1] <= box[2], (slug, box)
                colour = page.evaluate(f"getComputedStyle(document.getElementById({slug!r})).backgroundColor")
                assert colour == "rgb(255, 213, 74)", (slug, colour)  # the :target highlight, not the plain mark
    finally:
        context.close()
    assert [u for u in requests if not u.startswith(shared_api.url + "/")] == []


def test_the_supports_popover_lists_the_facts_of_a_passage(shared_api, page):
    page.page.goto(shared_api.url + "/id/source/followup-2023-2025#record-d2")
    button = page.page.locator('button[popovertarget="supports-record-d2"]')
    button.click()
    popover = page.page.locator("#supports-record-d2")
    assert popover.is_visible()
    assert popover.locator("a[href^='/id/']").count() >= 1
    assert page.errors == []


@pytest.mark.parametrize("path", ["/id/excerpt/record-d2", "/id/excerpt/loi-unterschrift-anja-weber",
                                  "/id/organisation/dgb-nrw", "/id/person/anja-weber", "/id/document/letter-of-intent-2023-01-20"])
def test_excerpt_and_resource_pages_show_no_markdown(shared_api, page, path):
    response = page.page.goto(shared_api.url + path)
    assert response.status == 200
    visible_text_without_markdown(page.page)
    assert [u for u in page.requests if not u.startswith(shared_api.url + "/")] == []


def test_staff_page_details_show_passages_without_markdown_and_open_the_reader(shared_api, page):
    page.open(shared_api.url + "/graph")
    node = "https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw"  # quoted from the letter and a table of the record
    page.page.evaluate("id => window.zdg.network.focus(id, {scale: 1.5, animation: false})", node)
    point = page.page.evaluate("id => window.zdg.network.canvasToDOM(window.zdg.network.getPositions([id])[id])", node)
    box = page.page.locator("#network canvas").bounding_box()
    page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    details = page.page.locator("#details")
    details.wait_for(state="visible")
    visible_text_without_markdown(page.page)
    hrefs = page.page.evaluate("() => [...document.querySelectorAll('#details .source a')].map(a => [a.getAttribute('href'), a.target])")
    readers = [h for h, target in hrefs if re.match(r"^/id/(document|source)/[^#]+#(loi|record)-", h or "")]
    assert len(readers) >= 2 and all(t == "_blank" for h, t in hrefs if h in readers), hrefs
