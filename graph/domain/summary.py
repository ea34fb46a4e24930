"""A small summary of the dataset for the landing page and the dataset description."""

from __future__ import annotations

from dataclasses import dataclass

from graph.vocab import sparql_prologue
from graph.store import Store

_COUNTS = sparql_prologue() + """
SELECT
  (COUNT(DISTINCT ?org) AS ?organisations)
  (COUNT(DISTINCT ?person) AS ?persons)
  (COUNT(DISTINCT ?theme) AS ?themes)
  (COUNT(DISTINCT ?rec) AS ?recommendations)
  (COUNT(DISTINCT ?excerpt) AS ?excerpts)
WHERE {
  { ?org a org:Organization } UNION { ?org a org:OrganizationalUnit } UNION { ?org a org:FormalOrganization }
  UNION { ?person a foaf:Person }
  UNION { ?theme skos:inScheme <https://w3id.org/zukunftsdialog/id/scheme/themes> }
  UNION { ?rec a zd:Recommendation }
  UNION { ?excerpt a oa:SpecificResource }
}
"""


@dataclass(frozen=True)
class Summary:
    organisations: int
    persons: int
    themes: int
    recommendations: int
    excerpts: int
    quads: int
    graphs: int


def summarise(store: Store) -> Summary:
    """Counts of the main kinds of things in the store.

    >>> from graph.store import open_store; from graph.build import build
    >>> s = open_store("memory"); _ = build(s); summarise(s).persons >= 15
    True
    """
    (row,) = store.select(_COUNTS)
    counts = {k: int(v) for k, v in row.items()}
    return Summary(**counts, quads=len(store), graphs=len(store.named_graphs()))
