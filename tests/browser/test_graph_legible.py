"""The staff page /graph as a new user reads it (issue 13): a first view whose labels do not
overlap and are at least 10 px high, the signatories beside their organisations, relations
worded from both ends, the view in the address, a phone, dates as the sources give them,
search as people type. Expected facts come from the source texts (data/sources/*.md); label
boxes come from vis-network's own label sizes and the view's scale."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.browser.graph_support import ANJA, DGB, DRAWN_LABELS, ID, names_the_post, opened, overlaps, signature_block

pytestmark = pytest.mark.browser

def assert_main_names_legible(page) -> set[str]:
    """The first view's labels: none overlaps another, each at least 10 px high and inside the
    network's area, none under the hint line; the 15 signatories of the letter and the
    organisation each signed for are labelled. Returns the ids labelled."""
    labels = page.evaluate(DRAWN_LABELS)
    assert overlaps(labels) == []
    assert [l["text"] for l in labels if l["px"] < 10] == []
    canvas = page.locator("#network canvas").bounding_box()
    cut = [l["text"] for l in labels if l["box"][0] < 0 or l["box"][1] < 0
           or l["box"][2] > canvas["width"] + 1 or l["box"][3] > canvas["height"] + 1]
    assert cut == []
    hint = page.locator("#hint").bounding_box()
    if hint:
        top = hint["y"] - canvas["y"]
        under = [l["text"] for l in labels if l["box"][3] > top and l["box"][1] < top + hint["height"]
                 and l["box"][2] > hint["x"] - canvas["x"] and l["box"][0] < hint["x"] - canvas["x"] + hint["width"]]
        assert under == []
    drawn = {l["id"] for l in labels}
    meta = page.evaluate("() => window.zdg.meta")
    by_name = {m["display"]["de"]: i for i, m in meta.items() if m["type"] == "person"}
    for name, post in signature_block():
        person = by_name[name]
        assert person in drawn, name
        orgs = [o for o in meta[person].get("organisations", [])
                if names_the_post([meta[o]["display"]["de"], meta[o]["labels"]["de"]] + meta[o].get("alt_labels", []), post)]
        assert orgs and any(o in drawn for o in orgs), (name, post)
    return drawn


@pytest.mark.parametrize(("size", "lang"), [((1440, 900), "de"), ((1280, 720), "de"), ((1440, 900), "en")])
def test_first_view_is_legible(shared_api, browser, size, lang):
    with opened(browser, shared_api.url + f"/graph?lang={lang}", *size) as page:
        drawn = assert_main_names_legible(page)
        # Less important names wait for zooming in: fewer labels than nodes now, more after.
        assert len(drawn) < len(page.evaluate("window.zdgVisibleIds()"))
        page.evaluate("""() => new Promise(done => { const net = window.zdg.network;
            net.once('afterDrawing', () => done()); net.moveTo({scale: net.getScale() * 2.2, animation: false}); })""")
        zoomed = page.evaluate(DRAWN_LABELS)
        assert overlaps(zoomed) == []
        assert {l["id"] for l in zoomed} - drawn
        assert page.errors == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_phone_first_view_names_every_signatory(shared_api, browser, lang):
    # 390x844: the signatory column fills the first view; all 15 signatories, their
    # organisations, the dialogue and the letter are labelled, legibly, not under the hint.
    with opened(browser, shared_api.url + f"/graph?lang={lang}", 390, 844, is_mobile=True, has_touch=True,
                device_scale_factor=2) as page:
        drawn = assert_main_names_legible(page)
        meta = page.evaluate("() => window.zdg.meta")
        main = {i for i, m in meta.items() if m["type"] == "collaboration"
                or (m["type"] == "document" and "letter" in i)}
        assert main and main <= drawn
        assert page.errors == []


def test_signatory_sits_beside_their_organisation(shared_api, browser):
    # "Who signed for whom" is read off one row: person and organisation at the same height.
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        pos = page.evaluate("ids => window.zdg.network.getPositions(ids)", [ANJA, DGB])
        assert abs(pos[ANJA]["y"] - pos[DGB]["y"]) < 1
        assert abs(pos[ANJA]["x"] - pos[DGB]["x"]) < 300


def test_ego_view_lays_out_its_own_nodes(shared_api, browser):
    url = shared_api.url + f"/graph?focus={quote(ANJA, safe='')}&depth=1"
    with opened(browser, url, 1440, 900) as page:
        shown = page.evaluate("window.zdgVisibleIds()")
        labels = page.evaluate(DRAWN_LABELS)
        assert overlaps(labels) == []
        assert [l["text"] for l in labels if l["px"] < 10] == []
        # A small ego network: every node labelled, the ego in the middle of the view.
        assert {l["id"] for l in labels} == set(shown)
        centre = page.evaluate("id => window.zdg.network.canvasToDOM(window.zdg.network.getPositions([id])[id])", ANJA)
        canvas = page.locator("#network canvas").bounding_box()
        assert abs(centre["x"] - canvas["width"] / 2) < canvas["width"] * 0.1


def relation_groups(page) -> dict[str, list[str]]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#details-relations h4')].map(h =>
        [h.textContent.replace(/ \\(\\d+\\)$/, ''), [...h.nextElementSibling.querySelectorAll('a.node-link')].map(a => a.textContent)]))""")


