"""README screenshots of the network page, desktop (1440x900) and phone (390x844), in the
system Chromium against a real server over the shipped graph. Run by ``make screenshots``
(never by ``make test``: it rewrites tracked files under docs/).

    python -m tests.browser.screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_api

ROOT = Path(__file__).resolve().parents[2]
ANJA = "https://w3id.org/zukunftsdialog/id/person/anja-weber"
#: (file under docs/, viewport, context options, what to do before the picture)
SHOTS = [
    ("screenshot-graph.png", (1440, 900), {}, "overview"),
    ("screenshot-graph-details.png", (1440, 900), {}, "anja"),
    ("screenshot-graph-phone.png", (390, 844), {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}, "overview"),
    ("screenshot-graph-phone-details.png", (390, 844), {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}, "anja"),
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_api(str(Path(tmp) / "store"), Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, (w, h), options, action in SHOTS:
                    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="de-DE", **options)
                    page = ctx.new_page()
                    page.goto(server.url + "/graph", timeout=120_000)
                    page.wait_for_function("window.zdgReady === true", timeout=60_000)
                    if action == "anja":
                        page.evaluate("id => window.zdg.select(id, true)", ANJA)
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / name))
                    print(out / name)
                    ctx.close()
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
