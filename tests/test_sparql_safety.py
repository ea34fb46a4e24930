"""Safety of the SPARQL endpoint: time limits, no blocking, no network, size limits, guarded writes.

Runs against real uvicorn servers (``api_server``/``shared_api``); the network checks use a
loopback listener that must never see a connection.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from graph.sparql import guard as sparql_guard
from graph.vocab import ID_BASE
from graph.sparql.guard import ForbiddenOperation
from graph.query.service import QueryLimits, QueryService, sandboxed
from graph.store import open_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A server of its own with a write token and a short query limit (the tests change its data)."""
    from tests.conftest import start_api

    tmp = tmp_path_factory.mktemp("safety")
    server = start_api(str(tmp / "store"), tmp, {"ZDG_TOKEN": TOKEN, "ZDG_QUERY_TIMEOUT": "3"})
    yield server
    server.stop()


# --- time limit, and nothing blocks ------------------------------------------------------------


def test_runaway_query_is_stopped_while_others_are_served(writable):
    url = writable.url
    outcome: dict = {}

    def runaway() -> None:
        # the client would wait a minute; the server's limit is 3 s
        outcome["response"] = httpx.post(url + "/sparql", data={"query": RUNAWAY}, headers=JSON_RESULTS, timeout=60)

    thread = threading.Thread(target=runaway)
    thread.start()
    health_during, queries_during = [], []
    while thread.is_alive():
        health_during.append(httpx.get(url + "/healthz", timeout=10).status_code)
        r = httpx.get(url + "/sparql", params={"query": 'ASK { ?p <http://xmlns.com/foaf/0.1/name> "Anja Weber" }'},
                      headers=JSON_RESULTS, timeout=10)
        queries_during.append(r.status_code == 200 and r.json()["boolean"] is True)
        thread.join(0.2)
    response = outcome["response"]
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/query-timeout"
    assert "3 s" in response.json()["detail"] and "stopped" in response.json()["detail"]
    assert health_during and set(health_during) == {200}
    assert queries_during and all(queries_during)
    # the endpoint still works afterwards (the stopped worker was replaced)
    r = httpx.get(url + "/sparql", params={"query": "ASK {}"}, headers=JSON_RESULTS)
    assert r.status_code == 200


def test_two_runaways_do_not_block_the_health_check(writable):
    url = writable.url
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(
        httpx.post(url + "/sparql", data={"query": RUNAWAY}, timeout=60).status_code)) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    assert httpx.get(url + "/healthz", timeout=10).status_code == 200
    for t in threads:
        t.join()
    # every runaway ends with a clear 4xx: stopped at the limit (422) or, if it waited for a worker, busy (429)
    assert sorted(results) and set(results) <= {422, 429} and 422 in results


def test_query_limits_from_environment(monkeypatch):
    monkeypatch.setenv("ZDG_QUERY_TIMEOUT", "7.5")
    monkeypatch.setenv("ZDG_MAX_QUERY_BYTES", "1234")
    monkeypatch.setenv("ZDG_QUERY_WORKERS", "3")
    limits = QueryLimits.from_env()
    assert (limits.timeout, limits.max_query_bytes, limits.workers) == (7.5, 1234, 3)
    monkeypatch.setenv("ZDG_QUERY_TIMEOUT", "not a number")
    assert QueryLimits.from_env().timeout == 30.0


# --- SERVICE and LOAD never reach the network --------------------------------------------------


def service_queries(target: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?x ?y ?z . service <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVIC\\u0045 <{target}> {{ ?s ?p ?o }} }}",  # escapes are decoded before parsing
        f"SELECT * WHERE {{ ?s ?p <urn:x>SERVICE<{target}>{{ ?s ?p ?o }} }}",
        f"PREFIX e: <{target}#>\nSELECT * WHERE {{ # a comment {{\n SERVICE e: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?svc) SERVICE ?svc {{ ?s ?p ?o }} }}",
        # '<' read as less-than by the parser, but as the start of an IRI by a naive lexer
        f"SELECT * WHERE {{ ?a ?b ?c FILTER(?a<'x>') <http://x#> ?p ?o . SERVICE <{target}> {{ ?s ?p ?o }} FILTER(?c != '') }}",
    ]


def test_service_is_refused_and_never_connects(shared_api, listener):
    for query in service_queries(listener.url):
        r = httpx.get(shared_api.url + "/sparql", params={"query": query}, headers=JSON_RESULTS)
        assert r.status_code == 400, (query, r.text)
        assert "SERVICE" in r.json()["detail"]
    assert listener.connections_before_now() == []


