"""The one label policy: which literal names a resource, in which language.

Every place that shows a resource by name (the JSON API's lists, the ``/id`` pages, the SHACL
reports, the staff page's network) asks :func:`best_label` with the properties of
:data:`LABEL_PROPERTIES`, so a resource has the same name everywhere.

The rule: literals in the wanted language or without a language tag are candidates; the
best-ranked property wins, then a tagged literal over an untagged one, then the smaller text
(for a stable answer). Without a candidate, the same rule runs for the other languages,
German first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from string import Template
from typing import TYPE_CHECKING

from graph import sparql
from graph.vocab import DCTERMS, FOAF, RDFS, SCHEMA, SKOS

if TYPE_CHECKING:
    from graph.store import Store

#: The languages labels are looked for in, German first.
LANGS = ("de", "en")

#: Label properties, best first: the display name given to a resource (``skos:prefLabel``), a
#: person's name, a document's title, any ``rdfs:label``, ``schema:name``; the short form
#: (``skos:altLabel``) last.
LABEL_PROPERTIES: tuple[str, ...] = (
    str(SKOS.prefLabel), str(FOAF.name), str(DCTERMS.title), str(RDFS.label), str(SCHEMA.name), str(SKOS.altLabel),
)


def sort_key(label: str) -> str:
    """Where a name goes in an alphabetical list: letters as in a dictionary (DIN 5007-1, an
    umlaut as its base letter, ß as ss), case ignored.

    >>> sorted(["Zukunft", "Ökologie", "offen", "Arbeit"], key=sort_key)
    ['Arbeit', 'offen', 'Ökologie', 'Zukunft']
    >>> sort_key("Straße") == sort_key("STRASSE")
    True
    """
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sparql_values() -> str:
    """The label properties as the body of a SPARQL ``VALUES`` block (for the ``.rq`` files)."""
    return " ".join(f"<{p}>" for p in LABEL_PROPERTIES)


def _rank(prop: str) -> int:
    return LABEL_PROPERTIES.index(prop) if prop in LABEL_PROPERTIES else len(LABEL_PROPERTIES)


def label_in(literals: Iterable[tuple[str, str | None, str]], lang: str) -> str | None:
    """The label in ``lang`` (or untagged) from ``(property, language tag, text)`` triples, or None.

    >>> found = [(str(SKOS.prefLabel), "de", "Kreislaufwirtschaft"), (str(SKOS.prefLabel), "en", "Circular economy"),
    ...          (str(SKOS.altLabel), None, "KW")]
    >>> label_in(found, "en"), label_in(found, "de"), label_in(found[:1], "en")
    ('Circular economy', 'Kreislaufwirtschaft', None)
    """
    ranked = [(_rank(p), 0 if (tag or "").lower() == lang else 1, text)
              for p, tag, text in literals if (tag or "").lower() in (lang, "")]
    return min(ranked)[2] if ranked else None


def best_label(literals: Iterable[tuple[str, str | None, str]], lang: str) -> str | None:
    """:func:`label_in` ``lang``, else in the other languages (German first), else any literal.

    >>> best_label([(str(DCTERMS.title), "de", "Leitbild"), (str(RDFS.label), "fr", "Ligne")], "en")
    'Leitbild'
    >>> best_label([(str(RDFS.label), "fr", "Ligne")], "de")
    'Ligne'
    """
    found = list(literals)
    for wanted in (lang, *(other for other in LANGS if other != lang)):
        label = label_in(found, wanted)
        if label is not None:
            return label
    return min(((_rank(p), text) for p, _, text in found), default=(0, None))[1]


def labels_by_language(literals: Iterable[tuple[str, str | None, str]]) -> dict[str, str | None]:
    """``{"de": …, "en": …}``: :func:`label_in` each language (None where there is none)."""
    found = list(literals)
    return {lang: label_in(found, lang) for lang in LANGS}


#: Characters that cannot stand in an IRI reference (so an IRI with one is not asked for).
_NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\s]')


def fetch(store: Store, iris: Iterable[str], chunk: int = 500) -> dict[str, list[tuple[str, str, str]]]:
    """Every label literal of ``iris`` as ``(property, language tag, text)``, by IRI (one query per chunk)."""
    wanted = sorted({i for i in iris if i and not i.startswith("_:") and not _NOT_IN_IRI.search(i)})
    found: dict[str, list[tuple[str, str, str]]] = {}
    template = Template(sparql.text("labels.rq"))
    for start in range(0, len(wanted), chunk):
        nodes = " ".join(f"<{i}>" for i in wanted[start : start + chunk])
        for row in store.select(template.substitute(nodes=nodes, properties=sparql_values())):
            found.setdefault(str(row["x"]), []).append((str(row["p"]), str(row["lang"] or ""), str(row["text"])))
    return found
