"""End-to-end tests of the read side of the JSON API against a real uvicorn server.

Expected facts come from the source texts (data/sources/*.md) and are checked against them,
never taken from the graph.
"""

from __future__ import annotations

import httpx
import pytest

ID = "https://w3id.org/zukunftsdialog/id/"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api(shared_api) -> httpx.Client:
    with httpx.Client(base_url=shared_api.url, timeout=30) as client:
        yield client


def get_all(api: httpx.Client, path: str, **params) -> list[dict]:
    """Every item of a list endpoint, page by page (checks the envelope on the way)."""
    items, offset = [], 0
    while True:
        r = api.get(path, params={**params, "limit": 7, "offset": offset})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["limit"] == 7 and body["offset"] == offset
        items += body["items"]
        offset += 7
        if offset >= body["total"]:
            assert len(items) == body["total"]
            return items


# --- organisations -------------------------------------------------------------------------


def test_the_trade_unions_that_signed(api, letter_text):
    unions = get_all(api, "/api/organisations", type=ID + "organisation-type/gewerkschaft", signatory="true")
    short = sorted(a for o in unions for a in o["alt_labels"] if a in ("DGB NRW", "IG Metall NRW", "IGBCE Nordrhein"))
    assert short == ["DGB NRW", "IG Metall NRW", "IGBCE Nordrhein"]
    assert len(unions) == 3
    for name in short:
        assert name in letter_text
    for o in unions:
        assert o["signatory"] is True
        assert o["type"]["id"] == ID + "organisation-type/gewerkschaft"


def test_parent_bodies_are_organisations_but_not_signatories(api, followup_text):
    unions = get_all(api, "/api/organisations", type=ID + "organisation-type/gewerkschaft")
    by_id = {o["id"]: o for o in unions}
    dgb_nrw = next(o for o in unions if "DGB NRW" in o["alt_labels"])
    # "DGB-Bezirk Nordrhein-Westfalen, regional district of the Deutscher Gewerkschaftsbund"
    assert "DGB-Bezirk Nordrhein-Westfalen" in followup_text and dgb_nrw["label"] == "DGB-Bezirk Nordrhein-Westfalen"
    parent = by_id[dgb_nrw["parent"]]
    assert parent["label"] == "Deutscher Gewerkschaftsbund" and "Deutscher Gewerkschaftsbund" in followup_text
    assert parent["signatory"] is False


def test_signatory_organisations_are_the_ministry_and_fourteen_more(api, followup_text):
    # S6: the minister and "14 Spitzenvertreterinnen und -vertreter aus Wirtschaft, Kammern und Gewerkschaften"
    assert "14 Spitzenvertreterinnen und -vertreter" in followup_text
    signed = get_all(api, "/api/organisations", signatory="true")
    assert len(signed) == 15


def test_anja_weber_chairs_dgb_nrw(api, letter_text):
    assert "Anja Weber Vorsitzende des DGB NRW" in letter_text
    # on the letter's day (by default the API answers for today: she left in December 2025)
    orgs = get_all(api, "/api/organisations", signatory="true", as_of="2023-01-20")
    dgb = next(o for o in orgs if "DGB NRW" in o["alt_labels"])
    reps = [r for r in dgb["representatives"] if r["person"]["name"] == "Anja Weber"]
    assert len(reps) == 1
    assert reps[0]["role"]["label"].startswith("Vorsitzende")
    assert reps[0]["person"]["id"].startswith(ID + "person/")


