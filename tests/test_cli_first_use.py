"""The command line as a newcomer meets it (real subprocesses): every command builds an empty
store on first use and says so; a store held by a running server gets a clear message naming
the server's SPARQL URL (exit 3, no traceback); long runs show progress on a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, free_port

FIRST_USE = "is empty (first use): building the shipped graph"
HINT = "--store http://127.0.0.1:8000/sparql"


def zdg(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("ZDG_STORE", "ZDG_TOKEN")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=timeout)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_readme_example_on_a_fresh_install_answers(tmp_path):
    # No --store: the per-user default store, empty on a fresh machine.
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    result = zdg("query", "queries/q02-trade-unions.rq", env=env)
    assert result.returncode == 0, result.stderr
    assert FIRST_USE in flat(result.stderr)
    # the letter's three trade unions
    for name in ("DGB NRW", "IG Metall NRW", "IGBCE Nordrhein", "3 rows"):
        assert name in result.stdout
    again = zdg("query", "queries/q02-trade-unions.rq", env=env)
    assert again.returncode == 0 and FIRST_USE not in flat(again.stderr)


@pytest.mark.parametrize("command", [
    ["validate"],
    ["export", "--format", "nq", "-o", "{tmp}/dump.nq"],
    ["viz", "-o", "{tmp}/page.html"],
    ["query", "--format", "csv", "queries/q01-signatories.rq"],
])
def test_every_command_builds_an_empty_store_first(tmp_path, command):
    store = str(tmp_path / "store")
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = zdg(*args, "--store", store)
    assert result.returncode == 0, result.stdout + result.stderr
    assert FIRST_USE in flat(result.stderr)
    assert "built" in result.stderr


def test_load_into_an_empty_store_checks_against_the_built_shapes(tmp_path):
    store = str(tmp_path / "store")
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "<https://w3id.org/zukunftsdialog/id/recommendation/cli> a <https://w3id.org/zukunftsdialog/ontology#Recommendation> .\n",
        encoding="utf-8")
    result = zdg("load", "--store", store, str(broken))
    # Without the build first there would be no shapes to break: it would be stored unchecked.
    assert FIRST_USE in flat(result.stderr)
    assert result.returncode == 1, result.stdout + result.stderr


@pytest.fixture
def serving(api_server, tmp_path):
    store = str(tmp_path / "served-store")
    return store, api_server(store=store)


def test_a_store_held_by_a_server_gets_a_clear_message(serving):
    store, server = serving
    for args in (["query", "queries/q02-trade-unions.rq"], ["validate"], ["build"], ["export", "--format", "ttl"],
                 ["serve", "--port", str(free_port())]):
        result = zdg(*args, "--store", store, timeout=60)
        assert result.returncode == 3, (args, result.stderr)
        text = flat(result.stderr)
        assert "in use by a running server" in text and HINT in text, text
        assert "Traceback" not in result.stderr and "LOCK" not in result.stderr
    # and what it says works
    via_server = zdg("query", "--store", server.url + "/sparql", "queries/q02-trade-unions.rq")
    assert via_server.returncode == 0 and "3 rows" in via_server.stdout, via_server.stderr


def test_serve_says_what_it_built_and_where_the_pages_are(api_server, tmp_path):
    store = str(tmp_path / "store")
    server = api_server(store=store)
    log = flat(server.log.read_text())
    assert FIRST_USE in log and "built" in log
    for page in ("/graph", "/sparql", "/docs"):
        assert f"{server.url}{page}" in log
    server.stop()
    again = api_server(store=store)
    log = flat(again.log.read_text())
    assert FIRST_USE not in log and "quads: serving them as they are" in log


def test_long_runs_show_progress_on_a_terminal(tmp_path):
    # rich draws progress only on a terminal; FORCE_COLOR makes it take stderr for one.
    env = {"FORCE_COLOR": "1", "TERM": "xterm", "COLUMNS": "120"}
    store = str(tmp_path / "store")
    built = zdg("build", "--store", store, env=env)
    assert built.returncode == 0 and "building" in plain(built.stderr) and BAR in built.stderr
    exported = zdg("export", "--format", "nq", "-o", str(tmp_path / "d.nq"), "--store", "memory", env=env)
    assert exported.returncode == 0 and "exporting nq" in plain(exported.stderr)
    big = tmp_path / "big.nt"
    big.write_text("".join(f"<urn:x:{i}> <urn:p> \"{i}\" .\n" for i in range(20000)), encoding="utf-8")
    loaded = zdg("load", "--no-validate", "--store", store, str(big), env=env)
    assert loaded.returncode == 0 and "loading" in plain(loaded.stderr) and BAR in loaded.stderr
    piped = zdg("build", "--store", store)
    assert BAR not in piped.stderr and "\x1b[" not in piped.stderr  # a pipe gets the summary line alone


BAR = "\u2501"  # rich's bar character


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
