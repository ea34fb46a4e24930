"""Linked data: ``/id/...`` for every resource IRI, ``/ontology``, ``/shapes``, ``/dump.*``, and
the VoID/DCAT description at ``/dataset`` and ``/.well-known/void``.

Thin: descriptions come from :mod:`graph.domain.describe`, dumps from :mod:`graph.export`, the dataset
description from :mod:`graph.domain.catalog`. HTML goes through Jinja2 with autoescaping,
so text written into the graph (e.g. through the API) is shown, never run; links are only
ever ``/id/...`` paths or http(s) IRIs.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.routes import reader
from api.deps import get_store, public_base
from api.problems import RDF_CONTENT, Problem, problem_responses
from api.negotiation import LANGUAGE_VARY, accepted, language, switch_href, wants_html
from api.routes.sparql import query_service
from graph import jsonld
from graph.domain import model_docs
from graph.domain import catalog as dataset_description
from graph.vocab import ONTOLOGY_GRAPH, SHAPES_GRAPH
from graph.domain.describe import Description, describe, graph_rdf
from graph.domain.sources import slug
from graph.export import RDF_DUMPS
from graph.formats import content_type
from graph.vocab import ID_BASE, PREFIXES, compact
from graph.query.service import NotAcceptable, media_type_of, negotiate
from graph.store import Store

router = APIRouter(tags=["linked data"])
OA_HAS_SOURCE = "http://www.w3.org/ns/oa#hasSource"
OA_HAS_SELECTOR = "http://www.w3.org/ns/oa#hasSelector"
OA_EXACT = "http://www.w3.org/ns/oa#exact"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCTERMS_SOURCE = "http://purl.org/dc/terms/source"
DCTERMS_LANGUAGE = "http://purl.org/dc/terms/language"
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_ENV.globals["switch_href"] = switch_href  # the language switch (api.negotiation)
#: ``?format=`` overrides for links and browsers (the same formats as by Accept).
FORMAT_PARAM = {"ttl": "TURTLE", "turtle": "TURTLE", "jsonld": "JSON_LD", "nt": "N_TRIPLES", "rdfxml": "RDF_XML"}
TEXT = {
    "de": {"types": "Typ", "sources": "Belegt durch", "cited": "Quelle", "statements": "Aussagen",
           "property": "Eigenschaft", "value": "Wert", "incoming": "Verweise auf diese Ressource",
           "more": "(weitere Verweise nicht gezeigt)", "formats": "Als RDF", "network": "Netzwerk",
           "switch": "English"},
    "en": {"types": "Type", "sources": "Evidence", "cited": "source", "statements": "Statements",
           "property": "Property", "value": "Value", "incoming": "Resources pointing here",
           "more": "(more links not shown)", "formats": "As RDF", "network": "Network", "switch": "Deutsch"},
}


def _rdf_format(request: Request, fmt_param: str | None, what: str) -> str | None:
    """The Oxigraph RDF format to answer with, or None for HTML."""
    if fmt_param:
        if fmt_param not in FORMAT_PARAM:
            raise Problem(400, f"Unknown format {fmt_param!r}; use one of {', '.join(FORMAT_PARAM)}.",
                          type_="bad-format")
        return FORMAT_PARAM[fmt_param]
    accept = accepted(request.headers.get("accept"))
    if wants_html(accept):
        return None
    try:
        return negotiate(accept, "CONSTRUCT").graph
    except NotAcceptable:
        raise Problem(406, f"{what} is available as HTML, Turtle, JSON-LD, N-Triples or RDF/XML.",
                      type_="not-acceptable") from None


def _rdf_response(body: bytes, fmt: str) -> Response:
    return Response(body, media_type=content_type(media_type_of(fmt)), headers={"Vary": "Accept"})


def local_href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: our resources to ``/id/...``; other http(s) IRIs as they are."""
    if iri.startswith(ID_BASE):
        return "/id/" + iri[len(ID_BASE):]
    if iri.startswith(str(PREFIXES["zd"])):
        return "/ontology"
    if iri.startswith(("http://", "https://")):
        return iri
    return None  # urn:, mailto:, javascript: ... are shown, never linked


