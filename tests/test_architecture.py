"""The architecture contract: which part of the code may import which (read from the source).

Every ``import`` is read with :mod:`ast`, those inside functions included, so a circle cannot
hide behind a lazy import. The layers, from the bottom::

    vocab · resources · sparql (texts) · formats            what everything else names
    store · jsonld                                         one interface over Oxigraph; JSON-LD with our context
    labels                                                 the one label policy
    query · shacl                                          running reads; checking writes
    domain · network                                       what the graph answers
    page                                                   the staff page over the network
    build · export · results                               whole-graph jobs
    cli · synthetic                                        the graph's commands; synthetic graphs for benchmarks
    api                                                    HTTP (routes, negotiation, serve)

A part may import only parts of lower layers (and its own modules); ``graph`` never imports
``api`` nor a web framework; no two modules import each other, directly or round a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS: list[set[str]] = [
    {"graph.vocab", "graph.resources", "graph.sparql", "graph.formats"},
    {"graph.store", "graph.jsonld"},
    {"graph.labels"},
    {"graph.query", "graph.shacl"},
    {"graph.domain", "graph.network"},
    {"graph.page"},
    {"graph.build", "graph.export", "graph.results"},
    {"graph.cli", "graph.synthetic"},
    {"api"},
]
#: Web frameworks: ``graph`` knows nothing of HTTP serving.
HTTP_SERVING = ("fastapi", "starlette", "uvicorn")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from x import y`` counts ``x.y`` if a module)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _source_modules() -> dict[str, Path]:
    return {_module_name(p): p for top in ("graph", "api") for p in sorted((ROOT / top).rglob("*.py"))}


MODULES = _source_modules()


def _graph() -> nx.DiGraph:
    """Our modules and who imports whom (only edges to our own modules)."""
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        for target in _imports(path, name):
            if target in MODULES and target != name:
                g.add_edge(name, target)
    return g


def _part(module: str) -> str:
    """The part a module belongs to: ``api``, or ``graph.X`` for a module or subpackage X."""
    if module == "api" or module.startswith("api."):
        return "api"
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _layer(part: str) -> int | None:
    return next((i for i, parts in enumerate(LAYERS) if part in parts), None)


def test_every_part_has_a_layer() -> None:
    unplaced = sorted({_part(m) for m in MODULES if m not in ("graph", "api") and _layer(_part(m)) is None})
    assert not unplaced, f"put these into a layer of the contract: {unplaced}"


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for importer, imported in _graph().edges:
        a, b = _part(importer), _part(imported)
        if a == b or imported in ("graph", "api"):
            continue
        la, lb = _layer(a), _layer(b)
        if la is not None and lb is not None and lb >= la:
            wrong.append(f"{importer} -> {imported}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_graph_knows_nothing_of_http_serving() -> None:
    wrong = []
    for name, path in MODULES.items():
        if _part(name) == "api":
            continue
        for target in _imports(path, name):
            if target == "api" or target.startswith("api.") or target.split(".")[0] in HTTP_SERVING:
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_no_import_circles() -> None:
    cycles = list(nx.simple_cycles(_graph()))
    assert not cycles, "import circles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


@pytest.mark.parametrize(("module", "imported"), [
    ("graph.cli", "api.cli"),
    ("graph.shacl.engine", "graph.domain.lists"),
    ("graph.store.remote", "graph.shacl.gate"),
    ("graph.sparql.dataset", "graph.store"),
])
def test_the_contract_catches_a_wrong_arrow(module: str, imported: str) -> None:
    """The check itself works: an arrow up the layers is caught."""
    assert _layer(_part(imported)) >= _layer(_part(module))


def test_a_query_worker_starts_with_pyoxigraph_alone() -> None:
    # Every worker of the query pool imports graph.query.worker; rdflib and httpx (graph.store's
    # imports) would add to each start. graph.sparql.dataset is the part of the store it shares.
    import subprocess
    import sys

    code = "import sys, graph.query.worker; print(sorted(m for m in ('rdflib', 'httpx', 'graph.store') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_no_test_module_imports_another_test_module_or_the_benchmarks() -> None:
    """Shared helpers live in tests/conftest.py and tests/sources.py, so each test module stands alone."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        name = _module_name(path)
        for target in _imports(path, name):
            leaf = target.rsplit(".", 1)[-1]
            if target.split(".")[0] == "benchmarks" or (target.startswith("tests.") and leaf.startswith("test_")):
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong



@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem not in ("__init__", "run")))
def test_every_benchmark_imports_and_is_run_by_make_bench(name: str) -> None:
    # Benchmarks run only by hand (`make bench`): a module moved from under them
    # (benchmarks.generate became graph.synthetic) broke two of them without any test noticing.
    # A child interpreter, because tests do not import the benchmarks.
    import subprocess
    import sys

    code = f"import benchmarks.run as r, benchmarks.{name} as m; assert callable(m.run); assert {name!r} in r.BENCHMARKS"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
