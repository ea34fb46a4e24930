"""Every shipped query (queries/*.rq) with the usual clients against a real uvicorn server:
SPARQLWrapper with its defaults (GET, then POST), rdflib's SPARQLStore with its defaults, and
the query page in Chromium. Each must give the rows the embedded store gives.

Why the headers matter: SPARQLWrapper 2.0.0 decides "query or update" with two regexes.
``comments_pattern = (^|\\n)\\s*#.*?\\n`` removes a comment line *with* its newline, so the next
line's match has no ``\\n`` left to start with: of consecutive comment lines only every other one
is removed. Then ``pattern`` takes the first of CONSTRUCT|SELECT|ASK|DESCRIBE|INSERT|DELETE|
CREATE|CLEAR|DROP|LOAD|COPY|MOVE|ADD found anywhere, case-insensitive and inside words too. So
``# en: ... addressed to ...`` on the second line made a SELECT an ADD (sent as an update).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import POST, SPARQLWrapper

from tests.conftest import ROOT

QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
ALGEBRA_FORM = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


def ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def query_form(text: str) -> str:
    """The query form as a real SPARQL parser (rdflib's) reads it."""
    return ALGEBRA_FORM[prepareQuery(text).algebra.name]


@pytest.mark.parametrize("path", QUERY_FILES, ids=ids(QUERY_FILES))
def test_sparqlwrapper_reads_the_query_form_right(path: Path):
    """Fails for any query file whose comment lines SPARQLWrapper takes for an update keyword
    (reword the line SPARQLWrapper keeps: see the module docstring)."""
    text = path.read_text(encoding="utf-8")
    client = SPARQLWrapper("http://127.0.0.1:9/sparql")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.setQuery(text)
    assert not client.isSparqlUpdateRequest(), f"{path.name}: SPARQLWrapper sends it as an update ({client.queryType})"
    assert client.queryType == query_form(text), f"{path.name}: SPARQLWrapper reads {client.queryType}"


def test_the_headers_still_state_the_question():
    from graph.domain.examples import parse

    for path in QUERY_FILES:
        example = parse(path.stem, path.read_text(encoding="utf-8"))
        assert set(example.question) == {"de", "en"}, path.name


# --- against the live server --------------------------------------------------------------------


def norm(value: str) -> str:
    """A value with its words sorted: GROUP_CONCAT's order differs between runs."""
    return " ".join(sorted(re.split(r"[\s,;|]+", value)))


def term_text(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    return None if term is None else norm(term.value)


@pytest.fixture(scope="module")
def expected(built_store) -> dict[str, set[tuple]]:
    """Each SELECT's rows on the embedded store, as sets of (variable, value) pairs."""
    answers: dict[str, set[tuple]] = {}
    for path in QUERY_FILES:
        result = built_store.query(path.read_text(encoding="utf-8"))
        names = [v.value for v in result.variables]
        answers[path.stem] = {
            tuple(sorted((n, term_text(row[n])) for n in names if row[n] is not None)) for row in result
        }
        assert answers[path.stem], f"{path.name} has no answer on the shipped graph"
    return answers


def xml_rows(doc: Document) -> set[tuple]:
    rows = set()
    for result in doc.getElementsByTagName("result"):
        pairs = []
        for binding in result.getElementsByTagName("binding"):
            value = binding.firstChild
            while value is not None and value.nodeType != value.ELEMENT_NODE:
                value = value.nextSibling
            text = "".join(n.data for n in value.childNodes if n.nodeType == n.TEXT_NODE) if value else ""
            pairs.append((binding.getAttribute("name"), norm(text)))
        rows.add(tuple(sorted(pairs)))
    return rows


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_defaults_run_every_query(shared_api, expected, method):
    for path in QUERY_FILES:
        client = SPARQLWrapper(shared_api.url + "/sparql")  # default return format: XML
        if method == "POST":
            client.setMethod(POST)
        client.setQuery(path.read_text(encoding="utf-8"))
        doc = client.query().convert()
        assert xml_rows(doc) == expected[path.stem], path.name


def test_rdflib_sparqlstore_defaults_run_every_query(shared_api, expected):
    store = SPARQLStore(shared_api.url + "/sparql")
    try:
        for path in QUERY_FILES:
            result = store.query(path.read_text(encoding="utf-8"))
            rows = {
                tuple(sorted((str(v), norm(str(row[v]))) for v in result.vars if row[v] is not None))
                for row in result
            }
            assert rows == expected[path.stem], path.name
    finally:
        store.close()


@pytest.mark.browser
def test_query_page_runs_every_example(shared_api, browser, expected):
    """Click each example button; the page's own request must answer 200 with the expected
    rows, and YASR must show a result, not an error."""
    page = browser.new_page()
    page.goto(shared_api.url + "/sparql")
    page.wait_for_selector("button.example")
    for path in QUERY_FILES:
        with page.expect_response(lambda r: r.url.split("?")[0].endswith("/sparql") and r.request.method == "POST",
                                  timeout=30_000) as info:
            page.locator(f"button.example[data-example='{path.stem}']").click()
        response = info.value
        assert response.status == 200, (path.name, response.text()[:300])
        body = json.loads(response.text())
        rows = {
            tuple(sorted((n, norm(b["value"])) for n, b in binding.items()))
            for binding in body["results"]["bindings"]
        }
        assert rows == expected[path.stem], path.name
        page.wait_for_selector(".yasr .dataTable, .yasr table", timeout=30_000)
        assert not page.locator(".yasr .errorResult").is_visible(), path.name
    page.close()