def test_relations_read_right_from_both_ends(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.evaluate("id => window.zdg.select(id)", DGB)
        groups = relation_groups(page)
        assert "Anja Weber" in groups["Funktionsträger/in"]
        assert not any(k.startswith("hat Funktion in") for k in groups)
        # Each neighbour with its type.
        assert "Person" in page.inner_text("#details-relations ul")
        page.evaluate("id => window.zdg.select(id)", ANJA)
        groups = relation_groups(page)
        assert "DGB NRW" in groups["hat Funktion in"]
        assert any(name.startswith("Letter of Intent") for name in groups["unterzeichnete"])
        assert "geäußert von" not in groups and "äußerte" in groups
        page.click("#lang-en")
        groups = relation_groups(page)
        assert "DGB NRW" in groups["holds a post in"] and "said" in groups
        # Arrows on the canvas, the relation on hover.
        edge = page.evaluate("""() => { const e = window.zdg.edges.get().find(e => e.from.endsWith('anja-weber') && e.to.endsWith('dgb-nrw'));
                                   return {title: e.title, arrows: window.zdg.network.body.edges[e.id].options.arrows.to.enabled}; }""")
        assert edge["arrows"] is True
        assert edge["title"] == "Anja Weber — holds a post in (Vorsitzende/r) → DGB NRW" or "holds a post in" in edge["title"]


def test_letter_panel_is_one_table_of_signatories(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        letter = page.evaluate("() => Object.keys(window.zdg.meta).find(k => window.zdg.meta[k].type === 'document' && k.includes('letter'))")
        page.evaluate("id => window.zdg.select(id)", letter)
        rows = page.evaluate("""() => [...document.querySelectorAll('#details-signatories tbody tr')].map(tr =>
            [...tr.children].map(td => td.textContent))""")
        meta = page.evaluate("() => window.zdg.meta")
        org_labels = {m["display"]["de"]: [m["labels"]["de"]] + m.get("alt_labels", []) for m in meta.values() if m["type"] == "organisation"}
        expected = dict(signature_block())
        assert sorted(r[0] for r in rows) == sorted(expected)
        for person, role, org in rows:
            assert names_the_post([org] + org_labels[org], expected[person]), (person, org)
            assert role
        anja = next(r for r in rows if r[0] == "Anja Weber")
        assert anja[2] == "DGB NRW" and anja[1].startswith("Vorsitzende")
        # Not two separate lists of the same 15.
        assert "unterzeichnet für" not in relation_groups(page) or len(relation_groups(page)["unterzeichnet für"]) == 15


def test_view_lives_in_the_address(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-orgtype", label="Gewerkschaft")
        page.check("#f-signatories")
        page.evaluate("id => window.zdg.select(id, true)", ANJA)
        page.click("#details .ego button[data-depth='2']")
        query = parse_qs(urlparse(page.url).query)
        assert query["orgtype"] == [ID + "organisation-type/gewerkschaft"]
        assert query["signatories"] == ["1"] and query["focus"] == [ANJA] and query["depth"] == ["2"]
        assert query["sel"] == [ANJA] and query["lang"] == ["de"]
        shown = sorted(page.evaluate("window.zdgVisibleIds()"))
        url = page.url
        # Reloading (or sharing) the address opens the same view.
        page.reload()
        page.wait_for_function("window.zdgReady === true")
        assert sorted(page.evaluate("window.zdgVisibleIds()")) == shown
        assert page.inner_text("#details-title") == "Anja Weber"
        assert page.is_visible("#ego-banner")
        # Back undoes one step (the ego view), Forward redoes it.
        page.go_back()
        page.wait_for_function("!document.getElementById('ego-banner') || document.getElementById('ego-banner').hidden")
        assert "focus" not in parse_qs(urlparse(page.url).query)
        page.go_forward()
        page.wait_for_function("!document.getElementById('ego-banner').hidden")
        assert page.url == url
        # Links to /id/ pages open in a new tab, so the view stays.
        link = page.locator("#details-body a", has_text="Ressourcenseite")
        assert link.get_attribute("target") == "_blank"


def test_filters_focus_and_refit(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-level", label="EU")
        few = page.evaluate("window.zdgVisibleIds()")
        assert 1 < len(few) < 20
        # Re-fitted: the few nodes spread over the view, and their labels are drawn.
        spread = page.evaluate("""ids => { const net = window.zdg.network, p = net.getPositions(ids);
            const xs = ids.map(i => net.canvasToDOM(p[i]).x), ys = ids.map(i => net.canvasToDOM(p[i]).y);
            return [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)]; }""", few)
        canvas = page.locator("#network canvas").bounding_box()
        assert spread[0] > 0.6 * canvas["width"] or spread[1] > 0.6 * canvas["height"]
        labels = page.evaluate(DRAWN_LABELS)
        assert overlaps(labels) == [] and len(labels) >= len(few) // 2
        page.click("#reset")
        # The unions: the three union bodies that signed and their signatories, not 94 nodes.
        page.select_option("#f-orgtype", label="Gewerkschaft")
        page.check("#f-signatories")
        meta = page.evaluate("() => window.zdg.meta")
        shown = {meta[i]["display"]["de"] for i in page.evaluate("window.zdgVisibleIds()")}
        assert {"DGB NRW", "IG Metall NRW", "IGBCE Nordrhein", "Anja Weber", "Knut Giesler", "Frank Löllgen"} <= shown
        assert not {"DGB", "IG Metall", "IGBCE", "IHK NRW", "Ralf Stoffels"} & shown
        assert len(shown) <= 8
        # The theme filter is grouped by scheme: no name twice within a group.
        groups = page.evaluate("""() => [...document.querySelectorAll('#f-theme optgroup')].map(g =>
            [g.label, [...g.querySelectorAll('option')].map(o => o.textContent)])""")
        assert len(groups) >= 3
        for label, options in groups:
            assert len(options) == len(set(options)), label
        assert sum("Digitale Infrastruktur" in options for _, options in groups) == 2


def test_views_of_the_api_are_a_switch(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        page.select_option("#f-view", "organisations")
        page.wait_for_url(re.compile(r"view=organisations"))
        page.wait_for_function("window.zdgReady === true")
        types = set(page.evaluate("() => window.zdgVisibleIds().map(i => window.zdg.meta[i].type)"))
        assert types == {"organisation"}
        assert page.input_value("#f-view") == "organisations"


def test_phone_gets_the_network(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 390, 844, is_mobile=True, has_touch=True, device_scale_factor=2) as page:
        net = page.locator("#network").bounding_box()
        assert net["width"] >= 330
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.is_visible("#side") or page.locator("#side").bounding_box()["x"] < -100
        # The drawer slides (a CSS transition): wait for where it ends, not for a time.
        page.click("#menu")
        page.wait_for_function("() => document.getElementById('side').getBoundingClientRect().x >= 0")
        page.click("#side-close")
        page.wait_for_function("() => document.getElementById('side').getBoundingClientRect().right <= 0")
        page.evaluate("id => window.zdg.select(id)", ANJA)
        sheet = page.locator("#details").bounding_box()
        # Details as a sheet from below: the network above stays in sight.
        assert sheet["y"] > 844 * 0.3 and sheet["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        labels = page.evaluate(DRAWN_LABELS)
        assert overlaps(labels) == [] and [l for l in labels if l["px"] < 10] == []


def test_dates_as_the_sources_give_them(shared_api, browser):
    # A German page in a browser set to English: the page's language (here ?lang=de; without it
    # the browser's Accept-Language would choose English) sets the date format, not the locale.
    with opened(browser, shared_api.url + "/graph?lang=de", 1440, 900, locale="en-US") as page:
        leitbild = page.evaluate("() => Object.keys(window.zdg.meta).find(k => window.zdg.meta[k].type === 'document' && window.zdg.meta[k].display.de.includes('2025'))")
        page.evaluate("id => window.zdg.select(id)", leitbild)
        # The follow-up record dates the Leitbild to the year 2025 only.
        assert page.inner_text("#details-date") == "2025"
        assert page.get_attribute("#f-date", "placeholder") == "TT.MM.JJJJ"
        page.fill("#f-date", "20.01.2023")
        page.dispatch_event("#f-date", "change")
        assert parse_qs(urlparse(page.url).query)["date"] == ["2023-01-20"]
        page.fill("#f-date", "31.02.2023")
        page.dispatch_event("#f-date", "change")
        assert page.is_visible("#f-date-error")
        page.click("#lang-en")
        assert page.get_attribute("#f-date", "placeholder") == "YYYY-MM-DD"
        page.evaluate("id => window.zdg.select(id)", leitbild)
        assert page.inner_text("#details-date") == "2025"


def test_search_as_people_type(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        for query, expected in (("Lollgen", "Frank Löllgen"), ("loellgen", "Frank Löllgen"), ("weber anja", "Anja Weber"),
                                ("IGBCE nord", "IGBCE Nordrhein")):
            page.fill("#search", query)
            first = page.locator("#search-results li").first
            assert first.locator(".label").inner_text() == expected, query
            assert first.locator("small").inner_text() in ("Person", "Organisation")
        # By keyboard: arrow down, Enter selects.
        page.fill("#search", "weber anja")
        page.press("#search", "ArrowDown")
        page.press("#search", "Enter")
        assert page.inner_text("#details-title") == "Anja Weber"


def test_editorial_edges_are_dashed_and_say_so(browser, tmp_path):
    # A fixture edge with "editorial": true (the field the projection sets for edges that come
    # only from the project's editorial graph): dashed on the canvas, named in the details.
    import networkx as nx

    from graph.page import render

    g = nx.Graph()
    for n, ntype, label in (("urn:a", "theme", "Kreislaufwirtschaft"), ("urn:b", "theme", "Zirkuläre Wertschöpfung"),
                            ("urn:c", "organisation", "DGB NRW")):
        g.add_node(n, type=ntype, label=label, labels={"de": label, "en": label}, themes=[], levels=[], organisations=[], sources=[])
    g.add_edge("urn:a", "urn:b", type="maps-to", types=["maps-to"], editorial=True, source_node="urn:a")
    g.add_edge("urn:c", "urn:a", type="addresses-theme", types=["addresses-theme"], source_node="urn:c")
    out = tmp_path / "editorial.html"
    out.write_text(render.page_for_graph(g), encoding="utf-8")
    with opened(browser, out.as_uri(), 1280, 720) as page:
        dashes = page.evaluate("""() => Object.fromEntries(window.zdg.edges.get().map(e =>
            [e.from + '>' + e.to, !!window.zdg.network.body.edges[e.id].options.dashes]))""")
        assert dashes == {"urn:a>urn:b": True, "urn:c>urn:a": False}
        page.evaluate("id => window.zdg.select(id)", "urn:a")
        assert "redaktionelle Zuordnung" in page.inner_text("#details-relations")
        edge = page.evaluate("() => window.zdg.edges.get().find(e => e.from === 'urn:a').title")
        assert "redaktionelle Zuordnung" in edge


def test_phone_selection_stays_in_sight(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 390, 844, is_mobile=True, has_touch=True) as page:
        page.evaluate("id => window.zdg.select(id, true)", ANJA)
        sheet = page.locator("#details").bounding_box()
        net = page.locator("#network").bounding_box()
        at = page.evaluate("id => window.zdg.network.canvasToDOM(window.zdg.network.getPositions([id])[id])", ANJA)
        assert 0 <= at["x"] <= net["width"] and 0 <= at["y"] and net["y"] + at["y"] < sheet["y"]


def test_colour_by_community_and_size_by_metric(shared_api, browser):
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        colour = "id => window.zdg.nodes.get(id).color"
        by_type = page.evaluate(colour, ANJA)
        page.select_option("#f-color", "community")
        page.select_option("#f-size", "degree")
        assert page.is_visible("#legend-community")
        meta = page.evaluate("() => window.zdg.meta")
        same = [i for i, m in meta.items() if m["community"] == meta[ANJA]["community"] and i != ANJA]
        other = next(i for i, m in meta.items() if m["community"] != meta[ANJA]["community"])
        assert page.evaluate(colour, ANJA) == page.evaluate(colour, same[0]) != page.evaluate(colour, other)
        assert page.evaluate(colour, ANJA) != by_type or page.evaluate(colour, other) != page.evaluate(colour, same[0])
        letter = max(meta, key=lambda i: meta[i]["degree"])
        size = "id => window.zdg.nodes.get(id).size"
        assert page.evaluate(size, letter) > page.evaluate(size, ANJA)
        query = parse_qs(urlparse(page.url).query)
        assert query["color"] == ["community"] and query["size"] == ["degree"]


def test_big_network_draws_arrows_and_titles_where_seen(browser, tmp_path):
    # A network of 800 nodes (persons around organisations) fitted into 1280x720: its arrowheads
    # would be under 4 px, so none is drawn until one zooms in; edge tooltips are written when
    # the pointer reaches an edge (vis-network's hoverEdge), not for all edges at once.
    import networkx as nx

    from graph.page import render

    g = nx.Graph()
    for i in range(800):
        ntype = "organisation" if i % 8 == 0 else "person"
        label = f"{'Organisation' if ntype == 'organisation' else 'Person'} {i}"
        g.add_node(f"urn:n{i}", type=ntype, label=label, labels={"de": label, "en": label}, themes=[], levels=[],
                   organisations=[], sources=[])
    for i in range(800):
        if i % 8:
            g.add_edge(f"urn:n{i}", f"urn:n{i - i % 8}", type="holds-post", types=["holds-post"], source_node=f"urn:n{i}")
    out = tmp_path / "big.html"
    out.write_text(render.page_for_graph(g), encoding="utf-8")
    arrows = "() => Object.values(window.zdg.network.body.edges)[0].options.arrows.to.enabled"
    with opened(browser, out.as_uri(), 1280, 720) as page:
        scale = page.evaluate("window.zdg.network.getScale()")
        assert (15 * 0.45 + 3) * scale < 4 and page.evaluate(arrows) is False
        assert page.evaluate("() => window.zdg.edges.get().filter(e => e.title).length") == 0
        box = page.locator("#network canvas").bounding_box()
        # Zoomed in close to the arrows' threshold, then one turn of the wheel, as a user would.
        page.evaluate("() => window.zdg.network.moveTo({scale: 4 / (15 * 0.45 + 3), animation: false})")
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -200)
        page.wait_for_function(arrows)
        assert (15 * 0.45 + 3) * page.evaluate("window.zdg.network.getScale()") >= 4
        edge = page.evaluate("() => window.zdg.edges.get()[0]")
        page.evaluate("id => window.zdg.network.emit('hoverEdge', {edge: id})", edge["id"])
        title = page.evaluate("id => window.zdg.edges.get(id).title", edge["id"])
        assert title.startswith("Person ") and "→ Organisation" in title
        assert page.errors == []


def test_details_panel_keeps_the_names_legible(shared_api, browser):
    # Opening the details beside the fitted view keeps its zoom and its left part in place
    # (the names stay 13 px; the right part is a pan away); the selected person is named.
    with opened(browser, shared_api.url + "/graph", 1440, 900) as page:
        before = page.evaluate("""() => { const net = window.zdg.network;
            return {scale: net.getScale(), left: net.DOMtoCanvas({x: 0, y: 0}).x}; }""")
        page.evaluate("id => window.zdg.select(id, true)", ANJA)
        # (vis-network itself keeps either the zoom or the visible area on a resize: both at once
        # only after the page's own handling.)
        page.wait_for_function("""b => { const net = window.zdg.network;
            return Math.abs(net.DOMtoCanvas({x: 0, y: 0}).x - b.left) < 1 && Math.abs(net.getScale() - b.scale) < 1e-9; }""",
                               arg=before)
        labels = page.evaluate(DRAWN_LABELS)
        assert overlaps(labels) == [] and [l for l in labels if l["px"] < 10] == []
        assert ANJA in {l["id"] for l in labels}
        # Closed again: the whole view, fitted.
        page.click("#details-close")
        page.wait_for_function("() => document.getElementById('details').hidden")
        assert page.errors == []
