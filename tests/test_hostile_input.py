"""Hostile input against a real server (issue 8, item 1).

Every bad request must get a clear 4xx (problem+json where our application answers), never a
5xx, and must change nothing: the store is built before the server starts and dumped; after
every case has run, the server is stopped and the store dumped again (last test of the module)
and both sorted N-Quads dumps must be equal. Writes that are meant to land (the script payloads)
go to a separate server so they cannot mask a half-landed bad write.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.build import build
from graph.store import EmbeddedStore
from tests.conftest import ID, VALID_RECOMMENDATION, ServerProcess, sorted_nquads, start_api

PROBLEM = "application/problem+json"
TOKEN = "hostile-test-token-7c1d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY_TIMEOUT_S = 3
MARKER = "urn:zdg-test:hostile-marker"
SKOS = "http://www.w3.org/2004/02/skos/core#"


# --------------------------------------------------------------------------- fixtures/helpers


class Hostile:
    """The server under attack, its store path and the dump taken before it started."""

    def __init__(self, server: ServerProcess, store: Path, before: list[str]):
        self.server, self.store, self.before = server, store, before
        self.url = server.url
        self.served: list[str] = []


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    tmp = tmp_path_factory.mktemp("hostile")
    path = tmp / "store"
    store = EmbeddedStore(path)
    build(store)
    store.close()
    del store
    before = sorted_nquads(path)
    server = start_api(str(path), tmp, {"ZDG_TOKEN": TOKEN, "ZDG_QUERY_TIMEOUT": str(QUERY_TIMEOUT_S)})
    hostile = Hostile(server, path, before)
    hostile.served = served_quads(hostile.url)
    yield hostile
    server.stop()
    # What is on disk after the server stopped is what was there before it started.
    assert sorted_nquads(path) == before


def served_quads(url: str) -> list[str]:
    """The served store's N-Quads, sorted (read through /dump.nq while the server runs)."""
    r = httpx.get(url + "/dump.nq", timeout=120)
    assert r.status_code == 200, r.text[:300]
    return sorted(r.text.splitlines())


