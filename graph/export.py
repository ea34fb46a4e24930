"""Dumps of the whole dataset: RDF formats through Oxigraph, network formats through networkx."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path


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


class Dumps:
    """The dumps a server hands out: each made once per format and store state, one at a time,
    and kept as a file that is streamed to every client asking for it.

    Eight clients asking at once for a dump of 300k quads used to make eight copies side by side
    (a JSON-LD compaction holds the interpreter), and the server stopped answering meanwhile.
    A store's state is its write count (``generation``): every write of the serving process goes
    through it. A remote store may be written by others, so its dumps are made anew each time.
    """

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix=f"zdg-sparql-{os.getpid()}-dumps-"))
        self._lock = threading.Lock()
        self._made: dict[str, tuple[int, Path]] = {}

    def path(self, store: Store, fmt: str) -> Path:
        """The file holding the dump of ``store`` in ``fmt`` as the store is now."""
        reusable = store.location != "memory" and not store.location.startswith(("http://", "https://"))
        with self._lock:
            made = self._made.get(fmt)
            if reusable and made and made[0] == store.generation and made[1].exists():
                return made[1]
            target = self._dir / f"{fmt}-{uuid.uuid4().hex}"
            target.write_bytes(dump_rdf(store, fmt))
            if made:  # a client still streaming it keeps its open file
                made[1].unlink(missing_ok=True)
            self._made[fmt] = (store.generation, target)
            return target

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def dump_network(store: Store, fmt: str, view: str = "full", lang: str = "de") -> bytes:
    """A network projection (``view``, default the full one) as GraphML or GEXF for Gephi,
    drawn as on the page: positions, colours, sizes, directed edges (:mod:`graph.page.gephi`)."""
    from graph.network import project
    from graph.page import gephi

    return gephi.dump(project(store, view=view, lang=lang), fmt, lang)
