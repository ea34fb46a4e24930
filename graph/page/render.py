"""The interactive network page for staff (vis-network through pyvis, all assets our own).

pyvis builds the vis-network node/edge records and options from the networkx projection
(``graph.network``); our own Jinja template (``templates/graph.html``) replaces pyvis's
default page, which loads vis-network and Bootstrap from CDNs. vis-network itself comes from
the pyvis package (``pyvis/lib/vis-9.1.2``). The layout is computed here with networkx
(seeded, so it is the same on every reload) and physics is off by default, so the page is
usable as soon as it is drawn.

Two forms: :func:`served_page` references the assets under ``/graph/assets/`` (so a strict
Content-Security-Policy holds), :func:`standalone_page` inlines them into one offline file.
Graph data travels as JSON in a ``<script type="application/json">`` element with ``<``, ``>``
and ``&`` escaped, and the page script only ever writes it with ``textContent``.
"""

from __future__ import annotations

import json
import math
import threading
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from graph import network
from graph.labels import sort_key
from graph.network import refresh
from graph.page import incremental
from graph.page.layout import TIER_PX, applies as structured, structured_layout, tiers
from graph.page.updating import updating_page

TEMPLATES = Path(__file__).with_name("templates")
VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"

#: Asset name -> (file, media type) served under /graph/assets/.
ASSETS: dict[str, tuple[Path, str]] = {
    "vis-network.min.js": (VIS_DIR / "vis-network.min.js", "text/javascript; charset=utf-8"),
    "vis-network.css": (VIS_DIR / "vis-network.css", "text/css; charset=utf-8"),
    "graph.js": (TEMPLATES / "graph.js", "text/javascript; charset=utf-8"),
    "graph.css": (TEMPLATES / "graph.css", "text/css; charset=utf-8"),
}

#: Colour and shape per node type (legend and canvas): no two types share both.
STYLE: dict[str, dict[str, str]] = {
    "organisation": {"color": "#1f77b4", "shape": "dot"},
    "person": {"color": "#ff7f0e", "shape": "diamond"},
    "collaboration": {"color": "#6a3d9a", "shape": "star"},
    "theme": {"color": "#2ca02c", "shape": "square"},
    "aim": {"color": "#98df8a", "shape": "dot"},
    "level": {"color": "#d62728", "shape": "triangle"},
    "recommendation": {"color": "#e377c2", "shape": "triangleDown"},
    "document": {"color": "#8c564b", "shape": "hexagon"},
    "event": {"color": "#17becf", "shape": "star"},
    "statement": {"color": "#bcbd22", "shape": "dot"},
    "commitment": {"color": "#7f7f7f", "shape": "triangleDown"},
    "goal": {"color": "#9467bd", "shape": "diamond"},
}
_DEFAULT_STYLE = {"color": "#999999", "shape": "dot"}

