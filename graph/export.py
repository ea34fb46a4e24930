"""Dumps of the whole dataset: RDF formats through Oxigraph, network formats through networkx."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from graph.formats import RDF_NAMES
from graph.query.service import QueryService
from graph.store import RemoteStore, Store, io_error, open_snapshot
from graph.vocab import PREFIXES

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
    return serialise(store.quads(), fmt)


def serialise(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """``quads`` as a dump in ``fmt`` (see :func:`dump_rdf`).

    >>> q = ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"), ox.NamedNode("urn:g"))
    >>> serialise([q, ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("urn:h"))], "nt")
    b'<urn:a> <urn:p> "x" .\\n'
    """
    target = RDF_NAMES.get(fmt) if fmt in RDF_DUMPS else None
    if target is None:
        raise ValueError(f"unknown RDF dump format {fmt!r}; known: {', '.join(RDF_DUMPS)}")
    quads = list(quads)
    if target == ox.RdfFormat.JSON_LD:  # compacted with the context of /context.jsonld
        from graph.jsonld import compact

        return compact(dict.fromkeys(q.triple for q in quads))
    # A triple stated in two source graphs is one triple of the union.
    items = quads if target.supports_datasets else list(dict.fromkeys(q.triple for q in quads))
    prefixes = PREFIXES if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    return ox.serialize(items, format=target, prefixes=prefixes)


class Dumps:
    """The dumps a server hands out: each made once per format and store state, one at a time,
    in a child process, and kept as a file that is streamed to every client asking for it.

    Eight clients asking at once for a dump of 300k quads used to make eight copies side by side,
    and the server stopped answering meanwhile; one copy made in a thread still held the
    interpreter for seconds (a JSON-LD compaction is pure Python), so ``/healthz`` waited too.
    A store's state is its write count (``generation``): every write of the serving process goes
    through it. A remote store may be written by others, so its dumps are made anew each time.
    """

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix=f"zdg-sparql-{os.getpid()}-dumps-"))
        self._lock = threading.Lock()
        self._made: dict[str, tuple[int, Path]] = {}

    def path(self, service: QueryService, fmt: str) -> Path:
        """The file holding the dump in ``fmt`` of the service's store as it is now."""
        store = service.store
        reusable = store.location != "memory" and not store.location.startswith(("http://", "https://"))
        with self._lock:
            made = self._made.get(fmt)
            generation = store.generation
            if reusable and made and made[0] == generation and made[1].exists():
                return made[1]
            target = self._dir / f"{fmt}-{uuid.uuid4().hex}"
            _dump_in_child(service, fmt, target)
            if made:  # a client still streaming it keeps its open file
                made[1].unlink(missing_ok=True)
            self._made[fmt] = (generation, target)
            return target

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def _dump_in_child(service: QueryService, fmt: str, target: Path) -> None:
    with service.held_source() as source:
        done = service.run_child([sys.executable, "-m", "graph.export"], {**source, "format": fmt, "out": str(target)})
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise io_error(RuntimeError(f"the dump could not be made: {last}"))  # a full disk says so


def main() -> None:
    """A dump child: read ``{"snapshot": [kind, path] | "remote": [url, update_url], "format": fmt,
    "out": path}`` as JSON on stdin and write the dump to ``out``."""
    message = json.load(sys.stdin)
    if "remote" in message:
        quads: Iterable[ox.Quad] = RemoteStore(*message["remote"]).quads()
    else:
        quads = open_snapshot(*message["snapshot"]).quads_for_pattern(None, None, None, None)
    Path(message["out"]).write_bytes(serialise(quads, message["format"]))


def dump_network(store: Store, fmt: str, view: str = "full", lang: str = "de") -> bytes:
    """A network projection (``view``, default the full one) as GraphML or GEXF for Gephi,
    drawn as on the page: positions, colours, sizes, directed edges (:mod:`graph.page.gephi`)."""
    from graph.network import project
    from graph.page import gephi

    return gephi.dump(project(store, view=view, lang=lang), fmt, lang)


if __name__ == "__main__":
    main()
