"""The graph's commands of ``zdg``: build, validate, load, query, export, viz.

``serve`` is added by :mod:`api.cli` (the ``zdg`` entry point), so that this package knows
nothing of HTTP.

Exit codes: 0 success; 1 the data does not conform (validate, load); 2 bad usage or
unreadable input; 3 the store could not be reached or refused the operation.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from graph import store as store_mod
from graph.domain.sources import AnchorError
from graph.store import QuerySyntaxError, Store, StoreError

app = typer.Typer(
    name="zdg",
    help="Knowledge graph of the Zukunftsdialog Industrie NRW (Wissensgraph des Zukunftsdialogs Industrie).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)  # soft wrap: a URL or path in a message stays on one line
out = Console()

EXIT_NONCONFORMING = 1
EXIT_USAGE = 2
EXIT_STORE = 3

StoreOpt = Annotated[
    Optional[str],
    typer.Option(
        "--store",
        "-s",
        envvar="ZDG_STORE",
        help="Directory (embedded Oxigraph), 'memory', or http(s):// URL of a SPARQL endpoint.",
    ),
]
UpdateUrlOpt = Annotated[
    Optional[str],
    typer.Option("--update-url", envvar="ZDG_UPDATE_URL", help="SPARQL Update URL of a remote store, if not the query URL."),
]


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a clear error and return the Exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


#: Where ``zdg serve`` answers unless told otherwise (named when a store is in use).
DEFAULT_SPARQL_URL = "http://127.0.0.1:8000/sparql"


def in_use_message(location: str) -> str:
    """What to do when a running server holds the on-disk store."""
    return (
        f"the store at {location} is in use by a running server (zdg serve / make serve); "
        f"an on-disk store can be opened by one process only. Query the server instead: "
        f"--store {DEFAULT_SPARQL_URL} (the address zdg serve printed at start), or stop the server first."
    )


def open_or_exit(spec: str | None, update_url: str | None = None, *, build_if_empty: bool = True) -> Store:
    """Open the store; on first use (no quad in it yet) build the shipped graph into it and say so,
    so that every command sees the same graph (an empty store answers every question with 0 rows)."""
    try:
        s = store_mod.open_store(spec, update_url=update_url)
    except store_mod.StoreInUse as exc:
        raise fail(in_use_message(exc.location), EXIT_STORE) from None
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from exc
    if build_if_empty:
        try:
            empty = s.is_empty()
        except StoreError as exc:
            s.close()
            raise fail(str(exc), EXIT_STORE) from exc
        if empty:
            err.print(f"the store at {s.location} is empty (first use): building the shipped graph into it", highlight=False)
            build_with_progress(s)
        check_remote(s)
    return s


def check_remote(s: Store) -> None:
    """A remote store must see its named graphs as its default graph: else exit 2, saying how."""
    if not isinstance(s, store_mod.RemoteStore):
        return
    try:
        s.check_default_graph()
    except store_mod.DefaultGraphNotUnion as exc:
        s.close()
        raise fail(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        s.close()
        raise fail(str(exc), EXIT_STORE) from exc


def _nothing():
    from contextlib import nullcontext

    return nullcontext()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def build_with_progress(store: Store) -> None:
    """Run the build, showing a progress bar on a terminal and a summary line always."""
    from graph.build import build, source_files

    total = len(source_files())
    with _progress() as bar:
        task = bar.add_task("building", total=total)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=f"loading {name}")

        try:
            report = build(store, progress=step)
        except StoreError as exc:
            raise fail(str(exc), EXIT_STORE) from exc
        except AnchorError as exc:  # a quoted passage does not stand (once) in its source
            raise fail(f"passages not found in their sources: {exc}", EXIT_NONCONFORMING) from exc
    err.print(
        f"built {report.quads} quads in {report.graphs} graphs from {report.files} files "
        f"in {report.seconds:.2f} s into {store.location}",
        highlight=False,
    )


@app.command()
def build(store: StoreOpt = None, update_url: UpdateUrlOpt = None) -> None:
    """Load ontology/, shapes/ and data/ into the store (idempotent: a rebuild replaces them)."""
    s = open_or_exit(store, update_url, build_if_empty=False)
    try:
        build_with_progress(s)
        check_remote(s)  # built, but a server that does not show it would answer nothing
    finally:
        s.close()


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    turtle = "turtle"


@app.command()
def validate(
    files: Annotated[Optional[list[Path]], typer.Argument(help="RDF files to validate instead of the store.")] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")] = ReportFormat.text,
    lang: Annotated[str, typer.Option(help="Language of text messages: de or en (text shows both by default).")] = "",
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
) -> None:
    """SHACL report. Exit 0 conforms, 1 violations, 2 bad usage or unreadable input."""
    from graph.shacl import validation

    if files:
        if store:
            raise fail("give either FILE... or --store, not both")
        s = store_mod.open_store("memory")
        from graph.build import build as build_graph

        try:
            for path in files:
                if not path.is_file():
                    raise fail(f"{path}: no such file")
            # The files are validated together with the model (ontology, SKOS schemes).
            build_graph(s)
            for g in [g for g in s.named_graphs() if not g.endswith(("/ontology", "/shapes"))]:
                s.clear_graph(g)
            for path in files:
                s.load_data(path.read_bytes(), store_mod.rdf_format(path), graph=f"file://{path.resolve()}")
        except StoreError as exc:
            raise fail(f"cannot read input: {exc}") from exc
    else:
        s = open_or_exit(store, update_url)
    try:
        report = validation.validate(s)
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from exc
    if fmt is ReportFormat.json:
        sys.stdout.write(report.to_json() + "\n")
    elif fmt is ReportFormat.turtle:
        sys.stdout.write(report.to_turtle())
    else:
        # Plain write: rich would wrap lines and break names and messages apart.
        sys.stdout.write(report.to_text(lang or None) + "\n")
    raise typer.Exit(0 if report.conforms else EXIT_NONCONFORMING)


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD).")],
    graph: Annotated[Optional[str], typer.Option("--graph", "-g", help="Named graph for triple formats (default: one per file).")] = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Store without the SHACL check.")] = False,
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
) -> None:
    """Add RDF files to the store, each checked against the shapes; a failing file changes nothing."""
    for path in files:
        if not path.is_file():
            raise fail(f"{path}: no such file")
    s = open_or_exit(store, update_url)
    sizes = {path: path.stat().st_size for path in files}
    try:
        with _bytes_progress() as bar:
            task = bar.add_task("loading", total=sum(sizes.values()))
            for path in files:
                bar.update(task, description=f"loading {path.name}")
                _load_one(s, path, graph, no_validate)
                bar.advance(task, sizes[path])
    finally:
        s.close()


def _bytes_progress() -> Progress:
    """A progress bar over bytes (on a terminal only; a pipe gets the summary lines alone)."""
    from rich.progress import DownloadColumn

    return Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    )


def _load_one(s: Store, path: Path, graph: str | None, no_validate: bool) -> None:
    from graph.shacl import validation
    from graph.vocab import source_graph

    try:
        fmt = store_mod.rdf_format(path)
    except StoreError as exc:
        raise fail(f"{path}: {exc}") from exc
    target = graph or source_graph(_slug(path.stem))
    data = path.read_bytes()
    try:
        if no_validate:
            s.load_data(data, fmt, graph=target)
            report = None
        else:
            report = validation.load_checked(s, data, fmt, graph=target)
    except StoreError as exc:
        raise fail(f"{path}: {exc}") from exc
    if report is not None and not report.conforms:
        sys.stdout.write(report.to_text(None) + "\n")
        raise fail(f"{path}: would break the shapes; nothing from it was stored", EXIT_NONCONFORMING)
    err.print(f"loaded {path} into <{target}>", highlight=False)


def _slug(text: str) -> str:
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "file"


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def query(
    query_file: Annotated[str, typer.Argument(help="A .rq file, or - for standard input.")],
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="Output format.")] = QueryFormat.table,
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the store."""
    from graph import results as render_results

    if query_file == "-":
        text = sys.stdin.read()
    else:
        path = Path(query_file)
        if not path.is_file():
            raise fail(f"{query_file}: no such file")
        text = path.read_text(encoding="utf-8")
    s = open_or_exit(store, update_url)
    try:
        result = s.query(text)
    except QuerySyntaxError as exc:
        raise fail(f"the query does not parse: {exc}") from exc
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from exc
    finally:
        s.close()
    if fmt is QueryFormat.table:
        render_results.print_table(result, out)
    else:
        sys.stdout.write(render_results.serialise(result, fmt.value))


