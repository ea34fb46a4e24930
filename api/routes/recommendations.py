"""``GET /api/recommendations`` (filtered list) and ``POST /api/recommendations`` (checked write).

A write needs the bearer token (api.auth); it is checked field by field and against the SHACL
shapes before anything is stored (graph.domain.recommendations), so a refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import require_token
from api.deps import get_store
from api.listing import IRI_PATTERN, LIST_RESPONSES, ListPage, Paging, check_iri, negotiate_lang, page_response, paging, store_guard, read_view
from api.problems import Problem
from api.routes.resources import Ref, SourceEntry
from graph.domain import lists as queries
from graph.domain import recommendations as recs
from graph.store import Store, StoreError

router = APIRouter(prefix="/api", tags=["recommendations"], dependencies=[Depends(store_guard)])

_ID = "https://w3id.org/zukunftsdialog/id/"


class Recommendation(BaseModel):
    id: str = Field(examples=[_ID + "recommendation/loi-angekuendigte-handlungsempfehlungen"])
    label: str | None
    text: str | None = Field(description="The recommendation's text (the verbatim quote where the source gives one).")
    themes: list[Ref]
    levels: list[Ref]
    proposed_by: list[Ref]
    status: Ref | None
    date: str | None
    sources: list[SourceEntry]


IRIValue = Annotated[str, Field(pattern=IRI_PATTERN, max_length=2000)]


class NewRecommendationBody(BaseModel):
    """A recommendation to add. Themes, levels and proposers are IRIs of the graph."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Genehmigungsverfahren für Anlagen der Kreislaufwirtschaft beschleunigen",
                    "lang": "de",
                    "themes": [_ID + "theme/kreislaufwirtschaft"],
                    "levels": [_ID + "policy-level/land"],
                    "proposed_by": [_ID + "organisation/dgb-nrw"],
                    "source": "https://www.example.org/stellungnahme-2025",
                    "date": "2025-06-30",
                }
            ]
        },
    )

    text: str = Field(min_length=1, max_length=recs.MAX_TEXT, description="The recommendation's text.")
    lang: Literal["de", "en"] = Field(description="Language of the text.")
    themes: list[IRIValue] = Field(min_length=1, max_length=50, description="Theme IRIs: key themes or mapped Handlungsfelder.")
    levels: list[IRIValue] = Field(default_factory=list, max_length=10,
                              description="Policy-level IRIs; none given = 'nicht angegeben' (not stated).")
    proposed_by: list[IRIValue] = Field(min_length=1, max_length=50, description="IRIs of the proposing organisations.")
    source: IRIValue = Field(description="IRI or http(s) URL of the source.")
    date: dt.date | None = Field(default=None, description="Date of the recommendation (YYYY-MM-DD).")


class Created(BaseModel):
    id: str = Field(examples=[_ID + "recommendation/api-0f3c2a9e4b7d4c1e8a5b6c7d8e9f0a1b"])
    graph: str = Field(examples=[_ID + "source/api-0f3c2a9e4b7d4c1e8a5b6c7d8e9f0a1b"])


StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/recommendations", response_model=ListPage[Recommendation], responses=LIST_RESPONSES,
            summary="Recommendations, filtered by theme, level, actor and source")
def list_recommendations(
    request: Request,
    store: Annotated[Store, Depends(read_view)],
    lang: Annotated[str, Depends(negotiate_lang)],
    page: Annotated[Paging, Depends(paging)],
    theme: Annotated[str | None, Query(pattern=IRI_PATTERN, description="Theme IRI; also matches fields SKOS-mapped to it.",
                                       examples=[_ID + "theme/kreislaufwirtschaft"])] = None,
    level: Annotated[str | None, Query(pattern=IRI_PATTERN, description="Policy-level IRI.", examples=[_ID + "policy-level/eu"])] = None,
    actor: Annotated[str | None, Query(pattern=IRI_PATTERN, description="IRI of a proposing organisation.")] = None,
    source: Annotated[str | None, Query(pattern=IRI_PATTERN, description="IRI of a source document or record, or its URL.")] = None,
) -> Response:
    result = queries.recommendations(
        store, lang,
        theme=check_iri("theme", theme), level=check_iri("level", level),
        actor=check_iri("actor", actor), source=check_iri("source", source),
        limit=page.limit, offset=page.offset,
    )
    return page_response(request, result, page)


@router.post(
    "/recommendations",
    status_code=201,
    response_model=Created,
    dependencies=[Depends(require_token)],
    summary="Add a recommendation (bearer token; checked against the shapes)",
    responses={
        201: {"description": "Stored; Location names the new recommendation.",
              "headers": {"Location": {"description": "IRI of the new recommendation", "schema": {"type": "string"}}}},
        400: {"description": "The body is not JSON."},
        401: {"description": "No or a wrong bearer token."},
        403: {"description": "Writes are disabled on this server (no token configured)."},
        422: {"description": "Fields invalid or the shapes refuse it (problem details with `errors` or `results`); nothing stored."},
    },
)
def add_recommendation(
    store: StoreDep,
    body: Annotated[NewRecommendationBody, Body()],
) -> JSONResponse:
    new = recs.NewRecommendation(
        text=body.text, lang=body.lang, themes=body.themes, levels=body.levels,
        proposed_by=body.proposed_by, source=body.source, date=body.date,
    )
    try:
        added = recs.add_recommendation(store, new)
    except recs.Rejected as exc:
        if exc.report is not None:
            report: dict[str, Any] = exc.report.to_dict()
            raise Problem(422, "The recommendation would break the shapes; nothing was stored.",
                          type_="shacl-violation", results=report.get("results", [])) from None
        raise Problem(422, "The recommendation has invalid fields; nothing was stored.",
                      type_="invalid-request", errors=exc.errors) from None
    except StoreError as exc:
        raise Problem(503, f"The store refused the write: {exc}", type_="store-unavailable") from None
    return JSONResponse({"id": added.id, "graph": added.graph}, status_code=201, headers={"Location": added.id})
