"""The editing pages in a real Chromium against a real server: sign in, record a meeting with a
passage selected in the source record, see it on /graph and in the reader, an invalid change
shows the shapes' messages and stores nothing, revert, the history names the person, and form
posts without the CSRF token or after the session expired are refused and change nothing.

Expected values come from the sources: the passage and the date are row M8 of
data/sources/followup-2023-2025.md ("reported 2025-07-13", source S7, press).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.curation_steps import M8_PASSAGE, PASSWORD, USER, fill_meeting, select_passage, sign_in, wait_check
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
XSS = '"><script>alert("x1")</script><img src=x onerror=alert("x2")>'


def make_accounts(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", "account", "add", USER, "--accounts", str(path), "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, cwd=ROOT, capture_output=True)


@pytest.fixture
def editing_server(api_server, tmp_path):
    accounts = tmp_path / "accounts"
    make_accounts(accounts)
    return api_server(env={"ZDG_ACCOUNTS": str(accounts)})


def changes(server) -> list[dict]:
    return httpx.get(server.url + "/api/changes", timeout=30).json()["changes"]


def ask(server, query: str) -> bool:
    r = httpx.get(server.url + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return r.json()["boolean"]


def test_record_check_revert_and_history(editing_server, staff):
    server = editing_server
    page = staff.page
    dialogs = staff.dialogs
    requests = staff.requests
    sign_in(page, server.url, "/edit/meeting")
    assert page.locator(".user").inner_text() == USER

    # A valid meeting: the dry run says the shapes have no objection, then it is saved.
    fill_meeting(page)
    select_passage(page, M8_PASSAGE)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    first = page.locator("li.change").first
    assert "anna" in first.locator(".who").inner_text()
    (meeting,) = changes(server)
    assert meeting["agent_label"] == USER and meeting["kind"] == "meeting"
    node = meeting["about"]
    assert node.startswith("https://w3id.org/zukunftsdialog/id/event/")

    # The passage is stored verbatim with a selector that anchors once in the record.
    exact = [q["object"] for q in meeting["added"] if q["predicate"].endswith("#exact>")]
    assert exact == [f'"{M8_PASSAGE}"'.replace('"Umsetzungsphase"', '\\"Umsetzungsphase\\"')]

    # On /graph: the search finds the new meeting.
    page.goto(server.url + "/graph")
    page.wait_for_function("window.zdgReady === true", timeout=60_000)
    page.fill("#search", "Umsetzungsphase: Fachkräfte")
    page.wait_for_selector("#search-results li")
    assert "Treffen zur Umsetzungsphase" in page.locator("#search-results").inner_text()

    # In the reader: the passage is a mark, and what it supports names the meeting.
    page.goto(server.url + "/id/source/followup-2023-2025")
    staff_marks = page.locator("mark[id^=staff-]")
    assert staff_marks.count() == 1
    assert staff_marks.first.inner_text() == M8_PASSAGE
    assert "Treffen zur Umsetzungsphase: Fachkräftesicherung" in page.locator(".passage-list").inner_text()

    # An invalid change (meeting number 0 breaks zds:Meeting-number): the dry run shows
    # the shape's message; saving is refused with the same message and stores nothing.
    page.goto(server.url + "/edit/meeting")
    fill_meeting(page, notation="0", label_de="Ungültiges Treffen", label_en="Invalid meeting")
    select_passage(page, M8_PASSAGE)
    wait_check(page, ok=False)
    assert "eine einzelne positive Zahl" in page.locator("#check-results").inner_text()
    page.click("button.save")
    page.wait_for_selector("#refused")
    assert "eine einzelne positive Zahl" in page.locator("#check-results").inner_text()
    assert len(changes(server)) == 1

    # Revert the meeting from the history; the history lists both changes with the person.
    page.goto(server.url + "/edit/changes")
    page.locator(f"#change-{meeting['id'].rsplit('/', 1)[-1]} form.revert button").click()
    page.wait_for_url("**/edit/changes**")
    log = changes(server)
    assert [c["kind"] for c in log] == ["revert", "meeting"]
    assert all(c["agent_label"] == USER for c in log)
    assert log[0]["reverts"] == meeting["id"] and log[1]["reverted_by"] == log[0]["id"]
    items = page.locator("li.change")
    assert items.count() == 2 and all(USER in items.nth(i).locator(".who").inner_text() for i in range(2))
    assert not ask(server, f"ASK {{ GRAPH ?g {{ <{node}> ?p ?o }} }}")  # the meeting is gone (only the log names it)
    page.goto(server.url + "/id/source/followup-2023-2025")
    assert page.locator("mark[id^=staff-]").count() == 0

    # A form post without the CSRF token is refused and changes nothing.
    page.goto(server.url + "/edit/meeting")
    fill_meeting(page)
    select_passage(page, M8_PASSAGE)
    page.evaluate("document.querySelector('#fact-form input[name=csrf]').remove()")
    page.click("button.save")
    page.wait_for_selector("p.error")
    assert len(changes(server)) == 2
    assert dialogs == []
    assert all(u.startswith(server.url) or u.startswith(("data:", "blob:")) for u in requests)


def test_expired_session_is_refused(api_server, tmp_path, staff):
    accounts = tmp_path / "accounts"
    make_accounts(accounts)
    server = api_server(env={"ZDG_ACCOUNTS": str(accounts), "ZDG_SESSION_MINUTES": "0.1"})  # 6 seconds
    page = staff.page
    sign_in(page, server.url, "/edit/meeting")
    started = time.monotonic()
    fill_meeting(page)
    select_passage(page, M8_PASSAGE)
    time.sleep(max(0.0, 6.5 - (time.monotonic() - started)))
    page.click("button.save")
    page.wait_for_selector("p.error")
    assert "abgelaufen" in page.locator("p.error").inner_text()
    assert changes(server) == []
    page.goto(server.url + "/edit/meeting")
    page.wait_for_selector("form.login")  # the session is gone on the server too


def test_xss_payloads_stay_text(editing_server, staff):
    server = editing_server
    page = staff.page
    dialogs = staff.dialogs
    sign_in(page, server.url, "/edit/meeting")
    fill_meeting(page, label_de="DE " + XSS, label_en="EN " + XSS, reason="R " + XSS)
    select_passage(page, M8_PASSAGE)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    assert XSS in page.locator(".reason").first.inner_text()
    (change,) = changes(server)
    node_path = "/id/" + change["about"].split("/id/", 1)[1]
    for path in ("/edit/changes", node_path, "/id/source/followup-2023-2025", "/graph", "/edit/meeting"):
        page.goto(server.url + path)
        if path == "/graph":
            page.wait_for_function("window.zdgReady === true", timeout=60_000)
            page.fill("#search", "DE \"><script>")
            page.wait_for_selector("#search-results li")
        assert page.locator("img[src=x]").count() == 0
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0 or path == "/graph"
    page.goto(server.url + node_path)
    assert "DE " + XSS in page.locator("body").inner_text()
    # Typed into the text fields of the correction form: checked and shown as text too.
    page.goto(server.url + "/edit/correction")
    page.fill("#f-subject", XSS)
    page.fill("#f-value", XSS)
    page.fill("#f-reason", XSS)
    select_passage(page, M8_PASSAGE)
    wait_check(page, ok=False)
    assert page.locator("img[src=x]").count() == 0
    time.sleep(0.5)
    assert dialogs == []