#: Interface texts, German first.
UI: dict[str, dict[str, str]] = {
    "title": {"de": "Zukunftsdialog Industrie – Netzwerk", "en": "Zukunftsdialog Industrie – network"},
    "search": {"de": "Suche nach Name, Thema …", "en": "Search name, theme …"},
    "search_label": {"de": "Suche", "en": "Search"},
    "legend": {"de": "Knotentypen (ein-/ausblenden)", "en": "Node types (show/hide)"},
    "filters": {"de": "Filter", "en": "Filters"},
    "view": {"de": "Ansicht", "en": "View"},
    "view_full": {"de": "Gesamtnetz", "en": "Whole network"},
    "view_organisations": {"de": "Organisationen", "en": "Organisations"},
    "view_actor-theme": {"de": "Akteure und Themen", "en": "Actors and themes"},
    "view_themes": {"de": "Themen", "en": "Themes"},
    "theme": {"de": "Thema", "en": "Theme"},
    "level": {"de": "Politikebene", "en": "Policy level"},
    "org_type": {"de": "Organisationstyp", "en": "Organisation type"},
    "as_of": {"de": "Stand am (TT.MM.JJJJ)", "en": "As of (YYYY-MM-DD)"},
    "date_placeholder": {"de": "TT.MM.JJJJ", "en": "YYYY-MM-DD"},
    "bad_date": {"de": "Bitte ein Datum als TT.MM.JJJJ eingeben.", "en": "Please enter a date as YYYY-MM-DD."},
    "timeline": {"de": "Zeitleiste", "en": "Timeline"},
    "all": {"de": "alle", "en": "all"},
    "signatories": {"de": "Nur Unterzeichnende", "en": "Signatories only"},
    "color_by": {"de": "Farbe nach", "en": "Colour by"},
    "color_type": {"de": "Knotentyp", "en": "node type"},
    "color_community": {"de": "Gemeinschaft (Louvain)", "en": "community (Louvain)"},
    "size_by": {"de": "Größe nach", "en": "Size by"},
    "legend_community": {"de": "Farben im Netz: Gemeinschaften (Louvain); die Form zeigt den Typ.",
                         "en": "Colours in the network: communities (Louvain); the shape shows the type."},
    "png": {"de": "Bild (PNG)", "en": "Image (PNG)"},
    "csv": {"de": "Tabelle (CSV)", "en": "Table (CSV)"},
    "list": {"de": "Liste", "en": "List"},
    "list_title": {"de": "Sichtbare Knoten als Liste", "en": "Visible nodes as a list"},
    "network_view": {"de": "Netz", "en": "Network"},
    "reset": {"de": "Alles zeigen", "en": "Show all"},
    "menu": {"de": "Filter", "en": "Filters"},
    "details": {"de": "Details", "en": "Details"},
    "hint": {"de": "Knoten anklicken für Details · Mausrad oder zwei Finger: zoomen · mehr Namen beim Hineinzoomen.",
             "en": "Click a node for details · wheel or two fingers: zoom · more names as you zoom in."},
    "hint_touch": {"de": "Tippen: Details · zwei Finger: zoomen, mehr Namen", "en": "Tap: details · two fingers: zoom, more names"},
    "type": {"de": "Typ", "en": "Type"},
    "name": {"de": "Name", "en": "Name"},
    "labels": {"de": "Bezeichnungen", "en": "Labels"},
    "alt_labels": {"de": "Kurznamen", "en": "Short names"},
    "posts": {"de": "Funktion", "en": "Post"},
    "person": {"de": "Person", "en": "Person"},
    "role": {"de": "Funktion", "en": "Role"},
    "organisation": {"de": "Organisation", "en": "Organisation"},
    "signed_by": {"de": "Unterzeichnet von", "en": "Signed by"},
    "themes": {"de": "Themen", "en": "Themes"},
    "levels": {"de": "Politikebenen", "en": "Policy levels"},
    "date": {"de": "Datum", "en": "Date"},
    "text": {"de": "Text", "en": "Text"},
    "status": {"de": "Status", "en": "Status"},
    "sources": {"de": "Quellen", "en": "Sources"},
    "id_page": {"de": "Ressourcenseite (neuer Tab)", "en": "Resource page (new tab)"},
    "history": {"de": "Verlauf", "en": "History"},
    "excerpt": {"de": "Fundstelle", "en": "Passage"},
    "web_source": {"de": "Webquelle", "en": "Web source"},
    "neighbours": {"de": "Beziehungen", "en": "Relations"},
    "editorial": {"de": "redaktionelle Zuordnung des Projekts, nicht aus einer Quelle",
                  "en": "the project's editorial reading, not from a source"},
    "ego": {"de": "Ego-Netzwerk", "en": "Ego network"},
    "depth": {"de": "Tiefe", "en": "Depth"},
    "leave_ego": {"de": "Ego-Netzwerk verlassen", "en": "Leave ego network"},
    "metrics": {"de": "Kennzahlen", "en": "Metrics"},
    "degree": {"de": "Grad (Verbindungen)", "en": "Degree (links)"},
    "betweenness": {"de": "Zwischenzentralität", "en": "Betweenness"},
    "pagerank": {"de": "PageRank", "en": "PageRank"},
    "community": {"de": "Gemeinschaft (Louvain)", "en": "Community (Louvain)"},
    "shown": {"de": "Knoten sichtbar", "en": "nodes shown"},
    "ego_of": {"de": "Ego-Netzwerk um", "en": "Ego network of"},
    "close": {"de": "Schließen", "en": "Close"},
    "no_match": {"de": "Keine Treffer", "en": "No match"},
    "language": {"de": "Sprache", "en": "Language"},
    "network_label": {"de": "Netzwerkgrafik; dieselben Knoten stehen in der Liste", "en": "Network graphic; the same nodes are in the list"},
    "filters_active": {"de": "Filter", "en": "Filters"},
    "none": {"de": "keine", "en": "none"},
}
_LAYOUT_SEED = 7
_layout_cache: dict[tuple, dict[str, tuple[float, float]]] = {}
#: Rendered pages by (data digest, focus, depth, lang, inline): a page is built once per change.
_page_cache: dict[tuple, str] = {}
_lock = threading.Lock()


