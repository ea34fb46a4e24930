"""Where the model, the shapes, the facts and the questions live on disk.

In a checkout they are the top-level folders ``ontology/``, ``shapes/``, ``data/`` and
``queries/``; in an installed wheel they are copied to ``graph/_resources/`` (see
pyproject.toml). Everything else asks this module, never a hard-coded path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_KINDS = ("ontology", "shapes", "data", "queries")


@cache
def root() -> Path:
    """The folder holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/``."""
    bundled = _PACKAGE / "_resources"
    if (bundled / "ontology").is_dir():
        return bundled
    checkout = _PACKAGE.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError("ontology/, shapes/ and data/ not found next to the graph package")


def folder(kind: str) -> Path:
    """One of the resource folders, e.g. ``folder("data")``."""
    if kind not in _KINDS:
        raise ValueError(f"unknown resource folder {kind!r}; expected one of {_KINDS}")
    return root() / kind


def files(kind: str, *suffixes: str) -> list[Path]:
    """The files of a resource folder with one of the given suffixes, sorted for stable builds."""
    wanted = suffixes or (".ttl", ".trig")
    return sorted(p for p in folder(kind).rglob("*") if p.is_file() and p.suffix in wanted)
