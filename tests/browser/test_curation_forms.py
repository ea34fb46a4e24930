"""The forms for a change of office and a recommendation in a real Chromium against a real
server (issue 19): a change of office with its passage selected in the addendum's text ends the
predecessor's holding and shows the new holder on /graph; an invalid recommendation shows the
shapes' message and stores nothing; XSS payloads typed into the new forms stay text; a post
without the CSRF token changes nothing.

Expected values come from the sources: row O1 of data/sources/followup-addendum-2026-12.md
(DGB NRW, December 2025: Thorben Albrecht succeeds Anja Weber; T1 official) and row D3 of the
record (a measure of the 2025 Leitbild, source S13). The shipped graph already holds O1, so the
office test first takes it out (SPARQL Update with the token) and records it again by the form.
"""

from __future__ import annotations

import httpx
import pytest

from tests.browser.curation_steps import (ADDENDUM, D3_MEASURE, ID, O1_PASSAGE, XSS_TEXT, add_account, change_log,
                                          fill_office, fill_recommendation, select_passage, sign_in, wait_check,
                                          without_o1_update)

pytestmark = pytest.mark.browser
TOKEN = "forms-token"
WEBER = ID + "person/anja-weber"


@pytest.fixture
def forms_server(api_server, tmp_path):
    accounts = tmp_path / "accounts"
    add_account(accounts)
    return api_server(env={"ZDG_ACCOUNTS": str(accounts), "ZDG_TOKEN": TOKEN})


def representatives(server, day: str) -> list[tuple[str, str | None, str | None]]:
    r = httpx.get(server.url + "/api/organisations", params={"as_of": day, "limit": 100}, timeout=60)
    (dgb,) = [o for o in r.json()["items"] if o["id"] == ID + "organisation/dgb-nrw"]
    return [(x["person"]["name"], x["start"], x["end"]) for x in dgb["representatives"]]


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => (document.querySelector(s) || {}).textContent.includes(t)",
                           arg=[selector, text], timeout=30_000)


def test_change_of_office_with_passage(forms_server, staff):
    server = forms_server
    r = httpx.post(server.url + "/sparql/update", data={"update": without_o1_update()},
                   headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert r.status_code == 200, r.text
    assert representatives(server, "2026-01-15") == [("Anja Weber", None, None)]
    page = staff.page
    dialogs = staff.dialogs
    requests = staff.requests
    sign_in(page, server.url, "/edit/office")
    page.goto(server.url + f"/edit/office?text={ADDENDUM}")
    fill_office(page)
    select_passage(page, O1_PASSAGE)
    # The dry run names whose term the change ends.
    wait_text(page, "#check-results", "Anja Weber")
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    (office,) = change_log(server)
    assert office["kind"] == "office" and office["agent_label"] == "anna"
    exact = [q["object"] for q in office["added"] if q["predicate"].endswith("#exact>")]
    assert exact == [f'"{O1_PASSAGE}"']

    # Weber's holding ends with December 2025; the new holder's begins.
    assert representatives(server, "2025-11-15") == [("Anja Weber", None, "2025-12")]
    assert representatives(server, "2026-01-15") == [("Thorben Albrecht", "2025-12", None)]

    # On /graph: the new holder with the new post, and a link to the history of the node.
    page.goto(server.url + "/graph")
    page.wait_for_function("window.zdgReady === true", timeout=60_000)
    page.fill("#search", "Thorben Albrecht")
    page.wait_for_selector("#search-results li")
    page.locator("#search-results li").first.click()
    page.wait_for_selector("#details-posts")
    assert "(Thorben Albrecht, ab 2025-12)" in page.locator("#details-posts").inner_text()
    assert "/edit/changes?" in page.locator("#details-history").get_attribute("href")

    # The history of the new person lists the change with who made it.
    page.goto(server.url + page.locator("#details-history").get_attribute("href"))
    assert page.locator("li.change").count() == 1
    assert "anna" in page.locator("li.change .who").inner_text()

    # In the reader of the addendum: the passage is marked and links to its facts' history.
    page.goto(server.url + "/id/source/followup-addendum-2026-12")
    marks = page.locator("mark[id^=staff-]")
    assert marks.count() == 1 and marks.first.inner_text() == O1_PASSAGE
    assert page.locator(".passage-list a.history-link").count() >= 1
    assert dialogs == []
    assert all(u.startswith(server.url) or u.startswith(("data:", "blob:")) for u in requests)


def test_invalid_recommendation_shows_the_shapes_and_stores_nothing(forms_server, staff):
    server = forms_server
    page = staff.page
    sign_in(page, server.url, "/edit/recommendation")
    fill_recommendation(page, theme=False)
    select_passage(page, D3_MEASURE)
    # zds:Recommendation-theme: the shapes' own message, while typing and on save.
    wait_text(page, "#check-results", "mindestens ein Thema")
    page.click("button.save")
    page.wait_for_selector("#refused")
    assert "mindestens ein Thema" in page.locator("#check-results").inner_text()
    assert change_log(server) == []
    # With its theme it is saved, and recorded.
    fill_recommendation(page, theme=True)
    select_passage(page, D3_MEASURE)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    (rec,) = change_log(server)
    assert rec["kind"] == "recommendation" and rec["about"].startswith(ID + "recommendation/")


def test_new_forms_keep_xss_as_text_and_need_csrf(forms_server, staff):
    server = forms_server
    page = staff.page
    dialogs = staff.dialogs
    sign_in(page, server.url, "/edit/office")
    page.goto(server.url + f"/edit/office?text={ADDENDUM}")
    fill_office(page, name="Neu " + XSS_TEXT, start="2026-02-01", reason="R " + XSS_TEXT)
    select_passage(page, O1_PASSAGE)
    wait_check(page, ok=True)
    # Without the CSRF token: refused, nothing stored.
    page.evaluate("document.querySelector('#fact-form input[name=csrf]').remove()")
    page.click("button.save")
    page.wait_for_selector("p.error")
    assert change_log(server) == []
    page.goto(server.url + f"/edit/office?text={ADDENDUM}")
    fill_office(page, name="Neu " + XSS_TEXT, start="2026-02-01", reason="R " + XSS_TEXT)
    select_passage(page, O1_PASSAGE)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    assert XSS_TEXT in page.locator(".reason").first.inner_text()
    (office,) = change_log(server)
    person = next(q["subject"].strip("<>") for q in office["added"] if q["predicate"].endswith("/name>"))
    for path in ("/edit/changes", "/id/" + person.split("/id/", 1)[1], "/id/source/followup-addendum-2026-12", "/graph"):
        page.goto(server.url + path)
        if path == "/graph":
            page.wait_for_function("window.zdgReady === true", timeout=60_000)
            page.fill("#search", "Neu \"><script>")
            page.wait_for_selector("#search-results li")
        assert page.locator("img[src=x]").count() == 0
    assert dialogs == []
