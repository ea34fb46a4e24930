"""Building the graph: ontology/, shapes/ and data/ into a store, idempotently.

Each file of ``data/`` is TriG (one named graph per source; a graph may span files) or
Turtle (loaded into the graph named after the file). The ontology and the shapes go into
their own named graphs. A rebuild replaces exactly the graphs the files define and leaves
every other graph (e.g. recommendations written through the API) as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph import resources
from graph.domain import passages
from graph.store import Store, rdf_format
from graph.vocab import ONTOLOGY_GRAPH, SHAPES_GRAPH, source_graph


@dataclass(frozen=True)
class SourceFile:
    """One file of the build and the graph its triples go to (None: TriG keeps its own)."""

    path: Path
    graph: str | None


@dataclass(frozen=True)
class BuildReport:
    files: int
    graphs: int
    quads: int
    seconds: float


def source_files() -> list[SourceFile]:
    """Every file the build loads, in a stable order."""
    found = [SourceFile(p, ONTOLOGY_GRAPH) for p in resources.files("ontology", ".ttl")]
    found += [SourceFile(p, SHAPES_GRAPH) for p in resources.files("shapes", ".ttl")]
    for path in resources.files("data", ".ttl", ".trig"):
        found.append(SourceFile(path, None if path.suffix == ".trig" else source_graph(path.stem)))
    return found


def graphs_of(files: list[SourceFile]) -> set[str]:
    """The named graphs the given files define."""
    graphs: set[str] = set()
    for f in files:
        if f.graph:
            graphs.add(f.graph)
            continue
        for quad in ox.parse(path=str(f.path), format=rdf_format(f.path)):
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.add(quad.graph_name.value)
    return graphs


def build(store: Store, progress: Callable[[str], None] | None = None) -> BuildReport:
    """Load the model and the facts into ``store``, replacing what an earlier build loaded.

    >>> from graph.store import open_store
    >>> report = build(open_store("memory"))
    >>> report.quads > 1000
    True

    Raises :class:`graph.domain.sources.AnchorError` (naming each excerpt) if a selector of the
    data matches nothing or more than one place in its source text.
    """
    started = time.perf_counter()
    files = source_files()
    # Every quoted passage must stand exactly once in its source text: checked before the
    # store is touched, so a broken selector fails the build and changes nothing.
    passages.check_files(resources.files("data", ".ttl", ".trig"))
    graphs = graphs_of(files)
    for g in sorted(graphs):
        store.clear_graph(g)
    for f in files:
        if progress:
            progress(f.path.name)
        store.load_data(f.path.read_bytes(), rdf_format(f.path), graph=f.graph)
    return BuildReport(len(files), len(graphs), len(store), time.perf_counter() - started)
