"""Linked data on a running server: /id/... for every resource IRI, /ontology, /shapes,
/dump.*, and the VoID/DCAT description. Expected facts come from the source texts."""

from __future__ import annotations

import re

import httpx
import pytest
import rdflib
from rdflib.namespace import DCAT, OWL, RDF, SH, SKOS

from graph.vocab import ID_BASE, OA, VOID, ZD

DGB_NRW = ID_BASE + "organisation/dgb-nrw"
LETTER = ID_BASE + "document/letter-of-intent-2023-01-20"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TOKEN = "ld-token"


def path_of(iri: str) -> str:
    return "/id/" + iri[len(ID_BASE):]


def external_loads(html: str) -> list[str]:
    """URLs a page would load from elsewhere (scripts, styles, images, frames)."""
    tags = re.findall(r"<(?:script|link|img|iframe|source|embed|object)\b[^>]*>", html, flags=re.I)
    found = []
    for tag in tags:
        if re.search(r'rel="?(?:alternate|canonical)', tag):
            continue
        for url in re.findall(r'(?:src|href|data)\s*=\s*"?([^"\s>]+)', tag, flags=re.I):
            if re.match(r"(?:https?:)?//", url):
                found.append(url)
    return found


# --- /id/ ---------------------------------------------------------------------------------------


