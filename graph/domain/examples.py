"""The competency questions of ``queries/*.rq`` as ready examples for the query page.

Each file starts with comment lines stating its question: ``# de: ...`` and ``# en: ...``,
then its topic: ``# topic: letter`` (or ``organisations``, ``themes``, ``time``), by which the
query page groups the examples.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from graph import resources

_QUESTION = re.compile(r"^#\s*(de|en)\s*:\s*(.+?)\s*$")
_TOPIC = re.compile(r"^#\s*topic\s*:\s*([a-z]+)\s*$")
#: The topics in the order the query page shows them, with their headings.
TOPICS: dict[str, dict[str, str]] = {
    "letter": {"de": "Der Letter of Intent", "en": "The Letter of Intent"},
    "organisations": {"de": "Organisationen und Personen", "en": "Organisations and people"},
    "themes": {"de": "Themen und Handlungsfelder", "en": "Themes and fields of action"},
    "time": {"de": "Der Dialog 2023–2025 und seine Quellen", "en": "The dialogue 2023–2025 and its sources"},
    "other": {"de": "Weitere Fragen", "en": "More questions"},
}


@dataclass(frozen=True)
class Example:
    """One competency question: file stem, the question in German and English, the query."""

    id: str
    question: dict[str, str]
    query: str
    topic: str = "other"

    def to_dict(self) -> dict:
        """Plain JSON-ready data, with the topic's heading in German and English."""
        return {**asdict(self), "topic_label": TOPICS[self.topic]}


def parse(stem: str, text: str) -> Example:
    """Read the question lines at the top of a query file.

    >>> e = parse("q", "# de: Wer?\\n# en: Who?\\n# topic: letter\\nSELECT * {}")
    >>> e.question, e.topic
    ({'de': 'Wer?', 'en': 'Who?'}, 'letter')
    """
    question: dict[str, str] = {}
    topic = "other"
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if m := _QUESTION.match(line):
            question.setdefault(m.group(1), m.group(2))
        elif (t := _TOPIC.match(line)) and t.group(1) in TOPICS:
            topic = t.group(1)
    return Example(stem, question, text, topic)


def _order(e: Example) -> tuple:
    """Topic first, then the number in the file name as a number (q2 before q10)."""
    return (list(TOPICS).index(e.topic), [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", e.id)])


def examples() -> list[Example]:
    """Every competency question, grouped by topic (in the order of :data:`TOPICS`)."""
    try:
        paths = resources.files("queries", ".rq")
    except FileNotFoundError:
        return []
    return sorted((parse(p.stem, p.read_text(encoding="utf-8")) for p in paths), key=_order)