def test_load_and_service_in_updates_are_refused_and_never_connect(writable, listener):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    updates = [
        f"LOAD <{listener.url}>",
        f"LOAD SILENT <{listener.url}> INTO GRAPH <urn:x:g>",
        f"load <{listener.url}>",
        f"INSERT {{ GRAPH <urn:x:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"LO\\u0041D <{listener.url}>",
    ]
    for update in updates:
        r = httpx.post(writable.url + "/sparql/update", data={"update": update}, headers=auth)
        assert r.status_code == 400, (update, r.text)
    assert listener.connections_before_now() == []


def test_query_workers_have_no_network_when_the_system_allows_it(listener):
    # The second wall: even a SERVICE that got past the guard cannot connect from a worker
    # (when ``unshare -rn`` is permitted, which sandboxed() reports truthfully).
    store = open_store("memory")
    store.load_data(b"<urn:a> <urn:b> <urn:c> .", "nt", graph="urn:g")
    service = QueryService(store, QueryLimits(timeout=20, workers=1))
    try:
        message = (service._snapshots.current(), f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
                   None, None, "JSON", "TURTLE", {})
        service._pool.run(message, time.monotonic() + 20)
    finally:
        service.close()
    assert (listener.connections_before_now() == []) == sandboxed()


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "PREFIX service: <urn:x:> SELECT * WHERE { ?s service:load ?o } LIMIT 1",
    'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Service")) } LIMIT 1',
    "SELECT * WHERE { ?s ?p ?o } # no SERVICE here\nLIMIT 1",
    "SELECT * WHERE { ?s <http://example.org/service> ?o }",
])
def test_the_word_service_elsewhere_is_fine(query):
    sparql_guard.check_query(query)


@pytest.mark.parametrize("update", [
    'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> "load the service" } }',
    "DELETE WHERE { GRAPH <urn:x:g> { ?load ?service ?o } }",
])
def test_updates_mentioning_the_words_in_data_are_fine(update):
    sparql_guard.check_update(update)


def test_guard_refuses_what_it_cannot_verify():
    # the word stands only inside what a lexer takes for a string, but the text does not parse
    with pytest.raises(ForbiddenOperation):
        sparql_guard.check_query('SELECT * WHERE { ?s ?p "SERVICE <http://x> {}" ')


