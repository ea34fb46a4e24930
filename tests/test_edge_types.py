"""The network's edge types come from one list: every edge predicate is fetched by network.rq
(filled in from ``_EDGE_PREDICATES``), and every edge type the projection draws has its wording
in ``EDGE_TYPES`` in German and English (a new type cannot appear unnamed on the page)."""

from __future__ import annotations

from graph import network, sparql


def test_the_query_fetches_every_edge_predicate() -> None:
    query = network._query()
    assert "$edge_predicates" in sparql.text("network.rq")
    assert all(f"<{p}>" in query for p in network._EDGE_PREDICATES)


def test_every_edge_type_drawn_has_its_wording(built_store) -> None:
    drawn = set()
    for view in network.VIEWS:
        g = network.project(built_store, view=view)
        for *_, d in g.edges(data=True):
            drawn |= {d["type"], *d.get("types", [])}
    named = set(network.EDGE_TYPES)
    assert drawn <= named, drawn - named
    assert {etype for etype, _ in network._EDGE_PREDICATES.values()} <= named
    assert all(words.get("de") and words.get("en") for words in network.EDGE_TYPES.values())