def layout(g: nx.Graph, key: Any = None) -> dict[str, tuple[float, float]]:
    """Seeded node positions in screen units (stable across reloads; cached under ``key``)."""
    if key is not None:
        with _lock:
            if key in _layout_cache:
                return _layout_cache[key]
    # After a change of the data, the view's previous layout is kept and the change placed
    # into it (graph.page.incremental); the key's first part is the data's digest.
    out = incremental.layout(g, None if key is None else key[1:], lambda h: structured_layout(h) or _packed_layout(h))
    if key is not None:
        with _lock:
            if len(_layout_cache) > 64:
                _layout_cache.clear()
            _layout_cache[key] = out
    return out


def _component_layout(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """One connected component, centred on 0 with radius about ``90 * sqrt(n)``."""
    n = g.number_of_nodes()
    if n == 1:
        return {next(iter(g)): (0.0, 0.0)}
    if n <= 400:
        # Fruchterman-Reingold, seeded (about 0.3 s for the shipped graph); up to 150 nodes
        # refined by Kamada-Kawai, which separates hubs' neighbours far better (about 1 s more,
        # once per change of the data: layouts are cached).
        pos = nx.spring_layout(g, seed=_LAYOUT_SEED, method="force", weight=None, iterations=200, k=2.5 / math.sqrt(n))
        if n <= 150:
            pos = nx.kamada_kawai_layout(g, weight=None, pos=pos)
    else:
        return _community_layout(g)
    scale = 90 * math.sqrt(n)
    return {v: (float(x) * scale, float(y) * scale) for v, (x, y) in pos.items()}


def _community_layout(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Big components: communities placed by a layout of the community graph, each community
    laid out on its own around its place. Force layouts of thousands of nodes cost O(n²) per
    iteration (≈15 s for 2,000 nodes here); this stays near-linear and keeps communities
    visible as clusters, the way Gephi users read a network."""
    community = {v: d.get("community") for v, d in g.nodes(data=True)}
    if any(c is None for c in community.values()):
        parts = nx.community.louvain_communities(g, seed=_LAYOUT_SEED)
        community = {v: i for i, part in enumerate(sorted(parts, key=lambda p: (-len(p), min(p)))) for v in part}
    members: dict[Any, list[str]] = {}
    for v, c in community.items():
        members.setdefault(c, []).append(v)
    # Very large communities are split again, so that no single force layout gets big.
    groups: list[list[str]] = []
    for c in sorted(members, key=str):
        nodes = sorted(members[c])
        if len(nodes) > 400:
            sub = nx.community.louvain_communities(g.subgraph(nodes), seed=_LAYOUT_SEED, resolution=2.0)
            groups += [sorted(p) for p in sorted(sub, key=lambda p: (-len(p), min(p)))]
        else:
            groups.append(nodes)
    group_of = {v: i for i, grp in enumerate(groups) for v in grp}
    meta = nx.Graph()
    meta.add_nodes_from(range(len(groups)))
    for a, b in g.edges():
        ga, gb = group_of[a], group_of[b]
        if ga != gb:
            w = meta.edges[ga, gb]["weight"] + 1 if meta.has_edge(ga, gb) else 1
            meta.add_edge(ga, gb, weight=w)
    centres = nx.spring_layout(meta, seed=_LAYOUT_SEED, method="force", weight="weight")
    spread = 90 * math.sqrt(g.number_of_nodes()) * 1.2
    out: dict[str, tuple[float, float]] = {}
    for i, grp in enumerate(groups):
        cx, cy = centres[i]
        sub = g.subgraph(grp)
        if len(grp) == 1:
            local = {grp[0]: (0.0, 0.0)}
        else:
            local = nx.spring_layout(sub, seed=_LAYOUT_SEED, method="force", weight=None, iterations=30)
        radius = 40 * math.sqrt(len(grp))
        for v, (x, y) in local.items():
            out[v] = (float(cx) * spread + float(x) * radius, float(cy) * spread + float(y) * radius)
    return out


def _packed_layout(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Components laid out one by one and packed in rows, largest first, so that an isolated
    node does not push the main network into a corner."""
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    out: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    row_width = None
    for comp in components:
        pos = _component_layout(g.subgraph(comp))
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        w, h = max(xs) - min(xs) + 80, max(ys) - min(ys) + 80
        if row_width is None:
            row_width = max(w, 600.0)
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for v, (px, py) in pos.items():
            out[v] = (round(x + px - min(xs), 1), round(y + py - min(ys), 1))
        x += w
        row_height = max(row_height, h)
    return out


def _size(pagerank: float, top: float, small: bool = False) -> float:
    """Node radius by PageRank; ``small`` for the structured layout (drawn near 1:1 on screen)."""
    low, span = (4.0, 10.0) if small else (10.0, 22.0)
    return round(low + span * math.sqrt(pagerank / top), 1) if top > 0 else low + 2


def vis_data(g_de: nx.Graph, labels_en: dict[str, str] | None = None, positions: dict | None = None,
             portrait: dict | None = None) -> tuple[list, list, dict]:
    """vis-network node and edge records (made with pyvis) and options for the projection.

    ``g_de`` carries the German labels; ``labels_en`` maps nodes to English display labels.
    """
    labels_en = labels_en or {}
    positions = positions if positions is not None else layout(g_de)
    top = max((d.get("pagerank", 0) for _, d in g_de.nodes(data=True)), default=0)
    small = structured(g_de)
    tier = tiers(g_de)
    net = Network(directed=False, cdn_resources="local")
    net.set_options(json.dumps(_options()))
    nodes = []
    for v, d in g_de.nodes(data=True):
        style = STYLE.get(d["type"], _DEFAULT_STYLE)
        x, y = positions.get(v, (0.0, 0.0))
        # pyvis's Node gives the record vis-network expects; our page adds the rest.
        node = Node(v, style["shape"], label=d["label"], font_color=None, color=style["color"],
                    x=x, y=y, size=_size(d.get("pagerank", 0), top, small), title=d["label"]).options
        node.pop("font", None)
        if portrait and v in portrait:
            node["portrait"] = list(portrait[v])
        node["zd"] = {**_public(d), "tier": tier.get(v, 3),
                      "display": {"de": d["label"], "en": labels_en.get(v, d["label"])}}
        nodes.append(node)
    edges = []
    for a, b, d in g_de.edges(data=True):
        src = d.get("source_node", a)
        dst = b if src == a else a
        edge = Edge(src, dst, False, width=1 + min(4, math.log1p(d.get("weight", 1)))).options
        edge["zd"] = {k: d[k] for k in ("type", "types", "start", "end", "role", "weight", "editorial") if d.get(k) is not None}
        edges.append(edge)
    net.nodes, net.edges = nodes, edges
    net.node_ids = [n["id"] for n in nodes]
    _, _, _, _, _, options = net.get_network_data()
    return nodes, edges, json.loads(options)


def _public(d: dict[str, Any]) -> dict[str, Any]:
    """The node attributes the page shows (layout and vis fields stay out)."""
    return {k: v for k, v in d.items() if k not in ("label", "x", "y")}


def _options() -> dict[str, Any]:
    # Labels below 10 px on screen are not drawn (vis-network draws from drawThreshold - 1 and
    # fades up to drawThreshold; the page fits so that no label lands in between); labels
    # never grow past 22 px when zoomed in. Font sizes per node are set by the page (graph.js).
    return {
        "physics": {"enabled": False, "stabilization": {"enabled": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True, "navigationButtons": False,
                        "keyboard": {"enabled": True, "bindToWindow": False}, "zoomView": True, "dragView": True},
        "nodes": {"font": {"size": 13, "face": "system-ui, sans-serif", "color": "#1d2330", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "borderWidth": 1,
                  "scaling": {"label": {"enabled": False, "drawThreshold": 11, "maxVisible": 22}}},
        "edges": {"color": {"color": "rgba(125,135,150,0.45)", "highlight": "#1d2330", "hover": "#3a4150"},
                  "smooth": False, "selectionWidth": 2, "hoverWidth": 1.5,
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}}},
        "layout": {"improvedLayout": False},
    }


def json_for_html(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _ordered(choices: list[dict]) -> list[dict]:
    """Each choice with its place in an alphabetical list per language (``order``), so that the
    page sorts its menus without a collator of its own (Intl.Collator costs the first view ~13 ms)."""
    for lang in ("de", "en"):
        for i, c in enumerate(sorted(choices, key=lambda c: sort_key(c["labels"].get(lang) or ""))):
            c.setdefault("order", {})[lang] = i
    return choices


def page_data(g_de: nx.Graph, labels_en: dict[str, str] | None = None, *, lang: str = "de",
              positions: dict | None = None, focus: str | None = None, depth: int | None = None,
              view: str = "full") -> dict[str, Any]:
    """Everything the page script needs: nodes, edges, options, legend, filter choices, texts."""
    nodes, edges, options = vis_data(g_de, labels_en, positions, structured_layout(g_de, portrait=True))
    data = [n["zd"] for n in nodes]
    themes = {t: None for d in data for t in d.get("themes", [])} | {n["id"]: None for n in nodes if n["zd"]["type"] == "theme"}
    levels = {t: None for d in data for t in d.get("levels", [])} | {n["id"]: None for n in nodes if n["zd"]["type"] == "level"}
    by_id = {n["id"]: n["zd"] for n in nodes}
    org_types: dict[str, dict] = {}
    for d in data:
        if d.get("org_type"):
            org_types[d["org_type"]["id"]] = d["org_type"]["labels"]
    dates = sorted({d[k] for d in data for k in ("start", "end") if d.get(k)}
                   | {e["zd"][k] for e in edges for k in ("start", "end") if e["zd"].get(k)})

    def choices(iris: dict) -> list[dict]:
        out = [{"id": i, "labels": by_id[i]["labels"], **({"scheme": by_id[i]["scheme"]["labels"]} if by_id[i].get("scheme") else {})}
               for i in iris if i in by_id]
        return _ordered(sorted(out, key=lambda c: (c.get("scheme", {}).get("de", ""), sort_key(c["labels"]["de"]))))

    present = {d["type"] for d in data}
    return {
        "lang": lang,
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "types": [{"id": t, "labels": labels, **STYLE.get(t, _DEFAULT_STYLE)}
                  for t, labels in network.NODE_TYPES.items() if t in present],
        "edge_types": network.EDGE_TYPES,
        "edge_inverse": network.EDGE_INVERSE,
        "view": view,
        "views": list(network.VIEWS),
        "tier_px": list(TIER_PX),
        "themes": choices(themes),
        "levels": choices(levels),
        "org_types": _ordered(sorted(({"id": k, "labels": v} for k, v in org_types.items()),
                                     key=lambda c: sort_key(c["labels"]["de"]))),
        "dates": dates,
        # How exact each date is where a source gives only a year or a month (timeline, details).
        "date_precision": _date_precisions(data),
        "focus": focus,
        "depth": depth,
        "ui": UI,
    }


def _date_precisions(data: list[dict[str, Any]]) -> dict[str, str]:
    """ISO date -> ``year`` / ``month`` where every node with that date has it only that exactly."""
    out: dict[str, str] = {}
    exact: set[str] = set()
    for d in data:
        day, precision = d.get("date") or d.get("start"), d.get("date_precision")
        if not day:
            continue
        if precision in ("year", "month"):
            out.setdefault(day, precision)
        else:
            exact.add(day)
    return {k: v for k, v in out.items() if k not in exact}


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


@cache
def asset_text(name: str) -> str:
    """The text of one of :data:`ASSETS` (KeyError for an unknown name)."""
    path, _ = ASSETS[name]
    return path.read_text(encoding="utf-8")


def html(data: dict[str, Any], *, inline: bool, asset_base: str = "/graph/assets") -> str:
    """The page around ``data``; ``inline`` puts every asset into the file itself."""
    inlined = {k.replace(".", "_").replace("-", "_"): asset_text(k) for k in ASSETS} if inline else {}
    return _env().get_template("graph.html").render(
        lang=data["lang"], title=UI["title"][data["lang"]], inline=inline, assets=asset_base,
        inlined=inlined, data_json=json_for_html(data),
    )


def _served(store, focus, depth, lang, view: str) -> str:
    # The previous page while the one after a write is computed (graph.network.refresh); an
    # offline file (inline) is always computed for the data as it is.
    page, updating = refresh.current(store, ("page", view, focus, depth if focus else None, lang),
                                     lambda: _page(store, focus, depth, lang, inline=False, view=view))
    return updating_page(page, lang) if updating else page


def _page(store, focus, depth, lang, inline: bool, view: str = "full") -> str:
    if lang not in network.LANGS:
        raise ValueError("lang must be de or en")
    depth = depth if focus else None
    # The whole view goes to the page; an ego network (focus, depth) is cut and laid out in
    # the page, so that changing its depth or leaving it needs no reload. A focus that is not
    # a node of the view is refused here all the same.
    g_de = network.project(store, view=view, focus=None, lang="de")
    if focus is not None and focus not in g_de:
        raise LookupError(f"{focus} is not a node of the {view!r} network")
    key = (g_de.graph.get("digest"), view, focus, depth, lang, inline)
    with _lock:
        if key in _page_cache:
            return _page_cache[key]
    labels_en = network.display_labels(store, "en")
    positions = layout(g_de, key=key[:2])
    page = html(page_data(g_de, labels_en, lang=lang, positions=positions, focus=focus, depth=depth, view=view), inline=inline)
    with _lock:
        if len(_page_cache) >= 16:
            _page_cache.pop(next(iter(_page_cache)))
        _page_cache[key] = page
    return page


def served_page(store, focus: str | None = None, depth: int = 2, lang: str = "de", view: str = "full") -> str:
    """The page as served at ``GET /graph`` (assets from ``/graph/assets/``).

    Raises ``LookupError`` for an unknown focus IRI and ``ValueError`` for a bad argument.
    """
    return _served(store, focus, depth, lang, view)


def standalone_page(store, focus: str | None = None, depth: int = 2, lang: str = "de", view: str = "full") -> str:
    """The page as one self-contained offline HTML file (``zdg viz``); same errors as :func:`served_page`."""
    return _page(store, focus, depth, lang, inline=True, view=view)


def page_for_graph(g: nx.Graph, labels_en: dict[str, str] | None = None, *, lang: str = "de", inline: bool = True) -> str:
    """The page for any projection-shaped networkx graph (nodes with ``type``, ``label``,
    ``labels``), e.g. synthetic graphs in benchmarks. Adds metrics to ``g`` if missing."""
    if any("pagerank" not in d for _, d in g.nodes(data=True)):
        network.add_metrics(g)
    return html(page_data(g, labels_en, lang=lang, positions=layout(g)), inline=inline)
