"""The store as a package (its modules follow in the next commit)."""

from graph.store.remote import *  # noqa: F403
from graph.store.remote import _chunks, _quads_as_sparql  # noqa: F401
