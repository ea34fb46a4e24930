"""`zdg validate` and `zdg load` as a user runs them (real subprocesses).

The broken copy drops the organisation of Anja Weber's post ("Anja Weber Vorsitzende des
DGB NRW" in the letter): validation must exit 1 and name her in German and English.
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from graph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
# The installed console script, as a user runs it (the module if the script is missing).
_SCRIPT = Path(sys.executable).parent / "zdg"
ZDG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "graph.cli"]
ID = "https://w3id.org/zukunftsdialog/id/"
POST_IN_LINE = "        org:postIn organisation:dgb-nrw ;\n"
DE = "Anja Weber: Jede unterzeichnende Person muss einen Posten (org:Post) innehaben"
EN = "Anja Weber: Every signatory must hold a post (org:Post)"


def zdg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ZDG, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def flat(text: str) -> str:
    """Error output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def data_copy(tmp_path: Path) -> list[Path]:
    """A copy of every data file; the letter's copy without Anja Weber's post's organisation."""
    files = []
    for src in sorted((ROOT / "data").glob("*.trig")):
        dst = tmp_path / src.name
        shutil.copy(src, dst)
        files.append(dst)
    letter = tmp_path / "letter-of-intent-2023-01-20.trig"
    text = letter.read_text(encoding="utf-8")
    start = text.index("    post:dgb-nrw-vorsitz a org:Post ;")
    block_end = text.index(" .\n", start)
    block = text[start:block_end]
    assert block.count(POST_IN_LINE) == 1, "the letter's data has the post in the DGB NRW"
    letter.write_text(text[:start] + block.replace(POST_IN_LINE, "") + text[block_end:], encoding="utf-8")
    return files


def test_shipped_data_files_conform() -> None:
    files = [str(p) for p in sorted((ROOT / "data").glob("*.trig"))]
    result = zdg("validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "en: conforms" in result.stdout and "de: konform" in result.stdout


def test_dropping_a_signatorys_organisation_fails_naming_her(data_copy: list[Path], letter_text: str) -> None:
    assert "Anja Weber Vorsitzende des DGB NRW" in letter_text
    result = zdg("validate", *map(str, data_copy))
    assert result.returncode == 1, result.stdout + result.stderr
    assert DE in result.stdout and EN in result.stdout
    assert "does NOT conform" in result.stdout
    german = zdg("validate", "--lang", "de", *map(str, data_copy))
    assert german.returncode == 1 and DE in german.stdout and EN not in german.stdout


def test_json_and_turtle_reports(data_copy: list[Path]) -> None:
    result = zdg("validate", "--format", "json", *map(str, data_copy))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    anja = [r for r in report["results"] if r["focus"] == ID + "person/anja-weber"]
    assert anja and anja[0]["focus_label"] == "Anja Weber" and anja[0]["severity"] == "Violation"
    assert anja[0]["message"]["en"].startswith("Every signatory")
    turtle = zdg("validate", "--format", "turtle", *map(str, data_copy))
    assert turtle.returncode == 1
    g = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(list(g.subjects(SH.conforms, None))) == 1
    assert (None, SH.focusNode, None) in g


def test_validate_a_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    assert zdg("build", "--store", str(store_dir)).returncode == 0
    ok = zdg("validate", "--store", str(store_dir))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    store = EmbeddedStore(store_dir)
    post_in = list(store.oxigraph.quads_for_pattern(
        ox.NamedNode(ID + "post/dgb-nrw-vorsitz"), ox.NamedNode("http://www.w3.org/ns/org#postIn"), None, None))
    assert len(post_in) == 1
    store.oxigraph.remove(post_in[0])
    store.close()
    del store
    gc.collect()  # release the on-disk store for the next process
    broken = zdg("validate", "--store", str(store_dir))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert DE in broken.stdout and EN in broken.stdout


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    missing = zdg("validate", str(tmp_path / "nope.ttl"))
    assert missing.returncode == 2 and "no such file" in flat(missing.stderr)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .", encoding="utf-8")
    unreadable = zdg("validate", str(bad))
    assert unreadable.returncode == 2 and "cannot read input" in flat(unreadable.stderr)
    both = zdg("validate", "--store", "memory", str(bad))
    assert both.returncode == 2


def test_load_refuses_a_breaking_file_and_changes_nothing(tmp_path: Path) -> None:
    store_dir = str(tmp_path / "store")
    assert zdg("build", "--store", store_dir).returncode == 0
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        f"<{ID}recommendation/cli> a <https://w3id.org/zukunftsdialog/ontology#Recommendation> ;\n"
        f'    <http://www.w3.org/2004/02/skos/core#prefLabel> "Ohne Thema"@de .\n', encoding="utf-8")
    refused = zdg("load", "--store", store_dir, str(broken))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Ohne Thema: Eine Handlungsempfehlung braucht mindestens ein Thema" in refused.stdout
    assert "nothing from it was stored" in flat(refused.stderr)
    ask = tmp_path / "ask.rq"
    ask.write_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}recommendation/cli> ?p ?o }}", encoding="utf-8")
    assert zdg("query", "--store", store_dir, "--format", "csv", str(ask)).stdout.split()[-1] == "0"
    forced = zdg("load", "--store", store_dir, "--no-validate", str(broken))
    assert forced.returncode == 0
    assert zdg("query", "--store", store_dir, "--format", "csv", str(ask)).stdout.split()[-1] == "2"
    invalid_syntax = tmp_path / "syntax.ttl"
    invalid_syntax.write_text("<urn:a> <urn:b> .", encoding="utf-8")
    assert zdg("load", "--store", store_dir, str(invalid_syntax)).returncode == 2
