"""Editing: sign-in, forms generated from the shapes, the dry run, the change log and revert.

Pages (German first, ``?lang=en``): ``/edit/login``, ``/edit`` (what to record),
``/edit/meeting``, ``/edit/statement``, ``/edit/correction`` (a form beside the source's text,
where the passage is selected), ``/edit/changes`` (the history, with revert). Every form post
needs a signed-in session and its CSRF token; a refused post changes nothing.

JSON twins for tools (bearer token, or a session with ``X-CSRF-Token``): ``GET /api/forms/{kind}``,
``POST /api/check/{kind}`` (the dry run: the same gate as a write, nothing stored),
``POST /api/meetings``, ``POST /api/statements``, ``POST /api/corrections``, ``GET /api/changes``,
``POST /api/changes/{id}/revert``. The domain work is :mod:`graph.domain.facts` (the quads and
the passage), :mod:`graph.domain.forms` (the form from the shapes), :mod:`graph.domain.changes`
(the gated, recorded write and its inverse).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from api import accounts
from api.accounts import Actor, require_writer
from api.deps import get_store
from api.listing import IRI_PATTERN, check_iri, store_guard
from api.negotiation import switch_href
from api.problems import Problem
from graph.domain import changes as log
from graph.domain import facts
from graph.domain import forms as forms_mod
from graph.domain.passages import source_text
from graph.domain.sources import to_html
from graph.store import Store, StoreError
from graph.vocab import ID_BASE

router = APIRouter(tags=["editing"], dependencies=[Depends(store_guard)])
_log = logging.getLogger("zdg.api.curation")
_ENV = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.globals["switch_href"] = switch_href  # the language switch (api.negotiation)
StoreDep = Annotated[Store, Depends(get_store)]
WriterDep = Annotated[Actor, Depends(require_writer)]
KINDS = ("meeting", "statement", "recommendation", "office", "source", "correction")

T = {
    "de": {
        "switch": "English", "login": "Anmelden", "logout": "Abmelden", "user": "Benutzername", "password": "Passwort",
        "signed_in": "Angemeldet als", "edit": "Erfassen", "history": "Änderungen", "bad_login": "Benutzername oder Passwort falsch.",
        "blocked": "Zu viele Fehlversuche; bitte in einigen Minuten erneut versuchen.",
        "meeting": "Treffen erfassen", "statement": "Aussage erfassen", "correction": "Bezeichnung oder Datum berichtigen",
        "passage": "Belegstelle", "passage_help": "Markieren Sie die Stelle im Text der Quelle rechts; sie wird wörtlich übernommen.",
        "text_source": "Text der Quelle", "show_text": "Text zeigen", "no_passage": "Noch keine Stelle markiert.",
        "reason": "Begründung (kurz)", "save": "Speichern", "check": "Prüfung durch die Shapes",
        "ok": "Die Shapes haben nichts einzuwenden.", "required": "Pflichtfeld", "refused": "Nicht gespeichert",
        "saved": "Gespeichert", "revert": "Rückgängig machen", "reverted_by": "rückgängig gemacht durch",
        "reverts": "macht rückgängig", "who": "Wer", "when": "Wann", "what": "Was", "added": "hinzugefügt",
        "removed": "entfernt", "none": "Noch keine Änderungen.", "subject": "Knoten (IRI)", "which": "Was berichtigen",
        "value": "Neuer Wert", "expired": "Ihre Sitzung ist abgelaufen oder das Formular ist ungültig. Bitte melden Sie sich erneut an; es wurde nichts geändert.",
        "intro": "Jede Angabe wird mit ihrer Quelle und der wörtlichen Stelle gespeichert, von den Shapes geprüft, Ihnen zugeschrieben und kann rückgängig gemacht werden.",
        "quote": "Zitat", "editorial": "Redaktionelle Anmerkung (wenn niemand zugeschrieben wird)", "kind": "Art",
        "open": "ansehen", "choose": "– bitte wählen –",
        "kind_meeting": "Treffen", "kind_statement": "Aussage", "kind_correction": "Berichtigung", "kind_revert": "Rücknahme", "all": "alle Änderungen",
        "recommendation": "Handlungsempfehlung erfassen", "office": "Amtswechsel erfassen",
        "kind_recommendation": "Handlungsempfehlung", "kind_office": "Amtswechsel",
        "kind_recommendation-removal": "Handlungsempfehlung entfernt",
        "partial_date": "JJJJ, JJJJ-MM oder JJJJ-MM-TT – so genau, wie die Quelle es angibt",
        "source": "Neue Quelle erfassen", "kind_source": "Neue Quelle",
        "upload": "… oder eine Markdown-Datei hochladen:",
        "source_help": "Die Quelle wird mit ihrem Text gespeichert; danach zeigt der Leser sie, und in ihrem Text lassen sich Belegstellen für weitere Angaben markieren. HTML ist im Text nicht erlaubt (Markdown).",
        "office_help": "Die bisherige Amtszeit in dieser Rolle endet mit dem Beginn der neuen; die Prüfung unten nennt, wessen Amtszeit endet.",
    },
    "en": {
        "switch": "Deutsch", "login": "Sign in", "logout": "Sign out", "user": "Username", "password": "Password",
        "signed_in": "Signed in as", "edit": "Record", "history": "Changes", "bad_login": "Wrong username or password.",
        "blocked": "Too many failed attempts; please try again in a few minutes.",
        "meeting": "Record a meeting", "statement": "Record a statement", "correction": "Correct a label or a date",
        "passage": "Source passage", "passage_help": "Select the passage in the source's text on the right; it is taken verbatim.",
        "text_source": "Text of the source", "show_text": "Show text", "no_passage": "No passage selected yet.",
        "reason": "Reason (short)", "save": "Save", "check": "Check by the shapes",
        "ok": "The shapes have no objection.", "required": "required", "refused": "Not saved",
        "saved": "Saved", "revert": "Revert", "reverted_by": "reverted by",
        "reverts": "reverts", "who": "Who", "when": "When", "what": "What", "added": "added",
        "removed": "removed", "none": "No changes yet.", "subject": "Node (IRI)", "which": "What to correct",
        "value": "New value", "expired": "Your session has expired or the form is not valid. Please sign in again; nothing was changed.",
        "intro": "Every fact is saved with its source and the verbatim passage, checked by the shapes, attributed to you, and can be reverted.",
        "quote": "Quote", "editorial": "Editorial note (when no one is attributed)", "kind": "Kind",
        "open": "view", "choose": "– please choose –",
        "kind_meeting": "Meeting", "kind_statement": "Statement", "kind_correction": "Correction", "kind_revert": "Revert", "all": "all changes",
        "recommendation": "Record a recommendation", "office": "Record a change of office",
        "kind_recommendation": "Recommendation", "kind_office": "Change of office",
        "kind_recommendation-removal": "Recommendation removed",
        "partial_date": "YYYY, YYYY-MM or YYYY-MM-DD – as precise as the source",
        "source": "Record a new source", "kind_source": "New source",
        "upload": "… or upload a Markdown file:",
        "source_help": "The source is stored with its text; the reader then shows it, and passages for later facts can be selected in its text. HTML is not allowed in the text (Markdown).",
        "office_help": "The current term in this role ends when the new one begins; the check below names whose term ends.",
    },
}


def _lang(lang: str | None) -> str:
    return lang if lang in ("de", "en") else "de"


def _page(name: str, request: Request, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = accounts.current_session(request)
    html = _ENV.get_template(name).render(t=T[lang], lang=lang, other="en" if lang == "de" else "de",
                                          session=session, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _safe_next(target: str | None) -> str:
    # Only our own editing pages: no open redirect to another site.
    return target if target and target.startswith("/edit") and not target.startswith("//") and "\\" not in target else "/edit"


# --- sign-in ----------------------------------------------------------------------------------

@router.get("/edit/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, lang: str | None = None, next: str | None = None) -> HTMLResponse:
    lang = _lang(lang)
    token = secrets.token_urlsafe(32)
    response = _page("edit_login.html", request, lang, login_csrf=token, next=_safe_next(next), error=None)
    response.set_cookie(accounts.LOGIN_COOKIE, token, max_age=900, **accounts.cookie_flags(request))
    return response


@router.post("/edit/login", response_class=HTMLResponse, include_in_schema=False)
async def login(request: Request, lang: str | None = None) -> Response:
    lang = _lang(lang)
    form = await request.form()
    user, password = str(form.get("username", "")), str(form.get("password", ""))
    given, expected = str(form.get("csrf", "")), request.cookies.get(accounts.LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        return _page("edit_message.html", request, lang, 403, message=T[lang]["expired"])
    store = accounts.sessions(request)
    if store.blocked(user):
        return _page("edit_login.html", request, lang, 429, login_csrf=expected, next=_safe_next(str(form.get("next", ""))),
                     error=T[lang]["blocked"])
    if not accounts.authenticate(user, password):
        store.failed(user)
        _log.info("sign-in refused for a username of %d characters", len(user))  # never the password, nor the name typed
        return _page("edit_login.html", request, lang, 401, login_csrf=expected, next=_safe_next(str(form.get("next", ""))),
                     error=T[lang]["bad_login"])
    cookie, _ = store.start(user)
    _log.info("signed in: %s", user)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))) + f"?lang={lang}", status_code=303)
    response.set_cookie(accounts.SESSION_COOKIE, cookie, max_age=int(accounts.session_minutes() * 60),
                        **accounts.cookie_flags(request))
    response.delete_cookie(accounts.LOGIN_COOKIE, path="/")
    return response


@router.post("/edit/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    session = accounts.current_session(request)
    form = await request.form()
    if session is not None and accounts.csrf_ok(session, str(form.get("csrf", ""))):
        accounts.sessions(request).end(request.cookies.get(accounts.SESSION_COOKIE))
    response = RedirectResponse("/edit/login", status_code=303)
    response.delete_cookie(accounts.SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request) -> accounts.Session | None:
    return accounts.current_session(request)


def _to_login(request: Request, lang: str) -> RedirectResponse:
    return RedirectResponse(f"/edit/login?lang={lang}&next={request.url.path}", status_code=303)


# --- pages -----------------------------------------------------------------------------------

@router.get("/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_home(request: Request, lang: str | None = None) -> Response:
    lang = _lang(lang)
    if _signed_in(request) is None:
        return _to_login(request, lang)
    return _page("edit_home.html", request, lang)


def _text_choice(store: Store, text: str | None) -> str:
    sources = facts.text_sources(store)
    return text if text in sources else next((s for s in sources if s.endswith("followup-2023-2025")), sources[0])


def _form_context(store: Store, kind: str, lang: str, text: str | None, values: dict | None = None) -> dict:
    text_source = _text_choice(store, text)
    fields = forms_mod.form(store, kind, lang) if kind != "correction" else _correction_fields(store, lang)
    md = source_text(text_source, store) or "" if kind != "source" else ""
    return {"kind": kind, "fields": fields, "text_source": text_source, "source_html": to_html(md),
            "text_sources": [(s, forms_mod.label_of(store, s, lang)) for s in facts.text_sources(store)],
            "values": values or {}, "results": None, "errors": None}


def _correction_fields(store: Store, lang: str) -> list[forms_mod.Field]:
    sources = forms_mod.choices_for(store, node=forms_mod.ZDS + "SourceWithReliability", lang=lang)
    names = {"prefLabel_de": ("Bezeichnung (deutsch)", "Label (German)"), "prefLabel_en": ("Bezeichnung (englisch)", "Label (English)"),
             "date": ("Datum", "Date")}
    which = [forms_mod.Choice(k, names[k][0 if lang == "de" else 1]) for k in facts.CORRECTABLE]
    # Suggestions (a datalist): the meetings, statements, organisations and persons by label.
    nodes = [c for cls in (forms_mod.ZD + "Meeting", forms_mod.ZD + "Statement", "http://www.w3.org/ns/org#FormalOrganization",
                           "http://xmlns.com/foaf/0.1/Person") for c in forms_mod.choices_for(store, cls=cls, lang=lang)]
    return [
        forms_mod.Field("subject", "", {"de": T["de"]["subject"], "en": T["en"]["subject"]}, "text", True, choices=nodes),
        forms_mod.Field("what", "", {"de": T["de"]["which"], "en": T["en"]["which"]}, "select", True, choices=which),
        forms_mod.Field("value", "", {"de": T["de"]["value"], "en": T["en"]["value"]}, "text", True),
        forms_mod.Field("source", forms_mod.DCT + "source", {"de": "Quelle (zitiert)", "en": "Source (cited)"}, "select", True,
                        choices=sources),
    ]


@router.get("/edit/{kind}", response_class=HTMLResponse, include_in_schema=False)
def edit_form(request: Request, kind: str, store: StoreDep, lang: str | None = None, text: str | None = None,
              subject: str | None = None) -> Response:
    lang = _lang(lang)
    if kind == "changes":
        return history_page(request, store, lang)
    if kind not in KINDS:
        raise Problem(404, f"No form {kind!r}; the forms are {', '.join(KINDS)}.", type_="not-found")
    if _signed_in(request) is None:
        return _to_login(request, lang)
    values = {"subject": subject} if subject and kind == "correction" else {}
    return _page("edit_form.html", request, lang, **_form_context(store, kind, lang, text, values))


def _submission(kind: str, form) -> tuple[dict, facts.Passage, str]:
    values: dict[str, Any] = {}
    for key in form.keys():
        if key in ("csrf", "reason", "text_source", "exact", "prefix", "suffix", "occurrence"):
            continue
        got = form.getlist(key)
        values[key] = got if len(got) > 1 else (got[0] if got else "")
    occurrence = str(form.get("occurrence", "")).strip()
    passage = facts.Passage(str(form.get("text_source", "")), str(form.get("exact", "")), str(form.get("prefix", "")),
                            str(form.get("suffix", "")), int(occurrence) if occurrence.isdigit() else None)
    return values, passage, str(form.get("reason", ""))


def _build(store: Store, kind: str, values: dict, passage: facts.Passage) -> facts.Built:
    if kind == "correction":
        return facts.build_correction(store, str(values.get("subject", "")), str(values.get("what", "")),
                                      str(values.get("value", "")), str(values.get("source", "")), passage)
    if kind == "source":
        return facts.build_source(store, values)  # the source is its own evidence: no passage
    return facts.build_fact(store, kind, values, passage)


def _agent(actor: Actor) -> tuple[str, str]:
    return (log.staff_agent(actor.name), actor.name) if actor.kind == "staff" else (log.API_CLIENT, "API client (token)")


@router.post("/edit/{kind}", response_class=HTMLResponse, include_in_schema=False)
async def edit_post(request: Request, kind: str, store: StoreDep, lang: str | None = None) -> Response:
    lang = _lang(lang)
    session = _signed_in(request)
    form = await request.form()
    if session is None or not accounts.csrf_ok(session, str(form.get("csrf", ""))):
        return _page("edit_message.html", request, lang, 403, message=T[lang]["expired"])
    if kind == "changes":
        return _revert_post(request, store, lang, session, form)
    if kind not in KINDS:
        raise Problem(404, f"No form {kind!r}.", type_="not-found")
    values, passage, reason = _submission(kind, form)
    context = _form_context(store, kind, lang, passage.text_source, values)
    context["passage"] = passage
    try:
        built = _build(store, kind, values, passage)
        change = log.record(store, built.added, built.removed, agent=log.staff_agent(session.user),
                            agent_label=session.user, reason=reason, kind=kind)
    except facts.Invalid as exc:
        return _page("edit_form.html", request, lang, 422, **{**context, "errors": exc.errors})
    except log.Rejected as exc:
        return _page("edit_form.html", request, lang, 422, **{**context, "results": exc.report.to_dict()["results"]})
    except log.Refused as exc:
        return _page("edit_form.html", request, lang, exc.status, **{**context, "errors": [{"field": "", "message": str(exc)}]})
    except StoreError as exc:
        raise Problem(503, f"The store refused the write: {exc}", type_="store-unavailable") from None
    _log.info("change %s by %s (%s)", change.id, session.user, kind)
    return RedirectResponse(f"/edit/changes?lang={lang}&done={change.id.rsplit('/', 1)[-1]}", status_code=303)


def history_page(request: Request, store: Store, lang: str) -> Response:
    # Readable by everyone, like GET /api/changes (the reader and /graph link a fact's history
    # here); reverting needs a signed-in person and the session's CSRF token.
    about = request.query_params.get("about")
    if about is not None and not facts._iri_ok(about):
        about = None
    entries = log.changes(store, about=about, limit=200)
    return _page("edit_changes.html", request, lang, entries=entries, done=request.query_params.get("done"), about=about,
                 short=_short, href=lambda iri: "/id/" + iri[len(ID_BASE):] if iri.startswith(ID_BASE) else iri)


def _short(term: str) -> str:
    """An N-Triples term for people: our IRIs without the base, literals as they are."""
    return term.replace("<" + ID_BASE, "<").replace("<http://www.w3.org/2004/02/skos/core#", "<skos:") \
        .replace("<http://purl.org/dc/terms/", "<dcterms:").replace("<http://www.w3.org/ns/prov#", "<prov:")


def _revert_post(request: Request, store: Store, lang: str, session: accounts.Session, form) -> Response:
    ident = str(form.get("change", ""))
    try:
        change = log.revert(store, log.CHANGE_BASE + ident, agent=log.staff_agent(session.user),
                            agent_label=session.user, reason=str(form.get("reason", "")))
    except log.Refused as exc:
        return _page("edit_message.html", request, lang, exc.status, message=str(exc))
    except log.Rejected as exc:
        return _page("edit_message.html", request, lang, 422, message="; ".join(
            r["message"].get(lang, "") for r in exc.report.to_dict()["results"]))
    return RedirectResponse(f"/edit/changes?lang={lang}&done={change.id.rsplit('/', 1)[-1]}", status_code=303)


#: The editing pages' script and style (mounted at /edit/assets by api.app). Revalidated on every
#: use (no-cache): staff must never run yesterday's form script against today's server.
ASSETS_FOLDER = Path(__file__).resolve().parent.parent / "static" / "curation"
ASSETS: dict[str, tuple[Path, str]] = {
    "edit.js": (ASSETS_FOLDER / "edit.js", "text/javascript; charset=utf-8"),
    "edit.css": (ASSETS_FOLDER / "edit.css", "text/css; charset=utf-8"),
}


# --- JSON twins ------------------------------------------------------------------------------

class PassageBody(BaseModel):
    """The passage a fact rests on: the source whose text was read and the quote selected in it."""

    model_config = ConfigDict(extra="forbid")
    text_source: str = Field(max_length=2000, description="IRI of a source with a text (see the reader).",
                             examples=[ID_BASE + "source/followup-2023-2025"])
    exact: str = Field(min_length=1, max_length=facts.MAX_TEXT, description="The quote, verbatim.")
    prefix: str = Field(default="", max_length=500, description="Text just before the quote (optional).")
    suffix: str = Field(default="", max_length=500, description="Text just after the quote (optional).")
    occurrence: int | None = Field(default=None, ge=0, le=10000,
                                   description="Which occurrence of the quote (0-based) when it stands more than once.")

    def domain(self) -> facts.Passage:
        return facts.Passage(self.text_source, self.exact, self.prefix, self.suffix, self.occurrence)


Value = Annotated[str, Field(max_length=facts.MAX_TEXT)]


class FactBody(BaseModel):
    """A meeting or a statement: the fields of ``GET /api/forms/{kind}`` by name, and its passage."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "values": {"prefLabel_de": "Treffen zur Fachkräftesicherung", "prefLabel_en": "Meeting on skilled labour",
                   "reportedOn": "2025-07-13", "isPartOf": ID_BASE + "event/zukunftsdialog-industrie",
                   "source": ID_BASE + "source/invest-in-niederrhein-2025-07-13",
                   "subject": [ID_BASE + "handlungsfeld-2025/fachkraeftesicherung"]},
        "passage": {"text_source": ID_BASE + "source/followup-2023-2025",
                    "exact": "Implementation phase (\"Umsetzungsphase\"): Fachkräftesicherung"},
        "reason": "Treffen aus der Pressemitteilung nachgetragen"}]})
    values: dict[str, Value | list[Value]] = Field(description="Field name -> value (IRI, date or text) or list of values.")
    passage: PassageBody
    reason: str = Field(default="", max_length=log.MAX_REASON, description="Why (shown in the history).")


