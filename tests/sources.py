"""What the source texts say, read from them: the expected values of the tests.

A support module (not a test module): test modules import these instead of each other.
"""

from __future__ import annotations

import re

from graph.vocab import ID_BASE, sparql_prologue
from tests.conftest import FOLLOWUP, LETTER, ROOT

ID = ID_BASE
LETTER_IRI = ID_BASE + "document/letter-of-intent-2023-01-20"
#: A signatory of the letter (chair of the DGB NRW).
ANJA = ID_BASE + "person/anja-weber"

#: The names of the persons who signed the letter, as the graph holds them.
NAMES_QUERY = sparql_prologue() + f"""SELECT DISTINCT ?name WHERE {{
  <{LETTER_IRI}> zd:signing/prov:qualifiedAssociation/prov:agent ?person . ?person foaf:name ?name }}"""


def signatory_names() -> list[str]:
    """The bold names in the signature block of the letter, as printed (without "MdL")."""
    text = LETTER.read_text(encoding="utf-8")
    block = text.split("Düsseldorf, den 20. Januar 2023", 1)[1].split("Die Übereinkunft", 1)[0]
    names = re.findall(r"\*\*(.+?)\*\*", block)
    return [n.replace(" MdL", "").strip() for n in names]


def signatories(letter_text: str) -> set[str]:
    """The names signed under the letter, from the normalised source text (without Dr./MdL)."""
    block = letter_text.split("Düsseldorf, den 20. Januar 2023", 1)[1].split("Die Übereinkunft", 1)[0]
    # normalised text has lost the bold markers; names are the lines after '---' separators
    names = re.findall(r"-{3,}\s+(.+?)\s{0,2}(?=Ministerin|Präsident|Vorstands|Vorsitzende|Mitglied|Bezirks|Landes|Sprecher|Stv\.)", block)
    return {re.sub(r"^Dr\. |\s+MdL$", "", n.strip()) for n in names}


def key_themes() -> list[str]:
    """The seven key themes as the letter lists them."""
    text = re.sub(r"\s+", " ", LETTER.read_text(encoding="utf-8"))
    listing = text.split("entlang der Schlüsselthemen:", 1)[1].split(" in diesem Jahr", 1)[0]
    first, last = listing.rsplit(" und ", 1)
    return [t.strip() for t in first.split(",")] + [last.strip()]


def meeting_dates() -> dict[str, str]:
    """Meeting id -> ISO date, for the meetings the follow-up record dates to a day."""
    out = {}
    for line in FOLLOWUP.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (M\d) \| (\d{4}-\d{2}-\d{2})", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


# --- the reader: the quoted passages of the sources ---------------------------------------------

#: What Markdown leaves on screen when it is not rendered (table rules, bold, headings, rules).
MARKDOWN_LEFT = re.compile(r"(?m)\|\s*-{3}|\*\*|^\s*#{1,6}\s|-{3,}| \| ")


def selectors(store) -> list[dict[str, str]]:
    rows = store.select(sparql_prologue() + """
        SELECT ?excerpt ?source ?exact WHERE {
          ?excerpt oa:hasSource ?source ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
        }""")
    return [{k: str(v) for k, v in r.items()} for r in rows]


def shown(exact: str) -> str:
    """A quote as it reads on screen: bold markers and escapes gone, table pipes between cells."""
    text = exact.replace("**", "").replace("\\|", "|").strip().strip("|").strip()
    return re.sub(r"\s+", " ", text)


def sources_with_text(store) -> set[str]:
    return {r["source"] for r in selectors(store)
            if (ROOT / "data" / "sources" / (r["source"].rsplit("/", 1)[-1] + ".md")).exists()}
