"""Every shape of shapes/zukunftsdialog.ttl, broken on purpose: the report shows its message.

Each case changes a copy of the shipped graph with one SPARQL update that breaks exactly what
the shape asks for (a fact from the letter taken away or made malformed) and checks that the
validation report has a result of that shape, on the expected node, with the shape's severity
and its German and English message, and that the text report names the node by its label.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH

from graph.shacl import validation
from graph.vocab import sparql_prologue
from graph.resources import folder
from graph.shacl.engine import SEVERITY
from graph.store import EmbeddedStore, Store

ID = "https://w3id.org/zukunftsdialog/id/"
ZDS = "https://w3id.org/zukunftsdialog/shapes#"
PROLOGUE = sparql_prologue() + "".join(
    f"PREFIX {p}: <{ID}{p}/>\n" for p in (
        "theme", "policy-level", "role", "scheme", "status", "organisation", "person", "post",
        "membership", "signature", "signing", "document", "source", "goal", "commitment",
        "recommendation", "excerpt", "instant", "reliability")
).replace("PREFIX policy-level:", "PREFIX level:")


def delete(s: str, p: str, lang: str | None = None) -> str:
    """Remove every value of ``s p`` (only those in ``lang`` if given), in every graph."""
    filt = f'FILTER(langMatches(lang(?o), "{lang}"))' if lang else ""
    return f"DELETE {{ GRAPH ?g {{ {s} {p} ?o }} }} WHERE {{ GRAPH ?g {{ {s} {p} ?o {filt} }} }}"


def insert(s: str, p: str, o: str, graph: str = "<urn:test:broken>") -> str:
    return f"INSERT DATA {{ GRAPH {graph} {{ {s} {p} {o} }} }}"


def replace(s: str, p: str, o: str) -> str:
    return delete(s, p) + " ;\n" + insert(s, p, o)


SELECTOR_OF_GOAL = "?sel"
#: shape -> (update that breaks it, focus expected in the report or None for a blank node)
CASES: dict[str, tuple[str, str | None]] = {
    "Concept-prefLabel-de": (delete("theme:kreislaufwirtschaft", "skos:prefLabel", "de"), "theme/kreislaufwirtschaft"),
    "Concept-prefLabel-en": (delete("level:eu", "skos:prefLabel", "en"), "policy-level/eu"),
    "Concept-prefLabel-unique": (insert("level:bund", "skos:prefLabel", '"Bundesebene"@de'), "policy-level/bund"),
    "Concept-inScheme": (delete("role:sprecher", "skos:inScheme"), "role/sprecher"),
    "ConceptScheme-prefLabel-de": (delete("scheme:roles", "skos:prefLabel", "de"), "scheme/roles"),
    "ConceptScheme-prefLabel-en": (delete("scheme:status", "skos:prefLabel", "en"), "scheme/status"),
    "Organisation-prefLabel-de": (delete("organisation:whkt", "skos:prefLabel", "de"), "organisation/whkt"),
    "Organisation-prefLabel-en": (delete("organisation:bitkom", "skos:prefLabel", "en"), "organisation/bitkom"),
    "Organisation-type": (delete("organisation:dgb-nrw", "org:classification"), "organisation/dgb-nrw"),
    "Organisation-foundingDate": (insert("organisation:bitkom", "schema:foundingDate", '"1999"'), "organisation/bitkom"),
    "OrganisationalUnit-unitOf": (delete("organisation:vci-nrw", "org:unitOf"), "organisation/vci-nrw"),
    "SignatoryOrganisation-represented": (delete("post:ig-metall-nrw-bezirksleitung", "org:postIn"), "organisation/ig-metall-nrw"),
    "Person-name": (replace("person:anja-weber", "foaf:name", '"Anja Weber"@de'), "person/anja-weber"),
    "Person-givenName": (delete("person:knut-giesler", "foaf:givenName"), "person/knut-giesler"),
    "Person-familyName": (delete("person:knut-giesler", "foaf:familyName"), "person/knut-giesler"),
    "Person-honorificPrefix": (replace("person:timo-berger", "schema:honorificPrefix", '"Dr."@de'), "person/timo-berger"),
    "Person-honorificSuffix": (replace("person:mona-neubaur", "schema:honorificSuffix", '"MdL"@de'), "person/mona-neubaur"),
    "Signatory-post": (delete("post:dgb-nrw-vorsitz", "org:role"), "person/anja-weber"),
    "Signatory-signature": (delete("signature:anja-weber", "prov:agent"), "person/anja-weber"),
    "Post-postIn": (insert("post:dgb-nrw-vorsitz", "org:postIn", "organisation:ig-metall-nrw"), "post/dgb-nrw-vorsitz"),
    "Post-role": (insert("post:dgb-nrw-vorsitz", "org:role", "theme:investitionsklima"), "post/dgb-nrw-vorsitz"),
    "Post-prefLabel-de": (delete("post:dgb-nrw-vorsitz", "skos:prefLabel", "de"), "post/dgb-nrw-vorsitz"),
    "Membership-member": (delete("membership:anja-weber-dgb-nrw-2023-01-20", "org:member"),
                          "membership/anja-weber-dgb-nrw-2023-01-20"),
    "Membership-organization": (insert("membership:anja-weber-dgb-nrw-2023-01-20", "org:organization", "organisation:dgb"),
                                "membership/anja-weber-dgb-nrw-2023-01-20"),
    "Membership-role": (delete("membership:anja-weber-dgb-nrw-2023-01-20", "org:role"),
                        "membership/anja-weber-dgb-nrw-2023-01-20"),
    "Membership-memberDuring": (delete("membership:anja-weber-dgb-nrw-2023-01-20", "org:memberDuring"),
                                "membership/anja-weber-dgb-nrw-2023-01-20"),
    "Instant-date": (replace("instant:2023-01-20", "time:inXSDDate", '"20. Januar 2023"'), "instant/2023-01-20"),
    "Association-agent": (insert("signature:anja-weber", "prov:agent", "person:knut-giesler"), "signature/anja-weber"),
    "Association-onBehalfOf": (delete("signature:anja-weber", "zd:onBehalfOf"), "signature/anja-weber"),
    "Association-role": (delete("signature:anja-weber", "prov:hadRole"), "signature/anja-weber"),
    "Document-name-de": (delete("document:letter-of-intent-2023-01-20", "dcterms:title", "de") + " ;\n"
                         + delete("document:letter-of-intent-2023-01-20", "skos:prefLabel", "de"),
                         "document/letter-of-intent-2023-01-20"),
    "Document-title": (delete("document:industriepolitisches-leitbild-2019", "dcterms:title"),
                       "document/industriepolitisches-leitbild-2019"),
    "Document-date": (replace("document:letter-of-intent-2023-01-20", "dcterms:date", '"20. Januar 2023"'),
                      "document/letter-of-intent-2023-01-20"),
    "Source-prefLabel-de": (delete("source:land-nrw-2023-01-20", "skos:prefLabel", "de"), "source/land-nrw-2023-01-20"),
    "Source-prefLabel-en": (delete("source:land-nrw-2023-01-20", "skos:prefLabel", "en"), "source/land-nrw-2023-01-20"),
    "Source-date": (replace("source:land-nrw-2023-01-20", "dcterms:date", '"2023"^^xsd:integer'),
                    "source/land-nrw-2023-01-20"),
    "Source-reliability": (replace("source:land-nrw-2023-01-20", "zd:reliability", "status:beschlossen"),
                           "source/land-nrw-2023-01-20"),
    "Source-page": (insert("source:land-nrw-2023-01-20", "foaf:page", '"https://www.land.nrw"'),
                    "source/land-nrw-2023-01-20"),
    "Signing-date": (delete("signing:letter-of-intent-2023-01-20", "dcterms:date"), "signing/letter-of-intent-2023-01-20"),
    "Signing-association": (insert("signing:letter-of-intent-2023-01-20", "prov:qualifiedAssociation", "person:anja-weber"),
                            "signing/letter-of-intent-2023-01-20"),
    "Signing-location": (delete("signing:letter-of-intent-2023-01-20", "prov:atLocation"),
                         "signing/letter-of-intent-2023-01-20"),
    "Goal-prefLabel-de": (delete("goal:klimaneutrale-industrieregion-2045", "skos:prefLabel", "de"),
                          "goal/klimaneutrale-industrieregion-2045"),
    "Goal-targetYear": (replace("goal:klimaneutrale-industrieregion-2045", "zd:targetYear", '"2045"^^xsd:integer'),
                        "goal/klimaneutrale-industrieregion-2045"),
    "Commitment-prefLabel-de": (delete("commitment:austausch-auf-spitzenebene", "skos:prefLabel", "de"),
                                "commitment/austausch-auf-spitzenebene"),
    "Commitment-prefLabel-en": (delete("commitment:austausch-auf-spitzenebene", "skos:prefLabel", "en"),
                                "commitment/austausch-auf-spitzenebene"),
    "Commitment-document": ("DELETE WHERE { GRAPH ?g { ?doc zd:commitment commitment:austausch-auf-spitzenebene } }",
                            "commitment/austausch-auf-spitzenebene"),
    "Recommendation-theme": (delete("recommendation:loi-angekuendigte-handlungsempfehlungen", "dcterms:subject"),
                             "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-level": (insert("recommendation:loi-angekuendigte-handlungsempfehlungen", "zd:addressesLevel",
                                    "theme:investitionsklima"), "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-proposer": (delete("recommendation:loi-angekuendigte-handlungsempfehlungen", "zd:proposedBy"),
                                "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-status": (insert("recommendation:loi-angekuendigte-handlungsempfehlungen", "zd:status",
                                     "status:beschlossen"), "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-source": (delete("recommendation:loi-angekuendigte-handlungsempfehlungen", "dcterms:source"),
                              "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-date": (replace("recommendation:loi-angekuendigte-handlungsempfehlungen", "dcterms:date",
                                    '"2023-01-20"@de'), "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-date-present": (delete("recommendation:loi-angekuendigte-handlungsempfehlungen", "dcterms:date"),
                                    "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "Recommendation-label": (delete("recommendation:loi-angekuendigte-handlungsempfehlungen", "skos:prefLabel"),
                             "recommendation/loi-angekuendigte-handlungsempfehlungen"),
    "KeyTheme-addressed": ("DELETE WHERE { GRAPH ?g { ?r dcterms:subject theme:flaechenentwicklung } }",
                           "theme/flaechenentwicklung"),
    "Provenance-excerpt": (delete("goal:klimaneutrale-industrieregion-2045", "prov:wasDerivedFrom"),
                           "goal/klimaneutrale-industrieregion-2045"),
    "Excerpt-source": (delete("excerpt:loi-ziel", "oa:hasSource"), "excerpt/loi-ziel"),
    "Excerpt-selector": (delete("excerpt:loi-ziel", "oa:hasSelector"), "excerpt/loi-ziel"),
    "QuoteSelector-exact": ("INSERT { GRAPH ?g { ?sel oa:exact \"zweites Zitat\" } } "
                            "WHERE { GRAPH ?g { excerpt:loi-ziel oa:hasSelector ?sel } }", None),
    "QuoteSelector-context": ("INSERT { GRAPH ?g { ?sel oa:prefix \"noch ein Präfix\" } } "
                              "WHERE { GRAPH ?g { excerpt:loi-ziel oa:hasSelector ?sel } }", None),
}


def own_shapes() -> dict[str, tuple[str, dict[str, str]]]:
    """Every reported shape of shapes/zukunftsdialog.ttl: severity and messages."""
    from rdflib import Graph

    g = Graph().parse(folder("shapes") / "zukunftsdialog.ttl", format="turtle")
    shapes = {}
    for shape in set(g.subjects(SH.message, None)):
        messages = {m.language: str(m) for m in g.objects(shape, SH.message) if isinstance(m, Literal)}
        severity = SEVERITY[g.value(shape, SH.severity)]
        shapes[str(shape).removeprefix(ZDS)] = (severity, messages)
    return shapes


def test_every_shape_has_a_breaking_case() -> None:
    assert set(own_shapes()) == set(CASES)


def test_every_shape_has_messages_in_both_languages_and_a_severity() -> None:
    for name, (severity, messages) in own_shapes().items():
        assert set(messages) == {"de", "en"}, name
        assert severity in ("Violation", "Warning", "Info")


@pytest.mark.parametrize("name", sorted(CASES))
def test_breaking_the_shape_shows_its_message(built_store: Store, name: str) -> None:
    update, focus = CASES[name]
    store = EmbeddedStore(None)
    store.oxigraph.bulk_extend(built_store.quads())
    before = set(store.quads())
    store.update(PROLOGUE + update)
    assert set(store.quads()) != before, "the breaking update changed nothing"
    report = validation.validate(store)
    severity, messages = own_shapes()[name]
    found = [r for r in report.results if r.shape == ZDS + name]
    assert found, f"no result of zds:{name}:\n{report.to_text('en')}"
    if focus is not None:
        found = [r for r in found if r.focus == ID + focus]
        assert found, f"zds:{name} reported on other nodes than {focus}"
    result = found[0]
    assert result.severity == severity
    assert result.message == messages
    assert report.conforms == (severity != "Violation" and not report.violations)
    lines = report.to_text(None).splitlines()
    # The node is named by its label; a node without one by its (shortened) IRI.
    name_shown = result.focus_label or result.focus.rsplit("/", 1)[-1]
    for lang in ("de", "en"):
        assert any(name_shown in line and line.endswith(f": {messages[lang]}") for line in lines), lang


def test_breaking_shapes_is_seen_by_pyshacl_too(built_store: Store) -> None:
    """A few of the cases, checked against pyshacl: the same results."""
    for name in ("SignatoryOrganisation-represented", "KeyTheme-addressed", "Document-name-de", "Source-date"):
        store = EmbeddedStore(None)
        store.oxigraph.bulk_extend(built_store.quads())
        store.update(PROLOGUE + CASES[name][0])
        ours, theirs = validation.validate(store), validation.validate_pyshacl(store)
        assert {r.key() for r in ours.results} == {r.key() for r in theirs.results}, name


__all__ = ["RDF", "URIRef"]
