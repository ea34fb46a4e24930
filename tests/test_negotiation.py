"""One negotiation for every page and answer: Accept-Language with q-values, the ``lang``
parameter and cookie, Accept, and ETags (If-None-Match, weak and ``*``).

Issue 12 found ``Accept-Language: en;q=0.1, de`` answered in English on ``/`` (it took the
first language named) and in German on ``/api``, and ``/api/network`` answering 200 to
``If-None-Match: W/"…"`` and ``*``. The tables below hold the cases; the HTTP tests ask
every route that has a language or an ETag the same question.
"""

from __future__ import annotations

import re

import httpx
import pytest

from api.caching import etag_matches
from api.negotiation import accepted, choose_language, preferred_language

THEME = "https://w3id.org/zukunftsdialog/id/theme/kreislaufwirtschaft"
#: The theme's name in the letter of intent (German) and in the project's English labels.
THEME_LABEL = {"de": "Kreislaufwirtschaft", "en": "Circular economy"}


@pytest.mark.parametrize(("header", "expected"), [
    ("en;q=0.1, de", "de"),  # the case that / and /api answered differently
    ("de;q=0.1, en", "en"),
    ("en-GB,en;q=0.9,de;q=0.5", "en"),
    ("fr, de;q=0.1", "de"),
    ("de-AT;q=0.8, en-US;q=0.9", "en"),
    ("EN-us", "en"),
    ("en, de", "en"),  # equal q: the order of the header
    ("de, en", "de"),
    ("*", "de"),  # any language: German first
    ("de;q=0, *", "en"),  # German refused, anything else welcome
    ("fr, *;q=0.5, de;q=0", "en"),
    ("de;q=abc, en;q=0.5", "en"),  # an unreadable q counts as 0
    ("en;q=0", None),
    ("fr", None),
    ("", None),
    (None, None),
    (" , ;q=1", None),
])
def test_preferred_language(header: str | None, expected: str | None) -> None:
    assert preferred_language(header) == expected


@pytest.mark.parametrize(("param", "cookie", "header", "expected"), [
    ("en", "de", "de", "en"),  # the parameter first
    (None, "en", "de", "en"),  # then the cookie
    (None, None, "en", "en"),  # then Accept-Language
    (None, None, None, "de"),  # then German
    ("fr", "xx", "en;q=0.1, de", "de"),  # unknown values are ignored, not errors
    (None, "fr", "de;q=0.2, en;q=0.3", "en"),
])
def test_choose_language(param, cookie, header, expected) -> None:
    assert choose_language(param, cookie, header) == expected


@pytest.mark.parametrize(("header", "expected"), [
    (None, ["*/*"]),
    ("", ["*/*"]),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     ["text/html", "application/xhtml+xml", "application/xml", "*/*"]),
    ("text/*;q=0.5, application/json, */*;q=0.1", ["application/json", "text/*", "*/*"]),
    ("text/turtle;q=0, application/ld+json", ["application/ld+json"]),
    ("*/*, text/turtle", ["text/turtle", "*/*"]),  # equal q: the more specific first
    ("Application/LD+JSON;Q=0.5", ["application/ld+json"]),
])
def test_accepted(header: str | None, expected: list[str]) -> None:
    assert accepted(header) == expected


@pytest.mark.parametrize(("if_none_match", "etag", "expected"), [
    ('"a1"', '"a1"', True),
    ('W/"a1"', '"a1"', True),  # weak comparison for GET (RFC 9110 13.1.2)
    ("*", '"a1"', True),
    ('"b2", W/"a1"', '"a1"', True),
    ('"b2" ,"a1"', '"a1"', True),
    ('"a1"', 'W/"a1"', True),
    ('"a12"', '"a1"', False),
    ('"b2"', '"a1"', False),
    ("a1", '"a1"', False),  # not a quoted entity tag
    ("", '"a1"', False),
    (None, '"a1"', False),
])
def test_etag_matches(if_none_match: str | None, etag: str, expected: bool) -> None:
    assert etag_matches(if_none_match, etag) is expected


# --- over HTTP: every route asks the same function ------------------------------------------

def _html_lang(r: httpx.Response) -> str:
    return re.search(r'<html lang="?(\w+)', r.text).group(1)


def _theme_label(r: httpx.Response) -> str:
    return next(t["label"] for t in r.json()["items"] if t["id"] == THEME)


