"""A real Chromium (the system one at /usr/bin/chromium) driven by Playwright, and a page
fixture that records every request the page makes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

class RecordingPage:
    """A Playwright page plus every URL it requested and every dialog or page error it raised."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def open(self, url: str) -> None:
        """Go to ``url`` and wait until the page has drawn the network (window.zdgReady)."""
        self.page.goto(url, timeout=120_000)
        self.page.wait_for_function("window.zdgReady === true", timeout=60_000)


@pytest.fixture
def staff(browser) -> Iterator[RecordingPage]:
    """The editing pages as staff see them: a desktop window, a German browser."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    try:
        yield RecordingPage(context.new_page())
    finally:
        context.close()


@pytest.fixture
def page(browser) -> Iterator[RecordingPage]:
    # A browser set to German, as the ministry's staff use it: pages without ?lang= follow
    # Accept-Language (api.negotiation), so the German expectations hold.
    context = browser.new_context(viewport={"width": 1400, "height": 860}, accept_downloads=True, locale="de-DE")
    try:
        yield RecordingPage(context.new_page())
    finally:
        context.close()
