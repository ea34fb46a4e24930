"""Security of the editing: passwords never in clear, sessions expire, every write needs a
signed-in person (with the session's CSRF token) or the API token, payloads stay text.
Against a real uvicorn server (httpx), no mocks."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest

from api import accounts
from tests.conftest import ROOT

ID = "https://w3id.org/zukunftsdialog/id/"
USER, PASSWORD = "bert", "Sehr-Geheim-4711!"
M8 = 'Implementation phase ("Umsetzungsphase"): Fachkräftesicherung'
MEETING = {
    "values": {"prefLabel_de": "Treffen (Test)", "prefLabel_en": "Meeting (test)", "reportedOn": "2025-07-13",
               "isPartOf": ID + "event/zukunftsdialog-industrie", "source": ID + "source/invest-in-niederrhein-2025-07-13"},
    "passage": {"text_source": ID + "source/followup-2023-2025", "exact": M8},
    "reason": "test",
}
WRITES = [("post", "/api/meetings", MEETING), ("post", "/api/statements", MEETING),
          ("post", "/api/offices", MEETING), ("post", "/api/recommendations/with-passage", MEETING),
          ("post", "/api/corrections", {}), ("post", "/api/check/meeting", MEETING),
          ("post", "/api/changes/" + "0" * 32 + "/revert", {}), ("post", "/api/recommendations", {})]


def add_account(path, name=USER, password=PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", "account", "add", name, "--accounts", str(path), "--password-stdin"],
                          input=password + "\n", text=True, capture_output=True, cwd=ROOT)


@pytest.fixture
def server(api_server, tmp_path):
    path = tmp_path / "accounts"
    assert add_account(path).returncode == 0
    return api_server(env={"ZDG_ACCOUNTS": str(path), "ZDG_TOKEN": "tool-token"})


def sign_in(base: str, user=USER, password=PASSWORD) -> tuple[httpx.Client, str, httpx.Response]:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/edit/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/edit/login", data={"username": user, "password": password, "csrf": token, "next": "/edit"})
    csrf = ""
    if r.status_code == 303:
        home = client.get("/edit")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text).group(1)
    return client, csrf, r


def test_password_never_in_clear(tmp_path, server):
    path = tmp_path / "accounts"
    text = path.read_text()
    assert PASSWORD not in text and text.startswith(f"{USER}:scrypt$")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    result = add_account(path)  # again: the password is replaced, still hashed, never echoed
    assert result.returncode == 0 and PASSWORD not in result.stdout + result.stderr
    assert path.read_text().count(f"{USER}:") == 1
    client, _, r = sign_in(server.url)
    assert r.status_code == 303
    sign_in(server.url, password=PASSWORD + "x")
    time.sleep(0.5)
    log = server.log.read_text(errors="replace")
    assert "POST /edit/login" in log and PASSWORD not in log


def test_hash_is_salted():
    assert accounts.hash_password("same") != accounts.hash_password("same")
    assert accounts.verify_password("same", accounts.hash_password("same"))


def test_bad_usernames_and_empty_password_refused(tmp_path):
    for name, password in (("Bad Name", "x"), ("a:b", "x"), ("ok", "")):
        r = add_account(tmp_path / "acc", name, password)
        assert r.returncode == 2 and "Traceback" not in r.stderr
    assert not (tmp_path / "acc").exists()


def test_cookie_flags_and_wrong_password(server):
    _, _, wrong = sign_in(server.url, password="falsch")
    assert wrong.status_code == 401 and "zdg_session" not in wrong.headers.get("set-cookie", "")
    _, _, r = sign_in(server.url)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("zdg_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Max-Age=3600" in cookie
    assert "Secure" not in cookie  # served over http here; over https (or behind a proxy saying so) it is Secure


def test_secure_cookie_behind_https_proxy(server):
    client = httpx.Client(base_url=server.url, timeout=30)
    r = client.get("/edit/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in r.headers["set-cookie"]


def test_every_write_needs_a_person_or_the_token(server):
    before = httpx.get(server.url + "/api/changes").json()["changes"]
    for method, path, body in WRITES:
        r = httpx.request(method, server.url + path, json=body, timeout=30)
        assert r.status_code == 401, (path, r.status_code)
        r = httpx.request(method, server.url + path, json=body, headers={"Authorization": "Bearer wrong"}, timeout=30)
        assert r.status_code == 401, (path, r.status_code)
    client, csrf, _ = sign_in(server.url)
    for method, path, body in WRITES[:-1]:
        r = client.request(method, path, json=body)  # the session cookie but no CSRF header
        assert r.status_code == 403 and r.json()["type"].endswith("csrf"), path
        r = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf + "x"})
        assert r.status_code == 403, path
    for form in ("/edit/meeting", "/edit/statement", "/edit/recommendation", "/edit/office", "/edit/correction", "/edit/changes"):
        r = client.post(form, data={"prefLabel_de": "x"})
        assert r.status_code == 403, form
    assert httpx.get(server.url + "/api/changes").json()["changes"] == before == []
    # With the token (a tool) and with a session and its CSRF token (a person): accepted.
    r = httpx.post(server.url + "/api/meetings", json=MEETING, headers={"Authorization": "Bearer tool-token"}, timeout=30)
    assert r.status_code == 201, r.text
    r = client.post("/api/meetings", json=MEETING, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    who = [c["agent_label"] for c in httpx.get(server.url + "/api/changes").json()["changes"]]
    assert who == [USER, "API client (token)"]


def test_session_expires(api_server, tmp_path):
    path = tmp_path / "accounts"
    add_account(path)
    server = api_server(env={"ZDG_ACCOUNTS": str(path), "ZDG_SESSION_MINUTES": "0.05"})  # 3 seconds
    client, csrf, r = sign_in(server.url)
    assert "Max-Age=3" in r.headers["set-cookie"]
    assert client.get("/edit").status_code == 200
    time.sleep(3.5)
    assert client.get("/edit").status_code == 303  # to the sign-in form
    r = client.post("/api/meetings", json=MEETING, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401
    assert httpx.get(server.url + "/api/changes").json()["changes"] == []


def test_sign_in_form_needs_its_token_and_throttles(server):
    r = httpx.post(server.url + "/edit/login", data={"username": USER, "password": PASSWORD}, timeout=30)
    assert r.status_code == 403 and "zdg_session" not in r.headers.get("set-cookie", "")
    for _ in range(accounts.MAX_FAILURES):
        sign_in(server.url, password="nope")
    _, _, r = sign_in(server.url)  # even the right password waits now
    assert r.status_code == 429


def test_no_open_redirect(server):
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/edit/login", params={"next": "https://evil.example/"})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert "evil" not in page.text
    r = client.post("/edit/login", data={"username": USER, "password": PASSWORD, "csrf": token, "next": "//evil.example/"})
    assert r.headers["location"].startswith("/edit")


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_payloads_stay_text_everywhere(server):
    body = {**MEETING, "values": {**MEETING["values"], "prefLabel_de": "A " + XSS, "prefLabel_en": "B " + XSS,
                                  "notation": XSS}, "reason": XSS}
    headers = {"Authorization": "Bearer tool-token"}
    r = httpx.post(server.url + "/api/check/meeting", json=body, headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["conforms"] is False  # the notation breaks the pattern
    body["values"].pop("notation")
    r = httpx.post(server.url + "/api/meetings", json=body, headers=headers, timeout=30)
    assert r.status_code == 201
    node = r.json()["node"]
    client, _, _ = sign_in(server.url)
    for path in ("/edit/changes", "/id/" + node.split("/id/", 1)[1], "/id/source/followup-2023-2025"):
        html = client.get(path, headers={"Accept": "text/html"}).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&#34;&gt;&lt;script" in html, path
    # Field values that are not choices are refused, not stored as IRIs.
    bad = {**MEETING, "values": {**MEETING["values"], "source": "javascript:alert(1)"}}
    r = httpx.post(server.url + "/api/meetings", json=bad, headers=headers, timeout=30)
    assert r.status_code == 422 and r.json()["type"].endswith("invalid-request")


def test_openapi_documents_the_twins(server):
    paths = httpx.get(server.url + "/openapi.json", timeout=30).json()["paths"]
    for path in ("/api/meetings", "/api/statements", "/api/corrections", "/api/check/{kind}", "/api/changes",
                 "/api/changes/{ident}/revert", "/api/forms/{kind}", "/api/recommendations/with-passage", "/api/offices",
                 "/api/sources"):
        assert path in paths, path
    for path in ("/api/meetings", "/api/offices", "/api/sources", "/api/recommendations/with-passage"):
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in paths[path]["post"]["parameters"]), path


def test_failed_sign_ins_use_bounded_memory():
    table = accounts.Sessions()
    for k in range(20000):
        table.failed(f"user{k}")
        table.failed("x" * 5000 + str(k))  # not a possible username: not remembered
    assert len(table._failures) <= 10001
    assert not table.blocked("user1") or len(table._failures["user1"]) <= accounts.MAX_FAILURES


def test_idempotency_key_stores_once(server):
    """A repeated write with the same Idempotency-Key and body answers as the first did and
    stores nothing twice; the same key with another body is a 422 and stores nothing."""
    token = {"Authorization": "Bearer tool-token"}
    first = httpx.post(server.url + "/api/meetings", json=MEETING, headers={**token, "Idempotency-Key": "m8-1"}, timeout=30)
    assert first.status_code == 201, first.text
    again = httpx.post(server.url + "/api/meetings", json=MEETING, headers={**token, "Idempotency-Key": "m8-1"}, timeout=30)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["change"] == first.json()["change"] and again.json()["node"] == first.json()["node"]
    other = {**MEETING, "reason": "another body"}
    reused = httpx.post(server.url + "/api/meetings", json=other, headers={**token, "Idempotency-Key": "m8-1"}, timeout=30)
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused")
    assert reused.headers["content-type"].startswith("application/problem+json")
    log = httpx.get(server.url + "/api/changes", timeout=30).json()["changes"]
    assert [c["id"] for c in log] == [first.json()["change"]]
    node = first.json()["node"]
    r = httpx.get(server.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{node}> a ?t }} }}"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"  # one meeting, typed once
    # Another key: a new change.
    third = httpx.post(server.url + "/api/meetings", json=MEETING, headers={**token, "Idempotency-Key": "m8-2"}, timeout=30)
    assert third.status_code == 201 and "Idempotent-Replayed" not in third.headers
    assert third.json()["change"] != first.json()["change"]


def test_session_survives_a_restart_and_sign_out_ends_it(api_server, tmp_path):
    """Sessions are signed cookies under a secret kept next to the store: a restarted server (or
    another worker) knows them; signing out ends them everywhere, a replayed cookie included; a
    cookie changed by one character is refused."""
    path = tmp_path / "accounts"
    add_account(path)
    env = {"ZDG_ACCOUNTS": str(path)}
    store = str(tmp_path / "store-restart")
    first = api_server(env=env, store=store)
    client, csrf, r = sign_in(first.url)
    assert r.status_code == 303 and csrf
    cookie = client.cookies["zdg_session"]
    assert USER not in cookie or "." in cookie  # signed, not a bare name
    secret = tmp_path / "store-restart.session-secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32
    first.stop()
    second = api_server(env=env, store=store)
    again = httpx.Client(base_url=second.url, timeout=30, cookies={"zdg_session": cookie})
    assert again.get("/edit").status_code == 200
    r = again.post("/api/meetings", json=MEETING, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text  # the CSRF token of the session is still its token
    body, mac = cookie.split(".")
    forged = body[:-1] + ("A" if body[-1] != "A" else "B") + "." + mac
    assert httpx.get(second.url + "/edit", cookies={"zdg_session": forged}).status_code == 303
    assert again.post("/edit/logout", data={"csrf": csrf}).status_code == 303
    replay = httpx.Client(base_url=second.url, timeout=30, cookies={"zdg_session": cookie})
    assert replay.get("/edit").status_code == 303  # signed out: the old cookie no longer works
    assert replay.post("/api/meetings", json=MEETING, headers={"X-CSRF-Token": csrf}).status_code == 401
    assert len(httpx.get(second.url + "/api/changes").json()["changes"]) == 1


def test_removed_account_is_signed_out(server, tmp_path):
    client, csrf, _ = sign_in(server.url)
    assert client.get("/edit").status_code == 200
    accounts_file = next(tmp_path.glob("accounts"))
    accounts_file.write_text("", encoding="utf-8")  # the operator removes the person
    assert client.get("/edit").status_code == 303
