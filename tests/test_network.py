"""The network projections (graph.network), the page renderer (graph.page.render) and their HTTP
routes (/api/network, .graphml, .gexf, /graph). Expected facts come from the source texts."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import networkx as nx
import pytest

from graph import network
from graph.page import gephi, render
from tests.conftest import FOLLOWUP
from tests.sources import key_themes, meeting_dates, signatory_names

ROOT = Path(__file__).resolve().parents[1]

ID = "https://w3id.org/zukunftsdialog/id/"


def http_get(url: str, **kwargs) -> httpx.Response:
    """A GET with a generous timeout: the first page of a changed graph is computed then."""
    return httpx.get(url, timeout=120, **kwargs)
ANJA = ID + "person/anja-weber"


# --- expectations read from the sources ----------------------------------------------------


def test_source_expectations_are_what_the_letter_says():
    assert len(signatory_names()) == 15
    assert "Anja Weber" in signatory_names()
    assert len(key_themes()) == 7 and "Kreislaufwirtschaft" in key_themes()


# --- the full projection ------------------------------------------------------------------


def labels_of(g: nx.Graph, ntype: str) -> set[str]:
    return {d["label"] for _, d in g.nodes(data=True) if d["type"] == ntype}


def test_full_network_holds_the_signatories_and_key_themes(built_store):
    g = network.project(built_store, view="full")
    assert set(signatory_names()) <= labels_of(g, "person")
    themes = {t.casefold() for t in labels_of(g, "theme")}
    assert {t.casefold() for t in key_themes()} <= themes
    levels = labels_of(g, "level")
    assert {"Land", "Bund", "EU"} <= levels  # "auf Landes-, Bundes-, und EU-Ebene"


def test_every_signatory_signed_the_letter_and_holds_a_post(built_store):
    g = network.project(built_store, view="full")
    letter = ID + "document/letter-of-intent-2023-01-20"
    persons = {d["label"]: n for n, d in g.nodes(data=True) if d["type"] == "person"}
    for name in signatory_names():
        node = persons[name]
        assert "signed" in g.edges[node, letter]["types"], name
        orgs = [m for m in g.neighbors(node) if "holds-post" in g.edges[node, m]["types"]]
        assert len(orgs) == 1, name
        assert g.nodes[orgs[0]]["type"] == "organisation"


def test_anja_weber_chairs_dgb_nrw_with_the_quote_as_source(built_store, letter_text):
    g = network.project(built_store, view="full")
    anja = g.nodes[ANJA]
    (post,) = anja["posts"]
    assert post["organisation"]["label"] == "DGB NRW"
    assert post["label"].startswith("Vorsitzende")
    assert "Anja Weber Vorsitzende des DGB NRW" in letter_text
    assert any(s["quote"] == "Anja Weber Vorsitzende des DGB NRW" for s in anja["sources"])
    assert all(s["quote"] in letter_text for s in anja["sources"] if s.get("document", {}).get("id", "").endswith("letter-of-intent-2023-01-20"))
    assert anja["href"] == "/id/person/anja-weber"


def test_regional_branches_are_units_of_their_federal_bodies(built_store):
    g = network.project(built_store, view="full")
    # "DGB-Bezirk Nordrhein-Westfalen, regional district of the Deutscher Gewerkschaftsbund"
    assert "unit-of" in g.edges[ID + "organisation/dgb-nrw", ID + "organisation/dgb"]["types"]


def test_every_node_has_type_labels_and_metrics(built_store):
    g = network.project(built_store, view="full", lang="en")
    for _, d in g.nodes(data=True):
        assert d["type"] in network.NODE_TYPES
        assert set(d["labels"]) == {"de", "en"}
        assert isinstance(d["degree"], int) and isinstance(d["community"], int)
        assert 0 <= d["betweenness"] <= 1 and 0 < d["pagerank"] < 1
    assert g.nodes[ID + "theme/kreislaufwirtschaft"]["label"] == "Circular economy"
    assert sum(d["pagerank"] for _, d in g.nodes(data=True)) == pytest.approx(1, abs=1e-3)
    # The letter links every signatory: it is the most central document.
    letter = ID + "document/letter-of-intent-2023-01-20"
    assert g.nodes[letter]["betweenness"] == max(d["betweenness"] for n, d in g.nodes(data=True) if d["type"] == "document")


def test_metrics_are_stable_across_rebuilds(built_store):
    a = network.node_link(network.project(built_store, view="organisations"))
    network._cache.clear()
    b = network.node_link(network.project(built_store, view="organisations"))
    assert a == b


# --- views, ego networks, time --------------------------------------------------------------


def test_actor_theme_view_is_bipartite(built_store):
    g = network.project(built_store, view="actor-theme")
    assert nx.is_bipartite(g)
    for a, b in g.edges():
        kinds = {g.nodes[a]["type"], g.nodes[b]["type"]}
        assert "theme" in kinds and kinds & {"organisation", "person", "collaboration"}
    # Anja Weber signed a letter listing Kreislaufwirtschaft.
    assert g.has_edge(ANJA, ID + "theme/kreislaufwirtschaft")


def test_organisations_view_links_co_signatories(built_store):
    g = network.project(built_store, view="organisations")
    assert {d["type"] for _, d in g.nodes(data=True)} == {"organisation"}
    assert g.has_edge(ID + "organisation/dgb-nrw", ID + "organisation/ihk-nrw")  # both signed the letter
    assert g.edges[ID + "organisation/dgb-nrw", ID + "organisation/ihk-nrw"]["weight"] >= 1


def test_themes_view_links_co_occurring_themes(built_store):
    g = network.project(built_store, view="themes")
    assert {d["type"] for _, d in g.nodes(data=True)} == {"theme"}
    assert g.has_edge(ID + "theme/kreislaufwirtschaft", ID + "theme/investitionsklima")  # same sentence of the letter


def test_ego_network(built_store):
    g = network.project(built_store, focus=ANJA, depth=1)
    assert ANJA in g and ID + "organisation/dgb-nrw" in g
    assert ID + "organisation/ihk-nrw" not in g  # two hops away
    assert set(network.project(built_store, focus=ANJA, depth=0).nodes) == {ANJA}
    assert ID + "organisation/ihk-nrw" in network.project(built_store, focus=ANJA, depth=2)


@pytest.mark.parametrize("kwargs, error", [
    ({"view": "everything"}, ValueError),
    ({"depth": 7, "focus": ANJA}, ValueError),
    ({"depth": -1, "focus": ANJA}, ValueError),
    ({"lang": "fr"}, ValueError),
    ({"as_of": "2023-02-30"}, ValueError),
    ({"as_of": "gestern"}, ValueError),
    ({"focus": ID + "person/nobody"}, LookupError),
    ({"focus": ANJA, "view": "themes"}, LookupError),
])
def test_bad_arguments_are_refused(built_store, kwargs, error):
    with pytest.raises(error):
        network.project(built_store, **kwargs)


def test_as_of_leaves_out_what_came_later(built_store):
    dates = meeting_dates()
    assert dates["M4"] == "2024-03-07" and dates["M1"] == "2023-01-20"
    full = network.project(built_store)
    event_dates = {d["date"] for _, d in full.nodes(data=True) if d["type"] == "event"}
    assert {dates["M1"], dates["M4"], dates["M6"]} <= event_dates
    g = network.project(built_store, as_of="2023-06-01")
    later = [d["label"] for _, d in g.nodes(data=True) if (d.get("start") or "") > "2023-06-01"]
    assert later == []
    assert dates["M1"] in {d["date"] for _, d in g.nodes(data=True) if d["type"] == "event"}
    assert set(signatory_names()) <= labels_of(g, "person")
    # Oliver Krischer is named only at the 4th meeting ("with environment minister Oliver Krischer").
    assert "Oliver Krischer" in labels_of(full, "person")
    assert "Oliver Krischer" not in labels_of(g, "person")
    assert "Oliver Krischer" in labels_of(network.project(built_store, as_of="2024-03-07"), "person")


def test_as_of_before_the_letter_has_no_letter(built_store):
    g = network.project(built_store, as_of="2022-12-31")
    assert ID + "document/letter-of-intent-2023-01-20" not in g
    assert all(not d.get("start") or d["start"] <= "2022-12-31" for _, d in g.nodes(data=True))


# --- caching ----------------------------------------------------------------------------------


def test_an_unchanged_store_reuses_the_projection(built_store):
    assert network.project(built_store, view="full") is network.project(built_store, view="full")


def test_a_write_that_keeps_the_quad_count_is_seen(fresh_store):
    before = network.project(fresh_store)
    quads = len(fresh_store)
    fresh_store.update("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        DELETE { GRAPH ?g { ?t skos:prefLabel "Kreislaufwirtschaft"@de } }
        INSERT { GRAPH ?g { ?t skos:prefLabel "Zirkuläre Wirtschaft"@de } }
        WHERE { GRAPH ?g { ?t skos:prefLabel "Kreislaufwirtschaft"@de } }""")
    assert len(fresh_store) == quads
    after = network.project(fresh_store)
    assert after is not before
    assert after.nodes[ID + "theme/kreislaufwirtschaft"]["label"] == "Zirkuläre Wirtschaft"


