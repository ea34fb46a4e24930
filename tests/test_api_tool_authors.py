"""The JSON API as a tool author meets it, over a real uvicorn server: filters by slug or IRI,
unknown values and parameters refused with what would do, one shape of 422, 415 for a body that
is not JSON, Idempotency-Key and duplicates, one recommendation by slug, DELETE, Location, the
README's httpx example run as it stands, and all of it in OpenAPI. Expected values come from
the letter of intent (the three trade unions; the recommendations it announces)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ID, ROOT, VALID_RECOMMENDATION

TOKEN = "tool-author-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def writable(api_server):
    return api_server(env={"ZDG_TOKEN": TOKEN})


def get(server, path: str, **params) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path,name,slug,iri", [
    ("/api/recommendations", "level", "eu", ID + "policy-level/eu"),
    ("/api/recommendations", "theme", "kreislaufwirtschaft", ID + "theme/kreislaufwirtschaft"),
    ("/api/recommendations", "actor", "dgb-nrw", ID + "organisation/dgb-nrw"),
    ("/api/organisations", "type", "gewerkschaft", ID + "organisation-type/gewerkschaft"),
])
def test_filters_take_slugs_as_well_as_iris(shared_api, path, name, slug, iri):
    by_slug = get(shared_api, path, **{name: slug})
    by_iri = get(shared_api, path, **{name: iri})
    assert by_slug.status_code == by_iri.status_code == 200, by_slug.text
    assert by_slug.json() == by_iri.json()


def test_trade_unions_by_slug_are_the_letters(shared_api, letter_text):
    items = get(shared_api, "/api/organisations", type="gewerkschaft", signatory="true").json()["items"]
    names = {n for o in items for n in [o["label"], *o["alt_labels"]]}
    for union in ("DGB NRW", "IG Metall NRW", "IGBCE Nordrhein"):
        assert union in letter_text and union in names, names


def test_eu_level_by_slug_has_the_letters_announcement(shared_api, letter_text):
    # "Handlungsempfehlungen ... auf Landes-, Bundes- und EU-Ebene" in the letter
    assert "EU-Ebene" in letter_text
    items = get(shared_api, "/api/recommendations", level="eu").json()["items"]
    assert ID + "recommendation/loi-angekuendigte-handlungsempfehlungen" in {r["id"] for r in items}


@pytest.mark.parametrize("path,name,value,valid", [
    ("/api/recommendations", "level", "mars", "eu"),
    ("/api/recommendations", "theme", ID + "theme/gibt-es-nicht", "kreislaufwirtschaft"),
    ("/api/recommendations", "actor", "niemand", "dgb-nrw"),
    ("/api/organisations", "type", "verein", "gewerkschaft"),
])
def test_unknown_values_are_refused_listing_the_valid_ones(shared_api, path, name, value, valid):
    r = get(shared_api, path, **{name: value})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["errors"] == [{"field": name, "value": value, "message": problem["errors"][0]["message"]}]
    assert valid in problem["errors"][0]["message"] and valid in problem["valid"][name]
    assert len(problem["detail"]) < 2000 and "[A-Za-z0-9" not in problem["detail"]


def test_an_ambiguous_slug_names_its_candidates(shared_api):
    r = get(shared_api, "/api/recommendations", theme="digitale-infrastruktur")
    assert r.status_code == 422
    assert set(r.json()["valid"]["theme"]) == {"theme/digitale-infrastruktur", "handlungsfeld-2025/digitale-infrastruktur"}
    assert get(shared_api, "/api/recommendations", theme="theme/digitale-infrastruktur").status_code == 200


@pytest.mark.parametrize("path", ["/api/recommendations", "/api/organisations", "/api/themes", "/api/persons"])
def test_unknown_parameters_are_a_400(shared_api, path):
    r = get(shared_api, path, foo="bar")
    assert r.status_code == 400
    problem = r.json()
    assert problem["errors"][0]["field"] == "foo" and problem["errors"][0]["value"] == "bar"
    assert "limit" in problem["detail"]  # says what the endpoint takes
    assert get(shared_api, path, limit="1", lang="en").status_code == 200


# --- one shape of 422 ---------------------------------------------------------------------------


def assert_error_shape(problem: dict) -> None:
    assert problem["errors"], problem
    for e in problem["errors"]:
        assert set(e) == {"field", "value", "message"}, e
        assert isinstance(e["field"], str) and isinstance(e["message"], str) and e["message"]


def test_every_422_has_one_shape(writable):
    cases = [
        httpx.get(writable.url + "/api/recommendations", params={"limit": 5000}),           # framework (query)
        httpx.get(writable.url + "/api/recommendations", params={"level": "mars"}),         # ours (filter)
        httpx.get(writable.url + "/api/recommendations", params={"source": "kein iri"}),    # framework pattern
        httpx.post(writable.url + "/api/recommendations", headers=AUTH,                     # framework (body)
                   json={**VALID_RECOMMENDATION, "themes": ["x"], "lang": "fr"}),
        httpx.post(writable.url + "/api/recommendations", headers=AUTH,                     # ours (graph checks)
                   json={**VALID_RECOMMENDATION, "themes": [ID + "theme/gibt-es-nicht"]}),
    ]
    for r in cases:
        assert r.status_code == 422, r.text
        assert_error_shape(r.json())
    body_errors = {e["field"]: e for e in cases[3].json()["errors"]}
    assert body_errors["themes.0"]["value"] == "x" and "IRI" in body_errors["themes.0"]["message"]
    assert body_errors["lang"]["value"] == "fr"
    assert all(len(e["message"]) < 200 for e in cases[2].json()["errors"])  # no URL pattern as a message


# --- writes -------------------------------------------------------------------------------------


def count_recommendations(server) -> int:
    return httpx.get(server.url + "/api/recommendations", params={"limit": 0}).json()["total"]


def test_text_plain_on_a_json_write_is_415(writable):
    before = count_recommendations(writable)
    r = httpx.post(writable.url + "/api/recommendations", headers={**AUTH, "Content-Type": "text/plain"},
                   content=json.dumps(VALID_RECOMMENDATION))
    assert r.status_code == 415 and r.headers["content-type"].startswith("application/problem+json")
    assert "application/json" in r.headers.get("accept-post", "")
    assert count_recommendations(writable) == before


def test_idempotency_key_and_duplicates(writable):
    before = count_recommendations(writable)
    headers = {**AUTH, "Idempotency-Key": "retry-1"}
    first = httpx.post(writable.url + "/api/recommendations", headers=headers, json=VALID_RECOMMENDATION)
    assert first.status_code == 201, first.text
    again = httpx.post(writable.url + "/api/recommendations", headers=headers, json=VALID_RECOMMENDATION)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["location"] == first.headers["location"] and again.headers["idempotent-replayed"] == "true"
    assert count_recommendations(writable) == before + 1  # stored once
    other = httpx.post(writable.url + "/api/recommendations", headers=headers, json={**VALID_RECOMMENDATION, "text": "Anderer Text"})
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency-key-reused"
    assert other.json()["id"] == first.json()["id"]
    assert_error_shape(other.json())
    # no key, same text and source: a conflict naming the existing one
    dup = httpx.post(writable.url + "/api/recommendations", headers=AUTH, json=VALID_RECOMMENDATION)
    assert dup.status_code == 409 and dup.json()["id"] == first.json()["id"]
    assert count_recommendations(writable) == before + 1


_CHANGE_BASE = "https://w3id.org/zukunftsdialog/id/change/"


def test_location_get_one_and_delete_exactly_what_was_added(writable):
    nquads = lambda: httpx.get(writable.url + "/dump.nq").content  # noqa: E731
    before = nquads()
    body = {**VALID_RECOMMENDATION, "text": "Ein Text, der wieder gelöscht wird"}
    created = httpx.post(writable.url + "/api/recommendations", headers=AUTH, json=body)
    assert created.status_code == 201
    rec_id = created.json()["id"]
    slug = rec_id.rsplit("/", 1)[-1]
    assert created.headers["location"] == f"/id/recommendation/{slug}"  # our own server, relative
    page = httpx.get(writable.url + created.headers["location"], headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and rec_id in page.text
    one = httpx.get(writable.url + f"/api/recommendations/{slug}")
    assert one.status_code == 200 and one.json()["id"] == rec_id and one.json()["text"] == body["text"]
    assert [t["id"] for t in one.json()["themes"]] == body["themes"]
    assert httpx.delete(writable.url + f"/api/recommendations/{slug}").status_code == 401
    assert httpx.delete(writable.url + f"/api/recommendations/{slug}", headers=AUTH).status_code == 204
    # Exactly what the POST added is gone; the change log keeps its entry (history is kept, issue 19).
    log = f"<{_CHANGE_BASE}".encode()
    kept = [q for q in nquads().splitlines() if not q.rsplit(b" ", 2)[-2].startswith(log)]  # the graph: last term
    assert sorted(kept) == sorted(before.splitlines())
    # ... and the log has both: the POST's addition and the DELETE's removal, by the API client
    history = httpx.get(writable.url + "/api/changes", params={"about": rec_id}).json()
    entries = history["changes"] if isinstance(history, dict) else history
    kinds = [(c["kind"], c["agent_label"], bool(c["added"]), bool(c["removed"])) for c in entries]
    assert kinds[:2] == [("recommendation-removal", "API client (token)", False, True),
                         ("recommendation", "API client (token)", True, False)], kinds
    assert httpx.get(writable.url + f"/api/recommendations/{slug}").status_code == 404
    assert httpx.delete(writable.url + f"/api/recommendations/{slug}", headers=AUTH).status_code == 404
    curated = httpx.delete(writable.url + "/api/recommendations/loi-angekuendigte-handlungsempfehlungen", headers=AUTH)
    assert curated.status_code == 403 and nquads() == nquads()
    assert httpx.get(writable.url + "/api/recommendations/loi-angekuendigte-handlungsempfehlungen").status_code == 200


def test_delete_is_checked_against_the_shapes(writable):
    created = httpx.post(writable.url + "/api/recommendations", headers=AUTH,
                         json={**VALID_RECOMMENDATION, "text": "Eine Empfehlung, auf die sich etwas bezieht"})
    rec_id = created.json()["id"]
    # Another graph also says it is a recommendation: without its submission graph it would be a
    # recommendation without theme or proposer, so the shapes refuse the removal.
    update = (f"INSERT DATA {{ GRAPH <{ID}source/test-dependent> {{ <{rec_id}> a "
              f"<https://w3id.org/zukunftsdialog/ontology#Recommendation> }} }}")
    r = httpx.post(writable.url + "/sparql/update", headers={**AUTH, "Content-Type": "application/sparql-update"}, content=update)
    assert r.status_code in (200, 204), r.text
    before = httpx.get(writable.url + "/dump.nq").content
    deleted = httpx.delete(writable.url + f"/api/recommendations/{rec_id.rsplit('/', 1)[-1]}", headers=AUTH)
    assert deleted.status_code == 409 and deleted.json()["results"]
    assert httpx.get(writable.url + "/dump.nq").content == before


# --- the README's example, and OpenAPI ----------------------------------------------------------


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- httpx-example -->\s*```python\n(.*?)```\s*<!-- /httpx-example -->", text, re.S)
    assert block, "README.md lost its httpx example"
    return block.group(1)


def test_readme_httpx_example_runs_against_a_live_server(writable, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    env = {**os.environ, "ZDG_URL": writable.url, "ZDG_TOKEN": TOKEN}
    runs = [subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "DGB NRW" in run.stdout or "Deutscher Gewerkschaftsbund" in run.stdout
        assert "EU:" in run.stdout and "read back: Genehmigungsverfahren" in run.stdout
    stored = [line for run in runs for line in run.stdout.splitlines() if line.startswith("stored:")]
    assert stored[0] == stored[1] and "at /id/recommendation/api-" in stored[0]  # the retry stored nothing new


def test_openapi_documents_all_of_it(shared_api):
    spec = httpx.get(shared_api.url + "/openapi.json").json()
    post = spec["paths"]["/api/recommendations"]["post"]
    assert {"201", "409", "415", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    one = spec["paths"]["/api/recommendations/{slug}"]
    assert "get" in one and {"204", "403", "404", "409"} <= set(one["delete"]["responses"])
    params = {p["name"]: p for p in spec["paths"]["/api/recommendations"]["get"]["parameters"]}
    assert "slug" in params["level"]["description"] and "pattern" not in params["level"]["schema"].get("anyOf", [{}])[0]
    types = {p["name"]: p for p in spec["paths"]["/api/organisations"]["get"]["parameters"]}
    assert "gewerkschaft" in types["type"]["description"]
    assert "400" in spec["paths"]["/api/recommendations"]["get"]["responses"]
    error_item = spec["components"]["schemas"]["Problem"]["properties"]["errors"]["items"]
    assert error_item["required"] == ["field", "value", "message"]
