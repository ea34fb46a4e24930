"""Formats, in one place, as pyoxigraph's values (which know their media type and extension).

* :data:`RDF_NAMES`: the short names and file suffixes we read and write (``zdg load``,
  ``zdg export``, ``/dump.*``, ``?format=``) → :class:`pyoxigraph.RdfFormat`.
* :func:`negotiate`: the result format for a client's ``Accept`` (SPARQL results for SELECT and
  ASK, RDF for CONSTRUCT and DESCRIBE), by the name of the pyoxigraph format (``"CSV"``,
  ``"TURTLE"``: names travel to the query workers as text); :func:`media_type_of` its media type.
* :func:`content_type`: the ``Content-Type`` of an answer (text formats say UTF-8).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

#: Short names and file suffixes → RDF formats.
RDF_NAMES: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdf": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}
#: Short names → SPARQL result formats (``zdg query --format``).
RESULT_NAMES: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

_SOLUTIONS = ("JSON", "XML", "CSV", "TSV")  # the first is the default
_GRAPHS = ("TURTLE", "N_TRIPLES", "JSON_LD", "RDF_XML")


def _media(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    return fmt.media_type.split(";")[0].strip()


#: Media types a client may ask for → the pyoxigraph format's name; pyoxigraph's own media
#: types first (the first is the default), then the aliases clients send.
SOLUTION_MEDIA_TYPES: dict[str, str] = {
    **{_media(getattr(ox.QueryResultsFormat, n)): n for n in _SOLUTIONS},
    "application/json": "JSON", "application/xml": "XML", "text/xml": "XML",
}
GRAPH_MEDIA_TYPES: dict[str, str] = {
    **{_media(getattr(ox.RdfFormat, n)): n for n in _GRAPHS},
    "application/x-turtle": "TURTLE", "text/plain": "N_TRIPLES", "application/json": "JSON_LD",
    "application/xml": "RDF_XML", "text/xml": "RDF_XML",
}
#: Media types of answers that are text (they get ``charset=utf-8``).
_TEXT = ("text/", "application/sparql-results+json", "application/sparql-results+xml", "application/n-triples",
         "application/n-quads", "application/trig", "application/ld+json", "application/rdf+xml", "application/json")


class UnknownFormat(ValueError):
    """A format name or file suffix that is not one of :data:`RDF_NAMES`."""


def rdf_format(name_or_path: str | Path) -> ox.RdfFormat:
    """The RDF format for a short name or a file name's suffix.

    >>> rdf_format("data/x.trig") == ox.RdfFormat.TRIG
    True
    """
    text = str(name_or_path).lower()
    key = text.rsplit(".", 1)[-1] if "." in text or "/" in text else text
    try:
        return RDF_NAMES[key]
    except KeyError:
        raise UnknownFormat(f"unknown RDF format {key!r}; known: {', '.join(sorted(RDF_NAMES))}") from None


@dataclass(frozen=True)
class Formats:
    """The formats chosen for each kind of result (None: the client accepts none)."""

    solutions: str | None
    graph: str | None


def choose(accept: list[str]) -> Formats:
    """Result formats for the client's media ranges, best first (``*/*``: the defaults).

    >>> choose(["text/csv"]).solutions
    'CSV'
    >>> choose(["*/*"]).graph
    'TURTLE'
    >>> choose(["text/*"])
    Formats(solutions='CSV', graph='TURTLE')
    """
    accept = accept or ["*/*"]

    def pick(table: dict[str, str]) -> str | None:
        for media in accept:
            if media in table:
                return table[media]
            if media == "*/*":
                return next(iter(table.values()))
            if media.endswith("/*"):
                major = media[:-1]
                for known, fmt in table.items():
                    if known.startswith(major):
                        return fmt
        return None

    return Formats(pick(SOLUTION_MEDIA_TYPES), pick(GRAPH_MEDIA_TYPES))


def media_type_of(fmt: str) -> str:
    """The media type of a pyoxigraph format name, e.g. ``media_type_of("CSV") == "text/csv"``."""
    found = getattr(ox.QueryResultsFormat, fmt, None) if fmt in _SOLUTIONS else getattr(ox.RdfFormat, fmt, None)
    if found is None:
        raise UnknownFormat(f"unknown format {fmt!r}")
    return _media(found)


def content_type(media_type: str) -> str:
    """The ``Content-Type`` of an answer: text formats say their encoding (UTF-8).

    >>> content_type("text/turtle"), content_type("application/octet-stream")
    ('text/turtle; charset=utf-8', 'application/octet-stream')
    """
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT) else media_type
