"""``as_of`` on /api/organisations and /api/persons, ``editorial=false`` on the lists, and the
network's editorial edges. Expected values from the second record and the letter."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

ID = "https://w3id.org/zukunftsdialog/id/"


@pytest.fixture(scope="module")
def api(shared_api) -> httpx.Client:
    with httpx.Client(base_url=shared_api.url, timeout=30) as client:
        yield client


def get_all(api, path: str, **params) -> list[dict]:
    r = api.get(path, params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def reps_of(api, org: str, day: str | None) -> dict[str, dict]:
    params = {"as_of": day} if day else {}
    orgs = {o["id"]: o for o in get_all(api, "/api/organisations", **params)}
    return {r["person"]["name"]: r for r in orgs[ID + "organisation/" + org]["representatives"]}


@pytest.mark.parametrize(("day", "dgb", "stahl"), [
    ("2023-01-20", "Anja Weber", "Bernhard Osburg"),
    ("2025-06-01", "Anja Weber", "Gunnar Groebler"),
    ("2026-06-01", "Thorben Albrecht", "Gunnar Groebler"),
])
def test_who_represented_dgb_nrw_and_wv_stahl_on_a_day(api, addendum_text, day, dgb, stahl):
    assert "Thorben Albrecht ist neuer Vorsitzender des DGB NRW." in addendum_text
    assert "Damit tritt er die Nachfolge von Bernhard Osburg an" in addendum_text
    assert set(reps_of(api, "dgb-nrw", day)) == {dgb}
    assert set(reps_of(api, "wirtschaftsvereinigung-stahl", day)) == {stahl}


def test_representatives_carry_start_and_end_null_where_no_source_says(api):
    weber = reps_of(api, "dgb-nrw", "2025-06-01")["Anja Weber"]
    assert (weber["start"], weber["end"], weber["end_inferred"]) == (None, "2025-12", False)
    groebler = reps_of(api, "wirtschaftsvereinigung-stahl", "2026-06-01")["Gunnar Groebler"]
    assert (groebler["start"], groebler["end"], groebler["start_inferred"]) == ("2024-09-09", None, True)
    wessel = reps_of(api, "vci-nrw", "2026-06-01")["Thomas Wessel"]  # no source ends his post
    assert (wessel["start"], wessel["end"]) == (None, None)


def test_the_default_day_is_today(api):
    today = dt.date.today().isoformat()
    assert get_all(api, "/api/organisations") == get_all(api, "/api/organisations", as_of=today)
    assert get_all(api, "/api/persons") == get_all(api, "/api/persons", as_of=today)


def test_persons_as_of(api):
    before = {p["name"]: p for p in get_all(api, "/api/persons", as_of="2023-01-20")}
    after = {p["name"]: p for p in get_all(api, "/api/persons", as_of="2026-06-01")}
    assert before["Anja Weber"]["posts"] and not after["Anja Weber"]["posts"]
    assert not before["Thorben Albrecht"]["posts"]
    (post,) = after["Thorben Albrecht"]["posts"]
    assert post["organisation"]["id"] == ID + "organisation/dgb-nrw" and post["start"] == "2025-12" and post["end"] is None
    (osburg,) = before["Bernhard Osburg"]["posts"]
    assert (osburg["start"], osburg["end"]) == ("2023", "2024-09-09")


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "gestern", "2025-6-1", "2025-06-01T00:00:00"])
def test_a_bad_day_is_a_clear_4xx_and_changes_nothing(api, bad):
    for path in ("/api/organisations", "/api/persons"):
        r = api.get(path, params={"as_of": bad})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), (path, r.text)


def test_editorial_false_leaves_the_editorial_links_out(api):
    with_types = get_all(api, "/api/organisations", signatory="true")
    without = get_all(api, "/api/organisations", signatory="true", editorial="false")
    assert all(o["type"] for o in with_types) and not any(o["type"] for o in without)
    assert [o["id"] for o in with_types] == [o["id"] for o in without]
    recs = {r["id"]: r for r in get_all(api, "/api/recommendations", editorial="false")}
    measure = recs[ID + "recommendation/leitbild-2025-kreislaufwirtschaftsstrategie"]
    assert measure["proposed_by"] == []  # that the dialogue proposed it is our reading
    events = {e["id"]: e for e in get_all(api, "/api/events", editorial="false")}
    assert events[ID + "event/zukunftsdialog-2024-03-07"]["topics"] == []
    assert api.get("/api/organisations", params={"editorial": "vielleicht"}).status_code == 422


def test_network_edges_from_the_editorial_graph_only_are_marked(api):
    data = api.get("/api/network").json()
    edges = data.get("links") or data.get("edges")
    flagged = {(e["source"], e["target"]) for e in edges if e.get("editorial")}
    pair = lambda a, b: {(a, b), (b, a)}  # noqa: E731
    collab, ihk = ID + "collaboration/zukunftsdialog-industrie", ID + "organisation/ihk-nrw"
    assert pair(collab, ihk) & flagged  # org:hasMember, inferred from the signing
    weber, dgb = ID + "person/anja-weber", ID + "organisation/dgb-nrw"
    assert not pair(weber, dgb) & flagged  # the letter says she chairs it
    assert all("editorial" in e for e in edges)


@pytest.mark.parametrize(("day", "holder", "gone"), [
    ("2023-01-20", "anja-weber", "thorben-albrecht"),
    ("2026-06-01", "thorben-albrecht", "anja-weber"),
])
def test_the_networks_as_of_drops_a_post_holder_by_the_same_rule(built_store, day, holder, gone):
    from graph import network

    g = network.project(built_store, as_of=day)
    dgb = ID + "organisation/dgb-nrw"
    assert g.has_edge(ID + "person/" + holder, dgb)
    assert not (ID + "person/" + gone in g and g.has_edge(ID + "person/" + gone, dgb))