def _network_label(r: httpx.Response) -> str:
    return next(n["label"] for n in r.json()["nodes"] if n["id"] == THEME)


PAGES = [
    ("/", _html_lang),
    ("/graph", _html_lang),
    ("/id/theme/kreislaufwirtschaft", _html_lang),
    ("/api/themes?limit=1000", lambda r: {v: k for k, v in THEME_LABEL.items()}[_theme_label(r)]),
    ("/api/network", lambda r: {v: k for k, v in THEME_LABEL.items()}[_network_label(r)]),
]


@pytest.mark.parametrize(("path", "read"), PAGES, ids=[p for p, _ in PAGES])
@pytest.mark.parametrize(("headers", "cookies", "query", "expected"), [
    ({"Accept-Language": "en;q=0.1, de"}, {}, "", "de"),
    ({"Accept-Language": "de;q=0.1, en"}, {}, "", "en"),
    ({"Accept-Language": "de"}, {"lang": "en"}, "", "en"),
    ({"Accept-Language": "en"}, {"lang": "en"}, "lang=de", "de"),
    ({}, {}, "", "de"),
], ids=["q-values-de", "q-values-en", "cookie", "parameter", "default"])
def test_every_page_negotiates_the_language_alike(shared_api, path, read, headers, cookies, query, expected) -> None:
    url = shared_api.url + path + (("&" if "?" in path else "?") + query if query else "")
    r = httpx.get(url, headers={"Accept": "text/html", **headers} if not path.startswith("/api") else headers,
                  cookies=cookies, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert read(r) == expected


@pytest.mark.parametrize("path", ["/api/network", "/api/network.graphml", "/api/themes"])
@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", "*", '"other", {etag}'])
def test_conditional_get_is_the_same_everywhere(shared_api, path: str, form: str) -> None:
    first = httpx.get(shared_api.url + path, timeout=60)
    etag = first.headers["etag"]
    again = httpx.get(shared_api.url + path, headers={"If-None-Match": form.format(etag=etag)}, timeout=60)
    assert again.status_code == 304, (path, form)
    assert again.headers["etag"] == etag and again.content == b""
    changed = httpx.get(shared_api.url + path, headers={"If-None-Match": '"not-this-one"'}, timeout=60)
    assert changed.status_code == 200


# The language switch of every page remembers the choice (issue 13, point 7: one choice across
# /, /graph and /id/): it goes through /lang/{lang}, which sets the cookie and goes back.
SWITCHED = ["/", "/id/theme/kreislaufwirtschaft", "/id/document/letter-of-intent-2023-01-20", "/ontology", "/shapes"]


@pytest.mark.parametrize("path", SWITCHED)
def test_a_page_s_language_switch_keeps_the_choice_for_every_page(shared_api, path: str) -> None:
    with httpx.Client(base_url=shared_api.url, headers={"Accept": "text/html", "Accept-Language": "de"},
                      timeout=60) as browser:
        page = browser.get(path)
        assert _html_lang(page) == "de"
        switch = re.search(r'<a href="(/lang/en\?next=[^"]+)"', page.text)
        assert switch, "no language switch through /lang/ on " + path
        chosen = browser.get(switch.group(1).replace("&amp;", "&"))
        assert chosen.status_code == 303 and chosen.headers["location"] == path
        cookie = chosen.headers["set-cookie"].lower()
        assert "lang=en" in cookie and "path=/" in cookie and "samesite=lax" in cookie
        for other in ("/", "/graph", "/id/theme/kreislaufwirtschaft", path):
            assert _html_lang(browser.get(other)) == "en", other  # no ?lang= needed any more


@pytest.mark.parametrize(("lang", "target", "location", "sets"), [
    ("de", "/graph", "/graph", True),
    ("en", "//evil.example/x", "/", True),        # no open redirect
    ("en", "https://evil.example/", "/", True),
    ("en", None, "/", True),
    ("fr", "/graph", "/graph", False),             # not a language of ours: nothing remembered
])
def test_the_switch_goes_back_only_to_our_own_pages(shared_api, lang, target, location, sets) -> None:
    r = httpx.get(shared_api.url + f"/lang/{lang}", params={"next": target} if target else {}, timeout=60)
    assert r.status_code == 303 and r.headers["location"] == location
    assert ("set-cookie" in r.headers) is sets