def _link(d: Description, iri: str, lang: str) -> dict:
    return {"iri": iri, "href": local_href(iri), "label": d.name(iri, lang) or compact(iri)}


def _value(d: Description, term, lang: str, depth: int = 0) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", **_link(d, term.value, lang)}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        plain = datatype in ("http://www.w3.org/2001/XMLSchema#string",
                             "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
        return {"kind": "literal", "text": term.value, "lang": term.language,
                "datatype": None if plain else compact(datatype)}
    if isinstance(term, ox.BlankNode) and depth < 3:
        return {"kind": "node", "rows": [{"p": _link(d, t.predicate.value, lang), "o": _value(d, t.object, lang, depth + 1)}
                                          for t in d.statements(term)]}
    return {"kind": "literal", "text": str(term), "lang": None, "datatype": None}


def _common(d: Description, path: str, lang: str) -> dict:
    title = d.label(d.iri, lang) or compact(d.iri)
    other = d.label(d.iri, "en" if lang == "de" else "de")
    return {"lang": lang, "other": "en" if lang == "de" else "de", "t": TEXT[lang], "r": reader.TEXT[lang],
            "title": title, "alt_title": other if other != title else None, "iri": d.iri, "path": path,
            "cite": reader.citation(title, d.iri, lang),
            "rows": [{"p": _link(d, t.predicate.value, lang), "o": _value(d, t.object, lang)} for t in d.statements()]}


def render_resource(store: Store, d: Description, path: str, lang: str) -> str:
    """The HTML page of a description (every text escaped by the template engine): the reader
    for a source with a text, the passage in context for an excerpt, else the statements."""
    common = _common(d, path, lang)
    view = reader.source_view(store, d.iri, lang)
    if view is not None:
        languages = [t.object.value for t in d.statements() if t.predicate.value == DCTERMS_LANGUAGE]
        text_lang = {"DEU": "de", "ENG": "en"}.get(languages[0].rsplit("/", 1)[-1]) if languages else None
        return _ENV.get_template("reader.html").render(**common, view=view, text_lang=text_lang)
    objects = {t.predicate.value: t.object for t in d.statements()}
    source = objects.get(OA_HAS_SOURCE)
    if source is not None and isinstance(source, ox.NamedNode):
        facts = [_link(d, s, lang) for s, p in d.incoming if p == PROV_DERIVED]
        cited = [_link(d, t.object.value, lang) for t in d.statements()
                 if t.predicate.value == DCTERMS_SOURCE and isinstance(t.object, ox.NamedNode)]
        exact = next((t.object.value for sel in d.statements() if sel.predicate.value == OA_HAS_SELECTOR
                      for t in d.statements(sel.object) if t.predicate.value == OA_EXACT), "")
        source_label = d.label(source.value, lang) or compact(source.value)
        common["cite"] = reader.citation(f"{source_label}, {reader.TEXT[lang]['passage']} {slug(d.iri)}", d.iri, lang)
        return _ENV.get_template("excerpt.html").render(
            **common, source=_link(d, source.value, lang), facts=facts, cited=cited, exact=exact,
            slug=slug(d.iri), context=reader.context_of(store, d.iri, source.value))
    quotes = []
    for q in d.quotes:
        context = reader.context_of(store, q.excerpt, q.document)
        quotes.append({
            "exact": context.passage if context else q.exact,
            "before": context.before if context else None, "after": context.after if context else None,
            "slug": slug(q.excerpt), "in_reader": bool(context),
            "document": _link(d, q.document, lang) if q.document else None,
            "cited": _link(d, q.cited, lang) if q.cited else None,
        })
    incoming = [{"s": _link(d, s, lang), "p": _link(d, p, lang)} for s, p in d.incoming]
    return _ENV.get_template("resource.html").render(
        **common, types=list({link["label"]: link for link in (_link(d, ty, lang) for ty in d.types())}.values()),
        quotes=quotes,
        incoming=incoming, incoming_more=len(d.incoming) >= 200,
    )


@router.get("/id/{path:path}", summary="Dereference a resource IRI (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
            responses={**{200: {"description": "RDF by Accept or format; HTML for browsers", "content": RDF_CONTENT}}, **problem_responses(400, 404, 406)})
