"""Source texts and the passages quoted from them: anchoring and rendering, no I/O.

A passage is given the W3C way, by an ``oa:TextQuoteSelector``: the quote (``exact``) with a
little of the text before (``prefix``) and after it (``suffix``). Our selectors are written
against the *selector text* of a Markdown source: the Markdown with ``**`` dropped and every
run of whitespace folded into one space (:func:`selector_text`). A selector anchors where
``prefix + exact + suffix`` stands in that text, and must stand there exactly once.

To show the passages in the rendered source, the anchors are carried into the Markdown as
private-use characters (one opening and one closing character per passage), the Markdown
library renders the text, and the characters become ``<mark>`` elements. A passage that
crosses an element boundary (table cells, bold text) or another passage becomes several
marks; the first carries ``id="{slug}"`` and all carry ``data-passage="{slug}"``, so every
passage stays addressable and its marks together hold exactly its quote.

>>> text = "# Title\\n\\nWe **agree** to act.\\n\\n| a | b |\\n|---|---|\\n| one | two |\\n"
>>> selector_text(text)
'# Title We agree to act. | a | b | |---|---| | one | two |'
>>> [a.start for a in anchor_all(text, [Selector("ex/1", "agree to", "We ", " act")])]
[14]
>>> html = render(text, anchor_all(text, [Selector("ex/1", "agree to", "We "),
...                                       Selector("ex/2", "one | two", "| ")]))
>>> print(html.html.replace("\\n", ""))  # doctest: +NORMALIZE_WHITESPACE
<h1>Title</h1><p>We <strong><mark id="1" data-passage="1">agree</mark></strong><mark data-passage="1"> to</mark> act.</p><table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><mark id="2" data-passage="2">one</mark></td><td><mark data-passage="2">two</mark></td></tr></tbody></table>
>>> html.texts == {"1": "agree to", "2": "one | two"}
True

Overlapping passages nest where they can and split where they cross; each keeps its id:

>>> t = "one two three four five"
>>> print(render(t, anchor_all(t, [Selector("ex/A", "one two three"), Selector("ex/B", "two three four"),
...                                Selector("ex/C", "three")])).html)
<p><mark id="A" data-passage="A">one <mark id="B" data-passage="B">two <mark id="C" data-passage="C">three</mark></mark></mark><mark data-passage="B"> four</mark> five</p>
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown

#: Private-use characters carry the anchors through the Markdown renderer (two per passage).
_FIRST_SENTINEL = 0xF0000  # Supplementary Private Use Area-A: 65,534 characters, never in our texts
_MAX_PASSAGES = 30000
_SENTINELS = re.compile("([\U000F0000-\U000FFFFD])")
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "hr", "table",
           "ul", "ol", "div", "br"}
_CELLS = {"td", "th"}
#: Between table cells a passage's text reads " | " (as the selectors have it); on screen, cells.
CELL_JOIN = " | "


@dataclass(frozen=True)
class Selector:
    """An ``oa:TextQuoteSelector`` of one excerpt (``excerpt`` is its IRI)."""

    excerpt: str
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Anchor:
    """Where an excerpt stands: ``[start, end)`` in the Markdown source itself."""

    excerpt: str
    start: int
    end: int

    @property
    def slug(self) -> str:
        return slug(self.excerpt)


class AnchorError(ValueError):
    """Selectors that match nothing, or more than one place, in their source."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (excerpt IRI, reason)
        super().__init__("; ".join(f"<{iri}>: {reason}" for iri, reason in problems))


@dataclass(frozen=True)
class Rendered:
    """A source rendered as HTML with its passages marked."""

    html: str
    texts: dict[str, str] = field(default_factory=dict)  # slug -> the passage's text as shown