# --- serialisations ---------------------------------------------------------------------------


def test_node_link_json_shape(built_store):
    data = network.node_link(network.project(built_store, view="actor-theme"))
    ids = {n["id"] for n in data["nodes"]}
    assert data["links"] and all(link["source"] in ids and link["target"] in ids for link in data["links"])
    assert all({"id", "type", "label", "degree", "betweenness", "pagerank", "community"} <= set(n) for n in data["nodes"])


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_round_trip(built_store, fmt, reader):
    """Every node and edge comes back with its attributes (lists and dicts as JSON text)."""
    g = network.project(built_store)
    back = reader(io.BytesIO(gephi.dump(g, fmt)))
    assert set(back.nodes) == set(g.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in g.edges}
    anja = back.nodes[ANJA]
    assert anja["type"] == "person" and anja["label"] == "Anja Weber"  # the letter's signatory
    dgb = ID + "organisation/dgb-nrw"  # she signed as chair of the DGB NRW
    edge = back.edges[ANJA, dgb] if back.has_edge(ANJA, dgb) else back.edges[dgb, ANJA]
    assert "holds-post" in json.loads(edge["types"])
    if fmt == "graphml":  # GraphML keeps every attribute of the projection
        for n, d in g.nodes(data=True):
            assert {k for k, v in d.items() if v is not None} <= set(back.nodes[n]), n


