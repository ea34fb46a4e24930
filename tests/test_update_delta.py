"""The write gate checks exactly what an update will store (issue 17, point 1).

Differential: for every update of a corpus, the effect computed by
:func:`graph.shacl.delta.update_effect` must equal what Oxigraph does when it runs the update
on a copy of the store. The corpus holds the disguises that once slipped past the gate (an
rdflib algebra round trip lost parentheses and regex flags, and over-counted UNION), the
constructs of the earlier delta test, and updates generated from a small part of the SPARQL
grammar (expressions with nesting, OPTIONAL with an inner FILTER, UNION, subqueries with
GROUP BY/HAVING, MINUS, BIND, VALUES, REGEX flags). Then the same disguises against the real
HTTP endpoint: refused (403 for the model graphs, 422 for the shapes), store unchanged.
"""

from __future__ import annotations

import random
import re

import httpx
import pyoxigraph as ox
import pytest

from graph.shacl import update as sparql_update
from graph.shacl import validation
from graph.vocab import sparql_prologue
from graph.store import EmbeddedStore, QuerySyntaxError, Store
from graph.shacl.delta import UpdateSyntaxError, update_effect
from graph.shacl.validation import update_source

SHAPES = "https://w3id.org/zukunftsdialog/id/source/shapes"
ONTOLOGY = "https://w3id.org/zukunftsdialog/id/source/ontology"

#: The six constructs of the issue on which rdflib's translation and Oxigraph disagreed.
DISGUISES = [
    "DELETE { GRAPH ?g { ?r dcterms:subject ?t } } WHERE { GRAPH ?g { ?r dcterms:subject ?t } FILTER(2 * (3 - 2) = 2) }",
    "DELETE { GRAPH ?g { ?r dcterms:subject ?t } } WHERE { GRAPH ?g { ?r dcterms:subject ?t } FILTER(8 / (4 / 2) = 4) }",
    'DELETE { GRAPH ?g { ?s skos:prefLabel ?l } } WHERE { GRAPH ?g { ?s skos:prefLabel ?l } '
    'FILTER(REGEX(STR(?l), "^DGB", "i")) }',
    'DELETE { GRAPH ?g { ?s skos:prefLabel ?l } } WHERE { GRAPH ?g { ?s skos:prefLabel ?l } '
    'OPTIONAL { GRAPH ?g { ?s skos:altLabel ?a FILTER(?l != ?a) } } FILTER(!BOUND(?a)) }',
    "DELETE { GRAPH ?g { ?s foaf:name ?n } } WHERE { GRAPH ?g { ?s foaf:name ?n } "
    "{ SELECT ?s WHERE { GRAPH ?h { ?s ?p ?o } } GROUP BY ?s HAVING(COUNT(?p) > 2 * (2 - 1)) } }",
    "DELETE { GRAPH ?g { ?s a ?c } } WHERE { { GRAPH ?g { ?s a ?c ; foaf:name ?n } } UNION "
    "{ GRAPH ?g { ?s a ?c ; skos:prefLabel ?n } } }",
]

