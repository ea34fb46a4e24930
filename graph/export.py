"""Dumps of the whole dataset: RDF formats through Oxigraph, network formats through networkx."""

from __future__ import annotations

import pyoxigraph as ox

from graph.formats import RDF_NAMES
from graph.vocab import PREFIXES
from graph.store import Store

#: Format names of ``zdg export`` and ``/dump.*`` with their media types (pyoxigraph's).
RDF_DUMPS: dict[str, str] = {name: RDF_NAMES[name].media_type for name in ("ttl", "trig", "nq", "nt", "jsonld")}
NETWORK_DUMPS: dict[str, str] = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


def dump_rdf(store: Store, fmt: str) -> bytes:
    """The dataset in an RDF format; ``ttl``, ``nt`` and ``jsonld`` hold the union of all graphs.

    Turtle and TriG are written with our prefixes so that people can read them.
    """
    target = RDF_NAMES.get(fmt) if fmt in RDF_DUMPS else None
    if target is None:
        raise ValueError(f"unknown RDF dump format {fmt!r}; known: {', '.join(RDF_DUMPS)}")
    quads = list(store.quads())
    if target == ox.RdfFormat.JSON_LD:  # compacted with the context of /context.jsonld
        from graph.jsonld import compact

        return compact(dict.fromkeys(q.triple for q in quads))
    # A triple stated in two source graphs is one triple of the union.
    items = quads if target.supports_datasets else list(dict.fromkeys(q.triple for q in quads))
    prefixes = PREFIXES if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=target, prefixes=prefixes)


def dump_network(store: Store, fmt: str, view: str = "full", lang: str = "de") -> bytes:
    """A network projection (``view``, default the full one) as GraphML or GEXF for Gephi,
    drawn as on the page: positions, colours, sizes, directed edges (:mod:`graph.page.gephi`)."""
    from graph.network import project
    from graph.page import gephi

    return gephi.dump(project(store, view=view, lang=lang), fmt, lang)
