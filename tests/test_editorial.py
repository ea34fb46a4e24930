"""The editorial layer: this project's reading is in one graph, described like a source.

Expected values come from the issue's list of what is editorial and from the two source
records (which reliabilities they state); the shape that keeps the rule is broken on purpose.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from graph.shacl import validation
from graph.vocab import sparql_prologue
from graph.store import Store
from tests.conftest import ROOT

ID = "https://w3id.org/zukunftsdialog/id/"
EDITORIAL = ID + "source/editorial"
ZDS = "https://w3id.org/zukunftsdialog/shapes#"
PREFIXES = sparql_prologue() + "".join(
    f"PREFIX {p}: <{ID}{kind}/>\n" for p, kind in (
        ("source", "source"), ("excerpt", "excerpt"), ("rel", "reliability"), ("organisation", "organisation"),
        ("recommendation", "recommendation"), ("event", "event"), ("collaboration", "collaboration"),
    ))
OURS = ID  # concepts of our own schemes live under the id namespace


def rows(store: Store, sparql: str) -> list[dict[str, str | None]]:
    return [{k: (str(v) if v is not None else None) for k, v in r.items()} for r in store.select(PREFIXES + sparql)]


def graphs_of(store: Store, pattern: str) -> set[str]:
    return {r["g"] for r in rows(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}")}


def test_the_editorial_graph_is_described_like_a_source(built_store):
    (src,) = rows(built_store, """
        SELECT ?de ?en ?publisher ?rel ?rel_de ?rel_en WHERE { GRAPH source:editorial {
          source:editorial a dcterms:BibliographicResource ; skos:prefLabel ?de , ?en ;
              dcterms:publisher/foaf:name ?publisher ; zd:reliability ?rel }
          ?rel skos:prefLabel ?rel_de , ?rel_en
          FILTER(LANG(?de) = "de" && LANG(?en) = "en" && LANG(?rel_de) = "de" && LANG(?rel_en) = "en") }""")
    assert src["de"] == "Redaktionelle Zuordnungen dieses Projekts"
    assert src["en"] == "This project's editorial reading"
    assert "dieses Projekt" in src["publisher"]
    assert (src["rel"], src["rel_de"], src["rel_en"]) == (ID + "reliability/redaktionell", "Redaktionell", "Editorial")
    assert built_store.ask(PREFIXES + "ASK { rel:redaktionell skos:inScheme <%sscheme/reliability> }" % ID)


def test_classifications_and_nace_codes_are_in_the_editorial_graph_and_nowhere_else(built_store):
    assert graphs_of(built_store, "?s org:classification ?o") == {EDITORIAL}
    assert graphs_of(built_store, "?s zd:naceCode ?o") == {EDITORIAL}
    # every signatory organisation has a type, and all the types are there
    (n,) = rows(built_store, """SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
        <%sdocument/letter-of-intent-2023-01-20> zd:signedFor ?o . ?o org:classification ?t }""" % ID)
    assert int(n["n"]) == 15


def test_mappings_between_our_schemes_are_in_the_editorial_graph_and_nowhere_else(built_store):
    for prop in ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch",
                 "skos:relatedMatch", "skos:related"):
        found = graphs_of(built_store, f"?s {prop} ?o FILTER(STRSTARTS(STR(?s), '{OURS}') && STRSTARTS(STR(?o), '{OURS}'))")
        assert found <= {EDITORIAL}, (prop, found)
    (n,) = rows(built_store, """SELECT (COUNT(*) AS ?n) WHERE { GRAPH source:editorial {
        ?s skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:relatedMatch ?o } }""")
    assert int(n["n"]) == 24  # 12 + 5 + 7 mappings moved from ontology/followup.ttl (2019→2025, 2019→letter, 2025→letter)
    # "Resilienz des Industriestandortes" skos:related the letter's seven key themes
    assert len(rows(built_store, """SELECT ?t WHERE { GRAPH source:editorial {
        <%stheme/resilienz-des-industriestandortes> skos:related ?t } }""" % ID)) == 7


def test_the_other_readings_the_issue_lists_are_editorial(built_store):
    # prov:alternateOf, zd:proposedBy on the cabinet's measures, org:hasMember and the kick-off's
    # participants inferred from the signing, the meetings' topics, MEMORANDUM_UNDERST
    assert graphs_of(built_store, "?s prov:alternateOf ?o") == {EDITORIAL}
    assert graphs_of(built_store, "?r zd:proposedBy ?o FILTER(STRSTARTS(STR(?r), STR(recommendation:leitbild-2025-)))") == {EDITORIAL}
    assert graphs_of(built_store, "collaboration:zukunftsdialog-industrie org:hasMember ?o") == {EDITORIAL}
    assert graphs_of(built_store, "event:zukunftsdialog-2023-01-20 prov:wasAssociatedWith ?p") == {EDITORIAL}
    assert graphs_of(built_store, "?m a zd:Meeting . ?m dcterms:subject ?t") == set()  # type and topic apart
    assert graphs_of(built_store, "?m dcterms:subject ?t FILTER(STRSTARTS(STR(?m), STR(event:)))") == {EDITORIAL}
    assert graphs_of(built_store, "?d dcterms:type <http://publications.europa.eu/resource/authority/resource-type/MEMORANDUM_UNDERST>") == {EDITORIAL}


def test_reliabilities_outside_the_editorial_graph_are_the_ones_the_records_state(built_store, followup_text, addendum_text):
    stated: dict[str, str] = {}
    for text in (followup_text, addendum_text):
        for sid, rel in re.findall(r"\b([ST]\d+) \((official|press|secondary)\b", text):
            stated.setdefault(sid, rel)
    # the second record's corrections: S11 and S13 "treat them as secondary"
    assert "treat them as secondary for what the government decided" in addendum_text
    stated["S11"] = stated["S13"] = "secondary"
    assert "S8, S10 and S14 are marked \"official\"" in addendum_text
    name = {"amtlich": "official", "presse": "press", "sekundaer": "secondary"}
    found = rows(built_store, """SELECT ?id ?rel ?g WHERE { GRAPH ?g { ?s zd:reliability ?rel } ?s dcterms:identifier ?id }""")
    by_id = {r["id"]: r for r in found}
    assert len(by_id) == 40 and len(found) == 40  # one reliability each
    for sid, r in by_id.items():
        rel = name[r["rel"].rsplit("/", 1)[-1]]
        if sid in stated:
            assert rel == stated[sid] and r["g"] != EDITORIAL, sid
        else:
            assert r["g"] == EDITORIAL, f"{sid}: neither record states a reliability, so it is editorial"
    assert {s for s in by_id if s not in stated} == {"S9", *(f"S{i}" for i in range(15, 25)), "T15", "T16"}


def test_a_query_can_leave_the_editorial_reading_out(built_store):
    text = (ROOT / "queries" / "q11-organisation-types.rq").read_text(encoding="utf-8")
    assert len(built_store.select(text)) == 5
    without = text.replace("FROM", "FROM").replace(
        "?organisation org:classification ?type .",
        "?organisation org:classification ?type . FILTER NOT EXISTS { GRAPH <%s> { ?organisation org:classification ?type } }" % EDITORIAL)
    assert len(built_store.select(without)) == 0


def test_every_editorial_subject_is_attested_elsewhere(built_store):
    # The editorial graph only adds to nodes a source (or the model) knows: no subject of its own,
    # except its description of itself.
    orphans = rows(built_store, """
        SELECT DISTINCT ?s WHERE { GRAPH source:editorial { ?s ?p ?o }
          FILTER(isIRI(?s) && ?s != source:editorial)
          FILTER NOT EXISTS { GRAPH ?g { ?s ?p2 ?o2 } FILTER(?g != source:editorial) } }""")
    assert orphans == []


SHAPES = ROOT / "shapes" / "editorial.ttl"
BREAK = ("DELETE { GRAPH ?g { excerpt:loi-unterschrift-daniela-jansen oa:hasSource ?d } } "
         "INSERT { GRAPH ?g { excerpt:loi-unterschrift-daniela-jansen oa:hasSource source:editorial } } "
         "WHERE { GRAPH ?g { excerpt:loi-unterschrift-daniela-jansen oa:hasSource ?d } }")


def test_the_editorial_shape_passes_on_the_shipped_data(built_store):
    assert not [r for r in validation.validate(built_store).results if r.shape.startswith(ZDS + "SourceEvidence")]


def test_breaking_the_editorial_rule_reports_its_message(fresh_store):
    g = Graph().parse(SHAPES)
    node = URIRef(ZDS + "SourceEvidence")
    messages = {m.language: str(m) for m in g.objects(node, SH.message) if isinstance(m, Literal)}
    assert set(messages) == {"de", "en"}
    assert {str(s)[len(ZDS):] for s in g.subjects(SH.severity, None)} == {"SourceEvidence"}
    fresh_store.update(PREFIXES + BREAK)
    report = validation.validate(fresh_store)
    hits = {r.focus for r in report.results if r.shape == str(node)}
    # the passage of Daniela Jansen's signature now rests on the editorial graph only
    assert hits == {ID + "person/daniela-jansen", ID + "signature/daniela-jansen",
                    ID + "post/zukunft-durch-industrie-stellvertretender-vorstandsvorsitz",
                    ID + "membership/daniela-jansen-zukunft-durch-industrie-2023-01-20"}
    hit = next(r for r in report.results if r.shape == str(node))
    assert hit.message == messages and hit.severity == "Violation" and not report.conforms