def test_resource_as_html_shows_labels_types_links_and_the_quote(shared_api, letter_text):
    r = httpx.get(shared_api.url + path_of(DGB_NRW), headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "DGB NRW" in letter_text and "DGB NRW" in html           # the short name as printed
    assert "Anja Weber Vorsitzende des DGB NRW" in letter_text       # the passage it is derived from
    assert "<mark>Anja Weber Vorsitzende des DGB NRW</mark>" in html
    assert 'href="/id/organisation/dgb"' in html                      # the parent body, as a local link
    assert 'href="/id/document/letter-of-intent-2023-01-20"' in html  # the quote's document
    assert "Organization" in html or "Organisation" in html          # its types, labelled
    assert external_loads(html) == []


def test_resource_html_in_english(shared_api):
    r = httpx.get(shared_api.url + path_of(DGB_NRW), params={"lang": "en"}, headers=BROWSER)
    assert r.status_code == 200 and '<html lang="en">' in r.text and "Statements" in r.text


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_resource_as_rdf_by_accept(shared_api, accept, fmt):
    r = httpx.get(shared_api.url + path_of(DGB_NRW), headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    node = rdflib.URIRef(DGB_NRW)
    assert (node, SKOS.altLabel, rdflib.Literal("DGB NRW", lang="de")) in g
    # the quote travels with the fact
    exacts = {str(o) for o in g.objects(None, OA.exact)}
    assert "Anja Weber Vorsitzende des DGB NRW" in exacts


def test_format_parameter_and_default(shared_api):
    r = httpx.get(shared_api.url + path_of(DGB_NRW), params={"format": "jsonld"})
    assert r.headers["content-type"].startswith("application/ld+json")
    r = httpx.get(shared_api.url + path_of(DGB_NRW))
    assert r.headers["content-type"].startswith("text/turtle")
    r = httpx.get(shared_api.url + path_of(DGB_NRW), params={"format": "pdf"})
    assert r.status_code == 400


def test_unknown_resource_is_a_404_problem(shared_api):
    for path in ("/id/organisation/does-not-exist", "/id/", "/id/%3Cscript%3E"):
        r = httpx.get(shared_api.url + path, headers=BROWSER)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json")


def test_unacceptable_format_is_406(shared_api):
    r = httpx.get(shared_api.url + path_of(DGB_NRW), headers={"Accept": "application/pdf"})
    assert r.status_code == 406 and r.headers["content-type"].startswith("application/problem+json")


def test_every_resource_iri_dereferences(shared_api, built_store):
    rows = built_store.select(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"%s\")) }" % ID_BASE)
    iris = sorted(str(r["s"]) for r in rows)
    assert len(iris) > 100
    with httpx.Client(base_url=shared_api.url, headers={"Accept": "application/n-triples"}) as client:
        for iri in iris:
            r = client.get(path_of(iri))
            assert r.status_code == 200, iri
            g = rdflib.Graph().parse(data=r.content, format="nt")
            assert (rdflib.URIRef(iri), None, None) in g, iri


def test_graph_text_is_escaped_never_run(api_server):
    server = api_server(env={"ZDG_TOKEN": TOKEN})
    evil = ID_BASE + "note/xss-test"
    update = (f'INSERT DATA {{ GRAPH <{ID_BASE}source/test-notes> {{ <{evil}> '
              f'<http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>" ; '
              f'<http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(2)> ; '
              f'<http://www.w3.org/2000/01/rdf-schema#comment> "\\"><img src=x onerror=alert(3)>" }} }}')
    r = httpx.post(server.url + "/sparql/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    html = httpx.get(server.url + path_of(evil), headers=BROWSER).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "javascript:alert(2)" in html  # shown as text


# --- /ontology, /shapes, dumps, dataset description ---------------------------------------------


def test_ontology_html_documents_the_model(shared_api):
    r = httpx.get(shared_api.url + "/ontology", headers=BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    # classes the modelling notes call for
    for term in ("Recommendation", "Commitment", "Signing"):
        assert term in r.text
    assert external_loads(r.text) == []


def test_ontology_as_turtle(shared_api):
    r = httpx.get(shared_api.url + "/ontology", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (ZD.Recommendation, RDF.type, OWL.Class) in g


def test_shapes_as_turtle_and_html(shared_api):
    r = httpx.get(shared_api.url + "/shapes")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert len(set(g.subjects(RDF.type, SH.NodeShape))) > 3
    r = httpx.get(shared_api.url + "/shapes", headers=BROWSER)
    assert r.headers["content-type"].startswith("text/html") and '<table class="rules">' in r.text  # a table, not Turtle


@pytest.mark.parametrize("suffix,fmt,media", [
    ("ttl", "turtle", "text/turtle"), ("trig", "trig", "application/trig"),
    ("nq", "nquads", "application/n-quads"), ("jsonld", "json-ld", "application/ld+json"),
])
def test_dumps(shared_api, letter_text, suffix, fmt, media):
    r = httpx.get(shared_api.url + f"/dump.{suffix}", timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    ds = rdflib.Dataset()
    ds.parse(data=r.content, format=fmt)
    names = {str(o) for _, _, o, _ in ds.quads((None, rdflib.FOAF.name, None, None))}
    assert "Knut Giesler" in letter_text and "Knut Giesler" in names
    if suffix in ("trig", "nq"):
        graphs = {str(c.identifier) for c in ds.graphs()}
        assert ID_BASE + "source/letter-of-intent-2023-01-20" in graphs


def test_unknown_dump_is_404(shared_api):
    assert httpx.get(shared_api.url + "/dump.xlsx").status_code == 404


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
def test_void_dcat_description(shared_api, path):
    r = httpx.get(shared_api.url + path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, DCAT.Dataset) in g
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef(shared_api.url + "/sparql")) in g
    dumps = {str(u) for u in g.objects(ds, VOID.dataDump)}
    assert dumps == {shared_api.url + f"/dump.{s}" for s in ("ttl", "trig", "nq", "jsonld")}
    assert int(g.value(ds, VOID.triples)) > 1000
    subsets = {str(s) for s in g.objects(ds, VOID.subset)}
    assert ID_BASE + "source/letter-of-intent-2023-01-20" in subsets
    assert (ds, VOID.uriSpace, rdflib.Literal(ID_BASE)) in g
    # every dump it names is really there
    for url in dumps:
        assert httpx.head(url).status_code in (200, 405) or httpx.get(url).status_code == 200


def test_linked_data_pages_load_nothing_from_elsewhere(shared_api):
    for path in ("/sparql", "/shapes", "/dataset", path_of(LETTER)):
        html = httpx.get(shared_api.url + path, headers=BROWSER).text
        assert external_loads(html) == [], path
