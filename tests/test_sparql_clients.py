"""Real clients against the running endpoint: SPARQLWrapper (JSON and CSV), rdflib's
SPARQLStore, and the YASGUI query page in a real Chromium (which must load nothing from
elsewhere). Expected facts come from the letter's text."""

from __future__ import annotations

import csv
import io
import os
import re
from urllib.parse import urlparse

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

from graph.vocab import ID_BASE, sparql_prologue
from tests.sources import NAMES_QUERY, signatories

ROLES_QUERY = sparql_prologue() + """SELECT ?name ?role WHERE {
  ?person foaf:name ?name ; org:holds ?post . ?post org:role/skos:prefLabel ?role FILTER(lang(?role) = "de")
  FILTER(?name = "Knut Giesler") }"""


def test_sparqlwrapper_json(shared_api, letter_text):
    client = SPARQLWrapper(shared_api.url + "/sparql")
    client.setQuery(NAMES_QUERY)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert {b["name"]["value"] for b in result["results"]["bindings"]} == signatories(letter_text)


def test_sparqlwrapper_csv_by_post(shared_api, letter_text):
    client = SPARQLWrapper(shared_api.url + "/sparql")
    client.setQuery(NAMES_QUERY)
    client.setMethod(POST)
    client.setReturnFormat(CSV)
    text = client.query().convert().decode("utf-8")
    assert {row["name"] for row in csv.DictReader(io.StringIO(text))} == signatories(letter_text)


def test_sparqlwrapper_construct_as_turtle(shared_api):
    client = SPARQLWrapper(shared_api.url + "/sparql")
    client.setQuery('CONSTRUCT { ?p <http://xmlns.com/foaf/0.1/name> ?n } WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n }')
    client.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert (None, rdflib.FOAF.name, rdflib.Literal("Frank Löllgen")) in g


def test_sparqlwrapper_ask_and_role(shared_api, letter_text):
    # "Knut Giesler / Bezirksleiter / IG Metall NRW" in the letter
    assert re.search(r"Knut Giesler\s+Bezirksleiter\s+IG Metall NRW", letter_text)
    client = SPARQLWrapper(shared_api.url + "/sparql")
    client.setQuery(ROLES_QUERY)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    roles = {r["role"]["value"] for r in rows}
    assert len(roles) == 1 and roles.pop().startswith("Bezirksleiter")  # the role label is gender-neutral


def test_rdflib_sparqlstore(shared_api, letter_text):
    store = SPARQLStore(shared_api.url + "/sparql", returnFormat="json")
    g = rdflib.Graph(store=store)
    names = {str(row.name) for row in g.query(NAMES_QUERY)}
    assert names == signatories(letter_text)
    # triple-pattern access goes through the same endpoint
    person = next(g.subjects(rdflib.FOAF.name, rdflib.Literal("Anja Weber")))
    assert str(person).startswith(ID_BASE + "person/")
    assert bool(g.query('ASK { ?p <http://xmlns.com/foaf/0.1/name> "Daniela Jansen" }')) is True
    store.close()


# --- the query page in Chromium ------------------------------------------------------------------


@pytest.fixture
def chromium(browser):
    return browser


@pytest.mark.browser
def test_query_page_runs_an_example_offline(shared_api, chromium, letter_text):
    page = chromium.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(shared_api.url + "/sparql")
    page.wait_for_selector("button.example")
    buttons = page.locator("button.example")
    assert buttons.count() == len([f for f in os.listdir(os.path.join(os.path.dirname(__file__), "..", "queries")) if f.endswith(".rq")])
    # the first competency question: who signed the letter
    page.locator("button.example[data-example='q01-signatories']").click()
    page.wait_for_selector(".yasr table td", timeout=30_000)
    cells = page.locator(".yasr table").inner_text()
    for name in ("Anja Weber", "Knut Giesler", "Mona Neubaur"):
        assert name in letter_text and name in cells
    # type into the editor: the completers must not go online either
    page.locator(".CodeMirror").first.click()
    page.keyboard.type(" ?x a foaf:")
    page.wait_for_timeout(500)
    hosts = {urlparse(u).netloc for u in requests if u.startswith("http")}
    assert hosts == {urlparse(shared_api.url).netloc}, requests
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    page.close()


@pytest.mark.browser
def test_query_page_takes_a_query_from_the_url(shared_api, chromium):
    page = chromium.new_page()
    query = 'SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n FILTER(?n = "Lars Baumgürtel") }'
    page.goto(shared_api.url + "/sparql?" + __import__("urllib.parse").parse.urlencode({"query": query}))
    page.wait_for_selector(".CodeMirror")
    assert "Lars Baumg" in page.locator(".CodeMirror").first.inner_text()
    page.close()
