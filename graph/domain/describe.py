"""What the dataset says about one resource: for ``/id/...`` pages and their RDF.

A :class:`Description` holds the resource's statements (with blank nodes such as quote
selectors resolved two levels deep), the statements pointing at it, labels for everything
shown, and, for a fact, the passages it was derived from (``prov:wasDerivedFrom`` an
``oa:SpecificResource`` with an ``oa:TextQuoteSelector``). Its :attr:`~Description.triples`
are the RDF to serve: the statements plus those of the excerpts, so the quote travels along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Template

import pyoxigraph as ox

from graph import labels as graph_labels
from graph.domain.catalog import ld_query
from graph.vocab import ID_BASE, PREFIXES
from graph.store import Store, StoreError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
INCOMING_LIMIT = 200


@dataclass(frozen=True)
class Quote:
    """A passage a fact comes from."""

    excerpt: str
    exact: str
    prefix: str | None
    suffix: str | None
    document: str | None
    cited: str | None


@dataclass
class Description:
    """Everything shown about one resource."""

    iri: str
    triples: list[ox.Triple]
    incoming: list[tuple[str, str]]  # (subject IRI, predicate IRI)
    quotes: list[Quote]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI -> {lang: label}
    unlabelled: dict[str, tuple[list[str], str | None]] = field(default_factory=dict)  # IRI -> (types, quote)

    def statements(self, subject: ox.NamedNode | ox.BlankNode | None = None) -> list[ox.Triple]:
        """The triples about ``subject`` (default: the resource), ``rdf:type`` first."""
        node = subject if subject is not None else ox.NamedNode(self.iri)
        found = [t for t in self.triples if t.subject == node]
        return sorted(found, key=lambda t: (t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object)))

    def types(self) -> list[str]:
        """The resource's classes."""
        return [t.object.value for t in self.statements() if t.predicate.value == RDF_TYPE
                and isinstance(t.object, ox.NamedNode)]

    def label(self, iri: str, lang: str = "de") -> str | None:
        """The label of ``iri`` in ``lang`` by the one label policy (:func:`graph.labels.best_label`)."""
        by_lang = self.labels.get(iri) or {}
        return graph_labels.best_label([(graph_labels.LABEL_PROPERTIES[0], tag, text) for tag, text in by_lang.items()], lang)

    def name(self, iri: str, lang: str = "de") -> str | None:
        """A label, or for a resource without one a name made from what it is: an excerpt by
        its quote („Anja Weber Vorsitzende…“), anything else by its type and the last
        segment of its IRI („Mitgliedschaft: dgb-nrw“)."""
        found = self.label(iri, lang)
        if found or iri not in self.unlabelled:
            return found
        types, quote = self.unlabelled[iri]
        if quote:
            text = " ".join(quote.replace("\\|", "|").strip(" |").replace(" | ", " · ").split())
            return "„" + (text if len(text) <= 70 else text[:68].rsplit(" ", 1)[0] + " …") + "“"
        kind = next((self.label(t, lang) for t in types if self.label(t, lang)), None)
        return f"{kind}: {iri.rstrip('/').rsplit('/', 1)[-1]}" if kind else None

    def serialise(self, fmt: ox.RdfFormat) -> bytes:
        """The RDF of this description (Turtle with our prefixes, JSON-LD compacted with our context)."""
        if fmt == ox.RdfFormat.JSON_LD:
            from graph.jsonld import compact

            return compact(self.triples)
        # Our own IRIs contain '/', which a prefixed name would have to escape: keep them whole.
        readable = {k: v for k, v in PREFIXES.items() if k != "id"}
        prefixes = readable if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        return ox.serialize(self.triples, format=fmt, prefixes=prefixes)


def _fill(template: str, **values: str) -> str:
    return Template(template).substitute(**values)


def _iri(iri: str) -> str:
    """``iri`` as a SPARQL IRI term; ValueError if it is not a valid IRI (so it cannot inject)."""
    return str(ox.NamedNode(iri))


def exists(store: Store, iri: str) -> bool:
    """True if ``iri`` occurs in the dataset (as subject, object or graph name)."""
    return store.ask(_fill(ld_query("exists.rq"), resource=_iri(iri)))