def slug(excerpt: str) -> str:
    """The fragment of an excerpt: the last segment of its IRI.

    >>> slug("https://w3id.org/zukunftsdialog/id/excerpt/loi-goal")
    'loi-goal'
    """
    return excerpt.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _selector_chars(markdown_text: str) -> tuple[str, list[int]]:
    """The selector text and, for each of its characters, its offset in the Markdown."""
    kept = [(m.group(), m.start()) for m in re.finditer(r"\*\*|.", markdown_text, re.S) if m.group() != "**"]
    chars: list[str] = []
    offsets: list[int] = []
    for c, at in kept:
        if c.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                offsets.append(at)
            continue
        chars.append(c)
        offsets.append(at)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def selector_text(markdown_text: str) -> str:
    """The text our selectors are written against: ``**`` dropped, whitespace folded.

    >>> selector_text("**Mona Neubaur MdL**  \\nMinisterin")
    'Mona Neubaur MdL Ministerin'
    """
    return _selector_chars(markdown_text)[0]


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def anchor_all(markdown_text: str, selectors: Iterable[Selector]) -> list[Anchor]:
    """The anchor of every selector in the Markdown source; :class:`AnchorError` for any that
    matches nothing or more than one place (all of them named, not only the first).

    >>> anchor_all("one two one", [Selector("ex:a", "one")])
    Traceback (most recent call last):
    ...
    graph.domain.sources.AnchorError: <ex:a>: the selector matches 2 places in the source
    >>> anchor_all("one two one", [Selector("ex:b", "one", suffix=" three")])
    Traceback (most recent call last):
    ...
    graph.domain.sources.AnchorError: <ex:b>: the selector matches nothing in the source
    """
    text, offsets = _selector_chars(markdown_text)
    anchors: list[Anchor] = []
    problems: list[tuple[str, str]] = []
    for sel in selectors:
        if not sel.exact.strip():
            problems.append((sel.excerpt, "the selector's oa:exact is empty"))
            continue
        places = _occurrences(text, sel.prefix + sel.exact + sel.suffix)
        if len(places) != 1:
            problems.append((sel.excerpt, f"the selector matches {'nothing' if not places else f'{len(places)} places'} in the source"))
            continue
        start = places[0] + len(sel.prefix)
        end = start + len(sel.exact)
        anchors.append(Anchor(sel.excerpt, offsets[start], offsets[end - 1] + 1))
    if problems:
        raise AnchorError(problems)
    return anchors


def _with_sentinels(markdown_text: str, anchors: list[Anchor]) -> str:
    if len(anchors) > _MAX_PASSAGES:
        raise ValueError(f"at most {_MAX_PASSAGES} passages per source")
    inserts: list[tuple[int, int, str]] = []
    for k, a in enumerate(anchors):
        # Closings before openings at the same offset, so back-to-back passages do not overlap.
        inserts.append((a.start, 1, chr(_FIRST_SENTINEL + 2 * k)))
        inserts.append((a.end, 0, chr(_FIRST_SENTINEL + 2 * k + 1)))
    pieces, last = [], 0
    for at, _, char in sorted(inserts):
        pieces.append(markdown_text[last:at])
        pieces.append(char)
        last = at
    pieces.append(markdown_text[last:])
    return "".join(pieces)


def to_html(markdown_text: str) -> str:
    """Markdown as HTML (tables and lists as the source file means them)."""
    return markdown.markdown(markdown_text, extensions=["tables", "sane_lists"], output_format="html")


