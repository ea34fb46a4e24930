"""A structured layout for the full network of the dialogue, so that it reads at first sight.

A force layout of the dialogue's network is a hairball: every signatory links to the letter
and to the dialogue, so they pile up in the middle. Staff ask "who signed for whom", "which
themes", "when", so the nodes are placed in bands instead (coordinates in screen pixels at the
first, fitted view of a laptop screen; the page fits them to the window):

* the middle band: the signatories of each signed document beside the organisation they
  signed for, one row per pair, in two columns left and right of the dialogue and the letter;
  what the dialogue agreed on (aims, commitments, goal) under the letter;
* the top band: documents and meetings along time, statements beside their meeting;
* the bottom band: recommendations, the policy levels, and under them the themes and fields
  of action grouped by their concept scheme (recommendations link to both);
* everything else (other organisations and persons) in the nearest free place beside what it
  links to.

:func:`tiers` ranks nodes for the page's level of detail (0: labelled at first sight).
Graphs without a dialogue (other views, synthetic benchmark graphs) return ``None`` and keep
the force layout of :mod:`graph.render`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import networkx as nx

Point = tuple[float, float]

#: Label font size (px at the first view) per tier; the page uses the same steps (graph.js).
TIER_PX = (13.0, 8.6, 5.8, 3.9)
#: Above this many nodes the bands get crowded; the force layout is used instead.
MAX_NODES = 600

_PAIR_ROW = 48.0        # vertical distance of two signatory rows
_ORG_X = 230.0          # organisations' distance from the middle
_PERSON_X = 425.0       # signatories' distance from the middle
_TIMELINE_Y = -300.0
_PORTRAIT_HALF_WIDTH = 190.0
_PORTRAIT_ROW = 54.0    # (portrait: the page fits smaller, labels are larger in world units)
_PORTRAIT_X = 118.0     # organisation left, person right of the middle (portrait)
_PORTRAIT_LINE = 22.0   # room per extra line of a name (portrait)
_PORTRAIT_ZOOM = 1.6    # world units per screen pixel at a phone's fit
_HALF_WIDTH = 480.0


def _types(g: nx.Graph, a: str, b: str) -> list[str]:
    return g.edges[a, b].get("types", [g.edges[a, b].get("type")])


def _of_type(g: nx.Graph, ntype: str) -> list[str]:
    return sorted((n for n, d in g.nodes(data=True) if d.get("type") == ntype), key=lambda n: _label(g, n))


def _label(g: nx.Graph, n: str) -> str:
    return str(g.nodes[n].get("label", n)).casefold()


def signatory_pairs(g: nx.Graph) -> list[tuple[str, str | None, str]]:
    """(person, organisation signed for or None, document) for every signature in ``g``."""
    pairs = []
    for person in _of_type(g, "person"):
        for doc in sorted(g.neighbors(person)):
            if g.nodes[doc].get("type") != "document" or "signed" not in _types(g, person, doc):
                continue
            posts = [o for o in g.neighbors(person)
                     if g.nodes[o].get("type") == "organisation" and "holds-post" in _types(g, person, o)]
            signed_for = [o for o in posts if g.has_edge(o, doc) and "signed-for" in _types(g, o, doc)]
            org = (signed_for or sorted(posts) or [None])[0]
            pairs.append((person, org, doc))
    return pairs


def tiers(g: nx.Graph) -> dict[str, int]:
    """Level of detail per node: 0 is labelled in the first view, 3 only when zoomed far in.

    With a dialogue: the dialogue, the signed documents, signatories and their organisations
    first; documents, meetings, key themes, levels and other actors next; the rest after.
    Otherwise by degree: the top 5 % first, then 15 %, 30 %, the rest.
    """
    pairs = signatory_pairs(g)
    if pairs or _of_type(g, "collaboration"):
        first = {p for p, _, _ in pairs} | {o for _, o, _ in pairs if o} | {d for _, _, d in pairs}
        first |= set(_of_type(g, "collaboration"))
        second_types = {"document", "event", "level", "organisation", "person"}
        out = {}
        for n, d in g.nodes(data=True):
            if n in first:
                out[n] = 0
            elif d.get("type") in second_types or (d.get("type") == "theme" and _is_key_scheme(d)):
                out[n] = 1
            elif d.get("type") in ("theme", "commitment", "goal", "collaboration"):
                out[n] = 2
            else:
                out[n] = 3
        return out
    ranked = sorted(g, key=lambda n: (-g.degree(n), n))
    total = max(1, len(ranked))
    return {n: 0 if i < total * 0.05 else 1 if i < total * 0.2 else 2 if i < total * 0.5 else 3
            for i, n in enumerate(ranked)}


def _is_key_scheme(d: dict[str, Any]) -> bool:
    scheme = (d.get("scheme") or {}).get("id", "")
    return scheme.endswith("/key-themes") or "schluessel" in scheme or "key" in scheme.rsplit("/", 1)[-1]


class _Boxes:
    """Estimated label boxes already placed (for the free-place search; the page packs exactly)."""

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    @staticmethod
    def box(p: Point, label: str, px: float, slack: float = 1.0) -> tuple[float, float, float, float]:
        # ``slack``: the page may fit a little smaller than 1:1, which makes labels wider.
        width = (min(len(label), 28) * px * 0.56 + 8) * slack
        lines = min(3, 1 + len(label) // 29)
        return (p[0] - width / 2, p[1] - 10 * slack, p[0] + width / 2, p[1] + (14 + lines * px * 1.2) * slack)

    def free(self, b: tuple[float, float, float, float]) -> bool:
        return not any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in self.boxes)

    def add(self, b: tuple[float, float, float, float]) -> None:
        self.boxes.append(b)


def applies(g: nx.Graph) -> bool:
    """Whether ``g`` gets the band layout: the dialogue or a signature in it, not too big."""
    if g.number_of_nodes() > MAX_NODES:
        return False
    return any(d.get("type") == "collaboration" for _, d in g.nodes(data=True)) or bool(signatory_pairs(g))


def structured_layout(g: nx.Graph, portrait: bool = False) -> dict[str, Point] | None:
    """Band positions for a network with the dialogue in it (else ``None``).

    ``portrait``: for a screen higher than wide (a phone): the signatory rows in one column,
    the dialogue and the letter above them, the bands narrower.
    """
    if not applies(g):
        return None
    pairs = signatory_pairs(g)
    dialogues = _of_type(g, "collaboration")
    tier = tiers(g)
    pos: dict[str, Point] = {}
    boxes = _Boxes()
    half_width = _PORTRAIT_HALF_WIDTH if portrait else _HALF_WIDTH
    # A phone fits the signatory column at about 0.63: labels take 1.6 times the world units.
    zoom = _PORTRAIT_ZOOM if portrait else 1.0

    def put(n: str, p: Point) -> None:
        pos[n] = (round(p[0], 1), round(p[1], 1))
        boxes.add(_Boxes.box(p, str(g.nodes[n].get("label", "")), TIER_PX[min(tier[n], 1)],
                             (1.4 if tier[n] == 0 else 1.0) * zoom))

    # Middle band: the dialogue and the signed documents in the middle, a row per signatory
    # (organisation next to person) in two columns beside them, or one column under them.
    letters = sorted({d for _, _, d in pairs}, key=lambda d: (-g.degree(d), d))
    middle = dialogues + letters
    rows = _pair_rows(g, pairs)
    row_gap = _PORTRAIT_ROW if portrait else _PAIR_ROW
    # A name that wraps onto more lines takes more room below it (a line is about 13 px at the
    # fit; a phone fits smaller, so a line there takes more world units).
    per_line = _PORTRAIT_LINE if portrait else 17.0
    if portrait:
        columns = [(rows, -_PORTRAIT_X, _PORTRAIT_X)]
    else:
        half = math.ceil(len(rows) / 2)
        columns = [(rows[:half], -_ORG_X, -_PERSON_X), (rows[half:], _ORG_X, _PERSON_X)]
    column_tops = []
    for chunk, org_x, person_x in columns:
        gaps = [row_gap + per_line * (max(_lines(g, person), _lines(g, org) if org else 1) - 1) for person, org in chunk]
        y = -(sum(gaps[:-1])) / 2
        column_tops.append(y)
        for (person, org), gap in zip(chunk, gaps):
            if org and org not in pos:
                put(org, (org_x, y))
            if person not in pos:
                put(person, (person_x, y))
            y += gap
    if portrait:
        # A phone's height is the scarce room: the documents signed (the letter) over the
        # organisations, the dialogue over the persons and a little higher, so that the
        # dialogue's name ends above where the letter's begins; the first row under the
        # letter's name (three lines).
        y = min(column_tops, default=0.0)
        for n in reversed(letters):
            y -= 44.0 + per_line * _lines(g, n)
            put(n, (-_PORTRAIT_X + 10.0, y))
        for n in reversed(dialogues):
            y -= 10.0 + per_line * _lines(g, n)
            put(n, (_PORTRAIT_X - 12.0, y))
        middle_top = y
    else:
        middle_top = -130.0
        for i, n in enumerate(middle):
            put(n, (0.0, middle_top + i * 66.0))
    if not portrait:
        # Under the letter: what was agreed (aims, commitments, goal), two columns.
        agreed = [n for t in ("goal", "commitment", "aim") for n in _of_type(g, t)]
        base = middle_top + len(middle) * 66.0
        for i, n in enumerate(agreed):
            put(n, ((-70.0 if i % 2 == 0 else 70.0), base + 24.0 + (i // 2) * 20.0))
    if portrait and rows:
        # Under the last row's label (its lines) with room to spare.
        last_person, last_org = rows[-1]
        last_lines = max(_lines(g, last_person), _lines(g, last_org) if last_org else 1)
        bottom_of_rows = max(pos[last_person][1], pos[last_org][1] if last_org else -math.inf)
        recs_y = bottom_of_rows + 70.0 + per_line * last_lines
    else:
        bottom_of_rows = max(len(c[0]) for c in columns) * row_gap / 2 if rows else 100.0
        recs_y = bottom_of_rows + 45.0
    timeline_y = (middle_top - 150.0) if portrait else _TIMELINE_Y

    # Top band: dated documents and meetings along time (three staggered rows); undated ones
    # at the right end; statements just above the meeting they were made at.
    timed = [n for n in _of_type(g, "document") + _of_type(g, "event") if n not in pos]
    dated = sorted((n for n in timed if g.nodes[n].get("start")), key=lambda n: (g.nodes[n]["start"], n))
    undated = [n for n in timed if not g.nodes[n].get("start")]
    if dated:
        first, last = _year(g.nodes[dated[0]]["start"]), _year(g.nodes[dated[-1]]["start"])
        span = max(last - first, 1e-6)
        for i, n in enumerate(dated):
            frac = (_year(g.nodes[n]["start"]) - first) / span if len(dated) > 1 else 0.5
            x = -half_width + 30 + frac * (2 * half_width - 150)
            put(n, (x, timeline_y + (i % 3) * 24.0))
    for i, n in enumerate(undated):
        put(n, (half_width - 20 - (i // 3) * 60.0, timeline_y + (i % 3) * 24.0))
    _under(g, pos, put, "statement", timeline_y - 34.0, -1)

    # Bottom band: recommendations, then the themes by scheme under them (short links), the
    # policy levels at the right end of the recommendations.
    recs = _of_type(g, "recommendation")
    cols = max(1, min(len(recs), 6 if portrait else 12))
    for i, n in enumerate(recs):
        col, row = i % cols, i // cols
        put(n, (-half_width + 30 + col * (2 * half_width - 200) / max(cols - 1, 1), recs_y + row * 20.0))
    for i, n in enumerate(_of_type(g, "level")):
        put(n, (half_width - 110 + (i % 2) * 90.0, recs_y + (i // 2) * 22.0))
    theme_y = recs_y + 20.0 * math.ceil(len(recs) / cols) + 30.0
    by_scheme: dict[str, list[str]] = defaultdict(list)
    for n in _of_type(g, "theme"):
        by_scheme[(g.nodes[n].get("scheme") or {}).get("label") or ""].append(n)
    schemes = sorted(by_scheme, key=lambda s: (-_is_key_scheme(g.nodes[by_scheme[s][0]]), -len(by_scheme[s]), s))
    if portrait:
        # One block per scheme, under one another, three columns each.
        y0 = theme_y
        for scheme in schemes:
            members = by_scheme[scheme]
            for i, n in enumerate(members):
                put(n, (-half_width + (i % 3 + 0.5) * 2 * half_width / 3, y0 + (i // 3) * 24.0))
            y0 += 24.0 * math.ceil(len(members) / 3) + 16.0
    elif schemes:
        total = sum(len(by_scheme[s]) for s in schemes)
        x0 = -half_width
        for scheme in schemes:
            members = by_scheme[scheme]
            width = 2 * half_width * len(members) / total
            cols = max(1, math.ceil(len(members) / 3))
            for i, n in enumerate(members):
                col, row = i % cols, i // cols
                put(n, (x0 + (col + 0.5) * width / cols, theme_y + row * 24.0))
            x0 += width

    # Everything else beside what it links to, in the nearest free place.
    rest = sorted((n for n in g if n not in pos), key=lambda n: (tier[n], -g.degree(n), n))
    for n in rest:
        linked = [pos[m] for m in g.neighbors(n) if m in pos]
        target = (sum(p[0] for p in linked) / len(linked), sum(p[1] for p in linked) / len(linked)) if linked else (0.0, 0.0)
        put(n, _free_place(target, str(g.nodes[n].get("label", "")), TIER_PX[min(tier[n], 1)], boxes, zoom))
    return pos


def _under(g: nx.Graph, pos: dict[str, Point], put, ntype: str, y: float, direction: int) -> None:
    """Nodes of ``ntype`` in a small row beside the document or meeting they belong to."""
    groups: dict[str, list[str]] = defaultdict(list)
    for n in _of_type(g, ntype):
        anchors = sorted((m for m in g.neighbors(n) if m in pos and g.nodes[m]["type"] in ("document", "event")),
                         key=lambda m: (-g.degree(m), m))
        groups[anchors[0] if anchors else ""].append(n)
    for anchor, members in sorted(groups.items()):
        ax = pos[anchor][0] if anchor else 0.0
        for i, n in enumerate(members):
            put(n, (ax + (i - (len(members) - 1) / 2) * 40.0, y + direction * (i % 2) * 14.0))


def _lines(g: nx.Graph, n: str) -> int:
    """How many lines the page wraps a (German) name into: whole words, up to 28 characters a
    line, at most 3 (the page's ``wrap`` in graph.js)."""
    lines, line = 0, ""
    for word in str(g.nodes[n].get("label", "")).split():
        if line and len(line) + 1 + len(word) <= 28:
            line += " " + word
        else:
            lines, line = lines + (1 if line else 0), word
    return max(1, min(3, lines + (1 if line else 0)))


def _pair_rows(g: nx.Graph, pairs: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None]]:
    """One row per signatory, grouped by the kind of organisation (unions together …)."""
    seen, rows = set(), []
    for person, org, _ in pairs:
        if person in seen:
            continue
        seen.add(person)
        rows.append((person, org))

    def key(row: tuple[str, str | None]) -> tuple:
        # The host (the ministry) first, then by kind of organisation, then by name.
        org = row[1]
        kind_id = ((g.nodes[org].get("org_type") or {}).get("id") or "") if org else ""
        kind = ((g.nodes[org].get("org_type") or {}).get("label") or "~") if org else "~~"
        return (not kind_id.endswith("/ministerium"), kind, _label(g, org) if org else "", _label(g, row[0]))

    return sorted(rows, key=key)


def _year(iso: str) -> float:
    y, m, d = (int(x) for x in (iso[:4], iso[5:7] or 1, iso[8:10] or 1))
    return y + (m - 1) / 12 + (d - 1) / 365


def _free_place(target: Point, label: str, px: float, boxes: _Boxes, zoom: float = 1.0) -> Point:
    """The first place on a spiral around ``target`` whose label box is free."""
    for step in range(400):
        radius = 14.0 * zoom * math.sqrt(step)
        angle = step * 2.39996  # the golden angle: an even spiral
        p = (target[0] + radius * math.cos(angle), target[1] + radius * math.sin(angle))
        if boxes.free(_Boxes.box(p, label, px, zoom)):
            return p
    return target
