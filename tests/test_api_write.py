"""POST /api/recommendations end to end: real uvicorn servers over real stores.

A refused write must leave the store byte for byte as it was: the store is built before the
server starts, dumped, and dumped again after the server has stopped.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph.build import build
from graph.store import EmbeddedStore, RemoteStore
from tests.conftest import ID, VALID_RECOMMENDATION, sorted_nquads

PROBLEM = "application/problem+json"
TOKEN = "s3cret-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def prebuilt(path: Path) -> Path:
    store = EmbeddedStore(path)
    build(store)
    store.close()
    del store
    return path


INVALID_BODIES = {
    "no theme": {**VALID_RECOMMENDATION, "themes": []},
    "themes missing": {k: v for k, v in VALID_RECOMMENDATION.items() if k != "themes"},
    "unknown theme IRI": {**VALID_RECOMMENDATION, "themes": [ID + "theme/gibt-es-nicht"]},
    "a role is no theme": {**VALID_RECOMMENDATION, "themes": [ID + "role/vorsitz"]},
    "theme not an IRI": {**VALID_RECOMMENDATION, "themes": ["Kreislaufwirtschaft"]},
    "unknown level": {**VALID_RECOMMENDATION, "levels": [ID + "policy-level/kommune"]},
    "a theme is no level": {**VALID_RECOMMENDATION, "levels": [ID + "theme/kreislaufwirtschaft"]},
    "a person is no proposer": {**VALID_RECOMMENDATION, "proposed_by": [ID + "person/anja-weber"]},
    "unknown proposer": {**VALID_RECOMMENDATION, "proposed_by": [ID + "organisation/gibt-es-nicht"]},
    "no proposer": {**VALID_RECOMMENDATION, "proposed_by": []},
    "themes not a list": {**VALID_RECOMMENDATION, "themes": ID + "theme/kreislaufwirtschaft"},
    "text not a string": {**VALID_RECOMMENDATION, "text": 42},
    "empty text": {**VALID_RECOMMENDATION, "text": ""},
    "blank text": {**VALID_RECOMMENDATION, "text": "   "},
    "language not de/en": {**VALID_RECOMMENDATION, "lang": "fr"},
    "impossible date": {**VALID_RECOMMENDATION, "date": "2023-02-30"},
    "source not a URL": {**VALID_RECOMMENDATION, "source": "irgendwo"},
    "unknown field": {**VALID_RECOMMENDATION, "status": ID + "status/beschlossen"},
    "body a list": [VALID_RECOMMENDATION],
}


def test_refused_writes_change_nothing(api_server, tmp_path, followup_text):
    store_dir = prebuilt(tmp_path / "store")
    before = sorted_nquads(store_dir)
    server = api_server(env={"ZDG_TOKEN": TOKEN}, store=str(store_dir))
    with httpx.Client(base_url=server.url, timeout=60) as api:
        for name, body in INVALID_BODIES.items():
            r = api.post("/api/recommendations", json=body, headers=AUTH)
            assert r.status_code == 422, (name, r.status_code, r.text)
            assert r.headers["content-type"].startswith(PROBLEM), name
            problem = r.json()
            assert problem["status"] == 422 and problem["detail"], name
            assert problem.get("errors") or problem.get("results"), name
        for raw in (b"{not json", b"", b'{"text": "a", ', "Ü".encode("latin-1")):
            r = api.post("/api/recommendations", content=raw, headers={**AUTH, "Content-Type": "application/json"})
            assert r.status_code in (400, 422), (raw, r.text)
            assert r.headers["content-type"].startswith(PROBLEM)
        # Without a token, or with a wrong one: 401 even for a valid body.
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": TOKEN}, {"Authorization": f"Bearer {TOKEN}x"}):
            r = api.post("/api/recommendations", json=VALID_RECOMMENDATION, headers=headers)
            assert r.status_code == 401, (headers, r.text)
            assert r.headers["content-type"].startswith(PROBLEM)
            assert "bearer" in r.headers.get("www-authenticate", "").lower()
        total = api.get("/api/recommendations", params={"actor": ID + "organisation/dgb-nrw"}).json()["total"]
        assert total == 0
    server.stop()
    assert sorted_nquads(store_dir) == before


def test_unknown_theme_is_reported_per_field(shared_api):
    r = httpx.post(shared_api.url + "/api/recommendations", headers={"Authorization": "Bearer test-token"},
                   json={**VALID_RECOMMENDATION, "themes": [ID + "theme/kreislaufwirtschaft", ID + "theme/gibt-es-nicht"]}, timeout=60)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["value"] for e in errors if e["field"] == "themes"] == [ID + "theme/gibt-es-nicht"]


def test_writes_are_off_without_a_configured_token(api_server):
    server = api_server()
    r = httpx.post(server.url + "/api/recommendations", json=VALID_RECOMMENDATION, headers=AUTH, timeout=60)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)


def test_a_valid_write_appears_in_the_api_and_in_sparql(api_server, tmp_path):
    store_dir = prebuilt(tmp_path / "store")
    before = set(sorted_nquads(store_dir))
    server = api_server(env={"ZDG_TOKEN": TOKEN}, store=str(store_dir))
    with httpx.Client(base_url=server.url, timeout=60) as api:
        r = api.post("/api/recommendations", json=VALID_RECOMMENDATION, headers=AUTH)
        assert r.status_code == 201, r.text
        new_id = r.json()["id"]
        assert new_id.startswith(ID + "recommendation/")
        assert r.headers["location"] == "/id/" + new_id.removeprefix(ID)  # this server's page of it
        found = api.get("/api/recommendations", params={"actor": ID + "organisation/dgb-nrw"}).json()
        assert [rec["id"] for rec in found["items"]] == [new_id]
        rec = found["items"][0]
        assert rec["text"] == VALID_RECOMMENDATION["text"]
        assert rec["status"]["id"] == ID + "status/vorgeschlagen"
        assert rec["date"] == "2025-06-30"
        assert [t["id"] for t in rec["themes"]] == VALID_RECOMMENDATION["themes"]
        assert [lv["id"] for lv in rec["levels"]] == VALID_RECOMMENDATION["levels"]
        assert any(s["quote"] == VALID_RECOMMENDATION["text"] for s in rec["sources"])
        assert any(s["document"]["id"] == VALID_RECOMMENDATION["source"] for s in rec["sources"])
        # The theme's count went up, and the theme filter finds it.
        themes = {t["id"]: t for t in api.get("/api/themes").json()["items"]}
        assert themes[ID + "theme/kreislaufwirtschaft"]["direct_recommendation_count"] >= 2
        by_theme = api.get("/api/recommendations", params={"theme": ID + "theme/kreislaufwirtschaft", "limit": 1000}).json()
        assert new_id in {x["id"] for x in by_theme["items"]}
        sparql = api.get("/sparql", params={"query": f"ASK {{ <{new_id}> a <https://w3id.org/zukunftsdialog/ontology#Recommendation> }}"},
                         headers={"Accept": "application/sparql-results+json"})
        if sparql.status_code != 404:  # the SPARQL endpoint is another part of the service
            assert sparql.status_code == 200 and sparql.json()["boolean"] is True
    server.stop()
    store = EmbeddedStore(store_dir)
    try:
        rows = store.select(f"""
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            PREFIX zd: <https://w3id.org/zukunftsdialog/ontology#>
            SELECT ?g ?when ?agent ?created ?status WHERE {{
              GRAPH ?g {{ <{new_id}> a zd:Recommendation ; prov:generatedAtTime ?when ;
                          prov:wasAttributedTo ?agent ; zd:status ?status .
                          ?g dcterms:created ?created . }}
            }}""")
    finally:
        store.close()
        del store
    assert len(rows) == 1
    row = rows[0]
    assert str(row["g"]).startswith(ID + "source/api-")
    assert str(row["when"]) == str(row["created"])
    assert str(row["status"]) == ID + "status/vorgeschlagen"
    after = set(sorted_nquads(store_dir))
    assert before <= after, "a write only adds"
    # Everything new is in the write's own graph, or in its entry of the change log (issue 19).
    assert all(str(row["g"]) in line or f"<{ID}change/" in line for line in after - before)
    assert any(f"<{ID}change/" in line for line in after - before), "the write is recorded in the change log"


@pytest.mark.remote
def test_a_valid_write_through_a_remote_sparql_store(api_server, oxigraph_server):
    server = api_server(env={"ZDG_TOKEN": TOKEN}, store=oxigraph_server.url)
    # A 2025 Handlungsfeld is a theme too (it is SKOS-mapped to the letter's key themes).
    body = {**VALID_RECOMMENDATION, "lang": "en", "text": "Speed up permits for circular-economy plants", "levels": [],
            "themes": [ID + "handlungsfeld-2025/zirkulaere-wertschoepfung"]}
    r = httpx.post(server.url + "/api/recommendations", json=body, headers=AUTH, timeout=120)
    assert r.status_code == 201, r.text
    new_id = r.json()["id"]
    remote = RemoteStore(oxigraph_server.url)
    try:
        rows = remote.select(f"""
            SELECT ?label ?level WHERE {{
              <{new_id}> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label ;
                         <https://w3id.org/zukunftsdialog/ontology#addressesLevel> ?level }}""")
    finally:
        remote.close()
    assert [(str(r["label"]), r["label"].language) for r in rows] == [(body["text"], "en")]
    # No level given: "not stated", never a guessed one.
    assert [str(r["level"]) for r in rows] == [ID + "policy-level/nicht-angegeben"]


def test_the_shapes_refuse_what_the_field_checks_refuse(built_store):
    """Defence in depth: the quads of a write with an unknown theme or level would also fail
    the SHACL gate, so a write path without the field checks could not store them either."""
    from graph.shacl import validation
    from graph.domain.recommendations import NewRecommendation, recommendation_quads

    def verdict(**change) -> validation.Report:
        fields = {"text": VALID_RECOMMENDATION["text"], "lang": "de", "themes": VALID_RECOMMENDATION["themes"], "levels": VALID_RECOMMENDATION["levels"],
                  "proposed_by": VALID_RECOMMENDATION["proposed_by"], "source": VALID_RECOMMENDATION["source"], **change}
        _, quads = recommendation_quads(NewRecommendation(**fields))
        return validation.check_quads(built_store, quads)

    assert verdict().conforms
    unknown_theme = verdict(themes=[ID + "theme/gibt-es-nicht"])
    assert not unknown_theme.conforms
    assert any(r.path and r.path.endswith("/subject") for r in unknown_theme.violations)
    unknown_level = verdict(levels=[ID + "policy-level/kommune"])
    assert not unknown_level.conforms
    assert any(r.path and r.path.endswith("#addressesLevel") for r in unknown_level.violations)


@pytest.mark.remote
def test_a_store_that_stops_answering_is_a_503_problem(api_server, oxigraph_server):
    server = api_server(store=oxigraph_server.url)
    assert httpx.get(server.url + "/api/themes", timeout=60).status_code == 200
    oxigraph_server.stop()
    for path in ("/api/themes", "/api/recommendations", "/api/organisations"):
        r = httpx.get(server.url + path, timeout=60)
        assert r.status_code == 503, (path, r.text)
        assert r.headers["content-type"].startswith(PROBLEM)
