"""The shapes of offices in time (shapes/time.ttl), each broken on purpose."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from graph.shacl import validation
from graph.vocab import sparql_prologue
from tests.conftest import ROOT

ID = "https://w3id.org/zukunftsdialog/id/"
ZDS = "https://w3id.org/zukunftsdialog/shapes#"
SHAPES = ROOT / "shapes" / "time.ttl"
P = sparql_prologue() + f"PREFIX instant: <{ID}instant/>\nPREFIX event: <{ID}event/>\nPREFIX source: <{ID}source/>\n"

BREAKS = [
    ("InstantPrecision-month", "instant/2025-12",
     'INSERT DATA { GRAPH source:dgb-nrw-2025-12 { instant:2025-12 time:inXSDgYearMonth "2025-11"^^xsd:gYearMonth } }'),
    ("InstantPrecision-year", "instant/2023",
     'INSERT DATA { GRAPH source:recyclingportal-2022-12 { instant:2023 time:inXSDgYear "2023-01" } }'),
    ("InferredDate-reason", "event/bestaetigung-ralf-stoffels-ihk-nrw",
     "DELETE { GRAPH ?g { event:bestaetigung-ralf-stoffels-ihk-nrw skos:scopeNote ?n } } "
     "WHERE { GRAPH ?g { event:bestaetigung-ralf-stoffels-ihk-nrw skos:scopeNote ?n FILTER(LANG(?n) = 'de') } }"),
    ("Confirmation-post", "event/wiederwahl-berthold-schroeder-whkt",
     "DELETE WHERE { GRAPH ?g { event:wiederwahl-berthold-schroeder-whkt zd:confirms ?p } }"),
    ("Confirmation-source", "event/wiederwahl-berthold-schroeder-whkt",
     "DELETE WHERE { GRAPH ?g { event:wiederwahl-berthold-schroeder-whkt dcterms:source ?s } }"),
]


def test_every_time_shape_has_a_break_test():
    g = Graph().parse(SHAPES)
    assert {str(s)[len(ZDS):] for s in g.subjects(SH.severity, None)} == {b[0] for b in BREAKS}


def test_the_shipped_data_passes_the_time_shapes(built_store):
    ours = {ZDS + b[0] for b in BREAKS}
    assert [r for r in validation.validate(built_store).results if r.shape in ours] == []


@pytest.mark.parametrize(("shape", "focus", "update"), BREAKS, ids=[b[0] for b in BREAKS])
def test_breaking_a_time_shape_reports_its_message(fresh_store, shape, focus, update):
    g = Graph().parse(SHAPES)
    node = URIRef(ZDS + shape)
    messages = {m.language: str(m) for m in g.objects(node, SH.message) if isinstance(m, Literal)}
    assert set(messages) == {"de", "en"}
    fresh_store.update(P + update)
    hits = [r for r in validation.validate(fresh_store).results if r.shape == ZDS + shape and r.focus == ID + focus]
    assert hits, f"{shape} did not report {focus}"
    assert hits[0].message == messages and hits[0].severity == "Violation"
