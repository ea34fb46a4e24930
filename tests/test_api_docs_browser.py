"""/docs in a real Chromium: Swagger UI renders the API from our own server and the page
requests nothing from anywhere else."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser

def test_docs_load_swagger_ui_with_no_external_request(shared_api, browser):
    requests: list[str] = []
    errors: list[str] = []
    # one page in the shared browser (Playwright allows one sync session per thread)
    page = browser.new_page()
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(shared_api.url + "/docs")
        # Swagger UI has fetched /openapi.json and drawn one block per operation.
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
        title = page.inner_text(".info .title")
        # Open the POST operation: its example body is shown.
        page.click("#operations-recommendations-add_recommendation_api_recommendations_post")
        page.wait_for_selector("text=Genehmigungsverfahren", timeout=10_000)
    finally:
        page.close()
    assert not errors, errors
    own = urlsplit(shared_api.url).netloc
    external = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own]
    assert external == [], external
    assert any(u.endswith("/openapi.json") for u in requests)
    assert any("/docs/assets/swagger-ui-bundle.js" in u for u in requests)
    for path in ("/api/organisations", "/api/persons", "/api/themes", "/api/policy-levels", "/api/recommendations",
                 "/api/documents", "/api/events", "/api/validation"):
        assert any(p.strip().replace("\u200b", "") == path for p in paths), (path, paths)
    assert "Zukunftsdialog Industrie" in title


def test_docs_assets_are_served_locally_and_only_known_ones(shared_api):
    html = httpx.get(shared_api.url + "/docs").text
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert httpx.get(shared_api.url + "/docs/assets/swagger-ui.css").status_code == 200
    r = httpx.get(shared_api.url + "/docs/assets/..%2F..%2F__init__.py")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


def test_openapi_has_examples_and_problem_errors(shared_api):
    spec = httpx.get(shared_api.url + "/openapi.json").json()
    post = spec["paths"]["/api/recommendations"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert schema["examples"][0]["themes"]
    for status in ("401", "403", "422"):
        assert "application/problem+json" in post["responses"][status]["content"]
    get = spec["paths"]["/api/recommendations"]["get"]
    assert "application/problem+json" in get["responses"]["422"]["content"]
