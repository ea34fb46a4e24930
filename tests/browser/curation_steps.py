"""Steps of the editing pages shared by the browser tests and tests/browser/curation_screenshots.py."""

from __future__ import annotations

ID = "https://w3id.org/zukunftsdialog/id/"
USER, PASSWORD = "anna", "Korrekt-Pferd-Batterie-9"
#: The record's row M8 (data/sources/followup-2023-2025.md): reported 2025-07-13, source S7 (press).
M8_PASSAGE = 'Implementation phase ("Umsetzungsphase"): Fachkräftesicherung'
M8_SOURCE = ID + "source/invest-in-niederrhein-2025-07-13"


def sign_in(page, base: str, target: str = "/edit", user: str = USER, password: str = PASSWORD) -> None:
    """Open ``target``; it sends to the sign-in form; sign in and come back."""
    page.goto(base + target)
    page.wait_for_selector("form.login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"**{target}**")


def fill_meeting(page, *, label_de: str = "Treffen zur Umsetzungsphase: Fachkräftesicherung",
                 label_en: str = "Meeting on the implementation phase: skilled labour", notation: str = "",
                 label_suffix: str = "", reason: str = "Aus der Quellensammlung (M8) nachgetragen") -> None:
    page.fill("#f-prefLabel_de", label_de + label_suffix)
    page.fill("#f-prefLabel_en", label_en + label_suffix)
    page.fill("#f-reportedOn", "2025-07-13")
    if notation:
        page.fill("#f-notation", notation)
    page.select_option("#f-source", M8_SOURCE)
    page.select_option("#f-subject", [ID + "handlungsfeld-2025/fachkraeftesicherung"])
    page.fill("#f-reason", reason)


def select_passage(page, text: str) -> None:
    """Select ``text`` in the source's text as a person would (a range over the text node),
    then release the mouse there so the page takes the selection."""
    found = page.evaluate(
        """(text) => {
            const article = document.getElementById('source-text');
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const at = n.nodeValue.indexOf(text);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(n, at); range.setEnd(n, at + text.length);
                    const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
                    n.parentElement.scrollIntoView({block: 'center'});
                    article.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                    return true;
                }
            }
            return false;
        }""", text)
    assert found, f"{text!r} not in the source's text"
    page.wait_for_function("(t) => document.getElementById('p-exact').value === t", arg=text)


def wait_check(page, ok: bool) -> None:
    """Wait for the dry run's verdict (conforms or refused)."""
    page.wait_for_selector(f"#fact-form[data-checked={'conforms' if ok else 'refused'}]", timeout=30_000)


#: Row O1 of the addendum (data/sources/followup-addendum-2026-12.md): DGB NRW, December 2025,
#: Thorben Albrecht succeeds Anja Weber; source T1 (official) = id/source/dgb-nrw-2025-12.
ADDENDUM = ID + "source/followup-addendum-2026-12"
O1_PASSAGE = "Thorben Albrecht ist neuer Vorsitzender des DGB NRW."
O1_SOURCE = ID + "source/dgb-nrw-2025-12"
#: What data/ says about O1; a test takes it out and records O1 again through the form.
O1_NODES = [ID + x for x in ("person/thorben-albrecht", "post/dgb-nrw-vorsitz-thorben-albrecht",
                             "membership/thorben-albrecht-dgb-nrw", "interval/thorben-albrecht-dgb-nrw-vorsitz",
                             "membership/anja-weber-dgb-nrw-bis-2025-12", "interval/anja-weber-dgb-nrw-vorsitz")]
#: Row D3 of the record: a measure of the 2025 Leitbild's field "Klima und Energie" (source S13).
D3_MEASURE = "Bezahlbare, nachhaltige und stets sichere Energieversorgung"
D3_SOURCE = ID + "source/ihk-lippe-detmold-2025"


def without_o1_update() -> str:
    """The SPARQL Update that takes O1 out of the shipped graph."""
    return " ; ".join(f"DELETE WHERE {{ GRAPH ?g {{ <{n}> ?p ?o }} }} ; DELETE WHERE {{ GRAPH ?g {{ ?s ?p <{n}> }} }}"
                      for n in O1_NODES)


def fill_office(page, *, name: str = "Thorben Albrecht", start: str = "2025-12",
                reason: str = "Amtswechsel O1 aus der Quellensammlung") -> None:
    page.select_option("#f-organization", ID + "organisation/dgb-nrw")
    page.select_option("#f-role", ID + "role/vorsitz")
    page.fill("#f-new_person", name)
    page.fill("#f-start", start)
    page.select_option("#f-source", O1_SOURCE)
    page.fill("#f-reason", reason)


def fill_recommendation(page, *, theme: bool = True) -> None:
    page.select_option("#f-source", D3_SOURCE)
    page.select_option("#f-status", ID + "status/beschlossen")
    page.fill("#f-date", "2025")
    page.select_option("#f-addressesLevel", [ID + "policy-level/nicht-angegeben"])
    page.select_option("#f-proposedBy", [ID + "collaboration/zukunftsdialog-industrie"])
    if theme:
        page.select_option("#f-subject", [ID + "handlungsfeld-2025/klima-und-energie"])


XSS_TEXT = '"><script>alert("x1")</script><img src=x onerror=alert("x2")>'


def add_account(path, user: str = USER, password: str = PASSWORD) -> None:
    """``zdg account add`` as an operator runs it (the password on stdin)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    subprocess.run([sys.executable, "-m", "api.cli", "account", "add", user, "--accounts", str(path), "--password-stdin"],
                   input=password + "\n", text=True, check=True, cwd=ROOT, capture_output=True)


def change_log(server) -> list[dict]:
    import httpx

    return httpx.get(server.url + "/api/changes", timeout=30).json()["changes"]


#: Source T1 of the addendum (DGB NRW's press release, December 2025, official), with the two
#: sentences the addendum quotes from it (row O1) as its text.
T1 = {
    "prefLabel_de": "DGB NRW: Thorben Albrecht zum neuen Vorsitzenden gewählt",
    "prefLabel_en": "DGB NRW: Thorben Albrecht elected new chair",
    "page": "https://nrw.dgb.de/presse/pressemitteilungen/pressemitteilung/dgb-nrw-thorben-albrecht-zum-neuen-vorsitzenden-"
            "gewaehlt-anke-unger-als-stellvertretende-vorsitzende-bestaetigt",
    "publisher": "DGB NRW", "date": "2025-12",
}
T1_TEXT = ("# DGB NRW: Thorben Albrecht zum neuen Vorsitzenden gewählt – Anke Unger als stellvertretende "
           "Vorsitzende bestätigt\n\nThorben Albrecht ist neuer Vorsitzender des DGB NRW.\n\n"
           "Seine Vorgängerin Anja Weber war aus Altersgründen nicht erneut angetreten.\n")
T1_QUOTE = "Seine Vorgängerin Anja Weber war aus Altersgründen nicht erneut angetreten."


def fill_source(page, markdown_file=None, label_suffix: str = "") -> None:
    """The new-source form with T1; its text uploaded from ``markdown_file`` if given, else pasted."""
    for name, value in T1.items():
        page.fill(f"#f-{name}", value + (label_suffix if name.startswith("prefLabel") else ""))
    page.select_option("#f-reliability", ID + "reliability/amtlich")
    if markdown_file is not None:
        page.set_input_files("#f-text-file", str(markdown_file))
        page.wait_for_function("(t) => document.getElementById('f-text').value === t", arg=T1_TEXT)
    else:
        page.fill("#f-text", T1_TEXT)
