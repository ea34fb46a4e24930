"""Screenshots of the editing pages for the README (``make screenshots-curation``, i.e.
``python -m tests.browser.curation_screenshots``).

Starts a real server on a fresh store with one staff account, signs in with the system
Chromium, records a meeting with a passage selected in the source record, makes an invalid
change, reverts the first, and saves each page at 1440x900 and 390x844 in docs/curation/.
Not part of ``make test`` (it writes tracked files).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tests.browser.curation_steps import (ADDENDUM, D3_MEASURE, O1_PASSAGE, PASSWORD, T1_QUOTE, T1_TEXT, USER, fill_meeting,
                                          fill_office, fill_recommendation, fill_source, select_passage, sign_in, wait_check,
                                          without_o1_update)
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_api

OUT = ROOT / "docs" / "curation"
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        accounts = tmp / "accounts"
        subprocess.run([sys.executable, "-m", "api.cli", "account", "add", USER, "--accounts", str(accounts),
                        "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, cwd=ROOT)
        server = start_api(str(tmp / "store"), tmp, {"ZDG_ACCOUNTS": str(accounts), "ZDG_TOKEN": "shots"})
        try:
            # The shipped graph holds row O1 already: take it out so the form records it anew.
            httpx.post(server.url + "/sparql/update", data={"update": without_o1_update()},
                       headers={"Authorization": "Bearer shots"}, timeout=120).raise_for_status()
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for size, (w, h) in SIZES.items():
                    page = browser.new_context(viewport={"width": w, "height": h}, locale="de-DE").new_page()
                    page.goto(server.url + "/edit/login")
                    page.screenshot(path=str(OUT / f"login-{size}.png"))
                    sign_in(page, server.url, "/edit/meeting")
                    fill_meeting(page, label_suffix=f" ({size})")
                    select_passage(page, 'Implementation phase ("Umsetzungsphase"): Fachkräftesicherung')
                    wait_check(page, ok=True)
                    page.locator(".passage").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"meeting-form-{size}.png"), full_page=False)
                    page.click("button.save")
                    page.wait_for_url("**/edit/changes**")
                    page.screenshot(path=str(OUT / f"changes-{size}.png"), full_page=True)
                    page.goto(server.url + "/edit/meeting")
                    fill_meeting(page, notation="0")
                    select_passage(page, 'Implementation phase ("Umsetzungsphase"): Fachkräftesicherung')
                    wait_check(page, ok=False)
                    page.locator(".check").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"invalid-{size}.png"))
                    page.goto(server.url + "/edit")
                    page.screenshot(path=str(OUT / f"home-{size}.png"))
                    page.goto(server.url + "/edit/statement")
                    select_passage(page, "Zirkuläre Wertschöpfung ist eine industriepolitische Kernaufgabe.")
                    page.screenshot(path=str(OUT / f"statement-form-{size}.png"))
                    page.goto(server.url + "/edit/correction?lang=en")
                    page.screenshot(path=str(OUT / f"correction-form-{size}.png"))
                    page.goto(server.url + f"/edit/office?text={ADDENDUM}")
                    fill_office(page)
                    select_passage(page, O1_PASSAGE)
                    wait_check(page, ok=True)
                    page.wait_for_selector("#check-results li.note")
                    page.locator(".check").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"office-form-{size}.png"))
                    page.goto(server.url + "/edit/recommendation")
                    fill_recommendation(page, theme=False)
                    select_passage(page, D3_MEASURE)
                    page.wait_for_function("(t) => document.getElementById('check-results').textContent.includes(t)", arg="Thema")
                    page.locator(".check").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"recommendation-invalid-{size}.png"))
                    markdown = tmp / "t1.md"
                    markdown.write_text(T1_TEXT, encoding="utf-8")
                    page.goto(server.url + "/edit/source")
                    fill_source(page, markdown_file=markdown, label_suffix=f" ({size})")
                    wait_check(page, ok=True)
                    page.locator("#f-text").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"source-form-{size}.png"))
                    page.click("button.save")
                    page.wait_for_url("**/edit/changes**")
                    source = httpx.get(server.url + "/api/changes", timeout=30).json()["changes"][0]["about"]
                    page.goto(server.url + f"/edit/statement?text={source}")
                    select_passage(page, T1_QUOTE)
                    page.screenshot(path=str(OUT / f"source-statement-{size}.png"))
                    page.goto(server.url + "/id/" + source.split("/id/", 1)[1])
                    page.screenshot(path=str(OUT / f"source-reader-{size}.png"))
                    page.context.close()
                browser.close()
        finally:
            server.stop()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
