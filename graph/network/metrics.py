"""Per-node metrics of a projection: degree, betweenness, PageRank, Louvain community.

Betweenness (the costliest after Louvain: O(n·m)) is computed by igraph (C) when it is
installed, with the result of ``networkx.betweenness_centrality`` (tests/test_network_fast.py
compares them): from the same source nodes that networkx samples with the same seed (all
nodes up to 1,000) and with networkx's scaling; 50-100x faster. PageRank stays networkx's. Communities stay with networkx's seeded Louvain, which no other engine reproduces node
for node; it is the slowest step left (see graph.network.refresh for how a write avoids waiting
for it).
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx

try:  # an optional speed-up: the results are the same without it
    import igraph as ig
except ImportError:  # pragma: no cover - igraph is a dependency; networkx stands in
    ig = None


def pivots(g: nx.Graph) -> int | None:
    """How many source nodes betweenness uses: all up to 1,000 nodes, else a seeded sample
    (fewer for bigger graphs, about 2·10⁵ node visits in all), close enough for ranking."""
    n = g.number_of_nodes()
    return None if n <= 1000 else max(32, min(200, 200_000 // n))


def _sources(g: nx.Graph, k: int | None, seed: int) -> list[Any] | None:
    # networkx's py_random_state turns an int seed into random.Random(seed) and samples so.
    return None if k is None else random.Random(seed).sample(list(g.nodes()), k)


def betweenness(g: nx.Graph, seed: int) -> dict[Any, float]:
    """``networkx.betweenness_centrality(g, k=pivots(g), seed=seed, normalized=True)``."""
    k = pivots(g)
    if ig is None or g.number_of_nodes() < 3:
        return nx.betweenness_centrality(g, k=k, seed=seed, normalized=True)
    nodes = list(g.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    h = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in g.edges()], directed=False)
    sampled = _sources(g, k, seed)
    raw = h.betweenness(directed=False, sources=None if sampled is None else [index[s] for s in sampled])
    # igraph counts each unordered pair once, networkx each ordered pair: hence the 2. Then
    # networkx's normalisation (networkx.algorithms.centrality.betweenness._rescale, with
    # endpoints excluded): by the pairs that could pass through a node, and for a sample by
    # whether the node was itself a source.
    n = len(nodes)
    if sampled is None:
        return {v: 2 * raw[i] / ((n - 1) * (n - 2)) for v, i in index.items()}
    chosen = set(sampled)
    source_scale = 1 / ((k - 1) * (n - 2)) if k > 1 else float("nan")
    other_scale = 1 / (k * (n - 2))
    return {v: 2 * raw[i] * (source_scale if v in chosen else other_scale) for v, i in index.items()}


def pagerank(g: nx.Graph) -> dict[Any, float]:
    """``networkx.pagerank(g, weight="weight")``, kept as it is: igraph solves PageRank exactly
    while networkx stops at a tolerance, so the rounded values would differ by 1e-6 here and
    there; networkx's (scipy) is fast enough (a tenth of the metrics' time)."""
    try:
        return nx.pagerank(g, weight="weight")
    except nx.PowerIterationFailedConvergence:  # pragma: no cover - pathological graphs only
        return {v: 1 / g.number_of_nodes() for v in g}


def communities(g: nx.Graph, seed: int) -> dict[Any, int]:
    """Seeded Louvain communities, numbered by size (largest first), then by their first member."""
    found = nx.community.louvain_communities(g, weight="weight", seed=seed) if g.number_of_edges() else [{v} for v in g]
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {v: i for i, c in enumerate(ordered) for v in c}


def add_metrics(g: nx.Graph, seed: int = 42) -> None:
    """Per-node ``degree``, ``betweenness``, ``pagerank`` and ``community`` (seeded: stable)."""
    if g.number_of_nodes() == 0:
        return
    degree = dict(g.degree())
    between = betweenness(g, seed)
    rank = pagerank(g)
    community = communities(g, seed)
    for v, data in g.nodes(data=True):
        data["degree"] = degree[v]
        data["betweenness"] = round(between[v], 6)
        data["pagerank"] = round(rank[v], 6)
        data["community"] = community[v]
