"""The SPARQL 1.1 Protocol on a running uvicorn server (fixture ``shared_api``).

Walks the cases of the W3C SPARQL 1.1 protocol test manifest
(https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest) that apply to a
read-only query service — query via GET, URL-encoded POST and direct POST; dataset
parameters; content negotiation for SELECT, ASK, CONSTRUCT and DESCRIBE; and the negative
cases (bad method, multiple queries, wrong or missing media type, non-UTF-8, syntax errors,
updates sent to the query endpoint) — plus service description, CORS, 406 and 413.

The W3C tests load their datasets from the web; here the dataset parameters name our own
source graphs, and the expected facts are read from the source texts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from rdflib.namespace import RDF

from graph.vocab import ID_BASE, sparql_prologue
from tests.sources import NAMES_QUERY, signatories

LETTER_GRAPH = ID_BASE + "source/letter-of-intent-2023-01-20"
CATALOGUE_GRAPH = ID_BASE + "source/followup-2023-2025"
LETTER = ID_BASE + "document/letter-of-intent-2023-01-20"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def url(shared_api) -> str:
    return shared_api.url + "/sparql"


def json_names(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(JSON_RESULTS)
    return {b["name"]["value"] for b in response.json()["results"]["bindings"]}


def test_the_letter_has_fifteen_signatories(letter_text):
    # guards the helper the other tests rely on: the minister and 14 heads signed
    names = signatories(letter_text)
    assert len(names) == 15 and "Mona Neubaur" in names and "Anja Weber" in names


# --- positive cases: the three ways to send a query --------------------------------------------


def test_query_get(url, letter_text):
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": JSON_RESULTS})
    assert json_names(r) == signatories(letter_text)


def test_query_post_form(url, letter_text):
    r = httpx.post(url, data={"query": NAMES_QUERY}, headers={"Accept": JSON_RESULTS})
    assert json_names(r) == signatories(letter_text)


def test_query_post_direct(url, letter_text):
    r = httpx.post(url, content=NAMES_QUERY.encode(), headers={**DIRECT, "Accept": JSON_RESULTS})
    assert json_names(r) == signatories(letter_text)


def test_query_post_direct_with_utf8_charset(url):
    r = httpx.post(url, content="ASK { ?s ?p \"Düsseldorf\"@de }".encode(),
                   headers={"Content-Type": "application/sparql-query; charset=UTF-8", "Accept": JSON_RESULTS})
    assert r.status_code == 200 and r.json()["boolean"] is True  # "Düsseldorf, den 20. Januar 2023"


# --- dataset parameters --------------------------------------------------------------------------

GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
WEBER_ASK = 'ASK { ?person <http://xmlns.com/foaf/0.1/name> "Anja Weber" }'


def test_default_graph_is_the_union_of_the_sources(url, letter_text):
    # One pattern joins a name stated in the letter's graph with a parent body stated in the
    # organisations graph (DGB NRW is a district of the DGB): only the union has both.
    assert "Anja Weber" in letter_text and "DGB NRW" in letter_text
    query = sparql_prologue() + """ASK { ?p foaf:name "Anja Weber" ; org:holds/org:postIn ?o .
        ?o org:unitOf ?parent . GRAPH ?g1 { ?p foaf:name "Anja Weber" } GRAPH ?g2 { ?o org:unitOf ?parent }
        FILTER(?g1 != ?g2) }"""
    r = httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS})
    assert r.json()["boolean"] is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_query_dataset_default_graphs(url, method):
    params = [("query", WEBER_ASK), ("default-graph-uri", LETTER_GRAPH)]
    send = (lambda p: httpx.get(url, params=p, headers={"Accept": JSON_RESULTS})) if method == "get" else \
        (lambda p: httpx.post(url, data=dict(p), headers={"Accept": JSON_RESULTS}))
    assert send(params).json()["boolean"] is True
    # the same question over another source only: she is not named there
    params = [("query", WEBER_ASK), ("default-graph-uri", ID_BASE + "source/ihk-nrw")]
    assert send(params).json()["boolean"] is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_query_dataset_named_graphs(url, method):
    params = [("query", GRAPHS_QUERY), ("named-graph-uri", LETTER_GRAPH), ("named-graph-uri", CATALOGUE_GRAPH)]
    if method == "get":
        r = httpx.get(url, params=params, headers={"Accept": JSON_RESULTS})
    else:
        r = httpx.post(url, content=httpx.QueryParams(params).__str__(), headers={**FORM, "Accept": JSON_RESULTS})
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {LETTER_GRAPH, CATALOGUE_GRAPH}


def test_query_dataset_full(url):
    query = 'SELECT ?g WHERE { ?p <http://xmlns.com/foaf/0.1/name> "Anja Weber" . GRAPH ?g { ?s ?p2 ?o } } LIMIT 1'
    params = [("query", query), ("default-graph-uri", LETTER_GRAPH), ("named-graph-uri", CATALOGUE_GRAPH)]
    r = httpx.get(url, params=params, headers={"Accept": JSON_RESULTS})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [CATALOGUE_GRAPH]


def test_query_multiple_dataset_protocol_wins_over_from(url):
    # The protocol's dataset overrides FROM in the query (SPARQL 1.1 Protocol 2.1.4).
    query = f"ASK FROM <{ID_BASE}source/ihk-nrw> {{ ?p <http://xmlns.com/foaf/0.1/name> \"Anja Weber\" }}"
    r = httpx.get(url, params=[("query", query), ("default-graph-uri", LETTER_GRAPH)], headers={"Accept": JSON_RESULTS})
    assert r.json()["boolean"] is True


def test_graph_selects_one_source(url):
    query = f'ASK {{ GRAPH <{LETTER_GRAPH}> {{ ?p <http://xmlns.com/foaf/0.1/name> "Anja Weber" }} }}'
    assert httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS}).json()["boolean"] is True
    query = query.replace(LETTER_GRAPH, ID_BASE + "source/ihk-nrw")
    assert httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS}).json()["boolean"] is False


# --- content negotiation -----------------------------------------------------------------------


def test_query_content_type_select(url, letter_text):
    expected = signatories(letter_text)
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert {e.text for e in ET.fromstring(r.content).findall(".//r:literal", ns)} == expected
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["name"] for row in rows} == expected
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": "text/tab-separated-values"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    lines = r.text.strip().splitlines()
    assert lines[0] == "?name" and {json.loads(x) for x in lines[1:]} == expected


def test_query_content_type_select_default_and_quality(url):
    r = httpx.get(url, params={"query": "SELECT * WHERE {} "}, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith(JSON_RESULTS)
    r = httpx.get(url, params={"query": "SELECT * WHERE {} "},
                  headers={"Accept": "application/sparql-results+json;q=0.5, text/csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_query_content_type_ask(url):
    r = httpx.get(url, params={"query": WEBER_ASK}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert ET.fromstring(r.content).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize("accept,fmt", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_query_content_type_construct(url, accept, fmt):
    query = 'CONSTRUCT { ?p <http://xmlns.com/foaf/0.1/name> ?n } WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n FILTER(?n = "Anja Weber") }'
    r = httpx.get(url, params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    assert (None, rdflib.FOAF.name, rdflib.Literal("Anja Weber")) in g


def test_query_content_type_describe(url):
    query = f"DESCRIBE <{LETTER}>"
    r = httpx.get(url, params={"query": query}, headers={"Accept": "application/rdf+xml, text/turtle;q=0.5"})
    assert r.headers["content-type"].startswith("application/rdf+xml")
    g = rdflib.Graph().parse(data=r.content, format="xml")
    assert (rdflib.URIRef(LETTER), None, None) in g


def test_not_acceptable_formats(url):
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and r.headers["content-type"].startswith("application/problem+json")
    r = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    r = httpx.get(url, params={"query": NAMES_QUERY}, headers={"Accept": "application/pdf"})
    assert r.status_code == 406 and "JSON" in r.json()["detail"]


# --- negative cases ----------------------------------------------------------------------------


def assert_problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["detail"]
    return body


def test_bad_query_method(url):
    assert_problem(httpx.put(url, params={"query": "ASK {}"}), 405)
    assert_problem(httpx.delete(url, params={"query": "ASK {}"}), 405)


def test_bad_multiple_queries(url):
    body = assert_problem(httpx.get(url, params=[("query", "ASK {}"), ("query", "SELECT * {}")]), 400)
    assert "one 'query'" in body["detail"]
    assert_problem(httpx.post(url, content="query=ASK%20%7B%7D&query=SELECT%20*%20%7B%7D", headers=FORM), 400)


def test_bad_query_wrong_media_type(url):
    assert_problem(httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"}), 415)


def test_bad_query_missing_form_type(url):
    assert_problem(httpx.post(url, content=b"query=ASK%20%7B%7D"), 415)


def test_bad_query_missing_direct_type(url):
    assert_problem(httpx.post(url, content=b"ASK {}"), 415)


def test_bad_query_non_utf8(url):
    body = "ASK {}".encode("utf-16")
    assert_problem(httpx.post(url, content=body, headers={"Content-Type": "application/sparql-query; charset=UTF-16"}), 415)
    assert_problem(httpx.post(url, content=b"ASK { ?s ?p \"\xff\xfe\" }", headers=DIRECT), 400)


def test_bad_query_syntax(url):
    body = assert_problem(httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p "}), 400)
    assert "does not parse" in body["detail"]
    assert_problem(httpx.post(url, content=b"ASK {}}", headers=DIRECT), 400)
    assert_problem(httpx.get(url, params={"query": ""}), 400)


def test_problems_name_the_request_and_stay_readable_cross_origin(url):
    # /sparql is answered before FastAPI's routing (api.routes.sparql.QueryFastPath): its problems
    # must look like every other route's, with the security headers on them.
    r = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p "}, headers={"Origin": "https://example.org"})
    body = assert_problem(r, 400)
    assert body["instance"] == "/sparql" and body["type"] == "/problems/query-syntax"
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_openapi_still_describes_both_query_operations(shared_api):
    spec = httpx.get(shared_api.url + "/openapi.json").json()
    operations = spec["paths"]["/sparql"]
    assert {"get", "post"} <= set(operations)
    assert "application/problem+json" in operations["get"]["responses"]["400"]["content"]


def test_bad_dataset_iri(url):
    assert_problem(httpx.get(url, params=[("query", "ASK {}"), ("default-graph-uri", "not an iri")]), 400)


@pytest.mark.parametrize("send", [
    lambda u: httpx.get(u, params={"update": "CLEAR ALL"}),
    lambda u: httpx.post(u, data={"update": "CLEAR ALL"}),
    lambda u: httpx.post(u, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}),
    lambda u: httpx.post(u, data={"query": "CLEAR ALL"}),
    lambda u: httpx.get(u, params={"query": "DELETE WHERE { ?s ?p ?o }"}),
    lambda u: httpx.post(u, content=b"INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", headers=DIRECT),
], ids=["get-update", "form-update", "direct-update", "form-query-clear", "get-query-delete", "direct-insert"])
def test_update_on_query_endpoint_is_refused(url, send):
    body = assert_problem(send(url), 400)
    assert "/sparql/update" in body["detail"]
    # and nothing changed
    r = httpx.get(url, params={"query": WEBER_ASK}, headers={"Accept": JSON_RESULTS})
    assert r.json()["boolean"] is True


def test_query_too_long(url):
    query = "ASK { ?s ?p ?o } #" + "x" * 200_000
    assert_problem(httpx.post(url, content=query.encode(), headers=DIRECT), 413)


# --- service description, page, CORS -----------------------------------------------------------


def test_service_description_on_plain_get(url):
    r = httpx.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    service = rdflib.URIRef(url)
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV") in formats
    names = {str(n) for n in g.objects(None, SD.name)}
    assert LETTER_GRAPH in names
    r = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=r.text, format="json-ld")) == len(g)


def test_browsers_get_the_query_page(url):
    r = httpx.get(url, headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/sparql/assets/yasgui.min.js" in r.text
    # every script and stylesheet comes from this server
    for ref in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        assert ref.startswith("/"), ref


def test_cors(url):
    # What a browser needs to let a page of another origin read our answers (Fetch standard).
    origin = {"Origin": "https://notebook.example"}
    r = httpx.get(url, params={"query": "ASK {}"}, headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert "etag" in exposed and r.headers["etag"]  # a notebook can revalidate its cached answer
    for path in ("", "/update"):
        # The preflight of a POST with a Content-Type (and the update's bearer token): any 2xx is an
        # "ok status" for the browser (Starlette's CORSMiddleware answers 200).
        r = httpx.options(url + path, headers={**origin, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type, authorization"})
        assert 200 <= r.status_code < 300, (path, r.status_code, r.text)
        assert r.headers["access-control-allow-origin"] == "*"
        assert "POST" in r.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert {"content-type", "authorization"} <= allowed
    # errors are readable cross-origin too
    r = httpx.get(url, params={"query": "ASK {"}, headers=origin)
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"
    # linked data as well: /id, the JSON-LD context and the dumps
    base = url.removesuffix("/sparql")
    for path in ("/dump.ttl", "/context.jsonld"):
        r = httpx.get(base + path, headers=origin, timeout=60)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*", path


def test_examples_are_the_competency_questions(shared_api):
    from pathlib import Path

    files = sorted(Path(__file__).resolve().parent.parent.joinpath("queries").glob("*.rq"))
    r = httpx.get(shared_api.url + "/sparql/examples")
    examples = r.json()
    assert sorted(e["id"] for e in examples) == [f.stem for f in files]  # listed by topic, not by file name
    by_id = {f.stem: f for f in files}
    for e in examples:
        assert e["query"] == by_id[e["id"]].read_text(encoding="utf-8")
        assert e["question"]["de"] and e["question"]["en"] and e["topic"] in ("letter", "organisations", "themes", "time")


def test_every_competency_question_runs(shared_api):
    for e in httpx.get(shared_api.url + "/sparql/examples").json():
        r = httpx.post(shared_api.url + "/sparql", data={"query": e["query"]}, headers={"Accept": "*/*"}, timeout=60)
        assert r.status_code == 200, (e["id"], r.text)
