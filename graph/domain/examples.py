"""The competency questions of ``queries/*.rq`` as ready examples for the query page.

Each file starts with comment lines stating its question: ``# de: ...`` and ``# en: ...``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from graph import resources

_QUESTION = re.compile(r"^#\s*(de|en)\s*:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Example:
    """One competency question: file stem, the question in German and English, the query."""

    id: str
    question: dict[str, str]
    query: str

    def to_dict(self) -> dict:
        """Plain JSON-ready data."""
        return asdict(self)


def parse(stem: str, text: str) -> Example:
    """Read the question lines at the top of a query file.

    >>> parse("q", "# de: Wer?\\n# en: Who?\\nSELECT * {}").question
    {'de': 'Wer?', 'en': 'Who?'}
    """
    question: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _QUESTION.match(line):
            question.setdefault(m.group(1), m.group(2))
    return Example(stem, question, text)


def examples() -> list[Example]:
    """Every competency question, in file order."""
    try:
        paths = resources.files("queries", ".rq")
    except FileNotFoundError:
        return []
    return [parse(p.stem, p.read_text(encoding="utf-8")) for p in paths]
