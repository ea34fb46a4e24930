"""Content negotiation, in one place: media types (``Accept``) and the page language.

The language of every page and answer (``/``, ``/graph``, ``/id/…``, ``/api/…``) is chosen by
:func:`language`, in this order: the ``lang`` parameter, then the ``lang`` cookie (the pages'
language switch sets it), then the best of German and English in ``Accept-Language`` by its
q-values (RFC 9110 12.5.4), then German.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request

#: The languages of the pages and labels, German first (also the default).
LANGS = ("de", "en")
DEFAULT_LANG = "de"
LANG_COOKIE = "lang"
#: The request headers a language-negotiated response depends on.
LANGUAGE_VARY = "Accept-Language, Cookie"


def _weighted(header: str | None) -> list[tuple[str, float]]:
    """The items of a header like ``Accept`` with their q-values, in the order given.

    >>> _weighted("en-GB,en;q=0.9, de;q=0")
    [('en-gb', 1.0), ('en', 0.9), ('de', 0.0)]
    """
    items = []
    for part in (header or "").split(","):
        value, *params = part.split(";")
        value = value.strip().lower()
        if not value:
            continue
        q = 1.0
        for param in params:
            key, _, raw = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(raw), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        items.append((value, q))
    return items


def accepted(header: str | None) -> list[str]:
    """The media ranges of an ``Accept`` header, best first (q, then specificity, then order).

    >>> accepted("text/*;q=0.5, application/json, */*;q=0.1")
    ['application/json', 'text/*', '*/*']
    >>> accepted(None)
    ['*/*']
    """
    ranked = []
    for index, (media, q) in enumerate(_weighted(header or "*/*")):
        if q <= 0:
            continue
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranked.append((-q, -specificity, index, media))
    return [m for *_, m in sorted(ranked)] or ["*/*"]


def wants_html(accept: list[str]) -> bool:
    """True if a browser asks: HTML comes before any other format."""
    return accept[0] in ("text/html", "application/xhtml+xml")


def preferred_language(header: str | None) -> str | None:
    """The one of :data:`LANGS` that ``Accept-Language`` ranks highest, or None if it takes neither.

    A tag counts by its primary subtag (``en-GB`` is English); ``*`` stands for any language
    not named; equal q-values go by the order of the header.

    >>> preferred_language("en;q=0.1, de")
    'de'
    >>> preferred_language("fr, *;q=0.5, de;q=0")
    'en'
    >>> preferred_language("fr") is None
    True
    """
    named: dict[str, tuple[float, int]] = {}
    anything: tuple[float, int] | None = None
    for index, (tag, q) in enumerate(_weighted(header)):
        if tag == "*":
            anything = anything or (q, index)
            continue
        primary = tag.split("-")[0]
        if primary in LANGS and primary not in named:
            named[primary] = (q, index)
    ranked = []
    for lang in LANGS:
        score = named.get(lang, anything)
        if score is not None and score[0] > 0:
            ranked.append((-score[0], score[1], lang))
    return min(ranked)[2] if ranked else None


def choose_language(param: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``param``, else ``cookie``, else ``Accept-Language``, else German.

    >>> choose_language(None, "en", "de")
    'en'
    >>> choose_language("de", "en", "en")
    'de'
    >>> choose_language(None, "fr", "en;q=0.1, de")
    'de'
    """
    for given in (param, cookie):
        if given in LANGS:
            return given
    return preferred_language(accept_language) or DEFAULT_LANG


def language(request: Request, param: str | None = None) -> str:
    """:func:`choose_language` for a request (``param``: its ``lang`` parameter, if any)."""
    return choose_language(param, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def switch_href(lang: str, path: str) -> str:
    """The language switch's link on a page at ``path``: through ``/lang/{lang}``, which
    remembers the choice (the ``lang`` cookie) for ``/``, ``/graph`` and ``/id/`` alike, as the
    staff page's own switch does. A ``?lang=`` link would change one page only.

    >>> switch_href("en", "/id/person/anja-weber")
    '/lang/en?next=/id/person/anja-weber'
    """
    return f"/lang/{lang}?next={quote(path, safe='/')}"


def safe_next(target: str | None) -> str:
    r"""A path on this site to go back to (no open redirect): else ``/``.

    >>> [safe_next(t) for t in ("/graph", "//evil.example", "https://evil.example", "/\\evil", None)]
    ['/graph', '/', '/', '/', '/']
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
