"""JSON-LD compacted with our context: the one context (``/context.jsonld``) and the compaction.

Oxigraph writes JSON-LD expanded (full IRIs everywhere); rdflib's JSON-LD writer compacts
with a context, so a small graph goes Oxigraph → N-Triples → rdflib → compact JSON-LD. The
context is embedded in every document (so it reads without a fetch) and published as is at
``/context.jsonld``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from graph.vocab import PREFIXES

#: The context: our prefixes (``zd:``, ``id:``, ``org:``, ``skos:`` …) as JSON-LD terms.
CONTEXT: dict[str, str] = dict(PREFIXES)


def context_document() -> bytes:
    """The body of ``/context.jsonld``.

    >>> json.loads(context_document())["@context"]["zd"]
    'https://w3id.org/zukunftsdialog/ontology#'
    """
    return json.dumps({"@context": CONTEXT}, ensure_ascii=False, indent=2).encode("utf-8")


def compact(triples: Iterable[ox.Triple]) -> bytes:
    """``triples`` as JSON-LD compacted with :data:`CONTEXT`.

    >>> t = ox.Triple(ox.NamedNode("https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw"),
    ...               ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("DGB NRW", language="de"))
    >>> doc = json.loads(compact([t]))
    >>> doc["@id"], doc["skos:altLabel"]
    ('https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw', {'@language': 'de', '@value': 'DGB NRW'})
    """
    nt = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    g.parse(data=nt.decode("utf-8"), format="nt")
    out = g.serialize(format="json-ld", context=CONTEXT, auto_compact=True, ensure_ascii=False)
    return out.encode("utf-8") if isinstance(out, str) else out
