"""Namespaces of the model, one place for all of them.

``schema:`` is ``http://schema.org/`` everywhere (rdflib's default binding is the https form;
we bind the http form explicitly, see modelling.md "Pitfalls").
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

ZD = Namespace("https://w3id.org/zukunftsdialog/ontology#")
ID_BASE = "https://w3id.org/zukunftsdialog/id/"
SOURCE = Namespace(ID_BASE + "source/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
EUROVOC = Namespace("http://eurovoc.europa.eu/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

PREFIXES: dict[str, str] = {
    "zd": str(ZD),
    "id": ID_BASE,
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "time": str(TIME),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "eurovoc": str(EUROVOC),
    "void": str(VOID),
    "dcat": str(DCAT),
}


#: Prefixes only for showing IRIs to people (never bound in data or the JSON-LD context).
DISPLAY_PREFIXES: dict[str, str] = {**PREFIXES, "zds": "https://w3id.org/zukunftsdialog/shapes#"}
_LONGEST_FIRST = sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI in one of our namespaces, else the IRI as it is: the one way
    IRIs are shortened for people (validation reports, /id pages, ``zdg query`` tables).

    The longest namespace wins; a local part with a slash is kept only under ``id:``, whose
    IRIs read best as kind/slug.

    >>> compact("http://www.w3.org/ns/org#Organization")
    'org:Organization'
    >>> compact("https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw")
    'id:organisation/dgb-nrw'
    >>> compact("https://w3id.org/zukunftsdialog/shapes#Person-name")
    'zds:Person-name'
    >>> compact("http://schema.org/a/b"), compact("http://schema.org/"), compact("urn:x")
    ('http://schema.org/a/b', 'http://schema.org/', 'urn:x')
    """
    for prefix, namespace in _LONGEST_FIRST:
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and ("/" not in local or prefix == "id"):
            return f"{prefix}:{local}"
    return iri


def sparql_prologue() -> str:
    """``PREFIX`` lines for every namespace above, to put before a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_all(g: Graph) -> Graph:
    """Bind our prefixes on an rdflib graph (replacing rdflib's https schema.org binding)."""
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True, replace=True)
    return g


def source_graph(slug: str) -> str:
    """The named-graph IRI of one source document, e.g. ``source_graph("ontology")``."""
    return f"{SOURCE}{slug}"


#: The named graphs of the model: the ontology and the SHACL shapes (loaded by ``zdg build``).
ONTOLOGY_GRAPH = source_graph("ontology")
SHAPES_GRAPH = source_graph("shapes")
#: Where a remote store keeps the version every gated write changes (see graph.store.RemoteStore).
VERSION_GRAPH = source_graph("write-version")
#: The change log: one named graph per change, written only by graph.domain.changes.
CHANGE_BASE = ID_BASE + "change/"
