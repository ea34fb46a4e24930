"""The reader: the HTML view of a source text with every quoted passage marked, and the view of
one excerpt in its context. Thin: anchoring and rendering are :mod:`graph.domain.sources`,
the selectors and what they support come from :mod:`graph.domain.passages`.

A passage is ``<mark id="{slug}">`` (more marks with ``data-passage="{slug}"`` where it crosses
table cells or another passage); ``…#{slug}`` scrolls to it and highlights all its marks with
CSS alone (the CSP allows no inline script). After each passage a numbered button opens a
popover (the HTML ``popover`` attribute, no script) listing what the passage supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape

from graph import __version__
from graph.domain.describe import names
from graph.domain import passages
from graph.domain.sources import CELL_JOIN, AnchorError, InContext, Rendered, Selector, anchor_all, in_context, render, slug
from graph.vocab import ID_BASE
from graph.store import Store

#: The date of this version of the dataset (bumped with ``graph.__version__``).
DATASET_DATE = "2026-12-01"
DATASET_TITLE = {"de": "Zukunftsdialog Industrie NRW – Wissensgraph", "en": "Zukunftsdialog Industrie NRW – knowledge graph"}
TEXT = {
    "de": {"passages": "Zitierte Stellen", "supports": "Diese Stelle belegt", "context": "Im Zusammenhang",
           "in_source": "In der Quelle lesen", "none": "(keine Aussage)", "unfound": "Nicht im Text gefunden",
           "cite": "Zitieren", "accessed": "abgerufen am", "version": "Version", "metadata": "Angaben zur Quelle",
           "quote": "Wortlaut (oa:exact)", "source": "Quelle", "passage_of": "Stelle aus", "passage": "Stelle", "button": "Was diese Stelle belegt"},
    "en": {"passages": "Quoted passages", "supports": "This passage supports", "context": "In context",
           "in_source": "Read in the source", "none": "(no statement)", "unfound": "Not found in the text",
           "cite": "Cite", "accessed": "accessed", "version": "version", "metadata": "About this source",
           "quote": "Wording (oa:exact)", "source": "Source", "passage_of": "Passage of", "passage": "passage", "button": "What this passage supports"},
}
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9_-]+$")


def href(iri: str) -> str:
    """Our own IRIs as ``/id/…`` paths (same rule as the /id/ pages)."""
    return "/id/" + iri[len(ID_BASE):] if iri.startswith(ID_BASE) else iri


def citation(title: str, iri: str, lang: str, today: date | None = None) -> str:
    """The line a researcher copies: title, dataset, version and date, IRI, date of access.

    >>> citation("DGB NRW", "https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw", "en", date(2026, 12, 2))
    '„DGB NRW“. Zukunftsdialog Industrie NRW – knowledge graph, version 0.1.0 (2026-12-01). https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw (accessed 2026-12-02).'
    """
    t = TEXT[lang]
    day = (today or date.today()).isoformat()
    return (f"„{title}“. {DATASET_TITLE[lang]}, {t['version']} {__version__} ({DATASET_DATE}). "
            f"{iri} ({t['accessed']} {day}).")


@dataclass(frozen=True)
class Fact:
    iri: str
    href: str
    label: str


@dataclass(frozen=True)
class Passage:
    number: int
    slug: str
    excerpt: str
    text: str
    facts: list[Fact]
    css_safe: bool


@dataclass(frozen=True)
class SourceView:
    html: str
    passages: list[Passage]
    unfound: list[tuple[str, str]]  # (excerpt IRI, reason): selectors written later that do not anchor


def _supports_button(number: dict[str, int], label: str):
    def after(s: str) -> str:
        n = number[s]
        return (f'<button type="button" class="supports" popovertarget="supports-{escape(s)}" '
                f'aria-label="{escape(label)} ({n})" title="{escape(label)}">{n}</button>')
    return after


@lru_cache(maxsize=32)
def _rendered(text: str, selectors: tuple[Selector, ...], lang: str) -> tuple[Rendered, tuple, tuple]:
    good, bad = [], []
    for sel in selectors:  # one by one: a selector written later that does not anchor is listed, not fatal
        try:
            good += anchor_all(text, [sel])
        except AnchorError as exc:
            bad += exc.problems
    good.sort(key=lambda a: (a.start, -a.end))
    number = {a.slug: k + 1 for k, a in enumerate(good)}
    rendered = render(text, good, after=_supports_button(number, TEXT[lang]["button"]))
    return rendered, tuple(a.excerpt for a in good), tuple(bad)


def source_view(store: Store, source: str, lang: str) -> SourceView | None:
    """The reader's content for ``source``, or None if it has no text."""
    text = passages.source_text(source, store)
    if text is None:
        return None
    sels = tuple(passages.selectors(store, source).get(source, []))
    rendered, excerpts, unfound = _rendered(text, sels, lang)
    supported = passages.supports(store, source)
    found = names(store, sorted({f for fs in supported.values() for f in fs}))
    items = []
    for k, excerpt in enumerate(excerpts):
        s = slug(excerpt)
        facts = [Fact(f, href(f), found.name(f, lang) or f.rsplit("/", 1)[-1]) for f in supported.get(excerpt, [])]
        shown = rendered.texts[s].replace(CELL_JOIN, " · ")  # cells as cells, not as Markdown pipes
        items.append(Passage(k + 1, s, excerpt, shown, facts, bool(_SAFE_SLUG.match(s))))
    return SourceView(rendered.html, items, list(unfound))


@lru_cache(maxsize=256)
def _context(text: str, selector: Selector) -> InContext | None:
    try:
        (anchor,) = anchor_all(text, [selector])
    except AnchorError:
        return None
    return in_context(text, anchor)


def context_of(store: Store, excerpt: str, source: str | None) -> InContext | None:
    """The passage of ``excerpt`` with the sentences around it, as plain text (no Markdown)."""
    if source is None:
        return None
    text = passages.source_text(source, store)
    if text is None:
        return None
    for sel in passages.selectors(store, source).get(source, []):
        if sel.excerpt == excerpt:
            return _context(text, sel)
    return None