class _Marker:
    """Turns the sentinels of rendered HTML into ``<mark>`` elements, split at every tag."""

    def __init__(self, slugs: list[str], after: Callable[[str], str] | None) -> None:
        self.slugs = slugs
        self.after = after
        self.out: list[str] = []
        self.stack: list[int] = []  # passages open at this point, in the order they opened
        self.opened = 0  # how many of them have a <mark> open in the output
        self.started: set[int] = set()
        self.texts: dict[int, list[str]] = {}
        self.cell_of: dict[int, int] = {}
        self.cell = 0

    def _close_marks(self, down_to: int = 0) -> None:
        self.out.append("</mark>" * (self.opened - down_to))
        self.opened = min(self.opened, down_to)

    def tag(self, tag: str) -> None:
        if _SENTINELS.search(tag):
            raise ValueError("a passage begins or ends inside Markdown markup (e.g. a link target)")
        self._close_marks()
        name = re.match(r"</?([a-zA-Z0-9]+)", tag)
        if name and name.group(1).lower() in _CELLS and not tag.startswith("</"):
            self.cell += 1
        elif name and name.group(1).lower() in _BLOCKS:
            self.cell += 1000  # a new block: joins with a space, not a cell separator
        self.out.append(tag)

    def text(self, raw: str) -> None:
        for piece in _SENTINELS.split(raw):
            if not piece:
                continue
            code = ord(piece) - _FIRST_SENTINEL if _SENTINELS.fullmatch(piece) else None
            if code is None:
                self._emit(piece)
            elif code % 2 == 0:
                self.stack.append(code // 2)
            else:
                k = code // 2
                at = self.stack.index(k)
                if self.opened > at:
                    self._close_marks(at)
                self.stack.remove(k)
                if self.after:
                    self.out.append(self.after(self.slugs[k]))

    def _emit(self, piece: str) -> None:
        if self.stack and piece.strip() == "" and self.opened == 0:
            self.out.append(piece)  # whitespace between elements: no mark (it may sit in a <tr>)
            return
        for k in self.stack[self.opened:]:
            s = html_lib.escape(self.slugs[k])
            ident = "" if k in self.started else f' id="{s}"'
            self.started.add(k)
            self.out.append(f'<mark{ident} data-passage="{s}">')
        self.opened = len(self.stack)
        for k in self.stack:
            parts = self.texts.setdefault(k, [])
            if parts and self.cell_of.get(k) != self.cell:
                parts.append(CELL_JOIN if self.cell - self.cell_of[k] < 1000 else " ")
            self.cell_of[k] = self.cell
            parts.append(html_lib.unescape(piece))
        self.out.append(piece)


def render(markdown_text: str, anchors: list[Anchor], after: Callable[[str], str] | None = None) -> Rendered:
    """The source as HTML, each anchored passage marked; ``after(slug)`` (HTML) follows each
    passage's last mark, e.g. a link to what the passage supports."""
    slugs = [a.slug for a in anchors]
    if len(set(slugs)) != len(slugs):
        raise ValueError("two passages with the same slug")
    html = to_html(_with_sentinels(markdown_text, anchors))
    marker = _Marker(slugs, after)
    for token in re.split(r"(<[^>]*>)", html):
        if token.startswith("<"):
            marker.tag(token)
        elif token:
            marker.text(token)
    if marker.stack:
        raise ValueError("a passage was left open by the renderer")
    texts = {slugs[k]: re.sub(r"\s+", " ", "".join(parts)).strip() for k, parts in marker.texts.items()}
    missing = [slugs[k] for k in range(len(slugs)) if slugs[k] not in texts]
    if missing:
        raise ValueError(f"passages not shown: {', '.join(missing)}")
    return Rendered("".join(marker.out), texts)


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _CELLS:
            self.parts.append(" · ")
        elif tag == "br":  # a line break inside a block (the letter's signatures): a space, as selectors read it
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace("\n", " "))


def plain_text(html: str) -> str:
    """Rendered HTML as plain text: one line a block, table cells joined by " · ".

    >>> plain_text("<h1>T</h1><p>a <b>b</b></p><table><tr><td>x</td><td>y</td></tr></table>")
    'T\\na b\\nx · y'
    """
    parser = _PlainText()
    parser.feed(html)
    lines = (re.sub(r"[ \t]+", " ", line).strip(" ·") for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class InContext:
    """A passage with a few sentences before and after it, as plain text."""

    before: str
    passage: str
    after: str


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n")


def in_context(markdown_text: str, anchor: Anchor, sentences: int = 2, limit: int = 400) -> InContext:
    """The passage, the rest of its sentence and ``sentences`` more (or lines) either side, no Markdown left.

    >>> md = "# Head\\n\\nOne. Two. Three **four** five. Six. Seven.\\n"
    >>> (a,) = anchor_all(md, [Selector("ex:x", "four")])
    >>> in_context(md, a, sentences=1)
    InContext(before='Two. Three ', passage='four', after=' five. Six.')
    """
    open_, close = chr(_FIRST_SENTINEL), chr(_FIRST_SENTINEL + 1)
    text = plain_text(to_html(_with_sentinels(markdown_text, [anchor])))
    start, end = text.index(open_), text.index(close)
    passage = re.sub(r"\s+", " ", text[start + 1 : end]).strip()
    before, after = text[:start], text[end + 1 :]
    return InContext(_last_sentences(before, sentences, limit), passage, _first_sentences(after, sentences, limit))


def _first_sentences(text: str, n: int, limit: int) -> str:
    cut, count = len(text), 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() == 0:
            continue
        count += 1
        if count > n:
            cut = m.start()
            break
    result = text[:cut]
    if len(result) > limit:
        result = result[:limit].rsplit(" ", 1)[0] + " …"
    return result.replace("\n", " ¶ ").rstrip()


def _last_sentences(text: str, n: int, limit: int) -> str:
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() < len(text)]
    cut = ends[-(n + 1)] if len(ends) > n else 0
    result = text[cut:]
    if len(result) > limit:
        result = "… " + result[-limit:].split(" ", 1)[-1]
    return result.replace("\n", " ¶ ").lstrip()
