"""Secrets and exposure (issue 8, item 5).

The write token comes only from the environment and never shows up in a log, a response or
the process's command line; no token means writes are off (403); ``zdg serve`` binds to
127.0.0.1 unless told otherwise; every HTML page carries a CSP that allows no other origin and
``X-Content-Type-Options: nosniff`` and loads nothing from elsewhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ROOT, free_port, wait_http

ID = "https://w3id.org/zukunftsdialog/id/"
PROBLEM = "application/problem+json"
SECRET = "zdg-Secret-Token-4f9c2b7e11d0a6"
COMMANDS = ("build", "serve", "validate", "load", "query", "export", "viz")
VALID_REC = {
    "text": "Genehmigungsverfahren für Anlagen der Kreislaufwirtschaft beschleunigen",
    "lang": "de",
    "themes": [ID + "theme/kreislaufwirtschaft"],
    "proposed_by": [ID + "organisation/dgb-nrw"],
    "source": "https://www.example.org/stellungnahme",
}


def cli_help(command: str) -> str:
    out = subprocess.run([sys.executable, "-m", "api.cli", command, "--help"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_takes_a_token_or_password_on_the_command_line(command: str) -> None:
    options = re.findall(r"--[a-z][a-z0-9-]*", cli_help(command))
    assert options, "help lists no options?"
    assert not [o for o in options if re.search(r"token|secret|password|passwd|auth|credential", o)], options


def test_serve_binds_loopback_by_default() -> None:
    text = cli_help("serve")
    host_line = next(line for line in text.splitlines() if "--host" in line)
    assert "127.0.0.1" in host_line, host_line


def test_serve_hands_the_default_host_to_uvicorn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import api.server
    from api.cli import app

    seen: dict = {}
    # (an embedded store is served through api.server.serve; the next test starts a real server)
    monkeypatch.setattr(api.server, "serve", lambda application, host, port: seen.update(host=host, port=port))
    result = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1"


def test_a_real_server_listens_on_loopback_only_and_keeps_the_token_off_its_command_line(tmp_path: Path) -> None:
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "ZDG_TOKEN"}, "ZDG_TOKEN": SECRET}
    log = tmp_path / "serve.log"
    # No --host: the default must be loopback.
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                             "--store", str(tmp_path / "store")], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
        me = psutil.Process(proc.pid)
        listening = [c.laddr for p in [me, *me.children(recursive=True)]
                     for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
        assert listening and all(addr.ip in ("127.0.0.1", "::1") for addr in listening), listening
        for p in [me, *me.children(recursive=True)]:
            assert SECRET not in " ".join(p.cmdline())
    finally:
        proc.terminate()
        proc.wait(15)


# --------------------------------------------------------------------------- the token in use


def test_the_token_never_appears_in_logs_or_responses(api_server) -> None:
    server = api_server(env={"ZDG_TOKEN": SECRET})
    auth = {"Authorization": f"Bearer {SECRET}"}
    wrong = {"Authorization": f"Bearer {SECRET}-wrong"}
    bodies = []
    with httpx.Client(base_url=server.url, timeout=120) as c:
        answers = [
            c.post("/api/recommendations", json=VALID_REC, headers=auth),  # accepted
            c.post("/api/recommendations", json={**VALID_REC, "themes": [ID + "theme/gibt-es-nicht"]}, headers=auth),
            c.post("/api/recommendations", content=b"{not json", headers={**auth, "Content-Type": "application/json"}),
            c.post("/api/recommendations", json=VALID_REC, headers=wrong),
            c.post("/api/recommendations", json=VALID_REC),
            c.post("/sparql/update", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, headers=wrong),
            c.post("/sparql/update", data={"update": "THIS IS NOT SPARQL"}, headers=auth),
            c.get("/sparql", params={"query": "SELECT * WHERE {"}, headers=auth),
        ]
        statuses = [a.status_code for a in answers]
        assert statuses[:2] == [201, 422] and statuses[2] in (400, 422) and statuses[3:6] == [401, 401, 401], statuses
        for path in ("/", "/healthz", "/openapi.json", "/docs", "/graph", "/api/validation", "/dump.nq", "/dataset"):
            answers.append(c.get(path, headers=auth))
        bodies = [a.text for a in answers] + [str(a.headers) for a in answers]
    server.stop()
    log = server.log.read_text(errors="replace")
    assert "POST /api/recommendations" in log  # the log is the server's, with its access lines
    assert SECRET not in log
    assert not [b for b in bodies if SECRET in b]


@pytest.mark.parametrize("token_env", [None, ""], ids=["unset", "empty"])
def test_writes_are_disabled_without_a_configured_token(api_server, token_env: str | None) -> None:
    server = api_server(env={} if token_env is None else {"ZDG_TOKEN": token_env})
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer anything"}):
        headers = {k: v.strip() for k, v in headers.items()}
        r = httpx.post(server.url + "/api/recommendations", json=VALID_REC, headers=headers)
        assert r.status_code == 403, (r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith(PROBLEM) and r.json()["detail"]
        r = httpx.post(server.url + "/sparql/update", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                       headers=headers)
        assert r.status_code in (401, 403), (r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith(PROBLEM)
    listed = httpx.get(server.url + "/api/recommendations", params={"limit": 1000}).json()
    assert not [i for i in listed["items"] if i.get("text") == VALID_REC["text"]]
    r = httpx.get(server.url + "/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is False


# --------------------------------------------------------------------------- headers on HTML pages

HTML = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
HTML_PAGES = ["/", "/?lang=en", "/graph", "/graph?lang=en", "/sparql", "/docs", "/ontology", "/shapes",
              "/id/organisation/dgb-nrw", "/id/theme/kreislaufwirtschaft", "/id/no/such-thing"]
#: Source expressions that name no other origin.
OWN_ORIGIN_ONLY = re.compile(r"^('self'|'none'|'unsafe-inline'|'strict-dynamic'|'sha(256|384|512)-[A-Za-z0-9+/=]+'|"
                             r"'nonce-[A-Za-z0-9+/=_-]+'|data:|blob:)$")
EXTERNAL_LOAD = re.compile(r"<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(src|href|data)\s*=\s*"
                           r"[\"']?\s*(https?:)?//", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_allows_only_its_own_origin(shared_api, path: str) -> None:
    r = httpx.get(shared_api.url + path, headers=HTML, timeout=60)
    assert r.status_code < 500
    assert r.headers["x-content-type-options"] == "nosniff"
    if r.status_code >= 400 and not r.headers["content-type"].startswith("text/html"):
        assert r.headers["content-type"].startswith(PROBLEM)
        return
    assert r.headers["content-type"].startswith("text/html"), (path, r.headers["content-type"])
    csp = csp_directives(r.headers["content-security-policy"])
    assert csp.get("default-src") in (["'self'"], ["'none'"]), csp
    for directive, sources in csp.items():
        assert all(OWN_ORIGIN_ONLY.match(s) for s in sources), (path, directive, sources)
    assert "'unsafe-inline'" not in csp.get("script-src", csp["default-src"])
    assert "'unsafe-eval'" not in csp.get("script-src", csp["default-src"])
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"]) or r.headers.get("x-frame-options") == "DENY"
    assert csp.get("object-src") == ["'none'"]
    found = EXTERNAL_LOAD.search(r.text)
    assert found is None, (path, found.group(0) if found else "")


def test_non_html_answers_carry_nosniff(shared_api) -> None:
    for path, accept in (("/healthz", "*/*"), ("/api/organisations", "application/json"), ("/dump.ttl", "*/*"),
                         ("/id/organisation/dgb-nrw", "text/turtle"), ("/openapi.json", "*/*"),
                         ("/sparql?query=ASK%7B%7D", "application/sparql-results+json")):
        r = httpx.get(shared_api.url + path, headers={"Accept": accept}, timeout=60)
        assert r.status_code == 200, (path, r.status_code)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert not r.headers["content-type"].startswith("text/html"), path
