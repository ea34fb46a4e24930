"""One label policy: the JSON API, the /id pages, the SHACL reports and the staff page's
network name a resource alike (issue 12 found four property orders in four modules).

The pure rule is checked on a table; then the four consumers are asked for the same resources.
Expected names come from the sources where they give one (the letter names Anja Weber, the
DGB NRW and the key theme "Kreislaufwirtschaft").
"""

from __future__ import annotations

import pytest

from graph import labels, network
from graph.domain import describe as describe_mod
from graph.domain import lists
from graph.shacl import engine
from graph.vocab import DCTERMS, FOAF, RDFS, SCHEMA, SKOS

PREF, NAME, TITLE, LABEL, ALT = str(SKOS.prefLabel), str(FOAF.name), str(DCTERMS.title), str(RDFS.label), str(SKOS.altLabel)
ID = "https://w3id.org/zukunftsdialog/id/"


@pytest.mark.parametrize(("literals", "lang", "expected"), [
    ([(PREF, "de", "Leitbild (2019)"), (TITLE, "de", "Industriepolitisches Leitbild des Landes")], "de", "Leitbild (2019)"),
    ([(TITLE, "de", "Titel"), (PREF, "de", "Name")], "de", "Name"),  # the property order, not the order found
    ([(NAME, "", "Anja Weber"), (LABEL, "de", "Weber, Anja")], "de", "Anja Weber"),
    ([(PREF, "de", "Kreislaufwirtschaft"), (PREF, "en", "Circular economy")], "en", "Circular economy"),
    ([(PREF, "de", "Kreislaufwirtschaft")], "en", "Kreislaufwirtschaft"),  # no English: German
    ([(PREF, "", "untagged"), (PREF, "en", "tagged")], "en", "tagged"),  # tagged before untagged
    ([(PREF, "de", "Deutscher Gewerkschaftsbund NRW"), (ALT, "", "DGB NRW")], "de", "Deutscher Gewerkschaftsbund NRW"),
    ([(ALT, "", "DGB NRW")], "en", "DGB NRW"),  # the short form is the last resort
    ([(str(SCHEMA.name), "en", "b"), (str(SCHEMA.name), "en", "a")], "en", "a"),  # stable: the smaller text
    ([(LABEL, "fr", "Ligne")], "de", "Ligne"),
    ([], "de", None),
])
def test_best_label(literals, lang, expected) -> None:
    assert labels.best_label(literals, lang) == expected


def test_labels_by_language_leaves_a_missing_language_empty() -> None:
    assert labels.labels_by_language([(PREF, "de", "Kreislaufwirtschaft")]) == {"de": "Kreislaufwirtschaft", "en": None}


RESOURCES = {
    ID + "person/anja-weber": {"de": "Anja Weber", "en": "Anja Weber"},
    ID + "theme/kreislaufwirtschaft": {"de": "Kreislaufwirtschaft", "en": None},
    ID + "organisation/dgb-nrw": {"de": None, "en": None},
    ID + "document/industriepolitisches-leitbild-2019": {"de": None, "en": None},  # title and prefLabel differ
    ID + "document/letter-of-intent-2023-01-20": {"de": None, "en": None},
}


@pytest.mark.parametrize("iri", list(RESOURCES))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_consumer_names_a_resource_alike(built_store, iri: str, lang: str) -> None:
    api = lists.pick(lists.labels_of(built_store, [iri])[iri], lang)
    page = describe_mod.describe(built_store, iri).label(iri, lang)
    staff = network.label_of(network.load_facts(built_store), iri, lang)
    assert api == page == staff, (api, page, staff)
    if lang == "de":
        assert engine.labels(built_store, {iri})[iri] == api
    expected = RESOURCES[iri][lang]
    if expected:
        assert api == expected