def test_zdg_export_writes_the_network_of_the_api(built_store):
    """``zdg export --format graphml`` and ``/api/network.graphml`` share one writer
    (:mod:`graph.page.gephi`): same nodes, edges and attributes (the CLI's own writer used to
    drop the edges' ``types``)."""
    done = subprocess.run([sys.executable, "-m", "api.cli", "export", "--format", "graphml", "--store", "memory"],
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    cli = nx.read_graphml(io.BytesIO(done.stdout))
    api = nx.read_graphml(io.BytesIO(gephi.dump(network.project(built_store), "graphml")))
    assert ANJA in cli and all("types" in d for *_, d in cli.edges(data=True))
    assert dict(cli.nodes(data=True)) == dict(api.nodes(data=True))
    assert dict(((a, b), d) for a, b, d in cli.edges(data=True)) == dict(((a, b), d) for a, b, d in api.edges(data=True))


# --- the page -------------------------------------------------------------------------------

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_standalone_page_is_self_contained(built_store):
    page = render.standalone_page(built_store)
    assert not EXTERNAL.search(page)
    assert "<script src" not in page and "<link rel=\"stylesheet\"" not in page
    assert "vis.Network" in page  # vis-network inlined from the pyvis package
    assert page.count('<script type="application/json" id="zdg-data">') == 1


def test_standalone_page_for_an_unknown_focus_raises_lookup_error(built_store):
    with pytest.raises(LookupError):
        render.standalone_page(built_store, focus=ID + "person/nobody")


def test_json_for_html_cannot_close_the_script_element():
    text = render.json_for_html({"label": "</script><img src=x onerror=alert(1)>&amp;"})
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text)["label"] == "</script><img src=x onerror=alert(1)>&amp;"