def describe(store: Store, iri: str) -> Description | None:
    """The description of ``iri``, or None if the dataset does not mention it.

    >>> from graph.store import open_store
    >>> from graph.build import build
    >>> s = open_store("memory"); _ = build(s)
    >>> d = describe(s, "https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw")
    >>> "http://www.w3.org/ns/org#OrganizationalUnit" in d.types()
    True
    """
    try:
        term = _iri(iri)
    except ValueError:
        return None
    if not exists(store, iri):
        return None
    triples = list(dict.fromkeys(_construct(store, _fill(ld_query("cbd.rq"), r=term)) + _construct(store, _fill(ld_query("excerpts.rq"), r=term))))
    incoming = [(str(r["s"]), str(r["p"])) for r in
                store.select(_fill(ld_query("incoming.rq"), resource=term, limit=str(INCOMING_LIMIT)))]
    quotes = [
        Quote(str(r["excerpt"]), str(r["exact"]), _text(r.get("prefix")), _text(r.get("suffix")),
              _text(r.get("document")), _text(r.get("cited")))
        for r in store.select(_fill(ld_query("quotes.rq"), resource=term))
    ]
    description = Description(iri, triples, incoming, quotes)
    wanted = {iri}
    for t in triples:
        wanted.add(t.predicate.value)
        if isinstance(t.object, ox.NamedNode):
            wanted.add(t.object.value)
    for s, p in incoming:
        wanted.update((s, p))
    wanted.update(q.document for q in quotes if q.document)
    description.labels = labels(store, sorted(wanted))
    bare = sorted(i for i in wanted if i not in description.labels and i.startswith(ID_BASE))
    description.unlabelled = _unlabelled(store, bare)
    if any(types for types, _ in description.unlabelled.values()):
        type_iris = sorted({t for types, _ in description.unlabelled.values() for t in types} - set(description.labels))
        description.labels.update(labels(store, type_iris))
    return description


def names(store: Store, iris: list[str]) -> Description:
    """Only the names of ``iris`` (labels, or for unlabelled resources their quote or type), for
    pages that list resources without describing them; ask it with :meth:`Description.name`."""
    found = Description("", [], [], [], labels=labels(store, iris))
    found.unlabelled = _unlabelled(store, sorted(i for i in iris if i not in found.labels and i.startswith(ID_BASE)))
    type_iris = sorted({t for types, _ in found.unlabelled.values() for t in types} - set(found.labels))
    found.labels.update(labels(store, type_iris))
    return found


def _unlabelled(store: Store, iris: list[str], chunk: int = 200) -> dict[str, tuple[list[str], str | None]]:
    found: dict[str, tuple[list[str], str | None]] = {}
    for start in range(0, len(iris), chunk):
        values = " ".join(_iri(i) for i in iris[start : start + chunk])
        for row in store.select(_fill(ld_query("fallback.rq"), resources=values)):
            types, quote = found.setdefault(str(row["r"]), ([], None))
            if row.get("type") is not None and str(row["type"]) not in types:
                types.append(str(row["type"]))
            if row.get("exact") is not None and quote is None:
                found[str(row["r"])] = (types, str(row["exact"]))
    return found


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def _construct(store: Store, sparql: str) -> list[ox.Triple]:
    result = store.query(sparql)
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        raise StoreError("expected a graph result")
    return list(result)


def labels(store: Store, iris: list[str]) -> dict[str, dict[str, str]]:
    """Labels of ``iris`` by language tag ("" untagged), by the one label policy (:mod:`graph.labels`)."""
    found = graph_labels.fetch(store, iris)
    return {iri: {tag: graph_labels.label_in([lit for lit in lits if lit[1] == tag], tag) or ""
                  for tag in {lit[1] for lit in lits}} for iri, lits in found.items()}


def graph_rdf(store: Store, graph: str, fmt: ox.RdfFormat) -> bytes:
    """One named graph (e.g. the ontology or the shapes) serialised."""
    triples = _construct(store, _fill(ld_query("graph.rq"), graph=_iri(graph)))
    return ox.serialize(triples, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None)
