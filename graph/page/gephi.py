"""The network as the page draws it, for Gephi and other tools: GraphML and GEXF with each
node's position (the page's layout), colour, shape and size (GEXF ``viz:``; GraphML ``x``,
``y``, ``size``, ``r``, ``g``, ``b``), and edges directed as the relation reads ("Anja Weber
unterzeichnete Letter of Intent"), with the relation's wording. List and dict attributes
travel as JSON strings (neither format has lists)."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from graph import network
from graph.page import render


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _scalar(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict, tuple)) else value


def drawn(g: nx.Graph, lang: str = "de") -> nx.DiGraph:
    """A directed copy of ``g`` with the page's positions, colours and sizes on every node."""
    positions = render.layout(g)
    top = max((d.get("pagerank", 0) for _, d in g.nodes(data=True)), default=0)
    small = render.structured(g)
    out = nx.DiGraph()
    out.graph.update({k: v for k, v in g.graph.items() if isinstance(v, (str, int, float))})
    for n, d in g.nodes(data=True):
        style = render.STYLE.get(d.get("type"), {"color": "#999999", "shape": "dot"})
        x, y = positions.get(n, (0.0, 0.0))
        size = render._size(d.get("pagerank", 0), top, small)
        r, gr, b = _rgb(style["color"])
        attrs = {k: _scalar(v) for k, v in d.items() if v is not None}
        # y grows downwards on the page and upwards in Gephi.
        attrs.update({"x": float(x), "y": float(-y), "size": float(size), "r": r, "g": gr, "b": b,
                      "color": style["color"], "shape": style["shape"]})
        out.add_node(n, **attrs)
    for a, b, d in g.edges(data=True):
        src = d.get("source_node", a)
        dst = b if src == a else a
        wording = network.EDGE_TYPES.get(d.get("type"), {}).get(lang, d.get("type"))
        attrs = {k: _scalar(v) for k, v in d.items() if v is not None and k != "source_node"}
        out.add_edge(src, dst, **attrs, label=wording)
    return out


def dump(g: nx.Graph, fmt: str, lang: str = "de") -> bytes:
    """GraphML or GEXF of the drawn network (ValueError for another format)."""
    d = drawn(g, lang)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(d)).encode("utf-8")
    if fmt == "gexf":
        for n, attrs in d.nodes(data=True):
            # networkx writes these as GEXF's viz:position / viz:color / viz:size.
            attrs["viz"] = {"position": {"x": attrs["x"], "y": attrs["y"], "z": 0.0},
                            "color": {"r": attrs["r"], "g": attrs["g"], "b": attrs["b"], "a": 1.0},
                            "size": attrs["size"]}
        return "\n".join(nx.generate_gexf(d)).encode("utf-8")
    raise ValueError(f"unknown network format {fmt!r}; known: graphml, gexf")
