"""The values a list filter takes: an IRI of the graph, or its slug (``eu``, ``gewerkschaft``,
``kreislaufwirtschaft``), or its path under ``id/`` (``theme/kreislaufwirtschaft``) where a bare
slug would name two things. The valid values come from the graph itself (the concept schemes and
the organisations), so a filter for a value the graph does not have is refused, not answered
with an empty list.

>>> from graph.store import open_store
>>> from graph.build import build
>>> store = open_store("memory"); _ = build(store)
>>> resolve(store, "level", "eu")
'https://w3id.org/zukunftsdialog/id/policy-level/eu'
>>> try:
...     resolve(store, "type", "nope")
... except UnknownValue as exc:
...     print(exc.valid[0])
gewerkschaft
"""

from __future__ import annotations

from collections.abc import Callable

from graph.domain import lists as queries
from graph.vocab import ID_BASE
from graph.store import Store

ORGANISATION_TYPES_SCHEME = queries.SCHEME + "organisation-types"

#: What each filter names, for messages.
KINDS = {"theme": "theme", "level": "policy level", "type": "organisation type", "actor": "organisation"}


class UnknownValue(ValueError):
    """``value`` names nothing the filter ``field`` takes; ``valid`` lists what it takes (slugs)."""

    def __init__(self, field: str, value: str, valid: list[str], candidates: list[str] | None = None):
        self.field, self.value, self.valid, self.candidates = field, value, valid, candidates or []
        super().__init__(f"unknown {field} {value!r}" if not self.candidates
                         else f"{field} {value!r} is ambiguous: {', '.join(self.candidates)}")

    @property
    def message(self) -> str:
        """One line for a person: what was wrong and what would do."""
        if self.candidates:
            return f"{self.value!r} names more than one {KINDS[self.field]}; use one of: {', '.join(self.candidates)}"
        return (f"not a known {KINDS[self.field]}: {self.value!r}; valid: {', '.join(self.valid)} "
                f"(or their IRIs under {ID_BASE})")


def _themes(store: Store) -> list[str]:
    schemes = queries.theme_schemes(store)
    return sorted({c for s in schemes for c in queries.scheme_concepts(store, s)})


_VALID: dict[str, Callable[[Store], list[str]]] = {
    "theme": _themes,
    "level": lambda store: queries.scheme_concepts(store, queries.POLICY_LEVELS_SCHEME),
    "type": lambda store: queries.scheme_concepts(store, ORGANISATION_TYPES_SCHEME),
    "actor": queries.organisation_iris,
}


def valid_iris(store: Store, field: str) -> list[str]:
    """Every IRI the filter ``field`` takes, sorted."""
    return sorted(set(_VALID[field](store)))


def short_names(iris: list[str]) -> list[str]:
    """The shortest unambiguous name of each IRI: its slug, else its path under ``id/``.

    >>> short_names([ID_BASE + "theme/a", ID_BASE + "field/a", ID_BASE + "theme/b"])
    ['theme/a', 'field/a', 'b']
    """
    slugs = [iri.rsplit("/", 1)[-1] for iri in iris]
    return [slug if slugs.count(slug) == 1 else iri.removeprefix(ID_BASE) for iri, slug in zip(iris, slugs)]


def resolve(store: Store, field: str, value: str) -> str:
    """The IRI ``value`` names for the filter ``field``; :class:`UnknownValue` if none (or many)."""
    if field not in _VALID:
        raise ValueError(f"no filter {field!r}")
    given = value.strip()
    iris = valid_iris(store, field)
    if given in iris:
        return given
    if not given.lower().startswith(("http://", "https://")):
        hits = [i for i in iris if i.removeprefix(ID_BASE) == given] or [i for i in iris if i.rsplit("/", 1)[-1] == given]
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise UnknownValue(field, value, short_names(iris), [i.removeprefix(ID_BASE) for i in hits])
    raise UnknownValue(field, value, short_names(iris))
