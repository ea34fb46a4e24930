"""Files served as they are (scripts, styles, icons): Starlette's StaticFiles over an allow-list.

Each mount names its files: URL name → (file, media type). A name not in the list is a 404,
so a package folder (Swagger UI's, pyvis's) never serves its ``__init__.py`` or anything else
that happens to lie next to the files a page needs. StaticFiles answers ``GET`` and ``HEAD``,
sends ``ETag`` and ``Last-Modified`` and answers a revalidation with 304.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.problems import Problem

#: Our own assets may be cached for an hour (a new release changes them rarely).
CACHE_AN_HOUR = {"Cache-Control": "public, max-age=3600"}


class AllowedFiles(StaticFiles):
    """StaticFiles that serves exactly ``files`` (URL name → (path, media type)), with ``headers``."""

    def __init__(self, files: Mapping[str, tuple[Path, str]], headers: Mapping[str, str] | None = None):
        super().__init__(directory=None, check_dir=False)
        self.files = dict(files)
        self.headers = dict(headers or {})

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        entry = self.files.get(path)
        if entry is None:
            return "", None
        try:
            return str(entry[0]), os.stat(entry[0])
        except FileNotFoundError:
            return "", None

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            raise Problem(404, f"No asset {path!r}.", type_="not-found") from None
        response.headers.update(self.headers)
        if response.status_code == 200:
            # our media types, not the platform's guess (.js is application/javascript on some)
            response.headers["content-type"] = self.files[path][1]
        return response
