"""The staff page /graph in a real Chromium: offline, the expected network, details, filters,
language, time, escaping, PNG export (README screenshots: ``make screenshots``). Expected facts come from the
source texts (data/sources/*.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.sources import ANJA, ID, key_themes, meeting_dates, signatory_names

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def nodes(page) -> list[dict]:
    """Every node of the page with its display label, type, dates and whether it is shown."""
    return page.evaluate("""() => {
        const shown = new Set(window.zdgVisibleIds());
        return window.zdg.nodes.get().map(n => ({id: n.id, label: n.title, type: window.zdg.meta[n.id].type,
            start: window.zdg.meta[n.id].start, shown: shown.has(n.id)}));
    }""")


def shown_labels(page, ntype: str | None = None) -> set[str]:
    return {n["label"] for n in nodes(page) if n["shown"] and (ntype is None or n["type"] == ntype)}


def click_node(page, node_id: str) -> None:
    """Click the node on the canvas, as a user would (after centring it)."""
    page.evaluate("id => window.zdg.network.focus(id, {scale: 1.5, animation: false})", node_id)
    point = page.evaluate("""id => {
        const net = window.zdg.network;
        return net.canvasToDOM(net.getPositions([id])[id]);
    }""", node_id)
    box = page.locator("#network canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def own_origin_only(requests: list[str], origin: str) -> list[str]:
    return [u for u in requests if not (u.startswith(origin + "/") or u.startswith("data:"))]


def test_page_loads_with_no_request_outside_our_server(shared_api, page):
    page.open(shared_api.url + "/graph")
    assert own_origin_only(page.requests, shared_api.url) == []
    assert any(u.endswith("/graph/assets/vis-network.min.js") for u in page.requests)
    assert page.errors == []


def test_network_holds_signatories_and_key_themes(shared_api, page):
    page.open(shared_api.url + "/graph")
    assert set(signatory_names()) <= shown_labels(page.page, "person")
    assert {t.casefold() for t in key_themes()} <= {t.casefold() for t in shown_labels(page.page, "theme")}
    legend = page.page.inner_text("#legend")
    assert "Organisation" in legend and "Person" in legend


def test_clicking_a_node_shows_its_details(shared_api, page):
    page.open(shared_api.url + "/graph")
    click_node(page.page, ANJA)
    details = page.page.locator("#details")
    details.wait_for(state="visible")
    assert page.page.inner_text("#details-title") == "Anja Weber"
    posts = page.page.inner_text("#details-posts")
    # "Anja Weber / Vorsitzende des DGB NRW" (the letter)
    assert "Vorsitzende" in posts and "DGB NRW" in posts
    body = page.page.inner_text("#details-body")
    assert "Anja Weber Vorsitzende des DGB NRW" in body  # the exact quote
    href = page.page.get_attribute("#details-body a >> text=Ressourcenseite", "href")
    assert href == "/id/person/anja-weber"
    # A linked organisation opens its own details.
    page.page.click("#details-posts a.node-link")
    assert page.page.inner_text("#details-title") == "DGB NRW"


def test_search_finds_and_selects(shared_api, page):
    page.open(shared_api.url + "/graph")
    page.page.fill("#search", "kreislauf")
    page.page.click("#search-results li >> nth=0")
    assert page.page.inner_text("#details-title") == "Kreislaufwirtschaft"


def test_type_filter_hides_persons(shared_api, page):
    page.open(shared_api.url + "/graph")
    assert shown_labels(page.page, "person")
    page.page.click("#legend li[data-type=person]")
    assert shown_labels(page.page, "person") == set()
    assert "DGB NRW" in shown_labels(page.page, "organisation")
    page.page.click("#legend li[data-type=person]")
    assert set(signatory_names()) <= shown_labels(page.page, "person")


def test_organisation_type_filter(shared_api, page):
    page.open(shared_api.url + "/graph")
    page.page.select_option("#f-orgtype", label="Gewerkschaft")
    orgs = shown_labels(page.page, "organisation")
    # The letter's union signatories: DGB NRW, IG Metall NRW, IGBCE Nordrhein.
    assert {"DGB NRW", "IG Metall NRW", "IGBCE Nordrhein"} <= orgs
    assert "IHK NRW" not in orgs and "VCI NRW" not in orgs
    persons = shown_labels(page.page, "person")
    assert {"Anja Weber", "Knut Giesler", "Frank Löllgen"} <= persons and "Ralf Stoffels" not in persons


def test_language_switch_changes_labels(shared_api, page):
    page.open(shared_api.url + "/graph")
    assert "Kreislaufwirtschaft" in shown_labels(page.page, "theme")
    page.page.click("#lang-en")
    assert "Circular economy" in shown_labels(page.page, "theme")
    assert "Kreislaufwirtschaft" not in shown_labels(page.page, "theme")
    assert page.page.evaluate("document.documentElement.lang") == "en"
    assert "node types" in page.page.inner_text("#side").casefold()
    assert "lang=en" in page.page.url
    page.page.click("#lang-de")
    assert "Kreislaufwirtschaft" in shown_labels(page.page, "theme")


def test_one_language_choice_across_pages(shared_api, browser):
    # The order of api.negotiation: parameter, then the cookie "lang" (set by the page's
    # language switch), then Accept-Language by q-values. A browser that prefers German by its
    # q-values (German staff with English as a second language) ...
    ctx = browser.new_context(extra_http_headers={"Accept-Language": "en;q=0.4, de;q=0.9"})
    try:
        page = ctx.new_page()
        html_lang = "() => document.documentElement.lang"
        pages = ("/", "/graph", "/id/person/anja-weber")
        for path in pages:
            page.goto(shared_api.url + path)
            assert page.evaluate(html_lang) == "de", path
        # ... chooses English once, on /graph: every page follows, without a parameter.
        page.goto(shared_api.url + "/graph")
        page.wait_for_function("() => window.zdgReady === true")
        page.click("#lang-en")
        assert [c["value"] for c in ctx.cookies() if c["name"] == "lang"] == ["en"]
        for path in pages:
            page.goto(shared_api.url + path)
            assert page.evaluate(html_lang) == "en", path
        # A parameter still wins over the choice, for the page it is on.
        page.goto(shared_api.url + "/id/person/anja-weber?lang=de")
        assert page.evaluate(html_lang) == "de"
        # Back to German on /graph: every page again.
        page.goto(shared_api.url + "/graph")
        page.wait_for_function("() => window.zdgReady === true")
        assert page.evaluate(html_lang) == "en"
        page.click("#lang-de")
        for path in pages:
            page.goto(shared_api.url + path)
            assert page.evaluate(html_lang) == "de", path
    finally:
        ctx.close()


def test_english_by_parameter(shared_api, page):
    page.open(shared_api.url + "/graph?lang=en")
    assert "Circular economy" in shown_labels(page.page, "theme")


def test_time_filter_hides_later_meetings(shared_api, page):
    dates = meeting_dates()
    page.open(shared_api.url + "/graph")
    events = [n for n in nodes(page.page) if n["type"] == "event"]
    assert dates["M4"] in {n["start"] for n in events}
    page.page.fill("#f-date", "2023-06-01")
    page.page.dispatch_event("#f-date", "change")
    shown = [n for n in nodes(page.page) if n["shown"]]
    assert [n["label"] for n in shown if (n["start"] or "") > "2023-06-01"] == []
    assert dates["M1"] in {n["start"] for n in shown if n["type"] == "event"}
    assert dates["M4"] not in {n["start"] for n in shown}
    assert set(signatory_names()) <= {n["label"] for n in shown if n["type"] == "person"}
    page.page.click("#reset")
    assert dates["M4"] in {n["start"] for n in nodes(page.page) if n["shown"]}
    # The timeline slider steps through the known dates: on the 4th meeting's date it is shown.
    index = page.page.evaluate("d => JSON.parse(document.getElementById('zdg-data').textContent).dates.indexOf(d)", dates["M4"])
    assert index >= 0
    page.page.eval_on_selector("#f-date-slider", "(el, i) => { el.value = String(i); el.dispatchEvent(new Event('input')); }", index)
    # The date field reads dd.mm.yyyy in German, whatever the browser's locale.
    y, m, d = dates["M4"].split("-")
    assert page.page.input_value("#f-date") == f"{d}.{m}.{y}"
    shown = [n for n in nodes(page.page) if n["shown"]]
    assert dates["M4"] in {n["start"] for n in shown}
    assert dates["M6"] not in {n["start"] for n in shown}


def test_ego_view_by_parameter(shared_api, page):
    page.open(shared_api.url + f"/graph?focus={quote(ANJA, safe='')}&depth=1")
    labels = shown_labels(page.page)
    assert {"Anja Weber", "DGB NRW"} <= labels
    assert "IHK NRW" not in labels
    assert page.page.is_visible("#ego-banner")


def test_png_export(shared_api, page, tmp_path):
    page.open(shared_api.url + "/graph")
    with page.page.expect_download() as info:
        page.page.click("#png")
    path = tmp_path / "view.png"
    info.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000


def test_script_in_a_label_stays_text(api_server, page):
    server = api_server(env={"ZDG_TOKEN": "t"})
    payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    r = httpx.post(server.url + "/api/recommendations", headers={"Authorization": "Bearer t"}, timeout=60, json={
        "text": payload, "lang": "de", "themes": [ID + "theme/kreislaufwirtschaft"],
        "levels": [ID + "policy-level/land"], "proposed_by": [ID + "organisation/dgb-nrw"],
        "source": "https://www.example.org/test", "date": "2025-06-30"})
    assert r.status_code == 201, r.text
    page.open(server.url + "/graph")
    page.page.fill("#search", "onerror")
    page.page.click("#search-results li >> nth=0")
    assert page.page.inner_text("#details-title") == payload
    assert page.page.evaluate("window.__xss") is None
    assert page.dialogs == []
    assert page.page.locator("#details img, #search-results img").count() == 0
    assert not [u for u in page.requests if re.search(r"/x$", u)]


def test_standalone_file_is_offline(tmp_path, page):
    out = tmp_path / "netz.html"
    done = subprocess.run([sys.executable, "-m", "graph.cli", "viz", "-o", str(out), "--store", "memory"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    page.open(out.as_uri())
    assert [u for u in page.requests if not u.startswith(("file://", "data:"))] == []
    assert set(signatory_names()) <= shown_labels(page.page, "person")
    click_node(page.page, ANJA)
    # As a file, the resource link is the IRI itself (it dereferences to the same page).
    href = page.page.get_attribute("#details-body a >> text=Ressourcenseite", "href")
    assert href == ANJA


def test_javascript_links_stay_inert(tmp_path, page, fresh_store):
    from graph.page import render

    fresh_store.update(f"""
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        INSERT DATA {{ GRAPH <urn:test> {{ <{ID}source/dgb-nrw-2023-01-20> foaf:page <javascript:window.__xss=1> }} }}""")
    out = tmp_path / "page.html"
    out.write_text(render.standalone_page(fresh_store), encoding="utf-8")
    page.open(out.as_uri())
    page.page.evaluate("id => window.zdg.select(id)", ID + "organisation/dgb-nrw")
    hrefs = page.page.eval_on_selector_all("#details-body a", "as => as.map(a => a.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert "#" in hrefs  # the javascript: page became an inert link
    assert page.page.evaluate("window.__xss") is None
