"""``/api/recommendations``: the filtered list, one recommendation, and the checked writes
(``POST`` adds one, ``DELETE`` removes exactly what a ``POST`` added).

A write needs the bearer token (api.auth); it is checked field by field and against the SHACL
shapes before anything is stored or removed (graph.domain.recommendations, graph.shacl), so a
refused write changes nothing. ``Idempotency-Key`` makes a retried POST safe.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import require_token
from api.deps import get_store
from api.listing import (FILTER_MARK, IRI_PATTERN, LIST_RESPONSES, ListPage, Paging, cached_json, check_iri,
                         known_parameters, negotiate_lang, page_response, paging, read_view, resolve_filter, store_guard)
from api.problems import Problem, field_error, store_problem
from api.routes.resources import Ref, SourceEntry
from graph.domain import changes
from graph.domain import lists as queries
from graph.domain import recommendations as recs
from graph.store import Store, StoreError

router = APIRouter(prefix="/api", tags=["recommendations"], dependencies=[Depends(store_guard), Depends(known_parameters)])

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
    """What a 201 (or the replay of one) answers; ``Location`` is ``/id/recommendation/{slug}``."""

    id: str = Field(examples=[_ID + "recommendation/api-0f3c2a9e4b7d4c1e8a5b6c7d8e9f0a1b"])
    graph: str = Field(examples=[_ID + "source/api-0f3c2a9e4b7d4c1e8a5b6c7d8e9f0a1b"])


StoreDep = Annotated[Store, Depends(get_store)]


SlugPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,199}$", description="The last part of the recommendation's IRI.",
                               examples=["loi-angekuendigte-handlungsempfehlungen"])]
FilterQ = "Its slug (`{slug}`) or IRI; an unknown one is a 422 listing the valid ones."


@router.get("/recommendations", response_model=ListPage[Recommendation], responses=LIST_RESPONSES,
            summary="Recommendations, filtered by theme, level, actor and source")
def list_recommendations(
    request: Request,
    store: Annotated[Store, Depends(read_view)],
    lang: Annotated[str, Depends(negotiate_lang)],
    page: Annotated[Paging, Depends(paging)],
    theme: Annotated[str | None, Query(max_length=2000, json_schema_extra={FILTER_MARK: "theme"}, examples=["kreislaufwirtschaft"],
                                       description="Theme (also matches fields SKOS-mapped to it). " + FilterQ.format(slug="kreislaufwirtschaft"))] = None,
    level: Annotated[str | None, Query(max_length=2000, json_schema_extra={FILTER_MARK: "level"}, examples=["eu"],
                                       description="Policy level. " + FilterQ.format(slug="eu"))] = None,
    actor: Annotated[str | None, Query(max_length=2000, json_schema_extra={FILTER_MARK: "actor"}, examples=["dgb-nrw"],
                                       description="Proposing organisation. " + FilterQ.format(slug="dgb-nrw"))] = None,
    source: Annotated[str | None, Query(pattern=IRI_PATTERN, description="IRI of a source document or record, or its URL.")] = None,
) -> Response:
    result = queries.recommendations(
        store, lang,
        theme=resolve_filter(request.app.state.store, "theme", theme),
        level=resolve_filter(request.app.state.store, "level", level),
        actor=resolve_filter(request.app.state.store, "actor", actor), source=check_iri("source", source),
        limit=page.limit, offset=page.offset,
    )
    return page_response(request, result, page)


def _iri(slug: str) -> str:
    return f"{_ID}recommendation/{slug}"


@router.get("/recommendations/{slug}", response_model=Recommendation,
            responses={304: LIST_RESPONSES[304], 404: {"description": "No recommendation with this slug."}},
            summary="One recommendation")
def get_recommendation(request: Request, store: StoreDep, lang: Annotated[str, Depends(negotiate_lang)], slug: SlugPath) -> Response:
    iri = _iri(slug)
    if not queries.is_recommendation(store, iri):
        raise Problem(404, f"No recommendation {slug!r}.", type_="not-found")
    return cached_json(request, queries.describe_recommendations(store, [iri], lang)[0])


async def require_json(request: Request) -> None:
    """A JSON write must say it is JSON: another media type is 415, not a field error."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise Problem(415, f"The body must be application/json, not {media or 'unstated'}.", type_="unsupported-media-type",
                      headers={"Accept-Post": "application/json"})


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=255,
    description="Any string up to 255 characters. The same key with the same body answers as the first call did "
                "(stored once); the same key with another body is a 422 (`type` …/idempotency-key-reused).")]


