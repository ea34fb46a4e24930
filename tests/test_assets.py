"""Files served as they are (api.assets: Starlette's StaticFiles over allow-lists), on a real server.

What the pages need from them: the media type our CSP and ``nosniff`` rely on, an hour of
caching for our own files, revalidation by ETag; and nothing else of the folders they lie in
(Swagger UI's package folder holds its ``__init__.py``, graph/page/templates the page's HTML).
"""

from __future__ import annotations

import httpx
import pytest

JS, CSS = "text/javascript; charset=utf-8", "text/css; charset=utf-8"


@pytest.mark.parametrize(("path", "media", "cached"), [
    ("/sparql/assets/yasgui.min.js", JS, True),
    ("/sparql/assets/query-page.css", CSS, True),
    ("/graph/assets/graph.js", JS, True),
    ("/graph/assets/vis-network.min.js", JS, True),
    ("/docs/assets/swagger-ui-bundle.js", JS, False),
    ("/docs/assets/favicon-32x32.png", "image/png", False),
    ("/edit/assets/edit.js", JS, False),  # no-cache: revalidated on every use
    ("/edit/assets/edit.css", CSS, False),
])
def test_an_asset_has_its_media_type_and_revalidates(shared_api, path: str, media: str, cached: bool) -> None:
    r = httpx.get(shared_api.url + path)
    assert r.status_code == 200 and r.headers["content-type"] == media and r.content
    assert r.headers["x-content-type-options"] == "nosniff"
    assert (r.headers.get("cache-control") == "public, max-age=3600") is cached
    again = httpx.get(shared_api.url + path, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize("path", [
    "/docs/assets/__init__.py", "/docs/assets/index.html", "/docs/assets/",
    "/graph/assets/graph.html", "/graph/assets/render.py",
    "/sparql/assets/README.md", "/sparql/assets/..%2fauth.py", "/sparql/assets/sub/yasgui.min.js",
    "/edit/assets/../curation.py", "/edit/assets/edit.js.map",
])
def test_nothing_but_the_listed_files(shared_api, path: str) -> None:
    r = httpx.get(shared_api.url + path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "/problems/not-found"


def test_favicon_is_the_query_pages_icon(shared_api) -> None:
    # browsers ask for /favicon.ico whatever a page links
    r = httpx.get(shared_api.url + "/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.content == httpx.get(shared_api.url + "/sparql/assets/favicon.svg").content


def test_assets_are_read_only(shared_api) -> None:
    assert httpx.post(shared_api.url + "/graph/assets/graph.js").status_code == 405
