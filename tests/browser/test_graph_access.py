"""Accessibility (BITV 2.0 / WCAG 2.1 AA) and exports of the staff page: axe-core (the npm
package, installed by ``make install-test`` into build/axe) finds no serious or critical
violation on /graph, / and an /id/ page; legend, filters, search results and details work by
keyboard with visible focus; the list view; PNG and CSV exports opened and read back."""

from __future__ import annotations

import base64
import csv
import io
import struct
from pathlib import Path

import pytest

from tests.browser.graph_support import ANJA, opened

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install-test` (it installs it from the npm registry)")
    # Evaluated through the browser's debugging protocol: the page's CSP (no inline script) stays on.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["/graph", "/graph?lang=en", "/", "/id/person/anja-weber"])
def test_no_serious_accessibility_violation(shared_api, browser, path):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(shared_api.url + path, timeout=120_000)
        if path.startswith("/graph"):
            page.wait_for_function("window.zdgReady === true", timeout=60_000)
            page.evaluate("id => window.zdg.select(id, true)", ANJA)
            page.click("#list-toggle")
        assert axe_violations(page) == []
    finally:
        ctx.close()


def test_phone_page_has_no_serious_violation(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 390, 844, is_mobile=True, has_touch=True) as page:
        page.evaluate("id => window.zdg.select(id, true)", ANJA)
        assert axe_violations(page) == []


def test_keyboard_reaches_legend_filters_results_and_details(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        # The legend: buttons that toggle a type, by Enter or Space.
        page.focus("#legend button[data-type=person]")
        page.keyboard.press("Enter")
        assert page.get_attribute("#legend button[data-type=person]", "aria-pressed") == "false"
        shown = page.evaluate("() => window.zdgVisibleIds().map(i => window.zdg.meta[i].type)")
        assert "person" not in shown
        page.keyboard.press(" ")
        assert page.get_attribute("#legend button[data-type=person]", "aria-pressed") == "true"
        # Focus is visible (an outline of its own, not the browser's default removed).
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        # Search results by arrow keys, the details' links by Tab and Enter.
        page.focus("#search")
        page.keyboard.type("dgb nrw")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.inner_text("#details-title") == "DGB NRW"
        page.focus("#details-relations a.node-link >> text=Anja Weber")
        page.keyboard.press("Enter")
        assert page.inner_text("#details-title") == "Anja Weber"


def test_list_view_is_the_canvas_as_a_table(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-orgtype", label="Gewerkschaft")
        page.check("#f-signatories")
        page.click("#list-toggle")
        rows = page.evaluate("() => [...document.querySelectorAll('#list-body tr')].map(tr => [...tr.children].map(td => td.textContent))")
        assert len(rows) == len(page.evaluate("window.zdgVisibleIds()"))
        assert ["Anja Weber", "Person"] in [r[:2] for r in rows]
        names = [r[0] for r in rows]
        assert names == sorted(names, key=str.casefold)
        page.click("#list th button[data-sort=type]")
        types = [tr[1] for tr in page.evaluate("() => [...document.querySelectorAll('#list-body tr')].map(tr => [...tr.children].map(td => td.textContent))")]
        assert types == sorted(types)
        assert "list=1" in page.url


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_export_is_twice_the_screen_with_title_and_legend(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-orgtype", label="Gewerkschaft")
        canvas = page.locator("#network canvas").bounding_box()
        url = page.evaluate("window.zdgPng(2)")
        width, height = png_size(base64.b64decode(url.split(",", 1)[1]))
        # Twice the canvas, plus the legend column and the title band.
        assert width >= 2 * canvas["width"] and height >= 2 * canvas["height"]
        with page.expect_download() as info:
            page.click("#png")
        assert png_size(Path(info.value.path()).read_bytes())[0] == width


def test_csv_export_holds_the_visible_nodes_and_edges(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-orgtype", label="Gewerkschaft")
        page.check("#f-signatories")
        with page.expect_download() as info:
            page.click("#csv")
        text = Path(info.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        visible = set(page.evaluate("window.zdgVisibleIds()"))
        assert {r["id"] for r in rows if r["kind"] == "node"} == visible
        edges = [r for r in rows if r["kind"] == "edge"]
        assert edges and all(r["source"] in visible and r["target"] in visible for r in edges)
        assert {"source": ANJA, "relation": "hat Funktion in"}.items() <= next(r for r in edges if r["source"] == ANJA and "dgb" in r["target"]).items()
