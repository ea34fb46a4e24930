"""The write lease of a remote store (graph.store.remote.RemoteStore.exclusive): writers of
several processes, each with its own connection, on one real Oxigraph server.

Oxigraph server runs concurrent updates with "repeatable read" isolation, so one conditional
DELETE/INSERT is no lock: the first test shows that, the others that the lease is one."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.store import RemoteStore, WriteConflict
from graph.store.remote import _LEASE
from graph.vocab import VERSION_GRAPH

pytestmark = [pytest.mark.remote]

COUNTER = f"GRAPH <{VERSION_GRAPH}> {{ <urn:zdg-test:counter> <urn:zdg-test:n> ?v }}"
WRITERS, ROUNDS = 4, 12


def _read(store: RemoteStore) -> list[int]:
    return sorted(int(str(r["v"])) for r in store.select(f"SELECT ?v WHERE {{ {COUNTER} }}"))


def _increment_in_two_requests(store: RemoteStore) -> None:
    """Read, then write: right only if nobody else writes in between."""
    (value,) = _read(store)
    store.update(f"DELETE DATA {{ {COUNTER.replace('?v', str(value))} }} ;"
                 f"INSERT DATA {{ {COUNTER.replace('?v', str(value + 1))} }}")


def _stores(url: str) -> list[RemoteStore]:
    return [RemoteStore(url) for _ in range(WRITERS)]  # one connection each, as separate processes have


def test_a_conditional_update_alone_is_not_a_lock(oxigraph_server) -> None:
    """The reason for the lease: compare-and-swap in one update lets two writers through."""
    stores = _stores(oxigraph_server.url)
    version = f"GRAPH <{VERSION_GRAPH}> {{ <urn:zdg-test:x> <urn:zdg-test:version> ?v }}"
    stores[0].update(f"INSERT DATA {{ {version.replace('?v', chr(34) + 'v0' + chr(34))} }}")

    def swap(store: RemoteStore) -> None:
        for _ in range(40):
            (row,) = store.select(f"SELECT ?v WHERE {{ {version} }} LIMIT 1")
            old, new = f'"{row["v"]}"', f'"{uuid.uuid4()}"'
            store.update(f"DELETE {{ {version.replace('?v', old)} }} INSERT {{ {version.replace('?v', new)} }} "
                         f"WHERE {{ {version.replace('?v', old)} }}")

    left: list = []
    for _ in range(5):  # a race: rounds until two writers got through (one round sufficed in every run seen)
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(swap, stores))
        left = stores[0].select(f"SELECT ?v WHERE {{ {version} }}")
        if len(left) > 1:
            break
    assert len(left) > 1, "Oxigraph server serialised concurrent updates: the lease may be no longer needed"


def test_writers_holding_the_lease_never_interleave(oxigraph_server) -> None:
    stores = _stores(oxigraph_server.url)
    stores[0].update(f"INSERT DATA {{ {COUNTER.replace('?v', '0')} }}")

    def work(store: RemoteStore) -> None:
        for _ in range(ROUNDS):
            with store.exclusive():
                _increment_in_two_requests(store)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(work, stores))
    assert _read(stores[0]) == [WRITERS * ROUNDS]  # no increment lost
    assert not stores[0].select(f"SELECT ?l WHERE {{ GRAPH <{VERSION_GRAPH}> {{ ?s <{_LEASE}> ?l }} }}")


def test_the_lease_is_reentrant(oxigraph_server) -> None:
    store = RemoteStore(oxigraph_server.url)
    store.WAIT_SECONDS = 1.0
    with store.exclusive(), store.exclusive():
        pass
    with store.exclusive():  # released: taken again at once
        pass


def test_a_live_lease_of_another_process_makes_a_conflict(oxigraph_server) -> None:
    holder, waiter = _stores(oxigraph_server.url)[:2]
    waiter.WAIT_SECONDS = 1.0
    with holder.exclusive():
        started = time.monotonic()
        with pytest.raises(WriteConflict, match="Another process"):
            with waiter.exclusive():
                pytest.fail("entered while another process held the lease")
        assert time.monotonic() - started >= 1.0
    with waiter.exclusive():  # free again once the holder let go
        pass


def test_the_lease_of_a_writer_that_died_is_overtaken_after_its_end(oxigraph_server) -> None:
    store = RemoteStore(oxigraph_server.url)
    store.WAIT_SECONDS = 1.0
    dead = f"{time.time() - 1:.3f}/{uuid.uuid4()}"  # ended a second ago
    store.update(f'INSERT DATA {{ GRAPH <{VERSION_GRAPH}> {{ <{VERSION_GRAPH}> <{_LEASE}> "{dead}" }} }}')
    with store.exclusive():
        leases = [str(r["l"]) for r in store.select(f"SELECT ?l WHERE {{ GRAPH <{VERSION_GRAPH}> {{ ?s <{_LEASE}> ?l }} }}")]
        assert dead not in leases and len(leases) == 1
