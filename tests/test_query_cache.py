"""The SPARQL answer cache (issue 18): repeated queries are answered from memory, and never
with data older than the last write, on the embedded store (in memory and on disk) and on a
real Oxigraph server; ``ETag`` and ``304`` on ``/sparql``."""

from __future__ import annotations

import time

import httpx
import pyoxigraph as ox
import pytest

from graph.query.cache import AnswerCache
from graph.query.service import QueryLimits, QueryService
from graph.store import open_store
from graph.vocab import ID_BASE
from tests.conftest import start_api, start_oxigraph

TOKEN = "cache-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
NOTES = ID_BASE + "source/test-notes"


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=120, **kwargs)  # a loaded machine answers slowly, never wrongly


def post(url: str, **kwargs) -> httpx.Response:
    return httpx.post(url, timeout=120, **kwargs)


def note_update(slug: str, text: str) -> str:
    return f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{ID_BASE}note/{slug}> <{COMMENT}> "{text}" }} }}'


def notes_query(slug: str) -> str:
    return f"SELECT ?c WHERE {{ <{ID_BASE}note/{slug}> <{COMMENT}> ?c }} ORDER BY ?c"


def comments(body: bytes | httpx.Response) -> list[str]:
    import json

    data = json.loads(body.content if isinstance(body, httpx.Response) else body)
    return [b["c"]["value"] for b in data["results"]["bindings"]]


# --- the cache itself -------------------------------------------------------------------------


def test_cache_keeps_answers_of_one_state_only():
    cache = AnswerCache(max_bytes=1_000_000)
    cache.put("s1", "q1", "a1", b"x" * 10)
    cache.put("s1", "q2", "a2", b"y" * 10)
    assert cache.get("s1", "q1").answer == "a1"
    assert cache.get("s2", "q1") is None  # the data changed
    assert len(cache) == 0 and cache.size == 0
    # An answer computed on the old state that arrives after the change is not kept.
    cache.put("s1", "q1", "late", b"x")
    assert cache.get("s2", "q1") is None and cache.get("s2", "q1") is None


def test_cache_is_capped_least_recently_used_first():
    cache = AnswerCache(max_bytes=8 * 1024)
    for i in range(4):
        cache.put("s", f"q{i}", i, b"z" * 1500)
    assert cache.get("s", "q0").answer == 0  # q0 used again: q1 is the oldest now
    cache.put("s", "q4", 4, b"z" * 1500)
    cache.put("s", "q5", 5, b"z" * 1500)
    assert cache.size <= cache.max_bytes
    assert cache.get("s", "q1") is None
    assert cache.get("s", "q0").answer == 0 and cache.get("s", "q5").answer == 5
    # An answer bigger than a quarter of the cap is not kept at all.
    cache.put("s", "huge", "h", b"z" * 3000)
    assert cache.get("s", "huge") is None


def test_cache_ttl_and_off_switch(monkeypatch):
    cache = AnswerCache(max_bytes=10_000, ttl=0.05)
    cache.put("s", "q", "a", b"1", stored_at=time.monotonic() - 1)
    assert cache.get("s", "q") is None  # older than its time to live
    monkeypatch.setenv("ZDG_QUERY_CACHE_MB", "0")
    off = AnswerCache.from_env(remote=False)
    off.put("s", "q", "a", b"1")
    assert not off.enabled and off.get("s", "q") is None
    monkeypatch.setenv("ZDG_QUERY_CACHE_MB", "1")
    monkeypatch.setenv("ZDG_QUERY_CACHE_TTL", "0")
    assert not AnswerCache.from_env(remote=True).enabled
    assert AnswerCache.from_env(remote=False).max_bytes == 1024 * 1024


def test_same_answer_same_etag_whatever_the_state():
    cache = AnswerCache(max_bytes=10_000)
    a = cache.put("s1", "q", "a", b"same bytes")
    b = cache.put("s2", "q", "a", b"same bytes")
    c = cache.put("s2", "q2", "c", b"other bytes")
    assert a.etag == b.etag != c.etag


# --- the query service on the embedded store ----------------------------------------------------


