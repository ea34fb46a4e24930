"""Descriptions of the service and the dataset: SPARQL 1.1 Service Description and VoID/DCAT.

Both describe this product (its endpoint, formats, dumps and named graphs), never the facts;
the URLs depend on where the service runs, so the caller passes its base URL.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from graph.vocab import ID_BASE, NUTS, PREFIXES, VOID, ZD, bind_all
from graph import sparql
from graph.store import Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
IANA = "https://www.iana.org/assignments/media-types/"

#: Result formats the endpoint writes (W3C format IRIs).
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
#: Dump suffixes with their media types (the ``/dump.*`` routes).
DUMPS = {"ttl": "text/turtle", "trig": "application/trig", "nq": "application/n-quads", "jsonld": "application/ld+json"}
_RDFLIB_FORMATS = {"TURTLE": "turtle", "N_TRIPLES": "nt", "JSON_LD": "json-ld", "RDF_XML": "xml"}
_TITLE = {"de": "Zukunftsdialog Industrie NRW – Wissensgraph", "en": "Zukunftsdialog Industrie NRW – knowledge graph"}
_ABOUT = {
    "de": "Der Letter of Intent vom 20. Januar 2023 und die Folgequellen als Wissensgraph; "
          "jede Aussage verweist auf die Textstelle, aus der sie stammt.",
    "en": "The Letter of Intent of 20 January 2023 and the follow-up sources as a knowledge graph; "
          "every fact points to the passage it comes from.",
}


def ld_query(name: str) -> str:
    """The text of one of the linked-data queries (``graph/sparql/ld/*.rq``)."""
    return sparql.text(f"ld/{name}")


def serialise(g: Graph, fmt: str) -> bytes:
    """An rdflib graph in one of the Oxigraph format names (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)."""
    data = g.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")


def service_description_graph(base: str, store: Store | None = None) -> Graph:
    """The SPARQL 1.1 Service Description of ``{base}/sparql`` (and of ``/sparql/update``)."""
    g = bind_all(Graph())
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    endpoint = URIRef(f"{base}/sparql")
    g.add((endpoint, RDF.type, SD.Service))
    g.add((endpoint, SD.endpoint, endpoint))
    g.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    g.add((endpoint, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for fmt in RESULT_FORMATS:
        g.add((endpoint, SD.resultFormat, FORMATS[fmt]))
    for lang, title in _TITLE.items():
        g.add((endpoint, DCTERMS.title, Literal(title, lang=lang)))
    dataset = BNode()
    g.add((endpoint, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, DCTERMS.description, Literal("The union of all named graphs", lang="en")))
    g.add((default, DCTERMS.description, Literal("Die Vereinigung aller benannten Graphen", lang="de")))
    for name in store.named_graphs() if store is not None else []:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    update = URIRef(f"{base}/sparql/update")
    g.add((update, RDF.type, SD.Service))
    g.add((update, SD.endpoint, update))
    g.add((update, SD.supportedLanguage, SD.SPARQL11Update))
    return g


def service_description(base: str, fmt: str = "TURTLE", store: Store | None = None) -> bytes:
    """The service description serialised (``fmt``: TURTLE, N_TRIPLES, JSON_LD, RDF_XML)."""
    return serialise(service_description_graph(base, store), fmt)


def dataset_graph(store: Store, base: str) -> Graph:
    """VoID and DCAT description of the dataset: endpoint, dumps, size, one subset per source graph."""
    g = bind_all(Graph())
    ds = URIRef(f"{base}/dataset")
    endpoint = URIRef(f"{base}/sparql")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for lang in ("de", "en"):
        g.add((ds, DCTERMS.title, Literal(_TITLE[lang], lang=lang)))
        g.add((ds, DCTERMS.description, Literal(_ABOUT[lang], lang=lang)))
    g.add((ds, DCTERMS.spatial, NUTS.DEA))
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    g.add((ds, VOID.uriSpace, Literal(ID_BASE)))
    g.add((ds, VOID.rootResource, URIRef(ID_BASE + "document/letter-of-intent-2023-01-20")))
    for prefix in ("zd", "org", "skos", "prov", "dcterms", "foaf", "time", "oa", "schema"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    g.add((ds, DCTERMS.conformsTo, URIRef(str(ZD))))
    service = URIRef(f"{base}/sparql#service")
    g.add((ds, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    for suffix, media in DUMPS.items():
        url = URIRef(f"{base}/dump.{suffix}")
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{base}/dump.{suffix}#distribution")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
    union = store.select(ld_query("union-size.rq"))
    if union:
        g.add((ds, VOID.triples, Literal(int(union[0]["n"]), datatype=XSD.integer)))
    for row in store.select(ld_query("graph-sizes.rq")):
        graph = URIRef(str(row["g"]))
        g.add((ds, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
        if row.get("title") is not None:
            g.add((graph, DCTERMS.title, row["title"]))
    return g


def dataset_description(store: Store, base: str, fmt: str = "TURTLE") -> bytes:
    """The VoID/DCAT description serialised."""
    return serialise(dataset_graph(store, base), fmt)