def test_query_form_detection():
    assert sparql_guard.query_form("PREFIX select: <urn:x:>\nASK { ?s select:p ?o }") == "ASK"
    assert sparql_guard.query_form("# SELECT\nBASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert sparql_guard.query_form("PREFIX ex: <urn:x:> INSERT DATA { ex:a ex:b ex:c }") == "UPDATE"
    assert sparql_guard.query_form("describe <urn:x>") == "DESCRIBE"


# --- writes: token, shapes, atomicity ----------------------------------------------------------

NEW_TRIPLE = f'INSERT DATA {{ GRAPH <{ID_BASE}source/test-notes> {{ <urn:x:note> <http://www.w3.org/2000/01/rdf-schema#comment> "a note" }} }}'
ASK_NEW = 'ASK { <urn:x:note> <http://www.w3.org/2000/01/rdf-schema#comment> "a note" }'


def ask(url: str, query: str) -> bool:
    return httpx.get(url + "/sparql", params={"query": query}, headers=JSON_RESULTS).json()["boolean"]


def test_update_needs_the_token(writable):
    url = writable.url + "/sparql/update"
    r = httpx.post(url, data={"update": NEW_TRIPLE})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = httpx.post(url, data={"update": NEW_TRIPLE}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert ask(writable.url, ASK_NEW) is False


def test_update_without_configured_token_is_disabled(api_server):
    server = api_server()  # no ZDG_TOKEN: writes are off
    r = httpx.post(server.url + "/sparql/update", data={"update": NEW_TRIPLE}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert ask(server.url, ASK_NEW) is False


def test_update_with_token_is_applied_and_visible_to_queries(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = httpx.post(writable.url + "/sparql/update", content=NEW_TRIPLE.encode(),
                   headers={**auth, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    assert r.json()["conforms"] is True
    assert ask(writable.url, ASK_NEW) is True


def test_update_breaking_the_shapes_is_refused_with_the_results(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # a recommendation with nothing but its type: no text, no theme, no source
    update = (f"INSERT DATA {{ GRAPH <{ID_BASE}source/test-notes> {{ <{ID_BASE}recommendation/empty-test> "
              "a <https://w3id.org/zukunftsdialog/ontology#Recommendation> } }")
    r = httpx.post(writable.url + "/sparql/update", data={"update": update}, headers=auth)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["conforms"] is False
    violations = [x for x in body["results"] if x["severity"] == "Violation"]
    assert violations and all(x["message"]["de"] and x["message"]["en"] for x in violations)
    assert any(x["focus"] == f"{ID_BASE}recommendation/empty-test" for x in violations)
    assert ask(writable.url, f"ASK {{ <{ID_BASE}recommendation/empty-test> ?p ?o }}") is False


@pytest.mark.parametrize("send,status", [
    (lambda u, h: httpx.post(u, content=b"INSERT DATA { <urn:x:a> <urn:x:b> ", headers={**h, "Content-Type": "application/sparql-update"}), 400),
    (lambda u, h: httpx.post(u, data={"update": "ASK {}"}, headers=h), 400),
    (lambda u, h: httpx.post(u, data={"query": "ASK {}"}, headers=h), 400),
    (lambda u, h: httpx.post(u, data={"update": ""}, headers=h), 400),
    (lambda u, h: httpx.post(u, content=b"CLEAR ALL", headers={**h, "Content-Type": "text/plain"}), 415),
    (lambda u, h: httpx.post(u, content=b"CLEAR ALL", headers={**h, "Content-Type": "application/sparql-query"}), 415),
    (lambda u, h: httpx.post(u, content=b"update=CLEAR%20ALL&update=CLEAR%20ALL",
                             headers={**h, "Content-Type": "application/x-www-form-urlencoded"}), 400),
], ids=["syntax", "query-as-update", "query-param", "empty", "wrong-type", "query-type", "two-updates"])
def test_bad_updates_change_nothing(writable, send, status):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = send(writable.url + "/sparql/update", auth)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert ask(writable.url, 'ASK { ?p <http://xmlns.com/foaf/0.1/name> "Anja Weber" }') is True


def test_update_too_large_is_413(writable):
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    r = httpx.post(writable.url + "/sparql/update", content=b"#" + b"x" * 2_000_000, headers=auth)
    assert r.status_code == 413


def test_queries_during_writes_never_fail_and_see_every_write(writable):
    # Regression: change detection raced with RocksDB removing a log file (a 500 under load).
    url, auth = writable.url, {"Authorization": f"Bearer {TOKEN}"}
    statuses: list[int] = []
    written: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        with httpx.Client(timeout=60) as c:
            while not stop.is_set():
                statuses.append(c.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                                      headers=JSON_RESULTS).status_code)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    with httpx.Client(timeout=60) as c:
        for k in range(20):
            note = f"urn:x:concurrent-{k}"
            r = c.post(url + "/sparql/update", headers=auth, data={"update": (
                f'INSERT DATA {{ GRAPH <{ID_BASE}source/test-notes> {{ <{note}> '
                f'<http://www.w3.org/2000/01/rdf-schema#comment> "n{k}" }} }}')})
            assert r.status_code == 200, r.text
            written.append(note)
            # read-your-writes: the very next query sees it
            assert ask(url, f"ASK {{ <{note}> ?p ?o }}") is True
    stop.set()
    for t in readers:
        t.join()
    assert statuses and set(statuses) == {200}


@pytest.mark.parametrize("update", [
    f"DROP GRAPH <{ID_BASE}source/ontology>",
    f"CLEAR GRAPH <{ID_BASE}source/shapes>",
    "DROP ALL",
    f"DELETE WHERE {{ GRAPH <{ID_BASE}source/shapes> {{ ?s ?p ?o }} }}",
    f"INSERT DATA {{ GRAPH <{ID_BASE}source/ontology> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}",
])
def test_the_model_graphs_are_protected(writable, update):
    shapes_before = httpx.get(writable.url + "/shapes").text
    r = httpx.post(writable.url + "/sparql/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403, r.text
    assert r.json()["type"] == "/problems/protected-graph"
    assert httpx.get(writable.url + "/shapes").text == shapes_before
    assert ask(writable.url, 'ASK { ?p <http://xmlns.com/foaf/0.1/name> "Anja Weber" }') is True


# --- snapshots: a query sees every write made before it ---------------------------------------


@pytest.mark.parametrize("how", ["through the store", "on pyoxigraph directly"])
def test_every_query_sees_the_writes_before_it(tmp_path, how):
    # Workers read a snapshot; before each query a quick check (a few stats, no directory
    # scan) decides whether it is still current. Writes made past the Store methods (which
    # count generations) must be seen too: the check then rests on the store's files alone.
    import pyoxigraph as ox

    store = open_store(str(tmp_path / "store"))
    service = QueryService(store, QueryLimits(timeout=20, workers=1))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    try:
        for i in range(1, 41):
            quad = ox.Quad(ox.NamedNode(f"urn:x:s{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)), ox.NamedNode("urn:x:g"))
            if how == "through the store":
                store.load_data(f"<urn:x:s{i}> <urn:x:p> \"{i}\" .".encode(), "nt", graph="urn:x:g")
            else:
                store.oxigraph.add(quad)
            body = service.run(count, accept=["text/csv"]).body.decode()
            assert body.split()[-1] == str(i), (i, body)
    finally:
        service.close()
        store.close()
