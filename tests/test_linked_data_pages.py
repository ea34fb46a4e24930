"""What a researcher reads and cites on the linked-data pages: labels in the page's language,
a citation line, compacted JSON-LD with the context we publish, the ontology and the shapes
as documents. Expected labels come from the ontology files, messages from the shapes files."""

from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox
import rdflib
import rdflib.compare

from graph.vocab import PREFIXES

BROWSER = {"Accept": "text/html"}
DGB = "https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_id_pages_name_properties_and_linked_resources_in_the_page_language(shared_api):
    de = httpx.get(shared_api.url + "/id/organisation/dgb-nrw", headers=BROWSER).text
    en = httpx.get(shared_api.url + "/id/organisation/dgb-nrw", params={"lang": "en"}, headers=BROWSER).text
    # ontology/labels.ttl: org:unitOf "Untereinheit von"@de, "unit of"@en; rdf:type "Typ"/"type"
    assert ">Untereinheit von</a>" in de and ">unit of</a>" in en
    assert ">Typ</a>" in de
    # no raw CURIE of a property or of one of our resources is shown as a link text
    assert not re.findall(r">(?:org|prov|skos|id|rdf):[^<]*</a>", de), re.findall(r">(?:org|prov|skos|id|rdf):[^<]*</a>", de)
    # the passages it is derived from, named by their quote (data: excerpt:loi-unterschrift-anja-weber)
    assert "„Anja Weber Vorsitzende des DGB NRW“" in de


def test_id_pages_carry_a_citation_line(shared_api):
    html = httpx.get(shared_api.url + "/id/organisation/dgb-nrw", headers=BROWSER).text
    line = _text(html.split('class="citation"', 1)[1].split("</p>", 1)[0])
    assert "„DGB-Bezirk Nordrhein-Westfalen“" in line and DGB in line
    assert re.search(r"Version \d+\.\d+\.\d+ \(\d{4}-\d{2}-\d{2}\)", line)


def test_jsonld_is_compacted_with_the_published_context(shared_api):
    context = httpx.get(shared_api.url + "/context.jsonld").json()["@context"]
    assert context["org"] == "http://www.w3.org/ns/org#" and context["zd"] == PREFIXES["zd"]
    for url in (shared_api.url + "/id/organisation/dgb-nrw?format=jsonld", shared_api.url + "/dump.jsonld"):
        r = httpx.get(url)
        doc = r.json()
        assert doc["@context"] == context
        assert "http://www.w3.org/ns/org#unitOf" not in r.text  # compacted, not expanded
    doc = httpx.get(shared_api.url + "/id/organisation/dgb-nrw?format=jsonld").json()
    nodes = doc.get("@graph", [doc])
    dgb = next(n for n in nodes if n["@id"] == DGB)
    assert dgb["org:unitOf"] == {"@id": "https://w3id.org/zukunftsdialog/id/organisation/dgb"}
    # the same triples as the N-Triples of the same resource
    nt = httpx.get(shared_api.url + "/id/organisation/dgb-nrw?format=nt").text
    a = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    b = rdflib.Graph().parse(data=nt, format="nt")
    assert rdflib.compare.isomorphic(a, b)


def test_the_ontology_page_has_labels_per_language_and_every_term_in_its_contents(shared_api):
    from rdflib.namespace import OWL, RDF, RDFS

    g = rdflib.Graph()
    for f in ("zukunftsdialog.ttl", "followup.ttl"):
        g.parse(f"ontology/{f}", format="turtle")
    ours = {s for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in g.subjects(RDF.type, cls)
            if str(s).startswith(PREFIXES["zd"])}
    for lang in ("de", "en"):
        html = httpx.get(shared_api.url + "/ontology", params={"lang": lang}, headers=BROWSER).text
        toc = html.split('class="toc"', 1)[1].split("</nav>", 1)[0]
        for s in ours:
            anchor = "zd-" + str(s)[len(PREFIXES["zd"]):]
            label = next(str(o) for o in g.objects(s, RDFS.label) if o.language == lang)
            assert f'href="#{anchor}">{label}</a>' in toc, (lang, label)
    assert "HandlungsempfehlungRecommendation" not in _text(html)


def test_the_shapes_page_is_a_table_of_every_shape_with_both_messages(shared_api):
    from rdflib.namespace import SH

    g = rdflib.Graph()
    for f in ("zukunftsdialog.ttl", "followup.ttl"):
        g.parse(f"shapes/{f}", format="turtle")
    html = httpx.get(shared_api.url + "/shapes", headers=BROWSER).text
    assert '<table class="rules">' in html and 'href="/shapes?format=ttl"' in html
    text = _text(html).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    messages = list(g.objects(None, SH.message))
    assert len(messages) > 150
    for m in messages:
        assert " ".join(str(m).split()) in text, str(m)
    ttl = httpx.get(shared_api.url + "/shapes?format=ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)
