"""What can go wrong in a store: one exception class for each thing a caller treats differently.

:mod:`api.errors` maps each of them to an HTTP status and problem type; the CLI to a message.
"""

from __future__ import annotations

import errno


class StoreError(Exception):
    """The store could not do what was asked (unreachable, refused, bad data)."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse."""


class StoreUnavailable(StoreError):
    """A remote store does not answer (down, unreachable, or failing). The message names no
    internal address: it reaches clients; the log has the details."""


class StoreTimeout(StoreUnavailable):
    """The store did not answer within the time allowed."""


class WriteConflict(StoreError):
    """Other processes kept changing the data while this write was being checked."""


class DefaultGraphNotUnion(StoreError):
    """A remote server's default graph is not the union of its named graphs: every query
    without ``GRAPH`` would miss the data (the API would answer with less than there is)."""

    def __init__(self, location: str):
        super().__init__(
            f"the SPARQL server at {location}: its default graph is not the union of its named graphs, "
            "so queries without GRAPH would not see the data. Configure it so: Oxigraph server "
            "`oxigraph serve --union-default-graph`, Fuseki `tdb2:unionDefaultGraph true`; "
            "Virtuoso and GraphDB do it by default."
        )
        self.location = location


class StorageFull(StoreError):
    """The store's disk is full: the write was not made (nothing half-written)."""


def io_error(exc: OSError | RuntimeError) -> StoreError:
    """An engine I/O error as the store error it means (a full disk says so)."""
    text = str(exc)
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in text or "ENOSPC" in text:
        return StorageFull("The store's disk is full; nothing was changed. Reads go on; free space, then retry.")
    return StoreError(text)


class StoreInUse(StoreError):
    """An on-disk store is held by another process (RocksDB allows one writer: a running
    ``zdg serve``, most likely). ``location`` is its directory."""

    def __init__(self, location: str):
        super().__init__(f"the store at {location} is in use by another process")
        self.location = location