CONSTRUCTS = [
    'DELETE { GRAPH ?g { ?p org:postIn ?o } } WHERE { GRAPH ?g { ?p org:postIn ?o FILTER(CONTAINS(STR(?o), "dgb")) } }',
    "DELETE WHERE { GRAPH ?g { ?post org:postIn ?org } }",
    'INSERT { GRAPH <urn:t> { ?p skos:note "x" } } WHERE { GRAPH ?g { ?p a org:Post } }',
    "INSERT { GRAPH <urn:t> { ?p prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource ?p ] } } "
    "WHERE { GRAPH ?g { ?p a foaf:Person } }",
    'DELETE { GRAPH ?g { ?s skos:prefLabel ?l } } INSERT { GRAPH ?g { ?s skos:prefLabel ?n } } WHERE { '
    "{ SELECT ?s (COUNT(*) AS ?c) WHERE { GRAPH ?h { ?s ?p ?o } } GROUP BY ?s } "
    'GRAPH ?g { ?s skos:prefLabel ?l FILTER(lang(?l) = "en") } OPTIONAL { GRAPH ?g { ?s skos:altLabel ?alt } } '
    'BIND(STRLANG(CONCAT(STR(?l), " (", STR(?c), ")"), "en") AS ?n) }',
    'INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> "1" } } ; DELETE DATA { GRAPH <urn:t> { <urn:a> <urn:b> "1" } }',
    "INSERT { ?s <urn:p> ?o } WHERE { GRAPH ?g { ?s a org:Post ; org:postIn ?o } }",
    "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    "DELETE { GRAPH ?g { ?s zd:status ?st } } INSERT { GRAPH ?g { ?s zd:status <https://w3id.org/zukunftsdialog/id/"
    "status/beschlossen> } } WHERE { GRAPH ?g { ?s a zd:Recommendation ; zd:status ?st } "
    "MINUS { GRAPH ?g { ?s dcterms:date ?d FILTER(YEAR(?d) > 2024) } } }",
    "INSERT { GRAPH <urn:t> { ?o skos:note ?n } } WHERE { { GRAPH ?g { ?o a org:Organization } } UNION "
    "{ GRAPH ?g { ?o a org:FormalOrganization } } FILTER NOT EXISTS { GRAPH ?h { ?o org:unitOf ?x } } "
    'BIND(CONCAT("org ", STR(?o)) AS ?n) }',
    "CLEAR GRAPH <https://w3id.org/zukunftsdialog/id/source/bitkom>",
    "WITH <urn:w> INSERT { ?s <urn:copy> ?o } WHERE { GRAPH ?g { ?s foaf:name ?o } }",
    "WITH <urn:w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> 1 } } ; DELETE WHERE { GRAPH ?g { ?s foaf:name ?n } }",
    'INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> "brace } in a string", """and ; here""" } }',
    "# a comment with { and DELETE\nINSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> <urn:c#x> } }",
    "INSERT { GRAPH <urn:t> { ?s <urn:bn> ?b } } WHERE { GRAPH ?g { ?s prov:wasDerivedFrom ?b FILTER(isBlank(?b)) } }",
    "INSERT { GRAPH <urn:t> { ?s <urn:n> ?n } } WHERE { GRAPH ?g { ?s foaf:name ?n FILTER(?n<\"M\") } }",
    'INSERT { GRAPH <urn:t> { ?s <urn:p> "\\u0041" } } WHERE { GRAPH ?g { ?s a foaf:Person } }',
    "DELETE { GRAPH ?g { ?s ?p ?o } } USING <https://w3id.org/zukunftsdialog/id/source/bitkom> "
    "WHERE { ?s ?p ?o }",
    "INSERT { GRAPH <urn:t> { ?s <urn:x> ?o } } WHERE { GRAPH ?g { ?s foaf:name ?o } } ; "
    "DELETE { GRAPH <urn:t> { ?s <urn:x> ?o } } WHERE { GRAPH <urn:t> { ?s <urn:x> ?o FILTER(STRSTARTS(?o, \"A\")) } }",
]


def _expression(rng: random.Random, depth: int = 0) -> str:
    """A numeric expression with parentheses, as a parser that drops them would misread."""
    if depth > 2 or rng.random() < 0.3:
        return str(rng.randint(1, 9))
    op = rng.choice(["+", "-", "*", "/"])
    return f"({_expression(rng, depth + 1)} {op} {_expression(rng, depth + 1)})"


def _generated(seed: int) -> str:
    """One DELETE/INSERT … WHERE update from a small part of the SPARQL grammar."""
    rng = random.Random(seed)
    predicate = rng.choice(["foaf:name", "skos:prefLabel", "dcterms:subject", "org:postIn", "rdfs:label", "?p"])
    filters = [
        f"FILTER({_expression(rng)} {rng.choice(['=', '<', '>', '!='])} {_expression(rng)})",
        f'FILTER(REGEX(STR(?o), "{rng.choice(["^a", "nrw", "DGB", "e$", "[Ww]irtschaft"])}", "{rng.choice(["i", "", "s"])}"))',
        "OPTIONAL { GRAPH ?g { ?s skos:altLabel ?alt FILTER(STRLEN(?alt) > " + str(rng.randint(1, 12)) + ") } } "
        "FILTER(!BOUND(?alt))",
        "{ SELECT ?s WHERE { GRAPH ?h { ?s ?q ?z } } GROUP BY ?s HAVING(COUNT(?q) " + rng.choice([">", "<"])
        + f" {_expression(rng)}) }}",
        "MINUS { GRAPH ?g { ?s a foaf:Person } }",
        f"BIND({_expression(rng)} AS ?n) FILTER(?n > {rng.randint(0, 5)})",
        "VALUES ?g { <https://w3id.org/zukunftsdialog/id/source/letter-of-intent-2023-01-20> "
        "<https://w3id.org/zukunftsdialog/id/source/followup-2023-2025> }",
    ]
    where = f"GRAPH ?g {{ ?s {predicate} ?o }} " + " ".join(rng.sample(filters, rng.randint(1, 3)))
    if rng.random() < 0.3:
        where = f"{{ {where} }} UNION {{ GRAPH ?g {{ ?s {predicate} ?o FILTER(isIRI(?o)) }} }}"
    delete = f"GRAPH ?g {{ ?s {predicate} ?o }}"
    insert = 'GRAPH <urn:t> { ?s <urn:seen> ?o }'
    form = rng.choice(["delete", "insert", "both"])
    head = {"delete": f"DELETE {{ {delete} }}", "insert": f"INSERT {{ {insert} }}",
            "both": f"DELETE {{ {delete} }} INSERT {{ {insert} }}"}[form]
    return f"{head} WHERE {{ {where} }}"


CORPUS = DISGUISES + CONSTRUCTS + [_generated(seed) for seed in range(60)]


def _copy(store: Store) -> ox.Store:
    copy = ox.Store()
    copy.bulk_extend(store.quads())
    return copy


def _norm(quads) -> list[str]:
    """Quads as text; blank nodes an update makes differ by name only."""
    return sorted(re.sub(r"_:\w+", "_:b", str(q)) for q in quads)


@pytest.mark.parametrize("update", CORPUS, ids=[f"u{i:02d}" for i in range(len(CORPUS))])
def test_effect_equals_what_oxigraph_does(built_store: Store, update: str) -> None:
    text = sparql_prologue() + update
    effect = update_effect(update_source(built_store), text)
    copy = _copy(built_store)
    copy.update(text)
    before, after = set(built_store.quads()), set(copy)
    assert _norm(q for q in effect.added if q not in before) == _norm(after - before)
    assert _norm(q for q in effect.removed if q in before) == _norm(before - after)


def test_the_disguises_change_something(built_store: Store) -> None:
    """The corpus is not vacuous: each disguise really removes quads when Oxigraph runs it."""
    for update in DISGUISES:
        copy = _copy(built_store)
        copy.update(sparql_prologue() + update)
        assert len(copy) < len(built_store), update


def test_a_syntax_error_is_oxigraphs(built_store: Store) -> None:
    for bad in ("INSERT DATA { this is not sparql", "DELETE DATA { _:b <urn:p> 1 }", "DELETE { ?s ?p ?o }"):
        with pytest.raises(UpdateSyntaxError):
            update_effect(update_source(built_store), bad)
        with pytest.raises(QuerySyntaxError):
            validation.update_checked(built_store, bad)


@pytest.mark.parametrize("graph", [SHAPES, ONTOLOGY])
@pytest.mark.parametrize("disguise", [
    "FILTER(2 * (3 - 2) = 2)", "FILTER(8 / (4 / 2) = 4)", 'FILTER(REGEX("A", "a", "i"))',
    "OPTIONAL { ?s ?p ?x FILTER(?x != ?o) }", "{ SELECT ?s WHERE { ?s ?q ?z } GROUP BY ?s HAVING(COUNT(?q) > 0) }",
    "", "FILTER(true)",
])
def test_model_graphs_are_protected_through_any_disguise(fresh_store: EmbeddedStore, graph: str, disguise: str) -> None:
    before = len(fresh_store)
    update = f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o {disguise} }} }}"
    with pytest.raises(sparql_update.ProtectedGraph):
        sparql_update.apply(fresh_store, update)
    assert len(fresh_store) == before