async def resource(
    path: str, request: Request, store: Store = Depends(get_store),
    format: str | None = Query(None, description="ttl, jsonld, nt or rdfxml (overrides Accept)"),
    lang: str | None = Query(None, pattern="^(de|en)$", description="Language of the HTML page (default: negotiated)"),
) -> Response:
    iri = ID_BASE + path
    fmt = _rdf_format(request, format, "A resource")
    description = await anyio.to_thread.run_sync(lambda: describe(store, iri))
    if description is None:
        raise Problem(404, f"Nothing is known about <{iri}>.", type_="not-found")
    if fmt is None:
        chosen = language(request, lang)
        html = await anyio.to_thread.run_sync(lambda: render_resource(store, description, f"/id/{path}", chosen))
        return HTMLResponse(html, headers={"Vary": f"Accept, {LANGUAGE_VARY}"})
    return _rdf_response(description.serialise(getattr(ox.RdfFormat, fmt)), fmt)


def _graph_rdf(store: Store, graph: str, fmt: str) -> bytes:
    return graph_rdf(store, graph, getattr(ox.RdfFormat, fmt))


#: Texts of the /ontology and /shapes pages.
DOC_TEXT = {
    "de": {"contents": "Inhalt", "classes": "Klassen", "object_properties": "Objekteigenschaften",
           "datatype_properties": "Dateneigenschaften", "annotation_properties": "Annotationseigenschaften",
           "subClassOf": "Unterklasse von", "domain": "Definitionsbereich", "range": "Wertebereich",
           "subPropertyOf": "Untereigenschaft von", "version": "Version", "shapes": "SHACL-Regeln", "ontology": "Ontologie",
           "shapes_title": "SHACL-Regeln des Wissensgraphen",
           "shapes_intro": "Jede Änderung am Graphen wird gegen diese Regeln geprüft. Je Regel: wofür sie gilt (Ziel), "
                           "welche Eigenschaft sie prüft (Pfad), die Bedingungen, wie schwer ein Verstoß wiegt, und die "
                           "Meldung auf Deutsch und Englisch.",
           "target": "Gilt für", "no_target": "nur über andere Regeln", "path": "Pfad", "constraints": "Bedingungen",
           "severity": "Schwere", "message_de": "Meldung (deutsch)", "message_en": "Meldung (englisch)",
           "severities": {"Violation": "Verstoß", "Warning": "Warnung", "Info": "Hinweis"}},
    "en": {"contents": "Contents", "classes": "Classes", "object_properties": "Object properties",
           "datatype_properties": "Datatype properties", "annotation_properties": "Annotation properties",
           "subClassOf": "subclass of", "domain": "domain", "range": "range", "subPropertyOf": "subproperty of",
           "version": "version", "shapes": "SHACL shapes", "ontology": "Ontology",
           "shapes_title": "SHACL shapes of the knowledge graph",
           "shapes_intro": "Every change to the graph is checked against these shapes. Per rule: what it applies to "
                           "(target), which property it checks (path), its constraints, how severe a breach is, and "
                           "the message in German and English.",
           "target": "Applies to", "no_target": "only through other shapes", "path": "Path", "constraints": "Constraints",
           "severity": "Severity", "message_de": "Message (German)", "message_en": "Message (English)",
           "severities": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"}},
}


def _doc_page(template: str, lang: str, **values) -> str:
    return _ENV.get_template(template).render(lang=lang, other="en" if lang == "de" else "de", t=TEXT[lang],
                                              x=DOC_TEXT[lang], **values)


@router.get("/ontology", summary="The ontology: HTML documentation (pyLODE) or RDF by Accept",
            responses={**{200: {"description": "RDF by Accept or format; HTML for browsers", "content": RDF_CONTENT}}, **problem_responses(400, 406)})
async def ontology(request: Request, store: Store = Depends(get_store),
                   format: str | None = Query(None, description="ttl, jsonld, nt or rdfxml"),
                   lang: str | None = Query(None, pattern="^(de|en)$")) -> Response:
    fmt = _rdf_format(request, format, "The ontology")
    lang = language(request, lang)
    if fmt is None:
        def page() -> str:
            turtle = _graph_rdf(store, ONTOLOGY_GRAPH, "TURTLE")
            return _doc_page("ontology.html", lang, head=model_docs.ontology_header(turtle, lang),
                             terms=model_docs.ontology_terms(turtle, lang))
        return HTMLResponse(await anyio.to_thread.run_sync(page), headers={"Vary": f"Accept, {LANGUAGE_VARY}"})
    return _rdf_response(await anyio.to_thread.run_sync(lambda: _graph_rdf(store, ONTOLOGY_GRAPH, fmt)), fmt)


def _source_page(title: str, body: bytes) -> HTMLResponse:
    html = _ENV.from_string(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ title }}</title>"
        "<link rel=stylesheet href=/sparql/assets/query-page.css></head><body class=resource><header>"
        "<nav><a href=/>Zukunftsdialog Industrie</a> · <a href=/sparql>SPARQL</a></nav><h1>{{ title }}</h1>"
        "<p class=formats><a href=?format=ttl>Turtle</a> · <a href=?format=jsonld>JSON-LD</a></p></header>"
        "<main><pre>{{ text }}</pre></main></body></html>"
    ).render(title=title, text=body.decode("utf-8"))
    return HTMLResponse(html, headers={"Vary": "Accept"})