def test_a_script_label_stays_data(fresh_store):
    payload = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    fresh_store.update(f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <urn:test> {{ <{ID}organisation/dgb-nrw> skos:altLabel "{payload}"@de }} }}""")
    page = render.standalone_page(fresh_store)
    assert payload not in page
    assert "onerror=alert(1)" in page  # present, but only inside escaped JSON
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page


def test_page_for_a_synthetic_graph():
    g = nx.path_graph(5)
    g = nx.relabel_nodes(g, {i: f"urn:n{i}" for i in g})
    for v in g:
        g.nodes[v].update(type="organisation", label=v, labels={"de": v, "en": v})
    page = render.page_for_graph(g)
    assert "urn:n4" in page


# --- HTTP -----------------------------------------------------------------------------------


def test_api_network(shared_api):
    r = http_get(shared_api.url + "/api/network", params={"view": "organisations", "lang": "en"})
    assert r.status_code == 200
    body = r.json()
    assert {n["type"] for n in body["nodes"]} == {"organisation"}
    assert any(n["label"] == "DGB NRW" for n in body["nodes"])
    etag = r.headers["etag"]
    again = http_get(shared_api.url + "/api/network", params={"view": "organisations", "lang": "en"},
                      headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_api_network_ego_and_time(shared_api):
    r = http_get(shared_api.url + "/api/network", params={"focus": ANJA, "depth": 1, "as_of": "2023-06-01"})
    assert r.status_code == 200
    ids = {n["id"] for n in r.json()["nodes"]}
    assert ANJA in ids and ID + "organisation/dgb-nrw" in ids


@pytest.mark.parametrize("params, status", [
    ({"view": "bogus"}, 422),
    ({"depth": 99, "focus": ANJA}, 422),
    ({"depth": "zwei", "focus": ANJA}, 422),
    ({"lang": "fr"}, 422),
    ({"as_of": "2023-13-45"}, 400),
    ({"as_of": "<script>"}, 422),
    ({"focus": ID + "person/nobody"}, 404),
    ({"focus": "not an iri \x00"}, 404),
])
def test_api_network_bad_parameters(shared_api, params, status):
    r = http_get(shared_api.url + "/api/network", params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"]


@pytest.mark.parametrize("fmt, media, reader", [
    ("graphml", "application/graphml+xml", nx.read_graphml),
    ("gexf", "application/gexf+xml", nx.read_gexf),
])
def test_api_network_for_gephi(shared_api, fmt, media, reader):
    r = http_get(shared_api.url + f"/api/network.{fmt}", params={"view": "actor-theme"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    g = reader(io.BytesIO(r.content))
    assert ANJA in g and g.number_of_edges() > 0


def test_graph_page_headers_and_assets(shared_api):
    r = http_get(shared_api.url + "/graph", params={"lang": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert not EXTERNAL.search(r.text)
    for asset in re.findall(r'(?:src|href)="(/graph/assets/[^"]+)"', r.text):
        a = http_get(shared_api.url + asset)
        assert a.status_code == 200 and len(a.content) > 100, asset
    assert http_get(shared_api.url + "/graph/assets/..%2F..%2Fpyproject.toml").status_code == 404
    assert http_get(shared_api.url + "/graph/assets/nothing.js").status_code == 404


@pytest.mark.parametrize("params, status", [
    ({"focus": ID + "person/nobody"}, 404),
    ({"depth": 9, "focus": ANJA}, 422),
    ({"lang": "xx"}, 422),
])
def test_graph_page_bad_parameters(shared_api, params, status):
    r = http_get(shared_api.url + "/graph", params=params)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")


def test_zdg_viz_writes_an_offline_file(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "page.html"
    done = subprocess.run([sys.executable, "-m", "graph.cli", "viz", "-o", str(out), "--store", "memory", "--lang", "en"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not EXTERNAL.search(out.read_text(encoding="utf-8"))
    bad = subprocess.run([sys.executable, "-m", "graph.cli", "viz", "-o", str(tmp_path / "x.html"), "--store", "memory",
                          "--focus", ID + "person/nobody"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "nobody" in bad.stderr
    assert not (tmp_path / "x.html").exists()


def test_as_of_follows_the_igbce_merger(built_store):
    # "IGBCE Nordrhein | ... merged with Landesbezirk Westfalen into Landesbezirk NRW from 2026-01-01"
    line = next(l for l in FOLLOWUP.read_text(encoding="utf-8").splitlines() if l.startswith("| IGBCE Nordrhein"))
    merger = re.search(r"into Landesbezirk NRW from (\d{4}-\d{2}-\d{2})", line).group(1)
    before = network.project(built_store, as_of="2025-12-31")
    after = network.project(built_store, as_of=merger)
    assert "IGBCE Nordrhein" in labels_of(before, "organisation")
    assert "IGBCE Nordrhein" not in labels_of(after, "organisation")
    assert not any("Landesbezirk NRW" in d["labels"]["de"] for _, d in before.nodes(data=True) if d["type"] == "organisation")
    assert any("Landesbezirk NRW" in d["labels"]["de"] for _, d in after.nodes(data=True) if d["type"] == "organisation")


def test_gephi_files_carry_positions_colours_sizes_and_direction(built_store):
    # What the page draws, for Gephi: GEXF viz: elements, GraphML x/y/size/r/g/b, directed edges.
    import xml.etree.ElementTree as ET

    from graph.export import dump_network

    gexf = ET.fromstring(dump_network(built_store, "gexf"))
    ns = {"g": gexf.tag.split("}")[0].strip("{"), "viz": "http://www.gexf.net/1.2draft/viz"}
    graph_el = gexf.find("g:graph", ns)
    assert graph_el.get("defaultedgetype") == "directed"
    node = next(n for n in graph_el.iter(f"{{{ns['g']}}}node") if n.get("id") == ANJA)
    viz = {child.tag.split("}")[1]: child.attrib for child in node if "viz" in child.tag}
    assert {"position", "color", "size"} <= set(viz)
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == ("255", "127", "14")  # persons: orange
    edge = next(e for e in graph_el.iter(f"{{{ns['g']}}}edge") if e.get("source") == ANJA and e.get("target") == ID + "organisation/dgb-nrw")
    assert edge is not None
    graphml = ET.fromstring(dump_network(built_store, "graphml", view="organisations"))
    gm = {"g": graphml.tag.split("}")[0].strip("{")}
    keys = {k.get("attr.name") for k in graphml.findall("g:key", gm)}
    assert {"x", "y", "size", "r", "g", "b", "label"} <= keys
    assert graphml.find("g:graph", gm).get("edgedefault") == "directed"


def test_cli_export_of_a_view(tmp_path):
    out = tmp_path / "orgs.gexf"
    done = subprocess.run([sys.executable, "-m", "graph.cli", "export", "-f", "gexf", "--view", "organisations", "-o", str(out),
                           "--store", "memory"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert b"viz:position" in out.read_bytes() or b"<viz:position" in out.read_bytes() or b"position" in out.read_bytes()
    bad = subprocess.run([sys.executable, "-m", "graph.cli", "export", "-f", "gexf", "--view", "nonsense", "--store", "memory"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert bad.returncode == 2 and "unknown view" in bad.stderr


def test_a_year_counts_as_the_whole_year(built_store):
    # The follow-up record dates the Leitbild 2025 to the year only: it shows as 2025 (precision
    # "year", not 1 January), and an end given as a year lasts until that year is over.
    g = network.project(built_store)
    leitbild = next(n for n, d in g.nodes(data=True) if d["type"] == "document" and "2025" in d["label"])
    assert g.nodes[leitbild]["date_precision"] == "year"
    assert network._after("2025") == "2026-01-01" and network._after("2025-07") == "2025-08-01"
    assert network._after("2025-12") == "2026-01-01" and network._after("2025-07-13") == "2025-07-13"
    on_new_years_eve = network.project(built_store, as_of="2025-12-31")
    assert leitbild in on_new_years_eve