@pytest.mark.parametrize("update", DISGUISES[:2] + DISGUISES[4:])
def test_a_disguised_update_that_breaks_the_shapes_is_refused(fresh_store: EmbeddedStore, update: str) -> None:
    before = set(fresh_store.quads())
    report = validation.update_checked(fresh_store, sparql_prologue() + update)
    assert not report.conforms
    assert set(fresh_store.quads()) == before


def test_what_is_stored_is_what_was_checked(fresh_store: EmbeddedStore) -> None:
    """A conforming pattern update stores the effect the gate saw, and that is Oxigraph's."""
    update = sparql_prologue() + (
        'INSERT { GRAPH <urn:t> { ?s skos:note ?n } } WHERE { GRAPH ?g { ?s foaf:name ?n } '
        'FILTER(REGEX(?n, "^a", "i") && 2 * (3 - 2) = 2) }')
    expected = _copy(fresh_store)
    expected.update(update)
    report = validation.update_checked(fresh_store, update)
    assert report.conforms
    assert _norm(fresh_store.quads()) == _norm(expected)
    # Anja Weber and Arndt G. Kirchhoff sign the letter: their names match ^a, case-insensitively.
    notes = {str(q.object) for q in fresh_store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode("urn:t"))}
    assert '"Anja Weber"' in notes and '"Arndt G. Kirchhoff"' in notes


@pytest.mark.parametrize("kind", ["api", "shapes"])
def test_disguised_updates_are_refused_over_http(api_server, kind: str) -> None:
    """The reported attack, through the real endpoint: 403/422, the store unchanged."""
    server = api_server(env={"ZDG_TOKEN": "gate-token"})
    auth = {"Authorization": "Bearer gate-token"}
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def total() -> int:
        r = httpx.get(server.url + "/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    before = total()
    if kind == "shapes":
        update = (f"DELETE {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} "
                  "FILTER(2 * (3 - 2) = 2) }")
        expected = 403
    else:
        update = ("PREFIX dct: <http://purl.org/dc/terms/> DELETE { GRAPH ?g { ?r dct:subject ?t } } "
                  "WHERE { GRAPH ?g { ?r dct:subject ?t } FILTER(2 * (3 - 2) = 2) }")
        expected = 422
    r = httpx.post(server.url + "/sparql/update", data={"update": update}, headers=auth, timeout=60)
    assert r.status_code == expected, r.text[:500]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert total() == before
    assert httpx.get(server.url + "/api/validation", timeout=60).json()["conforms"] is True