@router.get("/shapes", summary="The SHACL shapes (Turtle by default; HTML view for browsers)",
            responses={**{200: {"description": "RDF by Accept or format; HTML for browsers", "content": RDF_CONTENT}}, **problem_responses(400, 406)})
async def shapes(request: Request, store: Store = Depends(get_store),
                 format: str | None = Query(None, description="ttl, jsonld, nt or rdfxml"),
                 lang: str | None = Query(None, pattern="^(de|en)$")) -> Response:
    fmt = _rdf_format(request, format, "The shapes")
    lang = language(request, lang)
    body = await anyio.to_thread.run_sync(lambda: _graph_rdf(store, SHAPES_GRAPH, fmt or "TURTLE"))
    if fmt is None:
        html = await anyio.to_thread.run_sync(lambda: _doc_page("shapes.html", lang, shapes=model_docs.shapes(body, lang)))
        return HTMLResponse(html, headers={"Vary": f"Accept, {LANGUAGE_VARY}"})
    return _rdf_response(body, fmt)


@router.get("/context.jsonld", summary="The JSON-LD context of our JSON-LD (embedded in each document too)")
def jsonld_context() -> Response:
    return Response(jsonld.context_document(), media_type="application/ld+json; charset=utf-8")


@router.get("/dump.{suffix}", summary="The whole dataset: ttl, trig, nq or jsonld", responses={
    200: {"description": "The dump", "content": {m: {} for m in ("text/turtle", "application/trig",
                                                                 "application/n-quads", "application/ld+json")}},
    **problem_responses(404)})
async def dump(request: Request, suffix: str) -> Response:
    if suffix not in ("ttl", "trig", "nq", "jsonld"):
        raise Problem(404, f"No dump /dump.{suffix}; there are ttl, trig, nq and jsonld.", type_="not-found")
    dumps = request.app.state.dumps
    path = await anyio.to_thread.run_sync(lambda: dumps.path(query_service(request), suffix))
    media = RDF_DUMPS[suffix]
    return FileResponse(path, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'inline; filename="zukunftsdialog.{suffix}"'})


@router.get("/dataset", summary="VoID/DCAT description of the dataset",
            responses={**{200: {"description": "RDF by Accept or format; HTML for browsers", "content": RDF_CONTENT}}, **problem_responses(400, 406)})
@router.get("/.well-known/void", summary="VoID/DCAT description of the dataset", include_in_schema=False)
async def dataset(request: Request, store: Store = Depends(get_store),
                  format: str | None = Query(None, description="ttl, jsonld, nt or rdfxml")) -> Response:
    fmt = _rdf_format(request, format, "The dataset description")
    base = public_base(request)
    body = await anyio.to_thread.run_sync(
        lambda: dataset_description.dataset_description(store, base, fmt or "TURTLE"))
    if fmt is None:
        return _source_page("VoID/DCAT – Zukunftsdialog Industrie", body)
    return _rdf_response(body, fmt)