@pytest.mark.parametrize("location", ["memory", "disk"])
def test_embedded_answers_never_older_than_the_last_write(tmp_path, location):
    store = open_store("memory" if location == "memory" else str(tmp_path / "store"))
    service = QueryService(store, QueryLimits(timeout=30, workers=1))
    try:
        query = notes_query("cache-embedded")
        first = service.run(query, accept=["application/sparql-results+json"])
        assert comments(first.body) == [] and first.etag
        again = service.run(query, accept=["application/sparql-results+json"])
        assert again == first and service.cache.hits == 1
        for i, text in enumerate(["eins", "zwei", "drei"]):
            store.update(note_update("cache-embedded", text))  # through the Store (counts a generation)
            seen = service.run(query, accept=["application/sparql-results+json"])
            assert comments(seen.body) == sorted(["eins", "zwei", "drei"][: i + 1])
            assert seen.etag != first.etag
        # A write on the pyoxigraph store itself, past the Store's counter, is seen too.
        store.oxigraph.add(ox.Quad(ox.NamedNode(ID_BASE + "note/cache-embedded"), ox.NamedNode(COMMENT),
                                   ox.Literal("vier"), ox.NamedNode(NOTES)))
        seen = service.run(query, accept=["application/sparql-results+json"])
        assert comments(seen.body) == ["drei", "eins", "vier", "zwei"]
        # Another format is another entry.
        csv = service.run(query, accept=["text/csv"])
        assert csv.media_type == "text/csv" and b"vier" in csv.body
    finally:
        service.close()
        store.close()


# --- over HTTP: embedded and remote -----------------------------------------------------------


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cache")
    env = {"ZDG_TOKEN": TOKEN, "ZDG_QUERY_CACHE_TTL": "0.5"}
    started = []
    try:  # each one stopped, even if a later one does not start
        started.append(oxigraph := start_oxigraph(tmp))
        started.append(embedded := start_api(str(tmp / "embedded"), tmp, env))
        started.append(remote := start_api(oxigraph.url, tmp, env))
        yield {"embedded": embedded, "remote": remote, "oxigraph": oxigraph}
    finally:
        for s in reversed(started):
            s.stop()


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_a_write_is_seen_by_the_next_query(servers, kind):
    url = servers[kind].url
    slug = f"cache-http-{kind}"
    query = notes_query(slug)
    seen: list[str] = []
    for text in ("erste Notiz", "zweite Notiz", "dritte Notiz"):
        for _ in range(3):  # asked again and again: the cache answers, with what is current
            r = post(url + "/sparql", data={"query": query}, headers=JSON_RESULTS)
            assert r.status_code == 200 and comments(r) == sorted(seen)
        r = post(url + "/sparql/update", data={"update": note_update(slug, text)}, headers=AUTH)
        assert r.status_code == 200, r.text
        seen.append(text)
        r = get(url + "/sparql", params={"query": query}, headers=JSON_RESULTS)
        assert comments(r) == sorted(seen)


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_etag_and_not_modified(servers, kind):
    url = servers[kind].url
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = get(url + "/sparql", params={"query": query}, headers=JSON_RESULTS)
    etag = r.headers["etag"]
    assert r.status_code == 200 and etag.startswith('"')
    again = get(url + "/sparql", params={"query": query}, headers={**JSON_RESULTS, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
    weak = get(url + "/sparql", params={"query": query}, headers={**JSON_RESULTS, "If-None-Match": "W/" + etag})
    assert weak.status_code == 304
    other = get(url + "/sparql", params={"query": query}, headers={**JSON_RESULTS, "If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.headers["etag"] == etag
    # After a write the count differs, so the old ETag no longer matches.
    r = post(url + "/sparql/update", data={"update": note_update(f"etag-{kind}", "neu")}, headers=AUTH)
    assert r.status_code == 200, r.text
    after = get(url + "/sparql", params={"query": query}, headers={**JSON_RESULTS, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag


def test_remote_write_by_another_client_is_seen_after_the_ttl(servers):
    """A write straight to the Oxigraph server (not through this API) cannot be seen by the
    API process; it shows once ZDG_QUERY_CACHE_TTL (0.5 s here) has passed."""
    url, oxigraph = servers["remote"].url, servers["oxigraph"].url
    query = notes_query("cache-other-client")
    assert comments(post(url + "/sparql", data={"query": query}, headers=JSON_RESULTS)) == []
    r = post(oxigraph.rsplit("/sparql", 1)[0] + "/update", data={"update": note_update("cache-other-client", "fremd")})
    assert r.status_code in (200, 204), r.text
    time.sleep(0.6)
    assert comments(post(url + "/sparql", data={"query": query}, headers=JSON_RESULTS)) == ["fremd"]
