"""SPARQL as text: every query the code runs, as ``.rq`` files in this folder, and the guard.

* ``lists/`` the JSON API's lists (:mod:`graph.domain.lists`), ``ld/`` the linked-data pages
  (:mod:`graph.domain.describe`, :mod:`graph.domain.catalog`), ``network.rq`` the facts of the
  staff page's network (:mod:`graph.network`), ``changes/`` the editing pages
  (:mod:`graph.domain.changes`, :mod:`graph.domain.forms`), ``labels.rq`` the label policy,
  ``store/`` what a store asks of itself (:mod:`graph.store`), ``gate/`` the write gate's reads
  of a remote store (:mod:`graph.shacl.gate`). Placeholders are ``$name`` (:class:`string.Template`).
* :mod:`graph.sparql.guard` reads a text the public sends (what it may do, how deep it nests).

The competency questions in the top-level ``queries/`` are examples for people (the query
page lists them); :mod:`graph.domain.examples` reads those.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def text(name: str) -> str:
    """The text of ``name`` relative to this folder, e.g. ``text("ld/graph.rq")`` (a query) or
    ``text("store/init-version.ru")`` (an update).

    >>> text("store/size.rq").splitlines()[-1]
    'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $ours }'
    """
    path = (_HERE / name).resolve()
    if path.suffix not in (".rq", ".ru") or _HERE not in path.parents:
        raise ValueError(f"not a query of graph/sparql: {name!r}")
    return path.read_text(encoding="utf-8")
