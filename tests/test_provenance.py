"""Every fact points to the passage it comes from, and every passage really stands there."""

from __future__ import annotations

from graph.vocab import sparql_prologue
from graph.store import Store

LETTER_DOC = "https://w3id.org/zukunftsdialog/id/document/letter-of-intent-2023-01-20"
RECORD = "https://w3id.org/zukunftsdialog/id/source/followup-2023-2025"
ADDENDUM = "https://w3id.org/zukunftsdialog/id/source/followup-addendum-2026-12"


# Classes whose instances are facts and must carry provenance.
FACT_CLASSES = [
    "zd:Recommendation", "zd:Commitment", "zd:Goal", "zd:Signing", "zd:Statement",
    "org:Membership", "org:Post", "prov:Association", "foaf:Person",
    "org:Organization", "org:OrganizationalUnit", "org:FormalOrganization",
    "org:OrganizationalCollaboration", "foaf:Document",
]


def selectors(store: Store) -> list[dict]:
    rows = store.select(sparql_prologue() + """
        SELECT ?excerpt ?source ?exact ?prefix ?suffix WHERE {
          ?excerpt a oa:SpecificResource ; oa:hasSource ?source ;
                   oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
          OPTIONAL { ?excerpt oa:hasSelector/oa:prefix ?prefix }
          OPTIONAL { ?excerpt oa:hasSelector/oa:suffix ?suffix }
        }""")
    return [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in rows]


def test_every_quote_stands_verbatim_in_its_source(built_store, letter_text, followup_text, addendum_text):
    texts = {LETTER_DOC: letter_text, RECORD: followup_text, ADDENDUM: addendum_text}
    rows = selectors(built_store)
    assert len(rows) > 30
    for row in rows:
        assert row["source"] in texts, f"{row['excerpt']}: unknown source {row['source']}"
        text = texts[row["source"]]
        assert row["exact"] in text, f"{row['excerpt']}: quote not in source: {row['exact']!r}"
        # prefix + exact + suffix locate the passage: they must stand there together.
        located = (row["prefix"] or "") + row["exact"] + (row["suffix"] or "")
        assert located in text, f"{row['excerpt']}: prefix/exact/suffix do not stand together"


def test_every_fact_node_has_provenance(built_store):
    for cls in FACT_CLASSES:
        missing = built_store.select(sparql_prologue() + f"""
            SELECT DISTINCT ?node WHERE {{
              ?node a {cls} .
              FILTER NOT EXISTS {{
                ?node prov:wasDerivedFrom ?excerpt .
                ?excerpt a oa:SpecificResource ; oa:hasSource ?src ;
                         oa:hasSelector/oa:exact ?exact .
              }}
            }}""")
        assert not missing, f"{cls} without provenance: {[str(r['node']) for r in missing]}"


def test_main_classes_are_populated(built_store):
    # Guard against the provenance test passing on an empty graph.
    counts = {}
    for cls in ("foaf:Person", "org:Post", "org:Membership", "prov:Association", "zd:Commitment"):
        (row,) = built_store.select(sparql_prologue() + f"SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n a {cls} }}")
        counts[cls] = int(row["c"])
    assert counts["foaf:Person"] >= 15 and counts["org:Post"] >= 15 and counts["prov:Association"] == 15
    assert counts["zd:Commitment"] == 4


def test_labels_are_corrected_but_quotes_stay_as_printed(built_store, letter_text):
    assert "Zukunftsdialoq" in letter_text  # the OCR error is in the source ...
    labels = built_store.select(sparql_prologue() + """
        SELECT ?l WHERE { ?s skos:prefLabel|rdfs:label|dcterms:title|skos:altLabel ?l FILTER(CONTAINS(?l, "Zukunftsdialoq")) }""")
    assert labels == []  # ... but in no label
    quotes = built_store.select(sparql_prologue() + """
        SELECT ?q WHERE { ?s oa:exact ?q FILTER(CONTAINS(?q, "Zukunftsdialoq")) }""")
    assert len(quotes) == 1  # and kept in the quote


def test_one_named_graph_per_source_and_nothing_in_the_default_graph(built_store):
    import pyoxigraph as ox

    assert not any(isinstance(q.graph_name, ox.DefaultGraph) for q in built_store.quads())
    graphs = built_store.named_graphs()
    assert all(g.startswith("https://w3id.org/zukunftsdialog/id/source/") for g in graphs)
    assert "https://w3id.org/zukunftsdialog/id/source/letter-of-intent-2023-01-20" in graphs


def test_no_invented_identifiers(built_store):
    # No Wikidata or other external identifiers for people or organisations: no source gives any.
    rows = built_store.select(sparql_prologue() + """
        SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && (CONTAINS(STR(?o), "wikidata") || CONTAINS(STR(?o), "dbpedia"))) }""")
    assert rows == []
