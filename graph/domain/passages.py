"""The quoted passages of the source texts (``data/sources/*.md``): which sources have a text,
their selectors (from a store or from the data files), and the check the build runs.

The anchoring itself is :mod:`graph.domain.sources` (pure); this module reads files and the
store. A source has a text when ``data/sources/{last segment of its IRI}.md`` exists, so a
source added to the data with its Markdown file gets a reader without a code change.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from string import Template

import pyoxigraph as ox

from graph import resources
from graph.domain.catalog import ld_query
from graph.domain.sources import Anchor, AnchorError, Selector, anchor_all, slug
from graph.store import Store

OA = "http://www.w3.org/ns/oa#"


def text_path(source: str) -> Path:
    """Where the Markdown text of ``source`` would be."""
    return resources.folder("data") / "sources" / f"{slug(source)}.md"


@lru_cache(maxsize=64)
def _read(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


def source_text(source: str, store: Store | None = None) -> str | None:
    """The Markdown text of ``source``, or None if it has none: its file in ``data/sources/``,
    else (given a store) the text stored with it (``schema:text`` in the source's own named
    graph: a source staff recorded at /edit/source, issue 19)."""
    path = text_path(source)
    try:
        return _read(path, path.stat().st_mtime)
    except FileNotFoundError:
        pass
    if store is None:
        return None
    found = stored_texts(store, source)
    return found.get(source)


def stored_texts(store: Store, source: str | None = None) -> dict[str, str]:
    """The Markdown texts stored in the graph, by source (only ``source``'s if given)."""
    from graph import sparql

    values = f"VALUES ?source {{ {ox.NamedNode(source)} }}" if source else ""
    query = Template(sparql.text("changes/stored-texts.rq")).substitute(values=values)
    return {str(r["source"]): str(r["text"]) for r in store.select(query)}


def selectors(store: Store, source: str | None = None) -> dict[str, list[Selector]]:
    """Text-quote selectors by the source they quote (only ``source``'s if given)."""
    found: dict[str, list[Selector]] = {}
    for r in store.select(ld_query("selectors.rq")):
        src = str(r["source"])
        if source is not None and src != source:
            continue
        found.setdefault(src, []).append(Selector(
            str(r["excerpt"]), str(r["exact"]), str(r.get("prefix") or ""), str(r.get("suffix") or "")))
    return found


def supports(store: Store, source: str) -> dict[str, list[str]]:
    """For each excerpt of ``source``, the facts derived from it."""
    query = Template(ld_query("supports.rq")).substitute(source=str(ox.NamedNode(source)))
    found: dict[str, list[str]] = {}
    for r in store.select(query):
        found.setdefault(str(r["excerpt"]), []).append(str(r["fact"]))
    return found


def selectors_in(quads: Iterable[ox.Quad]) -> dict[str, list[Selector]]:
    """The text-quote selectors stated in ``quads`` (e.g. the data files), by source."""
    source_of: dict[str, str] = {}
    selector_of: dict[str, list[object]] = {}
    fields: dict[object, dict[str, str]] = {}
    for q in quads:
        p = q.predicate.value
        if p == OA + "hasSource" and isinstance(q.object, ox.NamedNode):
            source_of[q.subject.value] = q.object.value
        elif p == OA + "hasSelector":
            selector_of.setdefault(q.subject.value, []).append(q.object)
        elif p in (OA + "exact", OA + "prefix", OA + "suffix") and isinstance(q.object, ox.Literal):
            fields.setdefault(q.subject, {})[p[len(OA):]] = q.object.value
    found: dict[str, list[Selector]] = {}
    for excerpt, nodes in selector_of.items():
        for node in nodes:
            f = fields.get(node, {})
            if "exact" in f and excerpt in source_of:
                found.setdefault(source_of[excerpt], []).append(
                    Selector(excerpt, f["exact"], f.get("prefix", ""), f.get("suffix", "")))
    return found


def check(by_source: dict[str, list[Selector]]) -> dict[str, list[Anchor]]:
    """Anchor every selector in its source text; :class:`AnchorError` naming every excerpt whose
    selector matches nothing or more than one place, or whose source has no text."""
    anchors: dict[str, list[Anchor]] = {}
    problems: list[tuple[str, str]] = []
    for source, sels in sorted(by_source.items()):
        text = source_text(source)
        if text is None:
            problems += [(s.excerpt, f"its source <{source}> has no text ({text_path(source).name} is missing)") for s in sels]
            continue
        try:
            anchors[source] = anchor_all(text, sels)
        except AnchorError as exc:
            problems += exc.problems
    if problems:
        raise AnchorError(problems)
    return anchors


def check_files(paths: Iterable[Path]) -> None:
    """The build's check: every selector in the data files anchors in its source text."""
    from graph.store import rdf_format

    quads: list[ox.Quad] = []
    for path in paths:
        quads += ox.parse(path=str(path), format=rdf_format(path))
    check(selectors_in(quads))
