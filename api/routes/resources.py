"""``GET /api/...``: organisations, persons, themes, policy levels, documents, events and the
validation report, as JSON for other tools. Thin: the answers come from :mod:`graph.domain.lists`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import get_store
from api.listing import (FILTER_MARK, IRI_PATTERN, LIST_RESPONSES, ListPage, Paging, cached_json, check_day, check_iri,
                         known_parameters, negotiate_lang, page_response, paging, read_view, resolve_filter, store_guard)
from graph.domain import lists as queries
from graph.store import Store

router = APIRouter(prefix="/api", tags=["resources"], dependencies=[Depends(store_guard), Depends(known_parameters)])

IRI = Annotated[str, Field(description="IRI of the resource", examples=["https://w3id.org/zukunftsdialog/id/organisation/dgb-nrw"])]


class Ref(BaseModel):
    """A linked resource: its IRI and its label in the requested language."""

    id: IRI
    label: str


class Labels(BaseModel):
    de: str | None = None
    en: str | None = None


class PersonRef(BaseModel):
    id: IRI
    name: str


class Tenure(BaseModel):
    """When a post was held, as precisely as the sources say: null where no source says."""

    post: IRI
    start: str | None = Field(description="Start of the holding: YYYY-MM-DD, YYYY-MM or YYYY; null where no source dates it.")
    end: str | None = Field(description="End of the holding, as precise as the source; null where no source ends it.")
    start_inferred: bool = Field(description="The start is inferred (from a weekday or the context), not printed in the source.")
    end_inferred: bool = Field(description="The end is inferred, not printed in the source.")


class Representative(Tenure):
    person: PersonRef
    role: Ref | None


class Organisation(BaseModel):
    id: IRI
    label: str = Field(description="Full name in the requested language (fallback: the other one).")
    labels: Labels
    alt_labels: list[str] = Field(description="Short names, e.g. as printed in the Letter of Intent.")
    type: Ref | None = Field(description="Organisation type (SKOS concept).")
    parent: str | None = Field(description="IRI of the parent body (org:unitOf), or null.")
    signatory: bool = Field(description="A document was signed on its behalf.")
    representatives: list[Representative]


class PostRef(Tenure):
    organisation: Ref
    role: Ref | None


class Person(BaseModel):
    id: IRI
    name: str
    honorific_prefix: str | None = Field(examples=["Dr."])
    honorific_suffix: str | None = Field(examples=["MdL"])
    posts: list[PostRef]


class Theme(BaseModel):
    id: IRI
    label: str
    labels: Labels
    scheme: str
    recommendation_count: int = Field(description="Recommendations on this theme, directly or via a SKOS-mapped field.")
    direct_recommendation_count: int = Field(description="Recommendations with this theme as dcterms:subject.")


class PolicyLevel(BaseModel):
    id: IRI
    label: str
    labels: Labels
    recommendation_count: int


class DocRef(BaseModel):
    id: IRI
    label: str
    url: str | None


class SourceEntry(BaseModel):
    """Where a fact comes from: the document, the exact passage, and the web source it cites."""

    document: DocRef
    quote: str | None
    cited: DocRef | None


class Document(BaseModel):
    id: IRI
    label: str
    labels: Labels
    kind: Literal["document", "source"] = Field(description="document: a document of the dialogue; source: a report about it.")
    title: str | None
    date: str | None = Field(description="As precise as recorded: YYYY-MM-DD, YYYY-MM or YYYY.")
    date_accepted: str | None = Field(description="Date of adoption (e.g. the cabinet decision), where recorded.")
    issued: str | None = Field(description="Date of publication or presentation, where recorded.")
    type: Ref | None
    language: str | None
    url: str | None
    publisher: str | None
    identifier: str | None = Field(examples=["S1"])
    reliability: Ref | None
    sources: list[DocRef]


class Event(BaseModel):
    id: IRI
    label: str
    labels: Labels
    kind: Literal["meeting", "signing", "event"]
    date: str | None
    dates: list[str] = Field(description="Every recorded date (sources may disagree).")
    reported_on: str | None = Field(description="Date of the report, for events known only from one.")
    number: str | None = Field(description="Number of the meeting, where a source states it.")
    place: Ref | None
    description: str | None
    part_of: Ref | None = Field(description="The process the event belongs to.")
    topics: list[Ref]
    participants: list[Ref]
    sources: list[SourceEntry]


class ValidationResult(BaseModel):
    focus: str | None = None
    path: str | None = None
    severity: str | None = None
    message: dict[str, str | None] = Field(default_factory=dict)

    model_config = {"extra": "allow"}


class Completeness(BaseModel):
    themes_without_recommendations: list[Ref]
    levels_without_recommendations: list[Ref]


class ValidationReport(BaseModel):
    conforms: bool
    results: list[ValidationResult]
    completeness: Completeness

    model_config = {"extra": "allow"}


StoreDep = Annotated[Store, Depends(get_store)]
LangDep = Annotated[str, Depends(negotiate_lang)]
PagingDep = Annotated[Paging, Depends(paging)]
ReadDep = Annotated[Store, Depends(read_view)]
# A real day (checked by api.listing.check_day, a 422 problem otherwise); "format: date" tells
# clients and fuzzers so, which a YYYY-MM-DD pattern would not (it lets 2025-02-30 through).
AsOfQ = Annotated[str | None, Query(examples=["2025-06-01"], json_schema_extra={"format": "date"}, max_length=10,
                                    description="The day whose post holders to show (YYYY-MM-DD; default: today).")]


@router.get("/organisations", response_model=ListPage[Organisation], responses=LIST_RESPONSES,
            summary="Organisations with type, parent body and representatives")
def list_organisations(
    request: Request, store: ReadDep, lang: LangDep, page: PagingDep, as_of: AsOfQ = None,
    type_: Annotated[str | None, Query(alias="type", max_length=2000, json_schema_extra={FILTER_MARK: "type"}, description="Organisation type: its slug (`gewerkschaft`) or IRI (…/organisation-type/gewerkschaft); an unknown one is a 422 listing the valid ones.",
                                       examples=["gewerkschaft"])] = None,
    signatory: Annotated[bool | None, Query(description="Only organisations a document was (true) or was not (false) signed for.")] = None,
) -> Response:
    # The valid values come from the whole graph (types are editorial: editorial=false keeps the
    # filter valid and answers with what the view has).
    chosen = resolve_filter(request.app.state.store, "type", type_)
    result = queries.organisations(store, lang, type_=chosen, signatory=signatory,
                                   as_of=check_day("as_of", as_of), limit=page.limit, offset=page.offset)
    return page_response(request, result, page)


@router.get("/persons", response_model=ListPage[Person], responses=LIST_RESPONSES,
            summary="Persons with honorifics and the posts they hold")
def list_persons(request: Request, store: ReadDep, lang: LangDep, page: PagingDep, as_of: AsOfQ = None) -> Response:
    return page_response(request, queries.persons(store, lang, as_of=check_day("as_of", as_of), limit=page.limit, offset=page.offset), page)


@router.get("/themes", response_model=ListPage[Theme], responses=LIST_RESPONSES,
            summary="The key themes (or another theme scheme) with recommendation counts")
def list_themes(
    request: Request, store: ReadDep, lang: LangDep, page: PagingDep,
    scheme: Annotated[str | None, Query(pattern=IRI_PATTERN, description="Concept scheme IRI (default: the letter's key themes).")] = None,
) -> Response:
    chosen = check_iri("scheme", scheme) or queries.THEMES_SCHEME
    return page_response(request, queries.themes(store, lang, scheme=chosen, limit=page.limit, offset=page.offset), page)


@router.get("/policy-levels", response_model=ListPage[PolicyLevel], responses=LIST_RESPONSES,
            summary="Policy levels (Land, Bund, EU, not stated) with recommendation counts")
def list_policy_levels(request: Request, store: ReadDep, lang: LangDep, page: PagingDep) -> Response:
    return page_response(request, queries.policy_levels(store, lang, limit=page.limit, offset=page.offset), page)


@router.get("/documents", response_model=ListPage[Document], responses=LIST_RESPONSES,
            summary="Documents of the dialogue and the sources reporting on them")
def list_documents(
    request: Request, store: ReadDep, lang: LangDep, page: PagingDep,
    kind: Annotated[Literal["document", "source"] | None, Query(description="Only documents or only sources.")] = None,
) -> Response:
    return page_response(request, queries.documents(store, lang, kind=kind, limit=page.limit, offset=page.offset), page)


@router.get("/events", response_model=ListPage[Event], responses=LIST_RESPONSES,
            summary="Events of the dialogue (meetings, the signing) with date and topics")
def list_events(request: Request, store: ReadDep, lang: LangDep, page: PagingDep) -> Response:
    return page_response(request, queries.events(store, lang, limit=page.limit, offset=page.offset), page)


@router.get("/validation", response_model=ValidationReport, responses=LIST_RESPONSES,
            summary="SHACL report of the whole graph, plus what it lacks")
def validation_report(request: Request, store: StoreDep, lang: LangDep) -> Response:
    from graph.shacl import validation

    report: dict[str, Any] = dict(validation.validate(store).to_dict())
    report["completeness"] = queries.completeness(store, lang)
    return cached_json(request, report)
