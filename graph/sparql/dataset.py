"""The dataset of a SPARQL protocol request (``default-graph-uri``, ``named-graph-uri``) as the
keywords of pyoxigraph's ``Store.query``.

Only pyoxigraph is imported here: the query workers (:mod:`graph.query.worker`) use it too, and
each of them starts without rdflib or httpx.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox


def dataset_options(default_graphs: list[str] | None, named_graphs: list[str] | None) -> dict[str, Any]:
    """pyoxigraph ``Store.query`` keywords for a SPARQL protocol dataset; without
    ``default_graphs`` the default graph is the union of the named graphs.

    >>> dataset_options(None, None)
    {'use_default_graph_as_union': True}
    >>> dataset_options(["urn:g"], None)
    {'default_graph': [<NamedNode value=urn:g>]}
    """
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return options
