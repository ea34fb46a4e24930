"""Synthetic graphs in our own model, for benchmarks (10k … 1M triples), seeded.

    python -m graph.synthetic --triples 400000 -o benchmarks/data/x.nq [--seed 0] [--violations 0]

The graph has the shape of the real one, repeated: per synthetic source document (its own
named graph) a catalogue entry, the document with its signing, about ten signatories, each
with a person, a post, a membership and a signature, about ten organisations (some regional
units of a parent body), two commitments and about twenty recommendations on the seven key
themes, addressed to policy levels; every fact node with an excerpt (oa:SpecificResource with a
TextQuoteSelector). The shipped graph (ontology/, its SKOS schemes and data/, about 5k
triples) comes first, so a generated file validates on its own. The output conforms to the shapes
unless ``violations`` asks for that many known violations, each giving exactly one
Violation result (see :data:`VIOLATION_KINDS`).

Other benchmarks import :func:`generate`. The size is reached at the next whole cluster
(about 1,100 triples), so the output has ``triples`` triples or slightly more.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from graph.vocab import PREFIXES

# Namespaces as plain strings (terms are made with pyoxigraph): graph.vocab's, not typed again.
ID, ZD, ORG, SKOS, PROV, DCT, FOAF, TIME, OA, SCHEMA, XSD = (
    PREFIXES[p] for p in ("id", "zd", "org", "skos", "prov", "dcterms", "foaf", "time", "oa", "schema", "xsd"))
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")

THEMES = [ID + "theme/" + t for t in (
    "digitale-infrastruktur", "innovations-und-forschungsfoerderung", "investitionsklima",
    "flaechenentwicklung", "klima-und-umweltvertraeglichkeit", "kreislaufwirtschaft", "wissenstransfer")]
LEVELS = [ID + "policy-level/" + x for x in ("land", "bund", "eu")]
ORG_TYPES = [ID + "organisation-type/" + x for x in
             ("ministerium", "kammerorganisation", "wirtschaftsverband", "gewerkschaft", "initiative")]
ROLES = [ID + "role/" + x for x in ("praesident", "vorstandsvorsitz", "vorsitz", "sprecher", "bezirksleitung")]
STATUS = [ID + "status/" + x for x in ("angekuendigt", "vorgeschlagen", "beschlossen")]
RELIABILITY = [ID + "reliability/" + x for x in ("amtlich", "presse", "sekundaer")]

GIVEN = ["Anna", "Jonas", "Lea", "Paul", "Mia", "Felix", "Emma", "Lukas", "Sofia", "Ben", "Clara", "Elias",
         "Hannah", "Noah", "Marie", "Leon", "Ida", "Finn", "Greta", "Jakob"]
FAMILY = ["Schmidt", "Müller", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
          "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Krüger"]
TOPICS = ["Wasserstoff", "Fachkräfte", "Genehmigungen", "Netzausbau", "Recycling", "Forschung", "Gewerbeflächen",
          "Breitband", "Transfer", "Energiepreise", "Bürokratie", "Start-ups", "Stahl", "Chemie"]
TOWNS = ["Düsseldorf", "Köln", "Dortmund", "Essen", "Duisburg", "Bochum", "Münster", "Bielefeld", "Aachen"]

#: The kinds of injected violation, in the order they are used; each gives one Violation.
VIOLATION_KINDS = (
    "person name with a language tag (zds:Person-name, datatype)",
    "recommendation without status (zds:Recommendation-status, minCount)",
    "recommendation with an ill-formed date (zds:Recommendation-date)",
    "organisation without type (zds:Organisation-type)",
    "membership with two members (zds:Membership-member, maxCount)",
    "recommendation without provenance (zds:Provenance-excerpt)",
)

SIGNATORIES = 10
RECOMMENDATIONS = 20


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _de(text: str) -> ox.Literal:
    return ox.Literal(text, language="de")


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _s(text: str) -> ox.Literal:
    return ox.Literal(text)


def _typed(text: str, dt: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + dt))


def model_quads() -> list[ox.Quad]:
    """The shipped graph (ontology, schemes and data, not the shapes) the clusters build on.

    Synthetic clusters point at the real themes, levels, roles and types; the real data
    comes along so that the output conforms as the shipped graph does, whatever the model
    and the shapes grow to. Files are read as ``zdg build`` reads them; blank nodes get stable
    labels so that the same seed gives the same file.
    """
    from graph.build import source_files
    from graph.vocab import SHAPES_GRAPH
    from graph.store import rdf_format

    quads: dict[ox.Quad, None] = {}
    for n, f in enumerate(source_files()):
        if f.graph == SHAPES_GRAPH:
            continue
        labels: dict[str, ox.BlankNode] = {}

        def stable(term, n=n, labels=labels):
            if isinstance(term, ox.BlankNode):
                return labels.setdefault(term.value, ox.BlankNode(f"m{n}-{len(labels)}"))
            return term

        for q in ox.parse(path=str(f.path), format=rdf_format(f.path)):
            graph = ox.NamedNode(f.graph) if f.graph else q.graph_name
            quads[ox.Quad(stable(q.subject), q.predicate, stable(q.object), graph)] = None
    return list(quads)


class _Cluster:
    """One synthetic source document and everything it says."""

    def __init__(self, index: int, rng: random.Random, inject: list[str]):
        self.i = index
        self.rng = rng
        self.inject = inject  # violation kinds to put into this cluster
        self.graph = _n(f"{ID}source/syn-{index}")
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o) -> None:
        self.quads.append(ox.Quad(s, _n(p), o, self.graph))

    def typed(self, s, *classes: str) -> None:
        for c in classes:
            self.quads.append(ox.Quad(s, RDF_TYPE, _n(c), self.graph))

    def excerpt(self, slug: str, doc: ox.NamedNode, text: str) -> ox.NamedNode:
        ex = _n(f"{ID}excerpt/syn-{self.i}-{slug}")
        sel = ox.BlankNode(f"sel-{self.i}-{slug}")  # stable labels: same seed, same file
        self.typed(ex, OA + "SpecificResource")
        self.add(ex, OA + "hasSource", doc)
        self.add(ex, OA + "hasSelector", sel)
        self.typed(sel, OA + "TextQuoteSelector")
        self.add(sel, OA + "exact", _s(text))
        self.add(sel, OA + "prefix", _s("… "))
        self.add(sel, OA + "suffix", _s(" …"))
        return ex

    def build(self) -> list[ox.Quad]:
        rng, i = self.rng, self.i
        year = 2019 + i % 7
        date = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        town = TOWNS[i % len(TOWNS)]
        src, doc = self.graph, _n(f"{ID}document/syn-{i}")
        # Catalogue entry of the source.
        self.typed(src, DCT + "BibliographicResource", PROV + "Entity")
        self.add(src, SKOS + "prefLabel", _de(f"Synthetische Quelle {i}"))
        self.add(src, SKOS + "prefLabel", _en(f"Synthetic source {i}"))
        self.add(src, DCT + "title", _de(f"Synthetische Quelle {i}"))
        self.add(src, DCT + "date", _typed(date, "date"))
        self.add(src, FOAF + "page", _n(f"https://example.org/quelle/{i}"))
        self.add(src, DCT + "identifier", _s(f"SYN{i}"))
        self.add(src, ZD + "reliability", _n(rng.choice(RELIABILITY)))
        self.add(src, FOAF + "primaryTopic", doc)
        # The document and its signing.
        signing = _n(f"{ID}signing/syn-{i}")
        ex_doc = self.excerpt("titel", doc, f"Erklärung {i} zum Zukunftsdialog Industrie, {town}, den {date}")
        self.typed(doc, FOAF + "Document", PROV + "Entity")
        self.add(doc, DCT + "title", _de(f"Erklärung {i} zum Zukunftsdialog Industrie"))
        self.add(doc, DCT + "title", _en(f"Declaration {i} on the Zukunftsdialog Industrie"))
        self.add(doc, SKOS + "prefLabel", _de(f"Erklärung {i}"))
        self.add(doc, DCT + "date", _typed(date, "date"))
        self.add(doc, ZD + "signing", signing)
        self.add(doc, PROV + "wasDerivedFrom", ex_doc)
        for theme in rng.sample(THEMES, 3):
            self.add(doc, ZD + "keyTheme", _n(theme))
        self.typed(signing, ZD + "Signing", PROV + "Activity")
        self.add(signing, SKOS + "prefLabel", _de(f"Unterzeichnung der Erklärung {i}"))
        self.add(signing, DCT + "date", _typed(date, "date"))
        self.add(signing, PROV + "atLocation", _n(f"{ID}place/syn-{town.lower()}"))
        self.add(signing, PROV + "used", doc)
        self.add(signing, PROV + "wasDerivedFrom", ex_doc)
        # Organisations with one signatory each.
        orgs = []
        for k in range(SIGNATORIES):
            orgs.append(self.signatory(k, doc, signing, year))
        # Commitments and recommendations.
        for k in range(2):
            c = _n(f"{ID}commitment/syn-{i}-{k}")
            topic = rng.choice(TOPICS)
            ex = self.excerpt(f"vereinbarung-{k}", doc, f"gemeinsam das Thema {topic} voranzubringen ({i}.{k})")
            self.typed(c, ZD + "Commitment", PROV + "Entity")
            self.add(c, SKOS + "prefLabel", _de(f"{topic} voranbringen ({i}.{k})"))
            self.add(c, SKOS + "prefLabel", _en(f"Advance {topic} ({i}.{k})"))
            self.add(doc, ZD + "commitment", c)
            self.add(c, PROV + "wasDerivedFrom", ex)
        for k in range(RECOMMENDATIONS):
            self.recommendation(k, doc, orgs, date)
        return self.quads

    def signatory(self, k: int, doc, signing, year: int) -> ox.NamedNode:
        rng, i = self.rng, self.i
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        slug = f"syn-{i}-{k}"
        person, org, post = _n(f"{ID}person/{slug}"), _n(f"{ID}organisation/{slug}"), _n(f"{ID}post/{slug}")
        membership, sig = _n(f"{ID}membership/{slug}"), _n(f"{ID}signature/{slug}")
        role = rng.choice(ROLES)
        topic = rng.choice(TOPICS)
        org_name = f"Verband {topic} {i}-{k}"
        ex = self.excerpt(f"unterschrift-{k}", doc, f"{given} {family} Präsident {org_name}")
        # Organisation (every fifth a regional unit of a parent body).
        unit = k % 5 == 4
        self.typed(org, ORG + ("OrganizationalUnit" if unit else "Organization"), FOAF + "Organization")
        self.add(org, SKOS + "prefLabel", _de(org_name))
        self.add(org, SKOS + "prefLabel", _en(f"{topic} association {i}-{k}"))
        self.add(org, SKOS + "altLabel", _de(f"V{topic[:3].upper()} {i}-{k}"))
        if "organisation without type (zds:Organisation-type)" not in self.inject or k != 1:
            self.add(org, ORG + "classification", _n(rng.choice(ORG_TYPES)))
        self.add(org, PROV + "wasDerivedFrom", ex)
        if unit:
            parent = _n(f"{ID}organisation/syn-parent-{topic.lower()}")
            self.add(org, ORG + "unitOf", parent)
        self.add(doc, ZD + "signedFor", org)
        self.add(doc, ZD + "signatory", person)
        # Person.
        self.typed(person, FOAF + "Person", PROV + "Agent")
        name = _de(f"{given} {family}") if "person name with a language tag (zds:Person-name, datatype)" in self.inject and k == 0 else _s(f"{given} {family}")
        self.add(person, FOAF + "name", name)
        self.add(person, FOAF + "givenName", _s(given))
        self.add(person, FOAF + "familyName", _s(family))
        if rng.random() < 0.2:
            self.add(person, SCHEMA + "honorificPrefix", _s("Dr."))
        self.add(person, ORG + "holds", post)
        self.add(person, ORG + "memberOf", org)
        self.add(person, PROV + "wasDerivedFrom", ex)
        # Post and membership.
        self.typed(post, ORG + "Post")
        self.add(post, SKOS + "prefLabel", _de(f"Präsident/in {org_name}"))
        self.add(post, SKOS + "prefLabel", _en(f"President of {org_name}"))
        self.add(post, ORG + "postIn", org)
        self.add(post, ORG + "role", _n(role))
        self.add(post, ORG + "heldBy", person)
        self.add(post, PROV + "wasDerivedFrom", ex)
        self.typed(membership, ORG + "Membership")
        self.add(membership, ORG + "member", person)
        if "membership with two members (zds:Membership-member, maxCount)" in self.inject and k == 2:
            self.add(membership, ORG + "member", _n(f"{ID}person/syn-{i}-{k + 1}"))
        self.add(membership, ORG + "organization", org)
        self.add(membership, ORG + "role", _n(role))
        self.add(membership, ZD + "attests", post)
        self.add(membership, ORG + "memberDuring", _n(f"{ID}interval/attested-{year}"))
        self.add(membership, PROV + "wasDerivedFrom", ex)
        # Signature.
        self.typed(sig, PROV + "Association")
        self.add(sig, PROV + "agent", person)
        self.add(sig, PROV + "hadRole", _n(ID + "role/unterzeichner"))
        self.add(sig, ZD + "onBehalfOf", org)
        self.add(sig, PROV + "wasDerivedFrom", ex)
        self.add(signing, PROV + "qualifiedAssociation", sig)
        return org

    def recommendation(self, k: int, doc, orgs: list, date: str) -> None:
        rng, i = self.rng, self.i
        rec = _n(f"{ID}recommendation/syn-{i}-{k}")
        topic = rng.choice(TOPICS)
        text = f"{topic}: Maßnahme {i}.{k} für den Industriestandort umsetzen"
        self.typed(rec, ZD + "Recommendation", PROV + "Entity")
        self.add(rec, SKOS + "prefLabel", _de(text))
        self.add(rec, ZD + "quote", _de(text))
        for theme in rng.sample(THEMES, rng.choice((1, 1, 2, 3))):
            self.add(rec, DCT + "subject", _n(theme))
        for level in rng.sample(LEVELS, rng.choice((1, 1, 2))):
            self.add(rec, ZD + "addressesLevel", _n(level))
        self.add(rec, ZD + "proposedBy", rng.choice(orgs))
        if not ("recommendation without status (zds:Recommendation-status, minCount)" in self.inject and k == 0):
            self.add(rec, ZD + "status", _n(rng.choice(STATUS)))
        if "recommendation with an ill-formed date (zds:Recommendation-date)" in self.inject and k == 1:
            self.add(rec, DCT + "date", _typed(f"{date[:4]}-13-45", "date"))
        else:
            self.add(rec, DCT + "date", _typed(date, "date"))
        self.add(rec, DCT + "source", doc)
        if not ("recommendation without provenance (zds:Provenance-excerpt)" in self.inject and k == 2):
            self.add(rec, PROV + "wasDerivedFrom", self.excerpt(f"empfehlung-{k}", doc, text))


def _shared(graph: ox.NamedNode) -> list[ox.Quad]:
    """Places, intervals and parent bodies the clusters point to, in one graph."""
    quads = []

    def add(s, p, o):
        quads.append(ox.Quad(s, _n(p), o, graph))

    for town in TOWNS:
        place = _n(f"{ID}place/syn-{town.lower()}")
        add(place, str(RDF_TYPE.value), _n(PROV + "Location"))
        add(place, SKOS + "prefLabel", _de(town))
    for year in range(2019, 2026):
        interval, instant = _n(f"{ID}interval/attested-{year}"), _n(f"{ID}instant/syn-{year}")
        add(interval, str(RDF_TYPE.value), _n(TIME + "Interval"))
        add(interval, TIME + "inside", instant)
        add(instant, str(RDF_TYPE.value), _n(TIME + "Instant"))
        add(instant, TIME + "inXSDDate", _typed(f"{year}-06-30", "date"))
    for topic in TOPICS:
        parent = _n(f"{ID}organisation/syn-parent-{topic.lower()}")
        add(parent, str(RDF_TYPE.value), _n(ORG + "FormalOrganization"))
        add(parent, SKOS + "prefLabel", _de(f"Bundesverband {topic} e. V."))
        add(parent, SKOS + "prefLabel", _en(f"Federal {topic} association"))
        add(parent, ORG + "classification", _n(ORG_TYPES[2]))
    return quads


def generate(triples: int, seed: int = 0, violations: int = 0) -> Iterator[ox.Quad]:
    """Quads of a synthetic graph of about ``triples`` triples (the model included).

    ``violations`` known violations are injected, one per cluster from the first on, each
    giving exactly one Violation result (kinds rotate through :data:`VIOLATION_KINDS`).
    """
    rng = random.Random(seed)
    count = 0
    for q in model_quads() + _shared(_n(f"{ID}source/syn-shared")):
        count += 1
        yield q
    index = 0
    while count < triples or index < violations:
        inject = [VIOLATION_KINDS[index % len(VIOLATION_KINDS)]] if index < violations else []
        for q in _Cluster(index, rng, inject).build():
            count += 1
            yield q
        index += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="size to reach (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--violations", type=int, default=0, help="known violations to inject")
    parser.add_argument("-o", "--output", type=Path, help="file (.nq or .trig); default: N-Quads to stdout")
    args = parser.parse_args(argv)
    if args.triples < 1 or args.violations < 0:
        parser.error("--triples must be positive and --violations not negative")
    fmt = ox.RdfFormat.TRIG if args.output and args.output.suffix == ".trig" else ox.RdfFormat.N_QUADS
    data = ox.serialize(generate(args.triples, args.seed, args.violations), format=fmt)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(data)
        print(f"wrote {args.output} ({len(data) // 1024} KiB)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
