"""SHACL: full validation and single-write gating, ours vs whole-graph pyshacl.

    python -m benchmarks.bench_shacl [--quick]

On synthetic graphs (graph.synthetic) of 10k / 100k / 400k triples:

* full validation: ``graph.shacl.validation.validate`` (shapes compiled to SPARQL, run by Oxigraph)
  vs pyshacl on the same data already in an rdflib graph (its parse is a row of its own);
* single write: ``graph.shacl.validation.check_quads`` for one new recommendation (with its
  excerpt), valid and invalid ones alternating, vs pyshacl validating the whole graph with
  the write added (what "validate the store after the write" costs without a gate).

Both give the same verdict (tests/test_validation.py checks it); every row is a median over
repeated runs in this process, and ``ratio`` is ours / peer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import pyoxigraph as ox

FULL_TARGET_S = 5.0
WRITE_TARGET_S = 0.100
TARGET_SIZE = 400_000


def _timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _write(n: int, valid: bool) -> list[ox.Quad]:
    """One new recommendation as an API client would add it (invalid: without a theme)."""
    from graph.synthetic import DCT, ID, OA, PROV, SKOS, XSD, ZD

    g = ox.NamedNode(f"{ID}source/bench-write-{n}")
    rec, ex, sel = (ox.NamedNode(f"{ID}recommendation/bench-{n}"), ox.NamedNode(f"{ID}excerpt/bench-{n}"),
                    ox.BlankNode())
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def q(s, p, o):
        return ox.Quad(s, ox.NamedNode(p) if isinstance(p, str) else p, o, g)

    quads = [
        q(rec, rdf_type, ox.NamedNode(ZD + "Recommendation")),
        q(rec, SKOS + "prefLabel", ox.Literal(f"Benchmark-Empfehlung {n}", language="de")),
        q(rec, ZD + "addressesLevel", ox.NamedNode(ID + "policy-level/land")),
        q(rec, ZD + "proposedBy", ox.NamedNode(ID + "organisation/dgb-nrw")),
        q(rec, ZD + "status", ox.NamedNode(ID + "status/vorgeschlagen")),
        q(rec, DCT + "source", ox.NamedNode(ID + "document/letter-of-intent-2023-01-20")),
        q(rec, DCT + "date", ox.Literal("2025-01-01", datatype=ox.NamedNode(XSD + "date"))),
        q(rec, PROV + "wasDerivedFrom", ex),
        q(ex, rdf_type, ox.NamedNode(OA + "SpecificResource")),
        q(ex, OA + "hasSource", ox.NamedNode(ID + "document/letter-of-intent-2023-01-20")),
        q(ex, OA + "hasSelector", sel),
        q(sel, rdf_type, ox.NamedNode(OA + "TextQuoteSelector")),
        q(sel, OA + "exact", ox.Literal(f"Benchmark-Empfehlung {n}")),
    ]
    if valid:  # the busiest theme: the gate has to look at every recommendation on it
        quads.append(q(rec, DCT + "subject", ox.NamedNode(ID + "theme/kreislaufwirtschaft")))
    return quads


def _row(case: str, size: int, ours: float, peer_name: str, peer: float, target: float | None = None) -> dict:
    row = {
        "case": case, "size": size, "ours": round(ours, 4), "unit": "s", "peer": peer_name,
        "peer_value": round(peer, 4), "ratio": round(ours / peer, 4) if peer else None,
    }
    if target is not None:
        row["target"] = f"<= {target:g} s at {TARGET_SIZE:,} triples"
        row["met"] = ours <= target if size >= TARGET_SIZE else None
    return row


def bench_size(size: int, writes: int, full_repeats: int) -> list[dict]:
    """Every row for one graph size."""
    from rdflib import Graph

    from graph.synthetic import generate
    from graph.shacl import validation
    from graph.shacl.reference import data_graph, validate_graph
    from graph.store import EmbeddedStore

    quads = list(generate(size, seed=0))
    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(quads)
    triples = len(store)
    validation.validate(store)  # compile the shapes once, as a running server has

    ours_full, report = _timed(lambda: validation.validate(store), full_repeats)
    assert report.conforms

    nt = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    start = time.perf_counter()
    Graph().parse(data=nt, format="nt")
    parse_s = time.perf_counter() - start
    graph = data_graph(store.quads())
    peer_full, peer_results = _timed(lambda: validate_graph(graph), 1)
    assert not [r for r in peer_results if r.severity == "Violation"]

    gate_times = []
    for n in range(writes):
        write = _write(n, valid=n % 2 == 0)
        start = time.perf_counter()
        verdict = validation.check_quads(store, write)
        gate_times.append(time.perf_counter() - start)
        assert verdict.conforms == (n % 2 == 0)
    write = _write(10**6, valid=True)
    from graph.store import to_rdflib

    for q in write:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    peer_write, results = _timed(lambda: validate_graph(graph), 1)
    assert not [r for r in results if r.severity == "Violation"]
    return [
        _row("full validation", triples, ours_full, "pyshacl, whole graph (in rdflib)", peer_full, FULL_TARGET_S),
        _row("full validation incl. pyshacl's parse", triples, ours_full, "rdflib parse + pyshacl",
             parse_s + peer_full),
        _row("single write gated (median of %d)" % writes, triples, statistics.median(gate_times),
             "pyshacl, whole graph after the write", peer_write, WRITE_TARGET_S),
        _row("single write gated (slowest of %d)" % writes, triples, max(gate_times),
             "pyshacl, whole graph after the write", peer_write),
    ]


def run(quick: bool = False) -> list[dict]:
    """The benchmark rows (keys as benchmarks/run.py expects: case, ours, peer, ratio …)."""
    sizes = (10_000, 50_000) if quick else (10_000, 100_000, 400_000)
    rows = []
    for size in sizes:
        print(f"[bench_shacl] {size:,} triples …", file=sys.stderr, flush=True)
        rows += bench_size(size, writes=10 if quick else 30, full_repeats=3)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small graphs only")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
