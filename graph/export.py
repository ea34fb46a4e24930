"""Dumps of the whole dataset: RDF formats through Oxigraph, network formats through networkx."""

from __future__ import annotations

import pyoxigraph as ox

from graph import network
from graph.vocab import PREFIXES
from graph.store import Store

#: Format names of ``zdg export`` and ``/dump.*`` with their media types.
RDF_DUMPS: dict[str, str] = {
    "ttl": "text/turtle",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
NETWORK_DUMPS: dict[str, str] = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def dump_rdf(store: Store, fmt: str) -> bytes:
    """The dataset in an RDF format; ``ttl``, ``nt`` and ``jsonld`` hold the union of all graphs.

    Turtle and TriG are written with our prefixes so that people can read them.
    """
    target = {
        "ttl": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "nq": ox.RdfFormat.N_QUADS,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
    }.get(fmt)
    if target is None:
        raise ValueError(f"unknown RDF dump format {fmt!r}; known: {', '.join(RDF_DUMPS)}")
    quads = list(store.quads())
    # A triple stated in two source graphs is one triple of the union.
    items = quads if target.supports_datasets else list(dict.fromkeys(q.triple for q in quads))
    prefixes = PREFIXES if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=target, prefixes=prefixes)


def dump_network(store: Store, fmt: str) -> bytes:
    """The full network projection as GraphML or GEXF (for Gephi): the bytes of ``/api/network.graphml``."""
    return network.dump(network.project(store, view="full"), fmt)
