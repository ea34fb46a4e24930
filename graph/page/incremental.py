"""An incremental layout: after a change of the data, the nodes staff know stay where they were.

A full layout of a changed network moves everything (and costs seconds on a big one). Here the
layout of the same view before the change is the start: every node that is still there keeps
its position exactly, a new node is placed beside the nodes it links to (at their centre,
pushed out on a ring to a free spot; the direction seeded by its IRI, so the same change gives
the same picture), a new node with no placed neighbour goes in a row under the picture, and
removed nodes simply go. When more than half the nodes are new, or nothing is left to keep, the
full layout runs as before.

The previous layout is kept per view (the cache key without the data's digest), in this
process; a restart lays the network out anew.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Hashable

import networkx as nx

Point = tuple[float, float]
__all__ = ["layout", "place", "SPACING"]

#: Distance of a new node from its neighbours' centre, and the least distance to any other node.
SPACING = 60.0
_TRIES = 24

_last: dict[Hashable, dict[str, Point]] = {}
_lock = threading.Lock()


def _angle(node: str) -> float:
    digest = hashlib.blake2b(node.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 * 2 * math.pi


class _Grid:
    """Placed points bucketed by cell, for "is anything within ``SPACING / 2``" in O(1)."""

    def __init__(self, points: dict[str, Point], cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], list[Point]] = {}
        for p in points.values():
            self.add(p)

    def _key(self, p: Point) -> tuple[int, int]:
        return (math.floor(p[0] / self.cell), math.floor(p[1] / self.cell))

    def add(self, p: Point) -> None:
        self.cells.setdefault(self._key(p), []).append(p)

    def crowded(self, p: Point, distance: float) -> bool:
        cx, cy = self._key(p)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for q in self.cells.get((cx + dx, cy + dy), ()):
                    if math.hypot(p[0] - q[0], p[1] - q[1]) < distance:
                        return True
        return False


def place(g: nx.Graph, previous: dict[str, Point]) -> dict[str, Point] | None:
    """Positions for ``g`` keeping those in ``previous``; None if a full layout fits better."""
    kept = {v: previous[v] for v in g if v in previous}
    new = sorted(v for v in g if v not in kept)
    if not kept or len(new) > max(20, g.number_of_nodes() // 2):
        return None
    pos = dict(kept)
    grid = _Grid(pos, SPACING)
    waiting = new
    # Nodes linked only to other new nodes are placed once those are: rounds until no progress.
    while waiting:
        later = []
        for v in waiting:
            linked = [pos[m] for m in g.neighbors(v) if m in pos]
            if not linked:
                later.append(v)
                continue
            cx = sum(p[0] for p in linked) / len(linked)
            cy = sum(p[1] for p in linked) / len(linked)
            base = _angle(v)
            spot = (cx + SPACING * math.cos(base), cy + SPACING * math.sin(base))
            for i in range(_TRIES):
                radius = SPACING * (1 + i // 8)
                angle = base + (i % 8) * math.pi / 4
                candidate = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
                if not grid.crowded(candidate, SPACING / 2):
                    spot = candidate
                    break
            spot = (round(spot[0], 1), round(spot[1], 1))
            pos[v] = spot
            grid.add(spot)
        if len(later) == len(waiting):
            break
        waiting = later
    if waiting:  # no link to anything placed: a row under the picture
        left = min(p[0] for p in pos.values())
        bottom = max(p[1] for p in pos.values()) + 2 * SPACING
        for i, v in enumerate(waiting):
            pos[v] = (round(left + i * SPACING, 1), round(bottom, 1))
    return pos


def layout(g: nx.Graph, key: Hashable | None, full: Callable[[nx.Graph], dict[str, Point]]) -> dict[str, Point]:
    """``full(g)``, or the previous layout of the view ``key`` with the change placed into it.

    ``key`` names the view (not the data): the layout last returned for it is the start.
    """
    if key is None:
        return full(g)
    with _lock:
        previous = _last.get(key)
    out = place(g, previous) if previous else None
    if out is None:
        out = full(g)
    with _lock:
        if len(_last) > 64 and key not in _last:
            _last.pop(next(iter(_last)))
        _last[key] = out
    return out
