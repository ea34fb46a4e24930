"""Building the graph, and the zdg command line as a user runs it (real subprocesses)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph.build import build
from graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
ZDG = [sys.executable, "-m", "graph.cli"]


def zdg(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ZDG, *args], capture_output=True, text=True, input=input, cwd=ROOT, timeout=120)


def test_build_is_idempotent_and_keeps_other_graphs(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    first = build(store)
    extra = "https://w3id.org/zukunftsdialog/id/source/api-test"
    store.load_data(b"<urn:a> <urn:b> <urn:c> .", "nt", graph=extra)
    second = build(store)
    assert second.quads == first.quads + 1
    assert extra in store.named_graphs()
    store.close()


def test_build_on_disk_persists(tmp_path):
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    n = build(store).quads
    store.close()
    del store
    reopened = EmbeddedStore(path)
    assert len(reopened) == n


def test_cli_build_and_query_prints_a_readable_table(tmp_path):
    store = str(tmp_path / "store")
    result = zdg("build", "--store", store)
    assert result.returncode == 0, result.stderr
    assert "built" in result.stderr
    result = zdg("query", "--store", store, "queries/q02-trade-unions.rq")
    assert result.returncode == 0, result.stderr
    for expected in ("DGB NRW", "IG Metall NRW", "IGBCE Nordrhein", "Anja Weber", "3 rows"):
        assert expected in result.stdout


def test_cli_query_from_stdin_as_csv_and_json():
    query = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }"
    result = zdg("query", "--store", "memory", "--format", "csv", "-", input=query)
    assert result.returncode == 0 and result.stdout.splitlines()[0] == "n"
    assert int(result.stdout.splitlines()[1]) >= 15
    result = zdg("query", "--store", "memory", "--format", "json", "-", input=query)
    assert '"head"' in result.stdout


def test_cli_query_errors_are_clear():
    result = zdg("query", "--store", "memory", "-", input="SELECT WHERE {")
    assert result.returncode == 2 and "does not parse" in result.stderr
    result = zdg("query", "--store", "memory", "no-such-file.rq")
    assert result.returncode == 2 and "no such file" in result.stderr
    result = zdg("query", "--store", "http://127.0.0.1:9/sparql", "-", input="ASK {}")
    assert result.returncode == 3 and "not reachable" in result.stderr


@pytest.mark.parametrize("fmt,rdflib_format", [("ttl", "turtle"), ("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_export_round_trips_through_rdflib_and_oxigraph(tmp_path, fmt, rdflib_format):
    out = tmp_path / f"dump.{fmt}"
    result = zdg("export", "--store", "memory", "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    ox_count = len(list(ox.parse(path=str(out), format={
        "ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}[fmt])))
    if fmt == "ttl":
        g = rdflib.Graph().parse(out, format=rdflib_format)
        rdflib_count = len(g)
    else:
        ds = rdflib.Dataset()
        ds.parse(out, format=rdflib_format)
        rdflib_count = sum(1 for _ in ds.quads((None, None, None, None)))
    assert ox_count == rdflib_count > 1000


def test_export_turtle_is_the_union_with_the_same_triples_as_the_store(built_store, tmp_path):
    out = tmp_path / "dump.ttl"
    assert zdg("export", "--store", "memory", "--format", "ttl", "-o", str(out)).returncode == 0
    triples = {q.triple for q in built_store.quads()}
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))) == len(triples)


def test_export_rejects_unknown_format():
    result = zdg("export", "--store", "memory", "--format", "xls")
    assert result.returncode == 2


def test_wheel_carries_model_and_data_and_works_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("*.whl")
    import zipfile

    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    for needed in ("graph/_resources/ontology/zukunftsdialog.ttl", "graph/_resources/data/letter-of-intent-2023-01-20.trig",
                   "graph/_resources/queries/q01-signatories.rq"):
        assert needed in names
    # Run from an unrelated folder with only the unpacked wheel (plus dependencies) on the path.
    code = ("import graph.resources as r, graph.build as b, graph.store as s;"
            "st = s.open_store('memory'); rep = b.build(st);"
            "print(r.root()); print(rep.quads)")
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    root, quads = result.stdout.split()
    assert root.startswith(str(site)) and int(quads) > 1000


def test_cli_refuses_deeply_nested_queries_instead_of_crashing(tmp_path):
    # Oxigraph's parser overflows the stack (a segfault) a few thousand levels deep.
    query = tmp_path / "nested.rq"
    query.write_text("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000)
    result = zdg("query", "--store", "memory", str(query))
    assert result.returncode == 2 and "nested more than" in result.stderr
    # brackets inside strings do not count
    result = zdg("query", "--store", "memory", "-", input='SELECT ?x WHERE { BIND("' + "{" * 5000 + '" AS ?x) }')
    assert result.returncode == 0


def test_deeply_nested_updates_are_refused_by_the_store(fresh_store):
    from graph.store import QuerySyntaxError

    before = len(fresh_store)
    with pytest.raises(QuerySyntaxError):
        fresh_store.update("INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{" * 3000 + "}" * 3000)
    assert len(fresh_store) == before
