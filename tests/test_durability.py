"""Committed means on disk (issue 17, point 3).

RocksDB writes each change to its log without fsync; a power loss takes whatever the
operating system had not written yet. What an acknowledged write must survive is modelled here
by copying the store's files without the log (``*.log``): only what has been flushed into
table files is in that copy. Before the fix a write was in the log only, so the copy lacked it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox

from graph.store import EmbeddedStore
from tests.conftest import VALID_RECOMMENDATION


def _without_log(store_dir: Path, into: Path) -> ox.Store:
    """The store as a power loss right now would leave it: table files, no log."""
    shutil.copytree(store_dir, into, ignore=lambda _d, names: [n for n in names if n.endswith(".log") or n == "LOCK"])
    return ox.Store.read_only(str(into))


def test_an_applied_change_is_in_the_table_files_when_the_call_returns(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    quad = ox.Quad(ox.NamedNode("urn:zdg-test:a"), ox.NamedNode("urn:zdg-test:p"), ox.Literal("dauerhaft"),
                   ox.NamedNode("urn:zdg-test:g"))
    store.apply_change([quad], [])
    copy = _without_log(tmp_path / "store", tmp_path / "after-power-loss")
    assert quad in set(copy)
    store.apply_change([], [quad])
    copy = _without_log(tmp_path / "store", tmp_path / "after-second-loss")
    assert quad not in set(copy)


def test_a_201_is_answered_only_once_the_write_is_on_disk(api_server, tmp_path: Path) -> None:
    store_dir = tmp_path / "served"
    server = api_server(env={"ZDG_TOKEN": "durable-token"}, store=str(store_dir))
    r = httpx.post(server.url + "/api/recommendations", json=VALID_RECOMMENDATION,
                   headers={"Authorization": "Bearer durable-token"}, timeout=60)
    assert r.status_code == 201, r.text[:500]
    copy = _without_log(store_dir, tmp_path / "power-loss")
    texts = {q.object.value for q in copy.quads_for_pattern(None, None, ox.Literal(VALID_RECOMMENDATION["text"], language="de"), None)}
    assert texts == {VALID_RECOMMENDATION["text"]}