class ExportFormat(str, Enum):
    ttl = "ttl"
    trig = "trig"
    nq = "nq"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Dump format.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default: standard output).")] = None,
    view: Annotated[str, typer.Option(help="Network view for GraphML/GEXF: full, organisations, actor-theme, themes (as /api/network).")] = "full",
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
) -> None:
    """Dump the whole dataset (RDF) or a network projection (GraphML, GEXF, as drawn on /graph)."""
    from graph.export import NETWORK_DUMPS, dump_network, dump_rdf
    from graph.network import VIEWS

    if view not in VIEWS:
        raise fail(f"unknown view {view!r}; known: {', '.join(VIEWS)}")
    if view != "full" and fmt.value not in NETWORK_DUMPS:
        raise fail(f"--view applies to the network formats ({', '.join(NETWORK_DUMPS)}), not to {fmt.value}")
    s = open_or_exit(store, update_url)
    try:
        with err.status(f"exporting {fmt.value} from {s.location}", spinner="dots") if err.is_terminal else _nothing():
            data = dump_network(s, fmt.value, view=view) if fmt.value in NETWORK_DUMPS else dump_rdf(s, fmt.value)
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from exc
    finally:
        s.close()
    if output:
        output.write_bytes(data)
        err.print(f"wrote {len(data)} bytes to {output}", highlight=False)
    else:
        sys.stdout.buffer.write(data)


@app.command()
def viz(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("zukunftsdialog.html"),
    focus: Annotated[Optional[str], typer.Option(help="IRI of the node to centre an ego view on.")] = None,
    depth: Annotated[int, typer.Option(help="Hops around --focus.", min=0, max=6)] = 2,
    lang: Annotated[str, typer.Option(help="Label language: de or en.")] = "de",
    store: StoreOpt = None,
    update_url: UpdateUrlOpt = None,
) -> None:
    """Write the interactive network page as one self-contained offline HTML file."""
    from graph.page import render

    if lang not in ("de", "en"):
        raise fail("--lang must be de or en")
    s = open_or_exit(store, update_url)
    try:
        try:
            html = render.standalone_page(s, focus=focus, depth=depth, lang=lang)
        except LookupError as exc:
            raise fail(str(exc)) from exc
    finally:
        s.close()
    output.write_text(html, encoding="utf-8")
    err.print(f"wrote {output} ({len(html) // 1024} KiB)", highlight=False)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
