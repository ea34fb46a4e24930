"""The examples in the docstrings of graph/ and api/ run (``doctest``), so they stay true.

Every module with an example is collected by walking the two packages, so a new module's
examples are run without being listed here.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _with_examples() -> list[str]:
    # ">>> " read as text first: importing every module (the worker, the CLI) only to find none is slow
    return sorted(_module_name(p) for top in ("graph", "api") for p in (ROOT / top).rglob("*.py")
                  if ">>> " in p.read_text(encoding="utf-8"))


MODULES = _with_examples()


def test_the_examples_are_found() -> None:
    assert "graph.store" in MODULES and "api.errors" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has '>>> ' in its text but no example doctest finds"
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples of {name} fail (see above)"
