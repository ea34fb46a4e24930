"""The "wird aktualisiert" marker on a staff page served while its update is computed.

After a write, ``GET /graph`` answers at once with the page as it was (graph.network.refresh)
and this marker: a banner saying that the picture is being updated, and a reload of the page a
few seconds later, by which time the new picture is usually ready (the page keeps its state in
the address, so the reload keeps it too). A string edit of the cached page, not a new render:
the data in the page is JSON with ``<`` escaped, so the first ``<head>`` and ``<body`` tags are
the page's own.
"""

from __future__ import annotations

import re

__all__ = ["updating_page", "TEXT", "RELOAD_S"]

#: Seconds until the page reloads itself.
RELOAD_S = 3
TEXT = {
    "de": "Die Daten wurden geändert – das Netzwerk wird aktualisiert …",
    "en": "The data changed – the network is updating …",
}
_BODY = re.compile(r"<body\b[^>]*>")


def updating_page(page: str, lang: str) -> str:
    """``page`` with the marker: a ``role=status`` banner and a reload in :data:`RELOAD_S` s.

    >>> out = updating_page('<html><head><title>t</title></head><body class="x"><main></main></body></html>', "de")
    >>> 'http-equiv="refresh"' in out, 'wird aktualisiert' in out, out.index("<body") < out.index("zdg-updating")
    (True, True, True)
    """
    text = TEXT.get(lang, TEXT["de"])
    page = page.replace("<head>", f'<head><meta http-equiv="refresh" content="{RELOAD_S}">', 1)
    match = _BODY.search(page)
    if match is None:  # pragma: no cover - our template always has a body
        return page
    banner = f'<p class="zdg-updating" role="status" aria-live="polite" lang="{lang}">{text}</p>'
    return page[: match.end()] + banner + page[match.end():]