@pytest.fixture(autouse=True)
def unchanged(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every case of this module that attacks ``hostile`` leaves its store as it was, whatever
    the order the cases run in (checked after each one)."""
    if "hostile" not in request.fixturenames:
        yield
        return
    hostile = request.getfixturevalue("hostile")
    yield
    assert httpx.get(hostile.url + "/healthz").status_code == 200
    assert served_quads(hostile.url) == hostile.served


def assert_clean_4xx(r: httpx.Response, *, problem: bool = True, missing_ok: bool = False) -> None:
    """A clear client error: 4xx, and problem+json with a detail when our app answered.

    404 only counts where a missing resource is the right answer (``missing_ok``): a 404 from
    /sparql would mean the endpoint is not there at all, which proves nothing about refusal.
    """
    assert 400 <= r.status_code < 500, f"{r.request.method} {r.request.url} -> {r.status_code}: {r.text[:300]}"
    assert missing_ok or r.status_code != 404, f"{r.request.method} {r.request.url} -> 404 (endpoint missing?)"
    if problem:
        assert r.headers.get("content-type", "").startswith(PROBLEM), r.headers.get("content-type")
        assert r.json().get("detail"), r.text[:300]


def marker_present(url: str) -> bool:
    """True if any triple mentions the marker IRI (asked through the public endpoint)."""
    r = httpx.get(url + "/sparql", params={"query": f"ASK {{ {{ <{MARKER}> ?p ?o }} UNION {{ ?s ?p <{MARKER}> }} }}"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()["boolean"]


def raw_request(url: str, target: bytes, method: bytes = b"GET", headers: bytes = b"") -> tuple[int, bytes, bytes]:
    """Send a request line byte for byte (no client-side normalisation of ``..`` or escapes).

    Status 0: the HTTP layer closed the connection before answering (only acceptable for
    requests far over its size limits, see the callers).
    """
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    data = b""
    with socket.create_connection((host, port), timeout=30) as s:
        try:
            s.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " + f"{host}:{port}".encode()
                      + b"\r\n" + headers + b"Connection: close\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer (if any) is already waiting
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    if not data:
        return 0, b"", b""
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head, body


# --------------------------------------------------------------------------- SPARQL


MALFORMED = [
    "SELECT WHERE {",
    "SELECT * WHERE { ?s ?p }",
    "SELEKT * WHERE { ?s ?p ?o }",
    "PREFIX x: <nope SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; SELECT * WHERE { ?s ?p ?o }",
    "",
    "\x00\x01\x02",
    "SELECT * WHERE { ?s ?p \"unterminated }",
]


@pytest.mark.parametrize("query", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_sparql_is_400_in_every_request_form(hostile: Hostile, query: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    for r in (
        httpx.get(hostile.url + "/sparql", params={"query": query}, headers=accept),
        httpx.post(hostile.url + "/sparql", data={"query": query}, headers=accept),
        httpx.post(hostile.url + "/sparql", content=query.encode(),
                   headers={**accept, "Content-Type": "application/sparql-query"}),
    ):
        assert r.status_code == 400, (r.status_code, r.text[:300])
        assert_clean_4xx(r)


UPDATES = [
    f"INSERT DATA {{ <{MARKER}> <{MARKER}> <{MARKER}> }}",
    f"INSERT DATA {{ GRAPH <{MARKER}> {{ <{MARKER}> <{MARKER}> \"x\" }} }}",
    "DROP ALL",
    "CLEAR DEFAULT",
    f"DELETE WHERE {{ ?s <{SKOS}prefLabel> ?o }}",
    f"WITH <{ID}source/letter-of-intent-2023-01-20> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"PREFIX x: <urn:x> # a comment\n  insert data {{ <{MARKER}> <{MARKER}> 1 }}",
]


@pytest.mark.parametrize("update", UPDATES, ids=range(len(UPDATES)))
def test_updates_on_the_query_endpoint_are_refused(hostile: Hostile, update: str) -> None:
    for auth in ({}, AUTH):  # not even the write token turns /sparql into an update endpoint
        for r in (
            httpx.get(hostile.url + "/sparql", params={"query": update}, headers=auth),
            httpx.post(hostile.url + "/sparql", data={"query": update}, headers=auth),
            httpx.post(hostile.url + "/sparql", data={"update": update}, headers=auth),
            httpx.post(hostile.url + "/sparql", content=update.encode(),
                       headers={**auth, "Content-Type": "application/sparql-query"}),
            httpx.post(hostile.url + "/sparql", content=update.encode(),
                       headers={**auth, "Content-Type": "application/sparql-update"}),
        ):
            assert_clean_4xx(r)
    assert not marker_present(hostile.url)
    # The letter's organisations are all still there (DROP/DELETE did nothing).
    r = httpx.get(hostile.url + "/api/organisations", params={"limit": 1000})
    assert r.status_code == 200 and r.json()["total"] >= 15


def test_updates_without_a_valid_token_are_refused(hostile: Hostile) -> None:
    update = f"INSERT DATA {{ GRAPH <{MARKER}> {{ <{MARKER}> <{SKOS}prefLabel> \"x\" }} }}"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        r = httpx.post(hostile.url + "/sparql/update", data={"update": update}, headers=headers)
        assert r.status_code == 401, r.text[:300]
        assert r.headers["content-type"].startswith(PROBLEM)
    assert not marker_present(hostile.url)


def test_service_load_and_from_never_contact_a_loopback_listener(hostile: Hostile, listener) -> None:
    target = f"http://127.0.0.1:{listener.port}"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{target}/sparql> {{ ?s ?p ?o }} }}",
        # \u escapes are decoded before parsing: SERVIC\u0045 is SERVICE.
        f"SELECT * WHERE {{ SERVIC\\u0045 <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{target}/q> {{ ?x ?p ?o }} }} }} LIMIT 1",
        f"PREFIX s: <{target}/> SELECT * WHERE {{ SERVICE s:sparql {{ ?s ?p ?o }} }}",
        f"LOAD <{target}/data.ttl>",
        f"LOAD SILENT <{target}/data.ttl> INTO GRAPH <{MARKER}>",
    ]
    for q in queries:
        for r in (httpx.get(hostile.url + "/sparql", params={"query": q}),
                  httpx.post(hostile.url + "/sparql", data={"query": q})):
            assert_clean_4xx(r)
    for u in (f"LOAD <{target}/data.ttl>", f"LOAD SILENT <{target}/x> INTO GRAPH <{MARKER}>",
              f"INSERT {{ GRAPH <{MARKER}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}"):
        r = httpx.post(hostile.url + "/sparql/update", data={"update": u}, headers=AUTH)
        assert_clean_4xx(r)
    # FROM / default-graph-uri name graphs of the dataset; they must never be fetched.
    q = f"SELECT * FROM <{target}/g.ttl> WHERE {{ ?s ?p ?o }} LIMIT 1"
    r = httpx.get(hostile.url + "/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code < 500, r.text[:300]
    r = httpx.get(hostile.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                                    "default-graph-uri": f"{target}/g.ttl",
                                                    "named-graph-uri": f"{target}/n.ttl"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code < 500, r.text[:300]
    assert listener.connections_before_now() == []
    assert not marker_present(hostile.url)


def test_a_cross_product_is_stopped_and_the_server_keeps_answering(hostile: Hostile) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer: dict[str, httpx.Response] = {}

    def heavy() -> None:
        # Generous client bound (10x the server's limit): only a server that never stops fails it.
        answer["r"] = httpx.get(hostile.url + "/sparql", params={"query": query},
                                headers={"Accept": "application/sparql-results+json"},
                                timeout=QUERY_TIMEOUT_S * 10 + 30)

    thread = threading.Thread(target=heavy)
    thread.start()
    health, small = [], []
    while thread.is_alive() and len(health) < 20:
        health.append(httpx.get(hostile.url + "/healthz", timeout=30).status_code)
        small.append(httpx.get(hostile.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"},
                               headers={"Accept": "application/sparql-results+json"}, timeout=30).status_code)
        time.sleep(0.2)
    thread.join(QUERY_TIMEOUT_S * 10 + 60)
    assert not thread.is_alive()
    r = answer["r"]
    # Stopped at the time limit: a client error (the query asks too much), never a 5xx.
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["detail"]
    assert health and all(s == 200 for s in health), health
    assert all(s == 200 for s in small), small
    assert httpx.get(hostile.url + "/healthz").status_code == 200


NESTED = {
    "5000 nested groups": "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "5000 nested parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "5000 nested OPTIONALs": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { " * 5000 + "?s ?p ?o" + " }" * 5000 + " }",
    "nested with 'service' in a string": 'SELECT * WHERE { BIND("service" AS ?x) ' + "{" * 5000 + "}" * 5000 + " }",
    "5000 nested sub-selects": "SELECT * WHERE { " + "{ SELECT * WHERE " * 3000 + "{ ?s ?p ?o }" + " }" * 6000 + " }",
}


@pytest.mark.parametrize("name", list(NESTED))
def test_deeply_nested_queries_are_refused_without_killing_the_server(hostile: Hostile, name: str) -> None:
    q = NESTED[name]
    for r in (httpx.post(hostile.url + "/sparql", data={"query": q}, timeout=60),
              httpx.post(hostile.url + "/sparql", content=q.encode(), timeout=60,
                         headers={"Content-Type": "application/sparql-query"})):
        # Deep nesting may also be acceptable SPARQL; what it must never do is crash or 5xx.
        assert r.status_code < 500, (r.status_code, r.text[:300])
        if r.status_code >= 400:
            assert_clean_4xx(r)
    assert httpx.get(hostile.url + "/healthz").status_code == 200


def test_megabyte_queries_and_bodies_get_413_or_400(hostile: Hostile) -> None:
    filler = "# " + "x" * 1_100_000 + "\n"
    big_query = filler + "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    # Over the body limit: 413 before the application reads it.
    r = httpx.post(hostile.url + "/sparql", content=big_query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM)
    r = httpx.post(hostile.url + "/sparql", data={"query": big_query})
    assert r.status_code == 413
    r = httpx.post(hostile.url + "/sparql/update", data={"update": big_query}, headers=AUTH)
    assert r.status_code == 413
    r = httpx.post(hostile.url + "/api/recommendations", content=json.dumps({**VALID_RECOMMENDATION, "text": "x" * 1_200_000}),
                   headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413
    # Under the body limit but a far too long query: refused as too large / bad.
    mid = "# " + "y" * 600_000 + "\nSELECT * WHERE { ?s ?p ?o } LIMIT 1"
    r = httpx.post(hostile.url + "/sparql", content=mid.encode(), headers={"Content-Type": "application/sparql-query"})
    assert_clean_4xx(r)
    # A megabyte in the URL: the HTTP layer or the app refuses it, nothing crashes.
    target = b"/sparql?query=" + urllib.parse.quote(big_query).encode()
    status, _, body = raw_request(hostile.url, target)
    assert status == 0 or 400 <= status < 500, (status, body[:300])
    status, _, body = raw_request(hostile.url, b"/sparql?query=" + urllib.parse.quote(mid).encode())
    assert status == 0 or 400 <= status < 500, (status, body[:300])
    assert httpx.get(hostile.url + "/healthz").status_code == 200


# --------------------------------------------------------------------------- paths

ODD_TARGETS = [
    b"/id/../../etc/passwd",
    b"/id/%2e%2e/%2e%2e/etc/passwd",
    b"/id/..%2f..%2f..%2fetc%2fpasswd",
    b"/id/organisation/..%2f..%2f..%2fapi%2fapp.py",
    b"/id/organisation/%00",
    b"/id/organisation/dgb-nrw%00.ttl",
    b"/id/%ff%fe%fd",
    b"/id/organisation/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    b"/id/organisation/" + b"a" * 8000,
    b"/id/organisation/%",
    b"/id/organisation/%zz",
    b"/graph/assets/..%2f..%2fapi%2fapp.py",
    b"/graph/assets/%2e%2e%2fpages.py",
    b"/docs/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
    b"/sparql/assets/..%2f..%2fauth.py",
    b"/api/organisations?limit=%00",
    b"/api/organisations?limit=-1",
    b"/api/organisations?limit=99999999999999999999999",
    b"/api/organisations?offset=1e309",
    b"/api/persons?lang=%ff",
    b"/api/recommendations?theme=%00",
    b"/api/recommendations?theme=%ff%fe",
    b"/api/recommendations?actor=javascript:alert(1)",
    b"/api/recommendations?source=" + b"%41" * 5000,
    b"/api/network?focus=%00&depth=-1",
    b"/api/network?depth=99999",
    b"/api/network?view=../../etc/passwd",
    b"/api/network?focus=%ff",
    b"/graph?focus=%00",
    b"/graph?focus=%ff%fe&depth=1",
    b"/graph?lang=%3Cscript%3E",
    b"/dump.nq%00",
    b"/dump.%2e%2e%2fetc%2fpasswd",
    b"/ontology/..%2f..%2fetc%2fpasswd",
    b"/shapes%00.ttl",
]


@pytest.mark.parametrize("target", ODD_TARGETS, ids=[t[:60].decode("latin-1") for t in ODD_TARGETS])
def test_traversal_and_odd_bytes_in_paths_are_clean_4xx(hostile: Hostile, target: bytes) -> None:
    status, head, body = raw_request(hostile.url, target)
    assert 400 <= status < 500, (status, body[:300])
    assert b"root:x:0:0" not in body and b"import " not in body and b"ZDG_TOKEN" not in body
    if b"\r\ncontent-type: application/problem+json" not in head.lower():
        # Only the HTTP layer itself (uvicorn/h11, before our app) answers in plain text.
        assert status in (400, 414, 431), (status, head[:300])


def test_invalid_utf8_and_control_bytes_in_headers_do_not_break_the_server(hostile: Hostile) -> None:
    for headers in (b"Accept: \xff\xfe\r\n", b"Accept-Language: \xc0\xae\xff\r\n", b"Authorization: Bearer \xff\xfe\r\n",
                    b"Accept: " + b"text/html;q=0.9," * 300 + b"\r\n"):
        for target, method in ((b"/", b"GET"), (b"/api/organisations", b"GET"), (b"/sparql?query=ASK%7B%7D", b"GET"),
                               (b"/id/organisation/dgb-nrw", b"GET"), (b"/api/recommendations", b"POST")):
            status, _, body = raw_request(hostile.url, target, method, headers)
            assert status < 500, (target, headers[:40], status, body[:300])
    assert httpx.get(hostile.url + "/healthz").status_code == 200


# --------------------------------------------------------------------------- JSON API bodies

WRONG_BODIES: dict[str, bytes] = {
    "text is a number": json.dumps({**VALID_RECOMMENDATION, "text": 123}).encode(),
    "themes is a string": json.dumps({**VALID_RECOMMENDATION, "themes": ID + "theme/kreislaufwirtschaft"}).encode(),
    "themes hold numbers": json.dumps({**VALID_RECOMMENDATION, "themes": [1, 2]}).encode(),
    "proposed_by is an object": json.dumps({**VALID_RECOMMENDATION, "proposed_by": {"id": ID + "organisation/dgb-nrw"}}).encode(),
    "lang fr": json.dumps({**VALID_RECOMMENDATION, "lang": "fr"}).encode(),
    "date not a date": json.dumps({**VALID_RECOMMENDATION, "date": "2025-13-45"}).encode(),
    "date a number": json.dumps({**VALID_RECOMMENDATION, "date": 20250101}).encode(),
    "extra field": json.dumps({**VALID_RECOMMENDATION, "admin": True}).encode(),
    "body an array": json.dumps([VALID_RECOMMENDATION]).encode(),
    "body null": b"null",
    "body a string": b'"INSERT DATA {}"',
    "body not JSON": b"{ this is not json",
    "body empty": b"",
    "invalid UTF-8": b'{"text": "\xff\xfe", "lang": "de"}',
    "lone surrogate in text": json.dumps({**VALID_RECOMMENDATION, "text": "A\ud800B"}).encode(),
    "NaN as text": b'{"text": NaN, "lang": "de"}',
    "javascript: source": json.dumps({**VALID_RECOMMENDATION, "source": "javascript:alert(1)"}).encode(),
    "source breaks out of an IRI": json.dumps({**VALID_RECOMMENDATION, "source": 'https://x.example/"><script>alert(1)</script>'}).encode(),
    "theme IRI with a space": json.dumps({**VALID_RECOMMENDATION, "themes": [ID + "theme/kreislauf wirtschaft"]}).encode(),
    "theme IRI with an injected triple": json.dumps(
        {**VALID_RECOMMENDATION, "themes": [ID + f"theme/x> . <{MARKER}> <{MARKER}> <{MARKER}"]}).encode(),
    "text only whitespace": json.dumps({**VALID_RECOMMENDATION, "text": " \n\t "}).encode(),
    "deeply nested JSON": b'{"text": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "duplicate keys with wrong last value": b'{"text": "ok", "text": 5, "lang": "de"}',
}


@pytest.mark.parametrize("name", list(WRONG_BODIES))
def test_wrong_json_on_post_recommendations_is_4xx_and_stores_nothing(hostile: Hostile, name: str) -> None:
    for content_type in ("application/json", "text/plain"):
        r = httpx.post(hostile.url + "/api/recommendations", content=WRONG_BODIES[name],
                       headers={**AUTH, "Content-Type": content_type}, timeout=60)
        assert_clean_4xx(r)
    assert not marker_present(hostile.url)


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer wrong", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x",
    f"Bearer {TOKEN.upper()}", f"Basic {TOKEN}", f"Token {TOKEN}", TOKEN, f"Bearer {TOKEN[:4]}",
    "Bearer " + "a" * 6000, "Bearer ümlaut-ß".encode("utf-8"),
])
def test_missing_and_wrong_tokens_get_401(hostile: Hostile, header: str | bytes | None) -> None:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Authorization"] = header
    body = json.dumps({**VALID_RECOMMENDATION, "text": "Unbefugt geschriebene Empfehlung"}).encode()
    r = httpx.post(hostile.url + "/api/recommendations", content=body, headers=headers)
    assert r.status_code == 401, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer")
    assert TOKEN not in r.text
    r = httpx.post(hostile.url + "/sparql/update", headers={k: v for k, v in headers.items() if k != "Content-Type"},
                   data={"update": f"INSERT DATA {{ GRAPH <{MARKER}> {{ <{MARKER}> <{MARKER}> 1 }} }}"})
    assert r.status_code == 401, (r.status_code, r.text[:300])
    assert not marker_present(hostile.url)


def test_token_comparison_is_constant_time_by_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check goes through hmac.compare_digest (constant time) and through nothing else.

    A statistical timing probe is left out on purpose: on a shared 2-core machine its noise is
    far above the nanoseconds it would look for, and timed assertions are not allowed here.
    """
    import hmac

    from starlette.requests import Request

    from api import auth
    from api.problems import Problem

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):  # noqa: ANN001 - same signature as hmac.compare_digest
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    monkeypatch.setenv("ZDG_TOKEN", "right-token")

    def request(value: str) -> Request:
        return Request({"type": "http", "method": "POST", "path": "/", "headers": [(b"authorization", value.encode("latin-1"))]})

    def check(req: Request) -> None:
        # In a thread: the session's browser fixture may keep an event loop running in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, auth.require_token(req)).result()

    check(request("Bearer right-token"))
    assert len(calls) == 1 and "right-token" not in repr(calls[0])  # compared as digests, not as text
    for wrong in ("Bearer r", "Bearer right-tokeX", "Bearer " + "x" * 100, "Bearer right-token-and-more"):
        before = len(calls)
        with pytest.raises(Problem) as exc:
            check(request(wrong))
        assert exc.value.status == 401
        # Every wrong token is compared the same way: one call, equal-length operands (the
        # length of the given token does not change what is compared).
        assert len(calls) == before + 1
        a, b = calls[-1]
        assert len(a) == len(b) == len(calls[0][0])
    assert calls[0][0] == calls[0][1] and calls[1][1] == calls[0][1]