class CorrectionBody(BaseModel):
    """A correction of a label or a date of a node, with the passage that gives the right value."""

    model_config = ConfigDict(extra="forbid")
    subject: str = Field(max_length=2000, examples=[ID_BASE + "event/zukunftsdialog-2024-03-07"])
    what: Literal["prefLabel_de", "prefLabel_en", "date"]
    value: str = Field(min_length=1, max_length=facts.MAX_TEXT)
    source: str = Field(max_length=2000, description="IRI of the catalogued source the new value comes from.")
    passage: PassageBody
    reason: str = Field(default="", max_length=log.MAX_REASON)


class SourceBody(BaseModel):
    """A new source: the fields of ``GET /api/forms/source`` by name; ``text`` is its Markdown."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "values": {"prefLabel_de": "Pressemitteilung des Landes", "prefLabel_en": "Press release of the Land",
                   "page": "https://www.land.nrw/pressemitteilung/beispiel", "publisher": "Land NRW", "date": "2026-03-05",
                   "reliability": ID_BASE + "reliability/amtlich", "text": "# Pressemitteilung\n\nDer Zukunftsdialog …"},
        "reason": "neue Quelle"}]})
    values: dict[str, Annotated[str, Field(max_length=facts.MAX_SOURCE_TEXT)]] = Field(
        description="Field name -> value; `text` is the source's Markdown (no raw HTML).")
    reason: str = Field(default="", max_length=log.MAX_REASON)


class RevertBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=log.MAX_REASON)


WRITE_RESPONSES = {
    201: {"description": "Stored and recorded; Location names the change."},
    401: {"description": "Neither a bearer token nor a signed-in session."},
    403: {"description": "A session without its CSRF token, writes disabled, or a protected graph."},
    422: {"description": "Invalid fields (`errors`), the shapes refuse it (`results`), or the Idempotency-Key was "
                         "used for another body; nothing stored."},
}


def _as_problem(exc: Exception) -> Problem:
    if isinstance(exc, facts.Invalid):
        return Problem(422, "The submission has invalid fields; nothing was stored.", type_="invalid-request", errors=exc.errors)
    if isinstance(exc, log.Rejected):
        return Problem(422, "The change would break the shapes; nothing was stored.", type_="shacl-violation",
                       results=exc.report.to_dict()["results"])
    if isinstance(exc, log.Refused):
        return Problem(exc.status, str(exc), type_="change-refused")
    return Problem(503, f"The store refused the write: {exc}", type_="store-unavailable")


IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=255,
    description="Any string up to 255 characters. The same key with the same body answers as the first call did "
                "(stored once, `Idempotent-Replayed: true`); the same key with another body is a 422 "
                "(`type` …/idempotency-key-reused), nothing stored. Keys are per agent (token or person).")]


def _write(store: Store, actor: Actor, kind: str, values: dict, passage: facts.Passage, reason: str,
           key: str | None = None) -> JSONResponse:
    agent, label = _agent(actor)
    built: list[facts.Built] = []

    def make() -> tuple[list, list]:
        built.append(_build(store, kind, values, passage))
        return built[0].added, built[0].removed

    try:
        if key is None:
            added, removed = make()
            change, replayed = log.record(store, added, removed, agent=agent, agent_label=label, reason=reason, kind=kind), False
        else:
            request = json.dumps({"kind": kind, "values": values, "passage": dataclasses.asdict(passage), "reason": reason},
                                 sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
            change, replayed = log.record_once(store, key, request, make, agent=agent, agent_label=label, reason=reason, kind=kind)
    except log.KeyReused as exc:
        raise Problem(422, "This Idempotency-Key was used for another request; nothing was stored.",
                      type_="idempotency-key-reused", change=exc.change,
                      errors=[{"field": "Idempotency-Key", "value": key, "message": "used before for a different body"}]) from None
    except (facts.Invalid, log.Rejected, log.Refused, StoreError) as exc:
        raise _as_problem(exc) from None
    headers = {"Location": change.id}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    node = built[0].node if built else change.about
    return JSONResponse({"change": change.id, "node": node, "ends": built[0].ends if built else []}, status_code=201,
                        headers=headers)


@router.get("/api/forms/{kind}", summary="The form of a kind of fact, generated from the SHACL shapes",
            tags=["editing"])
def form_description(kind: Literal["meeting", "statement", "recommendation", "office", "source"], store: StoreDep,
                     lang: Annotated[Literal["de", "en"], Query()] = "de") -> JSONResponse:
    return JSONResponse({"kind": kind, "shape": forms_mod.KINDS[kind].shape,
                         "fields": [f.to_dict() for f in forms_mod.form(store, kind, lang)],
                         "text_sources": facts.text_sources(store)})


@router.post("/api/check/{kind}", summary="Dry run: the shapes' verdict on a change as it would be stored (nothing stored)",
             responses={401: WRITE_RESPONSES[401], 403: WRITE_RESPONSES[403]})
def dry_run(kind: Literal["meeting", "statement", "recommendation", "office", "source", "correction"], store: StoreDep, actor: WriterDep,
            body: Annotated[dict, Body(description="The body of POST /api/meetings, /api/statements, "
                                                   "/api/recommendations/with-passage, /api/offices, /api/sources or "
                                                   "/api/corrections.")],
            lang: Annotated[Literal["de", "en"], Query(description="Language of the notes.")] = "de") -> JSONResponse:
    try:
        if kind == "correction":
            parsed = CorrectionBody.model_validate(body)
            values = {"subject": parsed.subject, "what": parsed.what, "value": parsed.value, "source": parsed.source}
        elif kind == "source":
            parsed = SourceBody.model_validate(body)
            built = facts.build_source(store, parsed.values)
            return JSONResponse({**log.check(store, built.added, built.removed).to_dict(), "errors": [], "notes": [],
                                 "selector": None})
        else:
            parsed = FactBody.model_validate(body)
            values = parsed.values
        built = _build(store, kind, values, parsed.passage.domain())
        report = log.check(store, built.added, built.removed).to_dict()
        notes = _notes(store, built, lang)
    except facts.Invalid as exc:
        return JSONResponse({"conforms": False, "errors": exc.errors, "results": []})
    except log.Refused as exc:
        return JSONResponse({"conforms": False, "errors": [{"field": "", "message": str(exc)}], "results": []})
    except ValueError as exc:  # pydantic's ValidationError
        errors = [{"field": ".".join(str(x) for x in e.get("loc", ())), "message": e.get("msg", "")}
                  for e in getattr(exc, "errors", lambda: [])()]
        return JSONResponse({"conforms": False, "errors": errors, "results": []})
    return JSONResponse({**report, "errors": [], "notes": notes, "selector": None})


def _notes(store: Store, built: facts.Built, lang: str) -> list[str]:
    """What the change does beyond its own node, for the person checking it (whose term ends)."""
    words = {"de": "Endet mit {end}: {who} ({post})", "en": "Ends with {end}: {who} ({post})"}[lang]
    return [words.format(end=e["end"], who=forms_mod.label_of(store, e["person"], lang),
                         post=forms_mod.label_of(store, e["post"], lang)) for e in built.ends]


@router.post("/api/meetings", status_code=201, responses=WRITE_RESPONSES,
             summary="Add a meeting with its passage (gated by the shapes, recorded in the change log)")
def add_meeting(store: StoreDep, actor: WriterDep, body: FactBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return _write(store, actor, "meeting", body.values, body.passage.domain(), body.reason, idempotency_key)


@router.post("/api/statements", status_code=201, responses=WRITE_RESPONSES,
             summary="Add a statement (its quote is the passage) with its source (gated, recorded)")
def add_statement(store: StoreDep, actor: WriterDep, body: FactBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return _write(store, actor, "statement", body.values, body.passage.domain(), body.reason, idempotency_key)


@router.post("/api/recommendations/with-passage", status_code=201, responses=WRITE_RESPONSES,
             summary="Add a recommendation (Handlungsempfehlung) with its passage: the quote is the passage "
                     "(gated by the shapes, recorded in the change log)")
def add_recommendation_with_passage(store: StoreDep, actor: WriterDep, body: FactBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return _write(store, actor, "recommendation", body.values, body.passage.domain(), body.reason, idempotency_key)


@router.post("/api/offices", status_code=201, responses=WRITE_RESPONSES,
             summary="Record a change of office: the new holder's post begins, the predecessor's holding ends "
                     "(gated, recorded)")
def add_office(store: StoreDep, actor: WriterDep, body: FactBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return _write(store, actor, "office", body.values, body.passage.domain(), body.reason, idempotency_key)


@router.post("/api/sources", status_code=201, responses=WRITE_RESPONSES,
             summary="Add a new source with its Markdown text (catalogued with its reliability; the reader shows it "
                     "and passages can be selected in it; gated, recorded)")
def add_source(store: StoreDep, actor: WriterDep, body: SourceBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return _write(store, actor, "source", dict(body.values), facts.Passage("", ""), body.reason, idempotency_key)


@router.post("/api/corrections", status_code=201, responses=WRITE_RESPONSES,
             summary="Correct a label or a date, with the passage that gives the new value (gated, recorded)")
def add_correction(store: StoreDep, actor: WriterDep, body: CorrectionBody, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    values = {"subject": body.subject, "what": body.what, "value": body.value, "source": body.source}
    return _write(store, actor, "correction", values, body.passage.domain(), body.reason, idempotency_key)


@router.get("/api/changes", summary="The change log, newest first: who, when, why, what was added and removed")
def list_changes(store: StoreDep, about: Annotated[str | None, Query(max_length=2000, pattern=IRI_PATTERN,
                                                                       description="Only changes that touched this node.")] = None,
                 limit: Annotated[int, Query(ge=1, le=log.MAX_LIST)] = 100) -> JSONResponse:
    about = check_iri("about", about)
    return JSONResponse({"changes": [c.to_dict() for c in log.changes(store, about=about, limit=limit)]})


@router.post("/api/changes/{ident}/revert", status_code=201, responses={**WRITE_RESPONSES, 404: {"description": "No such change."},
             409: {"description": "Already reverted, or what it added has changed since."}},
             summary="Revert a change by its inverse (checked by the shapes, recorded as a change)")
def revert_change(ident: Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$", description="The last segment of the change IRI.")], store: StoreDep, actor: WriterDep,
                  body: RevertBody | None = None) -> JSONResponse:
    if not ident.isalnum() or len(ident) != 32:
        raise Problem(404, "No such change.", type_="not-found")
    agent, label = _agent(actor)
    try:
        change = log.revert(store, log.CHANGE_BASE + ident, agent=agent, agent_label=label,
                            reason=body.reason if body else "")
    except (log.Rejected, log.Refused, StoreError) as exc:
        raise _as_problem(exc) from None
    return JSONResponse({"change": change.id, "reverts": change.reverts}, status_code=201, headers={"Location": change.id})
