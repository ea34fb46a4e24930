"""The same service on a remote SPARQL server: ``zdg build|serve --store http://...`` against the
real Oxigraph server (PyPI ``oxigraph``), compared end to end with the embedded store; and
scale-out: two API processes in front of one Oxigraph server."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.vocab import ID_BASE, VOID
from tests.conftest import ROOT, start_api, start_oxigraph
from tests.sources import NAMES_QUERY, signatories

pytestmark = pytest.mark.remote
TOKEN = "remote-token"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
SAMPLE_RESOURCES = [
    "organisation/dgb-nrw", "document/letter-of-intent-2023-01-20", "person/anja-weber", "theme/kreislaufwirtschaft",
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """An API on the embedded store and an API on a real Oxigraph server, same shipped data."""
    tmp = tmp_path_factory.mktemp("remote")
    oxigraph = start_oxigraph(tmp)
    embedded = start_api(str(tmp / "embedded"), tmp, {"ZDG_TOKEN": TOKEN})
    remote = start_api(oxigraph.url, tmp, {"ZDG_TOKEN": TOKEN})
    yield {"embedded": embedded, "remote": remote, "oxigraph": oxigraph, "tmp": tmp}
    for s in (remote, embedded, oxigraph):
        s.stop()


def normalised_rows(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    data = response.json()
    if "boolean" in data:
        return [str(data["boolean"])]
    rows = []
    for b in data["results"]["bindings"]:
        rows.append(json.dumps({k: ("_:b" if v["type"] == "bnode" else v["value"], v.get("xml:lang"), v.get("datatype"))
                                for k, v in sorted(b.items())}, ensure_ascii=False))
    return sorted(rows)


def end_to_end(url: str) -> dict:
    """What a researcher sees: every competency question, some /id/ pages, the dataset size."""
    out: dict = {}
    for example in httpx.get(url + "/sparql/examples").json():
        r = httpx.post(url + "/sparql", data={"query": example["query"]}, headers=JSON_RESULTS, timeout=60)
        out[example["id"]] = normalised_rows(r)
    for path in SAMPLE_RESOURCES:
        r = httpx.get(url + "/id/" + path, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, (path, r.text)
        out["id:" + path] = rdflib.Graph().parse(data=r.content, format="nt")
    g = rdflib.Graph().parse(data=httpx.get(url + "/dataset", headers={"Accept": "text/turtle"}).text, format="turtle")
    out["void:triples"] = sorted((str(s).replace(url, ""), int(o)) for s, o in g.subject_objects(VOID.triples))
    quads = rdflib.Dataset()
    quads.parse(data=httpx.get(url + "/dump.nq", timeout=60).content, format="nquads")
    out["dump:quads"] = len(quads)
    return out


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_same_end_to_end_facts(servers, kind, letter_text):
    url = servers[kind].url
    r = httpx.get(url + "/sparql", params={"query": NAMES_QUERY}, headers=JSON_RESULTS)
    assert {b["name"]["value"] for b in r.json()["results"]["bindings"]} == signatories(letter_text)
    r = httpx.get(url + "/id/organisation/dgb-nrw", headers={"Accept": "text/turtle"})
    assert "Anja Weber Vorsitzende des DGB NRW" in r.text and "Anja Weber Vorsitzende des DGB NRW" in letter_text
    assert httpx.get(url + "/healthz").json()["store"] == kind


def test_embedded_and_remote_answer_the_same(servers):
    embedded, remote = end_to_end(servers["embedded"].url), end_to_end(servers["remote"].url)
    assert embedded.keys() == remote.keys()
    for key in embedded:
        if key.startswith("id:"):
            assert isomorphic(embedded[key], remote[key]), key
        else:
            assert embedded[key] == remote[key], key


def test_remote_errors_are_the_same_problems(servers):
    for kind in ("embedded", "remote"):
        url = servers[kind].url
        r = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), kind
        r = httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert r.status_code == 400, kind
        r = httpx.get(url + "/id/organisation/nobody")
        assert r.status_code == 404, kind


def test_zdg_build_against_the_remote_server_is_idempotent(servers):
    url = servers["oxigraph"].url
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def size() -> int:
        r = httpx.post(url, data={"query": count}, headers=JSON_RESULTS)
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    sizes = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--store", url], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "built" in done.stderr
        sizes.append(size())
    assert sizes[0] == sizes[1] > 1000


def test_scale_out_two_api_processes_share_one_server(servers, letter_text):
    oxigraph = servers["oxigraph"]
    second = start_api(oxigraph.url, servers["tmp"], {"ZDG_TOKEN": TOKEN})
    try:
        first = servers["remote"]
        for query in (NAMES_QUERY, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            a = httpx.post(first.url + "/sparql", data={"query": query}, headers=JSON_RESULTS)
            b = httpx.post(second.url + "/sparql", data={"query": query}, headers=JSON_RESULTS)
            assert normalised_rows(a) == normalised_rows(b)
        note = ID_BASE + "note/scale-out"
        update = (f'INSERT DATA {{ GRAPH <{ID_BASE}source/test-notes> {{ <{note}> '
                  '<http://www.w3.org/2000/01/rdf-schema#comment> "written through the first process" } }')
        r = httpx.post(first.url + "/sparql/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200, r.text
        ask = f'ASK {{ <{note}> <http://www.w3.org/2000/01/rdf-schema#comment> "written through the first process" }}'
        r = httpx.get(second.url + "/sparql", params={"query": ask}, headers=JSON_RESULTS)
        assert r.json()["boolean"] is True
        r = httpx.get(second.url + "/id/note/scale-out", headers={"Accept": "text/turtle"})
        assert r.status_code == 200 and "written through the first process" in r.text
    finally:
        second.stop()
