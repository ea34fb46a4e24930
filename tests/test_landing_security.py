"""The landing page and the headers every page carries, on a real server."""

from __future__ import annotations

import httpx


def test_landing_page_links_everywhere_in_both_languages(shared_api):
    de = httpx.get(shared_api.url + "/")
    assert de.status_code == 200 and de.headers["content-type"].startswith("text/html")
    for href in ('href="/graph', 'href="/sparql"', 'href="/docs"', 'href="/ontology"', 'href="/dump.ttl"'):
        assert href in de.text
    assert "Letter of Intent" in de.text and 'lang="de"' in de.text
    en = httpx.get(shared_api.url + "/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in en.text and "Explore the network" in en.text
    assert 'lang="de"' in httpx.get(shared_api.url + "/?lang=de", headers={"Accept-Language": "en"}).text


def test_landing_page_counts_come_from_the_store(shared_api):
    # 15 signatories in the letter; the page must say at least that many persons.
    import re

    text = httpx.get(shared_api.url + "/?lang=en").text
    persons = int(re.search(r"(\d+) persons", text).group(1))
    assert persons >= 15


def test_html_pages_carry_a_same_origin_csp_and_nosniff(shared_api):
    r = httpx.get(shared_api.url + "/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "http" not in csp  # no other origin is allowed
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_json_responses_carry_nosniff(shared_api):
    r = httpx.get(shared_api.url + "/healthz")
    assert r.json()["status"] == "ok"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_oversized_bodies_get_413_problem_json(shared_api):
    big = b"x" * (1024 * 1024 + 1)
    r = httpx.post(shared_api.url + "/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 413

    def chunks():  # no Content-Length: the limit must hold while streaming too
        for _ in range(20):
            yield b"y" * 65536

    r = httpx.post(shared_api.url + "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_unknown_paths_are_problem_json(shared_api):
    r = httpx.get(shared_api.url + "/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"]
