"""Staff page: time until it is interactive in Chromium, ours vs the pyvis default page.

For the shipped graph and synthetic graphs of 200 / 2,000 / 10,000 nodes (in the projection's
shape: organisations, persons, themes, levels, recommendations, documents, meetings, with
their typical links), two pages are written as files and opened in the system Chromium:

* ours (``graph.page.render``): layout precomputed with networkx, physics off; "interactive" is
  when the page sets ``window.zdgReadyAt`` after vis-network drew the network the first time;
* the pyvis default page (``pyvis.network.Network``, default options: physics on with
  stabilisation) for the same nodes and edges, with ``cdn_resources="in_line"`` so that
  vis-network comes from the pyvis package (its CDN copy cannot load offline, and the
  package's file does not match the CDN's integrity hash anyway); its Bootstrap request to a
  CDN is refused, as on an offline network; "interactive" is when its physics has stabilised
  (``network.physics.stabilized``), capped at a timeout.

Time is measured inside the page (``performance.now()``, i.e. from navigation start), median of
``REPEAT`` loads each in a fresh browser context. Target (issue 5 / 7): ours <= 2 s at 2,000
nodes. Server-side layout time is reported separately.

    python -m benchmarks.bench_page [--quick]
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph import network
from graph.page import render  # noqa: E402

SIZES = (200, 2_000, 10_000)
QUICK_SIZES = (200, 2_000)
REPEAT = 3
TARGET_S = 2.0
PEER_TIMEOUT_S = 60.0
OURS_TIMEOUT_S = 120.0
#: Share of each node type in a synthetic graph (the rest are recommendations).
MIX = {"organisation": 0.12, "person": 0.2, "theme": 0.04, "document": 0.08, "event": 0.04, "statement": 0.06}
LEVELS = ("Land", "Bund", "EU", "Nicht angegeben")


def synthetic(n: int, seed: int = 1) -> nx.Graph:
    """A projection-shaped graph of about ``n`` nodes with the links our data has."""
    rnd = random.Random(seed)
    g = nx.Graph()
    by_type: dict[str, list[str]] = {}

    def add(ntype: str, i: int, label: str) -> str:
        node = f"https://w3id.org/zukunftsdialog/id/{ntype}/synthetic-{i}"
        g.add_node(node, type=ntype, label=label, labels={"de": label, "en": label + " (en)"},
                   themes=[], levels=[], organisations=[], sources=[], start=None, end=None, date=None)
        by_type.setdefault(ntype, []).append(node)
        return node

    for i, level in enumerate(LEVELS):
        add("level", i, level)
    counts = {t: max(2, int(n * share)) for t, share in MIX.items()}
    counts["recommendation"] = max(2, n - len(LEVELS) - sum(counts.values()))
    for ntype, count in counts.items():
        for i in range(count):
            add(ntype, i, f"{network.NODE_TYPES[ntype]['de']} {i}")
    pick = rnd.choice
    for p in by_type["person"]:
        g.add_edge(p, pick(by_type["organisation"]), type="holds-post", types=["holds-post"])
        g.add_edge(p, pick(by_type["document"]), type="signed", types=["signed"])
    for o in by_type["organisation"]:
        g.add_edge(o, pick(by_type["document"]), type="signed-for", types=["signed-for"])
    for r in by_type["recommendation"]:
        for t in rnd.sample(by_type["theme"], k=min(2, len(by_type["theme"]))):
            g.add_edge(r, t, type="addresses-theme", types=["addresses-theme"])
        g.add_edge(r, pick(by_type["level"]), type="addresses-level", types=["addresses-level"])
        g.add_edge(r, pick(by_type["organisation"]), type="proposed-by", types=["proposed-by"])
        g.add_edge(r, pick(by_type["document"]), type="derived-from", types=["derived-from"])
    for e in by_type["event"]:
        g.add_edge(e, pick(by_type["theme"]), type="discussed-at", types=["discussed-at"])
        for p in rnd.sample(by_type["person"], k=min(5, len(by_type["person"]))):
            g.add_edge(e, p, type="participated", types=["participated"])
    for s in by_type["statement"]:
        g.add_edge(s, pick(by_type["person"]), type="said-by", types=["said-by"])
        g.add_edge(s, pick(by_type["event"]), type="discussed-at", types=["discussed-at"])
    return g


def shipped() -> tuple[nx.Graph, dict[str, str]]:
    """The shipped graph's full projection and its English labels."""
    from graph.build import build
    from graph.store import open_store

    store = open_store("memory")
    build(store)
    return network.project(store, lang="de"), network.display_labels(store, "en")


def our_page(g_de: nx.Graph, labels_en: dict[str, str] | None = None) -> tuple[str, float]:
    """Our self-contained page and the seconds the server spent on metrics + layout + HTML."""
    started = time.perf_counter()
    page = render.page_for_graph(nx.Graph(g_de), labels_en)
    return page, time.perf_counter() - started


