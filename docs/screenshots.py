"""Screenshots of the reader and the linked-data pages, for the README and for looking at them.

``make screenshots`` runs this (after tests/browser/screenshots.py, which takes the staff
page's) against a fresh server on a loopback port: it writes ``docs/screenshot-reader.png``
(the README's) and, for review, every page at 1440x900 and 390x844 into ``build/screenshots/``.
Not part of ``make test``: it rewrites a tracked file.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PAGES = {
    "reader": "/id/source/followup-2023-2025?lang=de#record-d2",
    "reader-letter": "/id/document/letter-of-intent-2023-01-20#loi-schluesselthemen",
    "reader-addendum": "/id/source/followup-addendum-2026-12",
    "excerpt": "/id/excerpt/record-d2",
    "excerpt-letter": "/id/excerpt/loi-unterschrift-anja-weber",
    "resource": "/id/organisation/dgb-nrw",
    "shapes": "/shapes",
    "ontology": "/ontology",
    "sparql": "/sparql",
}
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                               "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, "ZDG_STORE": "memory"})
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        out = ROOT / "build" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        only = set(sys.argv[1:])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for size, (w, h) in SIZES.items():
                context = browser.new_context(viewport={"width": w, "height": h}, locale="de-DE")
                page = context.new_page()
                for name, path in PAGES.items():
                    if only and name not in only:
                        continue
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / f"{name}-{size}.png"))
                    if name == "reader" and size == "desktop":
                        page.screenshot(path=str(ROOT / "docs" / "screenshot-reader.png"))
                context.close()
            browser.close()
        print(f"screenshots in {out} and docs/screenshot-reader.png")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