def test_organisation_labels_follow_lang_and_accept_language(api):
    de = api.get("/api/organisations", params={"signatory": "true", "limit": 1000}).json()["items"]
    en = api.get("/api/organisations", params={"signatory": "true", "limit": 1000, "lang": "en"}).json()["items"]
    by_header = api.get("/api/organisations", params={"signatory": "true", "limit": 1000},
                        headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.3"}).json()["items"]
    ministry_de = next(o for o in de if o["label"].startswith("Ministerium für Wirtschaft"))
    ministry_en = next(o for o in en if o["id"] == ministry_de["id"])
    assert ministry_en["label"].startswith("Ministry")
    assert ministry_en["labels"] == ministry_de["labels"]
    assert [o["label"] for o in by_header] == [o["label"] for o in en]


# --- persons -------------------------------------------------------------------------------

SIGNATORIES = ["Mona Neubaur", "Ralf Stoffels", "Andreas Ehlert", "Arndt G. Kirchhoff", "Thomas Wessel",
               "Timo Berger", "Bernhard Osburg", "Ulrich Leidecker", "Berthold Schröder", "Michael Hagspühl",
               "Anja Weber", "Knut Giesler", "Frank Löllgen", "Lars Baumgürtel", "Daniela Jansen"]


def test_persons_with_honorifics_and_posts(api, letter_text):
    people = get_all(api, "/api/persons")
    by_name = {p["name"]: p for p in people}
    for name in SIGNATORIES:  # the 15 who signed the letter (later sources add more people)
        assert name in letter_text and name in by_name
    assert "Dr. Timo Berger" in letter_text and by_name["Timo Berger"]["honorific_prefix"] == "Dr."
    assert "Mona Neubaur MdL" in letter_text and by_name["Mona Neubaur"]["honorific_suffix"] == "MdL"
    assert by_name["Anja Weber"]["honorific_prefix"] is None
    # "Frank Löllgen Landesbezirksleiter IGBCE Nordrhein"
    assert "Frank Löllgen Landesbezirksleiter IGBCE Nordrhein" in letter_text
    (post,) = by_name["Frank Löllgen"]["posts"]
    assert post["role"]["label"].startswith("Landesbezirksleiter")
    assert "IGBCE" in post["organisation"]["label"]
    en = {p["name"]: p for p in api.get("/api/persons", params={"lang": "en", "limit": 100}).json()["items"]}
    assert en["Frank Löllgen"]["posts"][0]["role"]["label"] == "Regional district leader"


# --- themes and levels ---------------------------------------------------------------------

KEY_THEMES = ["digitale Infrastruktur", "Innovations- und Forschungsförderung", "Investitionsklima",
              "Flächenentwicklung", "Klima- und Umweltverträglichkeit", "Kreislaufwirtschaft",
              "Transfer von Wissenschaftsfortschritt in Unternehmen"]


def test_the_seven_key_themes_with_counts_that_match_the_filter(api, letter_text):
    assert "Schlüsselthemen: " + ", ".join(KEY_THEMES[:-2]) + ", " + KEY_THEMES[-2] + " und " + KEY_THEMES[-1] in letter_text
    themes = get_all(api, "/api/themes")
    assert sorted(t["labels"]["de"].lower() for t in themes) == sorted(k.lower() for k in KEY_THEMES)
    for t in themes:
        assert t["labels"]["en"] and t["labels"]["en"] != t["labels"]["de"] or t["id"].endswith("investitionsklima")
        listed = api.get("/api/recommendations", params={"theme": t["id"], "limit": 0}).json()["total"]
        assert t["recommendation_count"] == listed
        assert t["direct_recommendation_count"] <= t["recommendation_count"]


def test_policy_levels_land_bund_eu_with_counts(api, letter_text):
    assert "Handlungsempfehlungen für die Politik auf Landes-, Bundes-, und EU-Ebene" in letter_text
    levels = {lv["labels"]["de"]: lv for lv in get_all(api, "/api/policy-levels")}
    assert {"Land", "Bund", "EU"} <= set(levels)
    for lv in levels.values():
        listed = api.get("/api/recommendations", params={"level": lv["id"], "limit": 0}).json()["total"]
        assert lv["recommendation_count"] == listed
    # The letter announces recommendations for all three levels.
    for name in ("Land", "Bund", "EU"):
        assert levels[name]["recommendation_count"] >= 1


# --- recommendations -----------------------------------------------------------------------


def test_recommendations_carry_sources_whose_quotes_stand_in_the_sources(api, letter_text, followup_text, addendum_text):
    recs = get_all(api, "/api/recommendations")
    assert recs
    for rec in recs:
        assert rec["themes"] and rec["levels"] and rec["proposed_by"] and rec["sources"], rec["id"]
        assert rec["status"] is not None
        for src in rec["sources"]:
            if src["quote"]:
                assert any(src["quote"] in t for t in (letter_text, followup_text, addendum_text)), src["quote"]


def test_the_announced_recommendations_of_the_letter(api, letter_text):
    quote = "nach Maßgabe dessen Handlungsempfehlungen für die Politik auf Landes-, Bundes-, und EU-Ebene zu entwickeln"
    assert quote in letter_text
    recs = get_all(api, "/api/recommendations", level=ID + "policy-level/eu")
    announced = [r for r in recs if any(s["quote"] == quote for s in r["sources"])]
    assert len(announced) == 1
    rec = announced[0]
    assert sorted(lv["label"] for lv in rec["levels"]) == ["Bund", "EU", "Land"]
    assert rec["status"]["label"] == "Angekündigt"
    assert rec["date"] == "2023-01-20"
    assert {t["label"].lower() for t in rec["themes"]} >= {k.lower() for k in KEY_THEMES}


def test_recommendation_filters(api):
    everything = get_all(api, "/api/recommendations")
    announced = next(r for r in everything if r["status"]["id"] == ID + "status/angekuendigt")
    actor = announced["proposed_by"][0]["id"]
    by_actor = get_all(api, "/api/recommendations", actor=actor)
    assert announced["id"] in {r["id"] for r in by_actor}
    assert all(actor in {p["id"] for p in r["proposed_by"]} for r in by_actor)
    letter = ID + "document/letter-of-intent-2023-01-20"
    by_source = get_all(api, "/api/recommendations", source=letter)
    assert announced["id"] in {r["id"] for r in by_source}
    # The source record whose primary topic is the letter matches too.
    by_record = get_all(api, "/api/recommendations", source=ID + "source/letter-of-intent-2023-01-20")
    assert announced["id"] in {r["id"] for r in by_record}
    # A role is no theme and no actor: refused (422), not answered as an empty list.
    role = ID + "role/vorsitz"
    assert api.get("/api/recommendations", params={"theme": role}).status_code == 422
    assert api.get("/api/recommendations", params={"actor": role}).status_code == 422
    by_level = get_all(api, "/api/recommendations", level=ID + "policy-level/land")
    assert all(ID + "policy-level/land" in {lv["id"] for lv in r["levels"]} for r in by_level)


def test_a_key_theme_finds_the_2025_measures_of_its_mapped_handlungsfeld(api, followup_text):
    # S13 lists for "Zirkuläre Wertschöpfung (Circular Economy)" three measures; the letter's
    # key theme Kreislaufwirtschaft reaches them through the SKOS mapping of that field.
    start = followup_text.index("- Zirkuläre Wertschöpfung (Circular Economy):")
    line = followup_text[start : followup_text.index(" - ", start + 2)]
    measures = ["Zirkuläre Ausrichtung von Wertschöpfungsketten", "Entwicklung einer NRW-Kreislaufwirtschaftsstrategie",
                "Integration digitaler Technologien für eine einfachere und schnelle Umsetzung der Circular Economy"]
    for m in measures:
        assert f'"{m}"' in line
    recs = get_all(api, "/api/recommendations", theme=ID + "theme/kreislaufwirtschaft")
    texts = {r["text"] for r in recs}
    assert set(measures) <= texts
    for r in recs:
        if r["text"] in measures:
            assert r["status"]["label"] == "Beschlossen"
            assert any(s["cited"] and s["cited"]["url"] and s["cited"]["url"] in followup_text for s in r["sources"])
    themes = {t["id"]: t for t in get_all(api, "/api/themes")}
    circular = themes[ID + "theme/kreislaufwirtschaft"]
    assert circular["recommendation_count"] >= 1 + len(measures) > circular["direct_recommendation_count"]


def test_the_eight_handlungsfelder_of_2025(api, followup_text):
    assert "the eight Handlungsfelder of the 2025 Leitbild" in followup_text
    fields = get_all(api, "/api/themes", scheme=ID + "scheme/handlungsfelder-2025")
    assert len(fields) == 8
    names = {f["labels"]["de"] for f in fields}
    for name in ("Investitionen", "Innovationen", "Digitale Infrastruktur", "Flächenentwicklung",
                 "Bürokratieabbau", "Fachkräftesicherung"):
        assert name in followup_text and name in names


@pytest.mark.parametrize("param", ["theme", "level", "actor", "source"])
def test_a_filter_that_is_no_iri_is_a_422_problem(api, param):
    r = api.get("/api/recommendations", params={param: "nicht eine IRI> }"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert any(e["field"] == param for e in r.json()["errors"])


# --- documents and events ------------------------------------------------------------------


def test_documents_and_sources(api, letter_text, followup_text):
    docs = get_all(api, "/api/documents", kind="document")
    assert all(d["kind"] == "document" for d in docs)
    letter = next(d for d in docs if d["id"] == ID + "document/letter-of-intent-2023-01-20")
    assert "Düsseldorf, den 20. Januar 2023" in letter_text and letter["date"] == "2023-01-20"
    assert letter["title"] == "Letter of Intent zum „Zukunftsdialog Industrie“" and letter["title"] in letter_text
    assert letter["language"] and letter["type"]
    # D1: "adopted by the cabinet on 2019-09-25"; D3: "presented on 2025-05-12"
    assert "adopted by the cabinet on 2019-09-25" in followup_text and "presented on 2025-05-12" in followup_text
    by_id = {d["id"]: d for d in docs}
    assert by_id[ID + "document/industriepolitisches-leitbild-2019"]["date_accepted"] == "2019-09-25"
    assert by_id[ID + "document/industriepolitisches-leitbild-2025"]["issued"] == "2025-05-12"
    sources = get_all(api, "/api/documents", kind="source")
    s1 = next(s for s in sources if s["identifier"] == "S1")
    url = "https://www.land.nrw/pressemitteilung/dialog-zur-zukunft-des-industriestandorts-nordrhein-westfalen-gestartet"
    assert url in followup_text and s1["url"] == url
    assert s1["publisher"] == "Land NRW" and s1["date"] == "2023-01-20"
    assert s1["reliability"]["label"] == "Amtlich"
    en = {s["identifier"]: s for s in api.get("/api/documents", params={"kind": "source", "lang": "en", "limit": 1000}).json()["items"]}
    assert en["S1"]["reliability"]["label"] == "Official"
    assert en["S2"]["reliability"]["label"] == "Press" and en["S2"]["date"] == "2023-01"


def test_meetings_with_date_and_topics(api, followup_text, letter_text, addendum_text):
    events = get_all(api, "/api/events")
    meetings = {e["date"]: e for e in events if e["kind"] == "meeting" and e["date"]}
    # "| M4 | 2024-03-07 | 4th meeting: Circular Economy / zirkuläre Wertschöpfung"
    assert "| M4 | 2024-03-07 | 4th meeting: Circular Economy / zirkuläre Wertschöpfung" in followup_text
    assert "Kreislaufwirtschaft" in {t["label"] for t in meetings["2024-03-07"]["topics"]}
    assert meetings["2024-03-07"]["number"] == "4"
    # "| M6 | 2024-10-02 | 6th meeting: "digitale Infrastruktur", "Flächenentwicklung", ..."
    assert '| M6 | 2024-10-02 | 6th meeting: "digitale Infrastruktur", "Flächenentwicklung"' in followup_text
    assert {"Digitale Infrastruktur", "Flächenentwicklung"} <= {t["label"] for t in meetings["2024-10-02"]["topics"]}
    for e in meetings.values():
        assert e["sources"], e["id"]
        for src in e["sources"]:
            if src["quote"]:
                assert any(src["quote"] in t for t in (followup_text, letter_text, addendum_text)), src["quote"]
    dates = [e["date"] or e["reported_on"] for e in events]
    assert dates == sorted(dates), "events are listed in time order"


def test_events_include_the_signing_in_duesseldorf(api, letter_text):
    events = get_all(api, "/api/events")
    signing = [e for e in events if e["date"] == "2023-01-20" and e["place"] and e["place"]["label"] == "Düsseldorf"]
    assert signing, events
    names = {p["label"] for e in signing for p in e["participants"]}
    for name in ("Anja Weber", "Knut Giesler", "Mona Neubaur"):
        assert name in letter_text and name in names


# --- envelope, caching, errors -------------------------------------------------------------


def test_pagination_slices_do_not_overlap(api):
    first = api.get("/api/persons", params={"limit": 5}).json()
    second = api.get("/api/persons", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] >= 15
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    assert api.get("/api/persons", params={"offset": 100}).json()["items"] == []
    assert api.get("/api/persons").json()["limit"] == 100


@pytest.mark.parametrize("params", [{"limit": 1001}, {"limit": -1}, {"offset": -1}, {"limit": "x"}, {"lang": "fr"}])
def test_bad_paging_or_language_is_a_422_problem(api, params):
    r = api.get("/api/organisations", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 422


def test_etag_and_if_none_match(api):
    r = api.get("/api/themes")
    etag = r.headers["etag"]
    again = api.get("/api/themes")
    assert again.headers["etag"] == etag
    cached = api.get("/api/themes", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    weak = api.get("/api/themes", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert api.get("/api/themes", headers={"If-None-Match": '"stale"'}).status_code == 200
    en = api.get("/api/themes", params={"lang": "en"})
    assert en.headers["etag"] != etag


def test_unknown_api_path_is_a_problem(api):
    r = api.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)


def test_validation_report_with_completeness(api):
    r = api.get("/api/validation")
    assert r.status_code == 200, r.text
    report = r.json()
    assert isinstance(report["conforms"], bool)
    for result in report["results"]:
        assert {"focus", "path", "severity", "message"} <= set(result)
    completeness = report["completeness"]
    # The letter announces recommendations on every key theme and all three levels.
    assert completeness["themes_without_recommendations"] == []
    assert completeness["levels_without_recommendations"] == []
