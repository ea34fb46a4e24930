"""The network after a write (issue 18): metrics from igraph equal networkx's, the incremental
layout keeps the positions of the nodes that did not change, and a write is answered at once
with the previous picture marked "updating" until the new one is there."""

from __future__ import annotations

import math

import httpx
import networkx as nx
import pytest

from graph import network
from graph.network import metrics, refresh
from graph.page import incremental, render
from graph.page.updating import TEXT
from tests.conftest import VALID_RECOMMENDATION, start_api

ID = "https://w3id.org/zukunftsdialog/id/"
TOKEN = "fast-token"


def random_graph(n: int, seed: int) -> nx.Graph:
    g = nx.gnm_random_graph(n, n * 3, seed=seed)
    g.add_nodes_from([n, n + 1])  # isolated nodes
    g.add_edge(n + 2, n + 3)      # a second component
    return nx.relabel_nodes(g, {i: f"urn:n{i:05d}" for i in g})


# --- metrics: the same results as networkx ---------------------------------------------------


@pytest.mark.parametrize("n", [60, 400, 1500])  # 1500: sampled pivots, as networkx samples them
def test_betweenness_equals_networkx(n):
    g = random_graph(n, seed=n)
    expected = nx.betweenness_centrality(g, k=metrics.pivots(g), seed=42, normalized=True)
    got = metrics.betweenness(g, 42)
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[v], expected[v], rel_tol=1e-9, abs_tol=1e-12) for v in g)


def test_metrics_on_the_shipped_graph_equal_networkx(built_store):
    g = network.project(built_store)
    reference = nx.Graph(g)
    k = metrics.pivots(reference)
    between = nx.betweenness_centrality(reference, k=k, seed=42, normalized=True)
    rank = nx.pagerank(reference, weight="weight")
    louvain = nx.community.louvain_communities(reference, weight="weight", seed=42)
    for v, d in g.nodes(data=True):
        assert d["betweenness"] == round(between[v], 6)
        assert d["pagerank"] == round(rank[v], 6)
        assert d["degree"] == reference.degree(v)
    # The same partition (numbered by size, then first member).
    assert sorted(sorted(c) for c in louvain) == sorted(
        sorted(v for v, d in g.nodes(data=True) if d["community"] == c) for c in {d["community"] for _, d in g.nodes(data=True)})


# --- the incremental layout ------------------------------------------------------------------


def test_incremental_layout_keeps_the_positions_of_unchanged_nodes():
    g = random_graph(300, seed=3)
    first = incremental.layout(g, ("test-view",), render._packed_layout)
    changed = g.copy()
    changed.add_edge("urn:new-a", "urn:n00007")
    changed.add_edge("urn:new-b", "urn:new-a")          # linked only to another new node
    changed.add_node("urn:new-alone")                    # linked to nothing
    changed.remove_node("urn:n00011")
    second = incremental.layout(changed, ("test-view",), render._packed_layout)
    assert set(second) == set(changed)
    for v in changed:
        if v in g:
            assert second[v] == first[v], v            # exactly where it was
    for new, neighbour in (("urn:new-a", "urn:n00007"), ("urn:new-b", "urn:new-a")):
        assert math.dist(second[new], second[neighbour]) <= 3 * incremental.SPACING + 1e-6
    assert second["urn:new-alone"][1] > max(y for v, (x, y) in first.items() if v in changed)
    # The same change gives the same picture.
    assert incremental.place(changed, first) == second


def test_incremental_layout_falls_back_to_the_full_one():
    g = random_graph(50, seed=5)
    other = nx.relabel_nodes(g, {v: v + "-other" for v in g})
    assert incremental.place(other, render._packed_layout(g)) is None


def test_a_new_page_after_a_write_keeps_the_old_positions(fresh_store):
    before = network.project(fresh_store)
    positions = render.layout(before, key=(before.graph["digest"], None, None))
    fresh_store.update(f"""
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        INSERT DATA {{ GRAPH <{ID}source/test-notes> {{
            <{ID}person/neu-test> a foaf:Person ; foaf:name "Neue Testperson" ;
                org:memberOf <{ID}organisation/dgb-nrw> . }} }}""")
    after = network.project(fresh_store)
    assert after.graph["digest"] != before.graph["digest"]
    moved = render.layout(after, key=(after.graph["digest"], None, None))
    assert all(moved[v] == positions[v] for v in before)
    assert math.dist(moved[ID + "person/neu-test"], moved[ID + "organisation/dgb-nrw"]) <= 3 * incremental.SPACING


# --- the previous picture while the new one is computed -------------------------------------


def test_refresh_serves_the_previous_value_marked_then_the_new(fresh_store):
    calls = []

    def compute():
        calls.append(len(fresh_store))
        return len(fresh_store)

    first, updating = refresh.current(fresh_store, "test-count", compute)
    assert (first, updating) == (len(fresh_store), False)
    assert refresh.current(fresh_store, "test-count", compute) == (first, False) and len(calls) == 1
    fresh_store.update(f'INSERT DATA {{ GRAPH <{ID}source/test-notes> {{ <urn:x> <urn:y> "z" }} }}')
    stale, updating = refresh.current(fresh_store, "test-count", compute)
    assert (stale, updating) == (first, True)
    assert refresh.wait_idle(60)
    assert refresh.current(fresh_store, "test-count", compute) == (first + 1, False)


def test_refresh_is_off_with_the_switch(fresh_store, monkeypatch):
    monkeypatch.setenv("ZDG_NETWORK_BACKGROUND", "0")
    assert refresh.current(fresh_store, "test-off", lambda: len(fresh_store)) == (len(fresh_store), False)
    fresh_store.update(f'INSERT DATA {{ GRAPH <{ID}source/test-notes> {{ <urn:x> <urn:y> "off" }} }}')
    assert refresh.current(fresh_store, "test-off", lambda: len(fresh_store)) == (len(fresh_store), False)


def test_after_a_write_the_page_and_the_api_say_updating_then_show_the_write(tmp_path):
    server = start_api(str(tmp_path / "store"), tmp_path, {"ZDG_TOKEN": TOKEN})
    try:
        url = server.url
        page = httpx.get(url + "/graph", timeout=60)
        api = httpx.get(url + "/api/network", timeout=60).json()
        assert page.status_code == 200 and TEXT["de"] not in page.text
        assert "updating" not in api["graph"]
        r = httpx.post(url + "/api/recommendations", json=VALID_RECOMMENDATION,
                       headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 201, r.text
        person = r.json()["id"]  # the new recommendation: a new node
        # At once: the previous picture, marked (unless the new one was already done).
        stale = httpx.get(url + "/api/network", timeout=60).json()
        if stale["graph"].get("updating"):
            assert person not in {n["id"] for n in stale["nodes"]}
        marked = httpx.get(url + "/graph", timeout=60)
        assert marked.status_code == 200
        if TEXT["de"] in marked.text:
            assert 'http-equiv="refresh"' in marked.text and person not in marked.text
        # Then the new one, unmarked.
        for _ in range(120):
            fresh = httpx.get(url + "/api/network", timeout=60).json()
            page = httpx.get(url + "/graph", timeout=60)
            if not fresh["graph"].get("updating") and TEXT["de"] not in page.text:
                break
            import time

            time.sleep(0.5)
        assert person in {n["id"] for n in fresh["nodes"]}
        assert person in page.text and 'http-equiv="refresh"' not in page.text
    finally:
        server.stop()