# --------------------------------------------------------------------------- script payloads

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
    "'-alert(1)-'",
]
RAW = ["<script>alert(1)", "<img src=x onerror", "<svg onload", "</script><script>"]


def html_pages(url: str, rec_ids: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Every HTML page that may show the written text, as (url, headers)."""
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    pages = [(url + "/", html), (url + "/?lang=en", html), (url + "/graph", html), (url + "/graph?lang=en", html),
             (url + "/sparql", html), (url + "/docs", html), (url + "/ontology", html), (url + "/shapes", html)]
    for rec in rec_ids:
        pages.append((url + "/graph?" + urllib.parse.urlencode({"focus": rec, "depth": 1}), html))
        pages.append((url + "/graph?" + urllib.parse.urlencode({"focus": rec, "depth": 1, "lang": "en"}), html))
        if rec.startswith(ID):
            pages.append((url + "/id/" + rec[len(ID):], html))
    for org in ("organisation/dgb-nrw", "theme/kreislaufwirtschaft"):
        pages.append((url + "/id/" + org, html))
    return pages


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, list[str]]]:
    tmp = tmp_path_factory.mktemp("payloads")
    server = start_api(str(tmp / "store"), tmp, {"ZDG_TOKEN": TOKEN})
    ids = []
    for payload in PAYLOADS:
        body = {**VALID_RECOMMENDATION, "text": f"{payload} Empfehlung mit Nutzlast {len(ids)}"}
        r = httpx.post(server.url + "/api/recommendations", json=body, headers=AUTH, timeout=60)
        assert r.status_code == 201, (r.status_code, r.text[:500])
        ids.append(r.json()["id"])
    yield server, ids
    server.stop()


def test_written_script_payloads_come_back_escaped_on_every_page(payload_server) -> None:
    server, ids = payload_server
    # The payload is stored as text and comes back verbatim in JSON (that is not HTML).
    r = httpx.get(server.url + "/api/recommendations", params={"limit": 1000})
    texts = [item.get("text") or "" for item in r.json()["items"]]
    assert any(PAYLOADS[0] in t for t in texts)
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    checked = 0
    for url, headers in html_pages(server.url, ids):
        r = httpx.get(url, headers=headers, timeout=60)
        assert r.status_code < 500, (url, r.status_code, r.text[:300])
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        checked += 1
        for raw in RAW:
            assert raw not in r.text, f"unescaped {raw!r} on {url}"
        csp = r.headers.get("content-security-policy", "")
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";", 1)[0], (url, csp)
    assert checked >= 6


@pytest.mark.browser
def test_no_script_payload_runs_in_chromium(payload_server, browser) -> None:
    """Load every page in a real Chromium (the session's shared one): no dialog, no element
    carrying the payload's handlers, no script holding its code."""
    server, ids = payload_server
    dialogs: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
        for url, _ in html_pages(server.url, ids):
            response = page.goto(url, wait_until="load")
            if response is None or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            page.wait_for_timeout(800)  # let page scripts render data (not a timing assertion)
            injected = page.evaluate("""() => {
                const bad = [...document.querySelectorAll('[onerror],[onload]')].filter(e => e.tagName !== 'BODY');
                const scripts = [...document.scripts].filter(s => (s.textContent || '').includes('alert(1)')
                    && s.type !== 'application/json');
                return bad.length + scripts.length;
            }""")
            assert injected == 0, url
    finally:
        context.close()
    assert dialogs == []


def test_the_model_graphs_cannot_be_dropped_through_sparql_update(payload_server) -> None:
    """Even a writer with the token cannot remove the shapes or the ontology: they are the model
    the data is checked against (and what /shapes and /ontology serve), not data."""
    server, _ = payload_server
    shapes_before = httpx.get(server.url + "/shapes", headers={"Accept": "text/turtle"}).text
    assert "sh:NodeShape" in shapes_before or "NodeShape" in shapes_before
    for graph in ("shapes", "ontology"):
        iri = f"{ID}source/{graph}"
        for update in (f"DROP GRAPH <{iri}>", f"CLEAR GRAPH <{iri}>",
                       f"DELETE WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"):
            r = httpx.post(server.url + "/sparql/update", data={"update": update}, headers=AUTH, timeout=60)
            assert_clean_4xx(r)
    assert httpx.get(server.url + "/shapes", headers={"Accept": "text/turtle"}).text == shapes_before
