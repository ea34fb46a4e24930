"""A new source recorded in the browser (issue 19): its Markdown text uploaded, then the reader
shows it, and a statement is recorded with a passage selected in it; raw HTML in a text is
refused and stores nothing. Expected values: source T1 of the addendum (DGB NRW's press
release of December 2025, official) and the sentences the addendum quotes from it (row O1).
"""

from __future__ import annotations

import httpx
import pytest

from tests.browser.curation_steps import (ID, T1_QUOTE, T1_TEXT, XSS_TEXT, add_account, change_log, fill_source,
                                          select_passage, sign_in, wait_check)

pytestmark = pytest.mark.browser


@pytest.fixture
def source_server(api_server, tmp_path):
    accounts = tmp_path / "accounts"
    add_account(accounts)
    return api_server(env={"ZDG_ACCOUNTS": str(accounts)})


def test_new_source_then_a_statement_from_its_text(source_server, staff, tmp_path):
    server = source_server
    markdown = tmp_path / "t1.md"
    markdown.write_text(T1_TEXT, encoding="utf-8")
    page = staff.page
    dialogs = staff.dialogs
    sign_in(page, server.url, "/edit/source")
    fill_source(page, markdown_file=markdown)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    (added,) = change_log(server)
    assert added["kind"] == "source" and added["agent_label"] == "anna"
    source = added["about"]
    assert source.startswith(ID + "source/dgb-nrw-thorben-albrecht")

    # The reader shows its text.
    reader = "/id/" + source.split("/id/", 1)[1]
    page.goto(server.url + reader)
    assert "Seine Vorgängerin Anja Weber" in page.locator("article.source-text").inner_text()
    assert page.locator("h1").first.inner_text().startswith("DGB NRW: Thorben Albrecht")

    # A statement with a passage selected in the new source's text, citing the new source.
    page.goto(server.url + f"/edit/statement?text={source}")
    page.select_option("#f-source", source)
    page.fill("#f-editorialNote", "Pressetext des DGB NRW, keiner Person zugeschrieben")
    select_passage(page, T1_QUOTE)
    wait_check(page, ok=True)
    page.click("button.save")
    page.wait_for_url("**/edit/changes**")
    statement = change_log(server)[0]
    assert statement["kind"] == "statement"
    page.goto(server.url + reader)
    marks = page.locator("mark[id^=staff-]")
    assert marks.count() == 1 and marks.first.inner_text() == T1_QUOTE
    assert dialogs == []


def test_raw_html_in_a_source_text_is_refused(source_server, staff):
    server = source_server
    page = staff.page
    dialogs = staff.dialogs
    sign_in(page, server.url, "/edit/source")
    fill_source(page, label_suffix=" " + XSS_TEXT)
    page.fill("#f-text", T1_TEXT + "\n" + XSS_TEXT + "\n")
    page.wait_for_function("(t) => document.getElementById('check-results').textContent.includes(t)",
                           arg="raw HTML", timeout=30_000)
    page.click("button.save")
    page.wait_for_selector("#refused")
    assert change_log(server) == []
    assert page.locator("img[src=x]").count() == 0 and dialogs == []
    # Without the CSRF token: refused too (a valid text this time), nothing stored.
    page.fill("#f-text", T1_TEXT)
    page.evaluate("document.querySelector('#fact-form input[name=csrf]').remove()")
    page.click("button.save")
    page.wait_for_selector("p.error")
    assert change_log(server) == []
    r = httpx.get(server.url + "/api/changes", timeout=30)
    assert r.json()["changes"] == []
