"""SPARQL results: serialising them by format name or media type, and printing them as a table.

Serialisation is Oxigraph's own (SPARQL results JSON/XML/CSV/TSV; Turtle, N-Triples,
RDF/XML, JSON-LD for graphs), so the CLI and the HTTP endpoint write identical bytes.
"""

from __future__ import annotations

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from graph.formats import RDF_NAMES, RESULT_NAMES
from graph.vocab import PREFIXES, compact
from graph.store import QueryResult

#: Short names of result formats for SELECT and ASK, and of RDF formats for CONSTRUCT and DESCRIBE.
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = RESULT_NAMES
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {name: RDF_NAMES[name] for name in ("ttl", "nt", "jsonld", "rdfxml")}


def is_graph_result(result: QueryResult) -> bool:
    """True for CONSTRUCT/DESCRIBE results (triples), False for SELECT/ASK."""
    return not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))


def serialise(result: QueryResult, fmt: str) -> str:
    """Serialise a result; ``fmt`` is a key of SOLUTION_FORMATS or GRAPH_FORMATS.

    CONSTRUCT results asked for as ``csv``/``json`` fall back to N-Triples/JSON-LD.
    """
    return serialise_bytes(result, fmt).decode("utf-8")


def serialise_bytes(result: QueryResult, fmt: str) -> bytes:
    if is_graph_result(result):
        rdf = GRAPH_FORMATS.get(fmt) or {"json": ox.RdfFormat.JSON_LD}.get(fmt, ox.RdfFormat.N_TRIPLES)
        prefixes = PREFIXES if rdf is ox.RdfFormat.TURTLE else None
        return ox.serialize(result, format=rdf, prefixes=prefixes)
    try:
        return result.serialize(format=SOLUTION_FORMATS[fmt])
    except KeyError:
        raise ValueError(f"unknown result format {fmt!r}; known: {', '.join(SOLUTION_FORMATS)}") from None


def _compact(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def print_table(result: QueryResult, console: Console) -> None:
    """Print a result for people: a table for SELECT, yes/no for ASK, Turtle for graphs."""
    if isinstance(result, ox.QueryBoolean):
        console.print("yes" if bool(result) else "no")
        return
    if is_graph_result(result):
        console.print(serialise(result, "ttl"), highlight=False, markup=False)
        return
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False, header_style="bold")
    count = 0
    for row in result:
        table.add_row(*(_compact(row[n]) for n in names))
        count += 1
    console.print(table)
    console.print(f"{count} row{'s' if count != 1 else ''}", style="dim")
