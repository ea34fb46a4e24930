"""Helpers shared by the network page's browser tests (not a test module): open the page in a
viewport of its own, read the drawn labels from vis-network, the letter's signature block."""

from __future__ import annotations

import re
from contextlib import contextmanager

from graph.vocab import ID_BASE
from tests.conftest import LETTER

ID = ID_BASE
ANJA = ID + "person/anja-weber"
DGB = ID + "organisation/dgb-nrw"

#: Every label vis-network draws now, as a box on screen (CSS px) with its font size on screen.
DRAWN_LABELS = """() => {
  const net = window.zdg.network, scale = net.getScale(), shown = new Set(window.zdgVisibleIds()), out = [];
  for (const id of shown) {
    const node = net.body.nodes[id], label = node && node.labelModule;
    if (!label || !label.elementOptions.label || !label.visible()) continue;
    const z = label.size;
    const a = net.canvasToDOM({x: z.left, y: z.top}), b = net.canvasToDOM({x: z.left + z.width, y: z.top + z.height});
    out.push({id, text: label.elementOptions.label, px: label.fontOptions.size * scale, box: [a.x, a.y, b.x, b.y]});
  }
  return out;
}"""


@contextmanager
def opened(browser, url: str, width: int, height: int, **context):
    # A German browser unless told (pages follow Accept-Language, api.negotiation).
    ctx = browser.new_context(viewport={"width": width, "height": height}, **{"locale": "de-DE", **context})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, timeout=120_000)
        page.wait_for_function("window.zdgReady === true", timeout=60_000)
        page.errors = errors
        yield page
    finally:
        ctx.close()


def overlaps(labels: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            A, B = a["box"], b["box"]
            if A[0] < B[2] and B[0] < A[2] and A[1] < B[3] and B[1] < A[3]:
                out.append((a["text"], b["text"]))
    return out


def signature_block() -> list[tuple[str, str]]:
    """(name, post as printed) for every signature of the letter."""
    text = LETTER.read_text(encoding="utf-8")
    block = text.split("Düsseldorf, den 20. Januar 2023", 1)[1].split("Die Übereinkunft", 1)[0]
    out = []
    for part in re.split(r"\n-{3,}\s*\n", block):
        m = re.search(r"\*\*(.+?)\*\*\s*(.*)", part, re.S)
        if m:
            out.append((m.group(1).replace(" MdL", "").strip(), " ".join(m.group(2).split())))
    return out


def names_the_post(org_labels: list[str], post: str) -> bool:
    """Whether an organisation's name (full, short or most of its words) is the one in the post."""
    words = lambda s: {w.casefold().strip(",.") for w in s.split() if len(w) > 3}
    for label in org_labels:
        if label and (label in post or (words(label) and len(words(label) & words(post)) >= 0.6 * len(words(label)))):
            return True
    return False
