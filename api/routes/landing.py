"""``GET /``: what this is, and where to go (graph, query UI, API docs, dumps, ontology)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import get_store
from api.negotiation import LANG_COOKIE, LANGS, LANGUAGE_VARY, language, safe_next, switch_href
from graph.store import Store
from graph.domain.summary import summarise

router = APIRouter(tags=["pages"])

TEXT = {
    "de": {
        "title": "Zukunftsdialog Industrie – Wissensgraph",
        "intro": "Am 20. Januar 2023 unterzeichneten die Wirtschaftsministerin des Landes Nordrhein-Westfalen "
                 "und die Spitzen von 14 Kammern, Verbänden und Gewerkschaften einen Letter of Intent: NRW soll "
                 "bis spätestens 2045 die erste klimaneutrale und wettbewerbsfähigste Industrieregion Europas werden. "
                 "Dieser Wissensgraph macht den Dialog abfragbar, prüfbar und erkundbar; jede Aussage verweist auf "
                 "die Textstelle, aus der sie stammt.",
        "counts": "{organisations} Organisationen · {persons} Personen · {themes} Schlüsselthemen · "
                  "{recommendations} Handlungsempfehlungen · {excerpts} belegte Textstellen · {quads} Tripel in {graphs} Quellgraphen",
        "links": [
            ("/graph?lang=de", "Netzwerk erkunden", "Interaktive Karte der Unterzeichnenden, Organisationen, Themen und Empfehlungen"),
            ("/sparql", "SPARQL-Abfrage", "Abfrageeditor mit Beispielfragen; SPARQL-1.1-Endpunkt für eigene Werkzeuge"),
            ("/docs", "JSON-API", "OpenAPI-Dokumentation der REST-Schnittstelle"),
            ("/ontology", "Ontologie", "Das Modell: W3C ORG, SKOS, PROV-O, DCTERMS, FOAF, OWL-Time, Web Annotation"),
            ("/shapes", "SHACL-Shapes", "Was ein vollständiger, konsistenter Graph erfüllen muss"),
            ("/api/validation", "Prüfbericht", "Der aktuelle SHACL-Bericht als JSON"),
        ],
        "dumps": "Gesamtdaten herunterladen",
        "switch": ("en", "English"),
    },
    "en": {
        "title": "Zukunftsdialog Industrie – knowledge graph",
        "intro": "On 20 January 2023 the economy minister of North Rhine-Westphalia and the heads of 14 chambers, "
                 "business associations and trade unions signed a Letter of Intent: NRW is to become Europe's first "
                 "climate-neutral and most competitive industrial region by 2045 at the latest. This knowledge graph "
                 "makes the dialogue queryable, checkable and explorable; every fact points to the passage it comes from.",
        "counts": "{organisations} organisations · {persons} persons · {themes} key themes · "
                  "{recommendations} recommendations · {excerpts} quoted passages · {quads} triples in {graphs} source graphs",
        "links": [
            ("/graph?lang=en", "Explore the network", "Interactive map of signatories, organisations, themes and recommendations"),
            ("/sparql", "SPARQL query", "Query editor with example questions; SPARQL 1.1 endpoint for your own tools"),
            ("/docs", "JSON API", "OpenAPI documentation of the REST interface"),
            ("/ontology", "Ontology", "The model: W3C ORG, SKOS, PROV-O, DCTERMS, FOAF, OWL-Time, Web Annotation"),
            ("/shapes", "SHACL shapes", "What a complete, consistent graph must satisfy"),
            ("/api/validation", "Validation report", "The current SHACL report as JSON"),
        ],
        "dumps": "Download the whole dataset",
        "switch": ("de", "Deutsch"),
    },
}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
main{max-width:60rem;margin:0 auto;padding:2rem 1.25rem}
header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}
h1{font-size:1.8rem;margin:.2rem 0 1rem}
p.intro{font-size:1.05rem;line-height:1.55;max-width:48rem}
p.counts{color:#4a5a6a}
ul.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem}
ul.cards li{background:#fff;border:1px solid #dde2e8;border-radius:.5rem;padding:1rem}
ul.cards a{font-weight:600;font-size:1.05rem;color:#0b5cad;text-decoration:none}
ul.cards p{margin:.4rem 0 0;color:#4a5a6a;font-size:.92rem}
.dumps a{margin-right:1rem;color:#0b5cad}
"""


@router.get("/", response_class=HTMLResponse, summary="Landing page / Startseite")
def landing(request: Request, lang: str | None = Query(None, pattern="^(de|en)$"), store: Store = Depends(get_store)) -> HTMLResponse:
    code = language(request, lang)
    t = TEXT[code]
    counts = t["counts"].format(**summarise(store).__dict__)
    cards = "".join(
        f'<li><a href="{escape(href)}">{escape(name)}</a><p>{escape(desc)}</p></li>' for href, name, desc in t["links"])
    dumps = " ".join(f'<a href="/dump.{f}">{f.upper()}</a>' for f in ("ttl", "trig", "nq", "jsonld"))
    switch_lang, switch_name = t["switch"]
    page = f"""<!doctype html>
<html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(t['title'])}</title><style>{STYLE}</style></head>
<body><main>
<header><h1>{escape(t['title'])}</h1><a href="{switch_href(switch_lang, '/')}" hreflang="{switch_lang}">{switch_name}</a></header>
<p class="intro">{escape(t['intro'])}</p>
<p class="counts">{escape(counts)}</p>
<ul class="cards">{cards}</ul>
<p class="dumps">{escape(t['dumps'])}: {dumps}</p>
</main></body></html>"""
    return HTMLResponse(page, headers={"Vary": LANGUAGE_VARY})


@router.get("/lang/{lang}", include_in_schema=False)
def choose(lang: str, next: str | None = None) -> RedirectResponse:
    """The pages' language switch: remember ``lang`` for every page (the cookie
    :func:`api.negotiation.language` reads), then back to the page (``next``, a path here)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=31536000, path="/", samesite="lax")
    return response