def pyvis_page(g: nx.Graph) -> str:
    """The pyvis default page (default options, physics on) for the same nodes and edges.

    Records are filled the way ``Network.from_nx`` writes them; its own add_edge checks every
    edge for duplicates (quadratic), which would take longer than the browser at 10,000 nodes.
    """
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    # in_line: vis-network from the pyvis package inlined (its CDN copy would not load
    # offline); the page still asks a CDN for Bootstrap, which the offline browser refuses.
    net = Network(height="800px", width="100%", cdn_resources="in_line")
    net.nodes = [Node(v, "dot", label=d.get("label", v), size=10).options for v, d in g.nodes(data=True)]
    net.node_ids = [n["id"] for n in net.nodes]
    net.edges = [Edge(a, b, False, width=1).options for a, b in g.edges()]
    return net.generate_html()


_PEER_PROBE = """() => {
    (function poll() {
        const net = window.network;
        if (net && net.physics && net.physics.stabilized) { window.__stableAt = performance.now(); return; }
        setTimeout(poll, 20);
    })();
}"""


def _load(browser, path: Path, *, peer: bool) -> float | None:
    """Seconds from navigation start until interactive (None: not within the timeout)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()

    # Offline, as on a staff network: only the file itself (and what it inlines) loads.
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
    try:
        if peer:
            page.goto(path.as_uri(), wait_until="commit", timeout=PEER_TIMEOUT_S * 1000)
            page.evaluate(_PEER_PROBE)
            page.wait_for_function("window.__stableAt !== undefined", timeout=PEER_TIMEOUT_S * 1000, polling=100)
            return page.evaluate("window.__stableAt") / 1000
        page.goto(path.as_uri(), wait_until="commit", timeout=OURS_TIMEOUT_S * 1000)
        page.wait_for_function("window.zdgReadyAt !== undefined", timeout=OURS_TIMEOUT_S * 1000, polling=50)
        return page.evaluate("window.zdgReadyAt") / 1000
    except Exception:  # a timeout: report "did not become interactive"
        return None
    finally:
        context.close()


def _median(values: list[float | None]) -> float | None:
    done = [v for v in values if v is not None]
    return statistics.median(done) if len(done) == len(values) else None


def measure(browser, case: str, g_de: nx.Graph, labels_en: dict | None, workdir: Path, repeat: int) -> dict:
    ours_html, server_s = our_page(g_de, labels_en)
    peer_html = pyvis_page(g_de)
    ours_path, peer_path = workdir / f"ours-{case}.html", workdir / f"pyvis-{case}.html"
    ours_path.write_text(ours_html, encoding="utf-8")
    peer_path.write_text(peer_html, encoding="utf-8")
    ours = _median([_load(browser, ours_path, peer=False) for _ in range(repeat)])
    # The peer runs once per case when it is slow: each run may take the whole timeout.
    peer = _median([_load(browser, peer_path, peer=True) for _ in range(repeat if g_de.number_of_nodes() <= 500 else 1)])
    n = g_de.number_of_nodes()
    row = {
        "case": case, "nodes": n, "edges": g_de.number_of_edges(),
        "ours": round(ours, 3) if ours is not None else None, "unit": "s",
        "peer": "pyvis default page (physics stabilised)",
        "peer_value": round(peer, 3) if peer is not None else f"> {PEER_TIMEOUT_S:.0f} (not stabilised)",
        "ratio": round(ours / peer, 3) if ours is not None and peer else None,
        "server_s": round(server_s, 2),
        "html_kib": len(ours_html.encode()) // 1024,
    }
    if n >= 1500 and n <= 2500:
        row["target"] = f"<= {TARGET_S} s at 2,000 nodes"
        row["met"] = ours is not None and ours <= TARGET_S
    return row


CHROMIUM = os.environ.get("ZDG_CHROMIUM", "/usr/bin/chromium")
#: The flags of the browser tests: headless as root, no background traffic on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def launch(playwright):
    """The system Chromium (Playwright's own browser download does not work here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def run(quick: bool = False) -> list[dict]:
    """Rows for benchmarks/run.py (``quick``: no 10,000-node case, one load each)."""
    from playwright.sync_api import sync_playwright

    repeat = 1 if quick else REPEAT
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-page-") as tmp, sync_playwright() as p:
        browser = launch(p)
        try:
            g_de, labels_en = shipped()
            rows.append(measure(browser, "shipped graph", g_de, labels_en, Path(tmp), repeat))
            for n in QUICK_SIZES if quick else SIZES:
                rows.append(measure(browser, f"synthetic {n:,}", synthetic(n), None, Path(tmp), repeat))
        finally:
            browser.close()
    return rows


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(json.dumps(r, ensure_ascii=False))