def _created(added: recs.Added, replayed: bool) -> JSONResponse:
    headers = {"Location": "/id/" + added.id.removeprefix(_ID)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse({"id": added.id, "graph": added.graph}, status_code=201, headers=headers)


def _shacl_problem(report: Any, detail: str, status: int = 422) -> Problem:
    results: list[dict[str, Any]] = report.to_dict().get("results", [])
    errors = [field_error(r.get("path") or "", r.get("focus"), (r.get("message") or {}).get("en") or "")
              for r in results if r.get("severity", "").endswith("Violation")]
    return Problem(status, detail, type_="shacl-violation", results=results, errors=errors)


@router.post(
    "/recommendations",
    status_code=201,
    response_model=Created,
    dependencies=[Depends(require_token), Depends(require_json)],
    summary="Add a recommendation (bearer token; checked against the shapes; Idempotency-Key)",
    responses={
        201: {"description": "Stored (or, with the same Idempotency-Key and body, stored before: "
                             "`Idempotent-Replayed: true`). Location is the recommendation's page on this server.",
              "headers": {"Location": {"description": "/id/recommendation/{slug} on this server", "schema": {"type": "string"}},
                          "Idempotent-Replayed": {"description": "true when this answers a repeated key", "schema": {"type": "string"}}}},
        400: {"description": "The body is not JSON."},
        401: {"description": "No or a wrong bearer token."},
        403: {"description": "Writes are disabled on this server (no token configured)."},
        409: {"description": "A recommendation with the same text and source exists; `id` names it. Nothing stored."},
        415: {"description": "The body is not application/json."},
        422: {"description": "Fields invalid, the shapes refuse it, or the Idempotency-Key was used for another body "
                             "(problem details with `errors: [{field, value, message}]`); nothing stored."},
    },
)
def add_recommendation(
    store: StoreDep,
    body: Annotated[NewRecommendationBody, Body()],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    new = recs.NewRecommendation(
        text=body.text, lang=body.lang, themes=body.themes, levels=body.levels,
        proposed_by=body.proposed_by, source=body.source, date=body.date,
    )
    def recorded(quads: list) -> None:
        # Recorded in the change log like every curation write: who (the token's holder, the
        # API client), when, exactly what was added; revertible from /edit/changes.
        changes.record(store, quads, [], agent=changes.API_CLIENT, agent_label="API client (token)",
                       reason="POST /api/recommendations", kind="recommendation")

    try:
        stored = recs.add_recommendation(store, new, key=idempotency_key, write=recorded)
    except changes.Rejected as exc:
        raise _shacl_problem(exc.report, "The recommendation would break the shapes; nothing was stored.") from None
    except recs.Rejected as exc:
        if exc.report is not None:
            raise _shacl_problem(exc.report, "The recommendation would break the shapes; nothing was stored.") from None
        raise Problem(422, "The recommendation has invalid fields; nothing was stored.",
                      type_="invalid-request", errors=exc.errors) from None
    except recs.Duplicate as exc:
        raise Problem(409, f"A recommendation with this text and source exists: {exc.existing}; nothing was stored.",
                      type_="duplicate", id=exc.existing) from None
    except recs.KeyReused as exc:
        raise Problem(422, "This Idempotency-Key was used for another body; nothing was stored.",
                      type_="idempotency-key-reused", id=exc.existing,
                      errors=[field_error("Idempotency-Key", idempotency_key, "used before for a different body")]) from None
    except StoreError as exc:
        raise store_problem(exc) from None
    return _created(stored.added, stored.replayed)


@router.delete(
    "/recommendations/{slug}",
    status_code=204,
    dependencies=[Depends(require_token)],
    summary="Remove a recommendation submitted through the API (bearer token; checked against the shapes)",
    responses={
        204: {"description": "Removed: exactly the quads its POST added (its submission graph)."},
        401: {"description": "No or a wrong bearer token."},
        403: {"description": "Writes are disabled, or the recommendation is curated data (from data/), not an API submission."},
        404: {"description": "No recommendation with this slug."},
        409: {"description": "Other data depends on it: removing it would break the shapes (SHACL results); nothing removed."},
    },
)
def delete_recommendation(store: StoreDep, slug: SlugPath) -> Response:
    def recorded(quads: list) -> None:
        # In the change log like the POST that added it: who, when, exactly what was removed.
        changes.record(store, [], quads, agent=changes.API_CLIENT, agent_label="API client (token)",
                       reason=f"DELETE /api/recommendations/{slug}", kind="recommendation-removal")

    try:
        recs.remove_recommendation(store, _iri(slug), remove=recorded)
    except changes.Rejected as exc:
        raise _shacl_problem(exc.report, "Removing it would break the shapes; nothing was removed.", 409) from None
    except LookupError:
        raise Problem(404, f"No recommendation {slug!r}.", type_="not-found") from None
    except recs.NotSubmitted:
        raise Problem(403, f"{slug!r} is curated data from the sources (data/), not an API submission; "
                           "it is changed in the data files.", type_="curated") from None
    except StoreError as exc:
        raise store_problem(exc) from None
    return Response(status_code=204)
