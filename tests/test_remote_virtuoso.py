"""The remote store on a second real engine: Virtuoso Open Source from Debian's packages
(``virtuoso-opensource``, installed by ``make test``'s set-up), started here on loopback ports with
its own virtuoso.ini in a temporary folder. The graph is built into it with ``zdg build``, an
API serves from it, and its organisations, a competency question and a write through the API
are compared with an API on the embedded store.

Where Virtuoso differs, and what handles it (each shown by a test below):

* SPARQL updates over HTTP need a grant (``SPARQL_UPDATE`` to the ``SPARQL`` user and write
  permission for ``nobody``): done by :func:`start_virtuoso`, named in the README.
* Its default graph is the union of *all* graphs, its own included (``virtrdf#``, ``ldp#``,
  ``localuriqaserver``): the store leaves those out of ``named_graphs``, dumps and "is it
  empty?" (:data:`graph.store.SERVER_GRAPHS`).
* A CONSTRUCT asked for with a JSON ``Accept`` comes back as a JSON table of ?s ?p ?o: the
  remote store asks for N-Triples for CONSTRUCT and DESCRIBE.
* An error is a 500 with a plain-text body (not 400): a syntax error on Virtuoso reaches the
  client as a refused query all the same (4xx), never as a 5xx of ours.

And the check every remote store gets: a server whose default graph is not the union of its
named graphs (Oxigraph server without ``--union-default-graph``) is refused at start (exit 2).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.conftest import ID, ROOT, VALID_RECOMMENDATION, ServerProcess, free_port, start_api, wait_http

pytestmark = pytest.mark.remote
TOKEN = "virtuoso-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {dir}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows      = 1000000
MaxQueryExecutionTime = 60
"""

#: Lets the anonymous SPARQL user of the HTTP endpoint run updates (Virtuoso refuses them by default).
GRANTS = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"


def start_virtuoso(tmp: Path) -> ServerProcess:
    """Virtuoso on two free loopback ports with its own database folder; ``.url`` is /sparql."""
    exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not exe or not isql:
        pytest.fail("Virtuoso is required (apt-get install virtuoso-opensource; make test's set-up installs it)")
    folder = tmp / "virtuoso"
    folder.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = tmp / "virtuoso.out"
    proc = subprocess.Popen([exe, "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_http(url + "?query=ASK%7B%7D", timeout=120, proc=proc)
        granted = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={GRANTS}"],
                                 capture_output=True, text=True, timeout=60)
        assert granted.returncode == 0, granted.stdout + granted.stderr
    except Exception:
        proc.kill()
        raise
    return ServerProcess(proc, url, log)


def zdg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("virtuoso")
    virtuoso = start_virtuoso(tmp)
    built = zdg("build", "--store", virtuoso.url)
    assert built.returncode == 0, built.stderr
    embedded = start_api(str(tmp / "embedded"), tmp, {"ZDG_TOKEN": TOKEN})
    remote = start_api(virtuoso.url, tmp, {"ZDG_TOKEN": TOKEN})
    yield {"embedded": embedded, "remote": remote, "virtuoso": virtuoso}
    for server in (remote, embedded, virtuoso):
        server.stop()


def all_items(url: str, path: str, **params) -> list[dict]:
    r = httpx.get(url + path, params={"limit": 1000, **params}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def rows(url: str, query: str) -> list[str]:
    r = httpx.post(url + "/sparql", data={"query": query}, headers=JSON_RESULTS, timeout=60)
    assert r.status_code == 200, r.text
    return sorted(str(sorted((k, v["value"]) for k, v in b.items())) for b in r.json()["results"]["bindings"])


def test_build_and_serve_from_virtuoso_say_so(servers):
    log = servers["remote"].log.read_text()
    assert "quads: serving them as they are" in " ".join(log.split())  # built by zdg build before
    assert httpx.get(servers["remote"].url + "/healthz").json()["store"] == "remote"


def test_organisations_are_the_same(servers, letter_text):
    embedded = all_items(servers["embedded"].url, "/api/organisations")
    remote = all_items(servers["remote"].url, "/api/organisations")
    assert remote == embedded
    # the letter's trade unions among them
    names = {n for o in remote for n in [o["label"], *o["alt_labels"]]}
    for union in ("DGB NRW", "IG Metall NRW", "IGBCE Nordrhein"):
        assert union in letter_text and union in names


@pytest.mark.parametrize("question", ["q02-trade-unions", "q05-eu-themes", "q16-chairs"])
def test_competency_questions_answer_the_same(servers, question):
    text = (ROOT / "queries" / f"{question}.rq").read_text(encoding="utf-8")
    embedded, remote = rows(servers["embedded"].url, text), rows(servers["remote"].url, text)
    assert remote == embedded and embedded


def test_construct_and_the_linked_data_pages_are_the_same(servers):
    for path in ("organisation/dgb-nrw", "person/anja-weber"):
        pages = [httpx.get(servers[k].url + "/id/" + path, headers={"Accept": "application/n-triples"}) for k in ("embedded", "remote")]
        assert pages[0].status_code == pages[1].status_code == 200
        graphs = [rdflib.Graph().parse(data=p.content, format="nt") for p in pages]
        assert len(graphs[0]) > 10 and isomorphic(*graphs), path  # blank node labels differ


def test_virtuosos_own_graphs_stay_out(servers):
    # Virtuoso holds graphs of its own (virtrdf#, ldp#, ...): not in the dump, not counted.
    dumps = [httpx.get(servers[k].url + "/dump.nq", timeout=120).text for k in ("embedded", "remote")]
    assert "openlinksw.com/schemas/virtrdf#" not in dumps[1]
    assert len(dumps[1].splitlines()) == len(dumps[0].splitlines())


def test_a_write_through_the_api_is_the_same(servers):
    answers = {}
    for kind in ("embedded", "remote"):
        url = servers[kind].url
        created = httpx.post(url + "/api/recommendations", headers={**AUTH, "Idempotency-Key": "virtuoso-1"},
                             json=VALID_RECOMMENDATION, timeout=120)
        assert created.status_code == 201, (kind, created.text)
        again = httpx.post(url + "/api/recommendations", headers={**AUTH, "Idempotency-Key": "virtuoso-1"},
                           json=VALID_RECOMMENDATION, timeout=120)
        assert again.status_code == 201 and again.json() == created.json()
        slug = created.json()["id"].rsplit("/", 1)[-1]
        one = httpx.get(url + f"/api/recommendations/{slug}").json()
        listed = all_items(url, "/api/recommendations", theme="kreislaufwirtschaft")
        answers[kind] = (created.json(), created.headers["location"], {k: v for k, v in one.items() if k != "date"},
                         sorted(r["id"] for r in listed))
        refused = httpx.post(url + "/api/recommendations", headers=AUTH,
                             json={**VALID_RECOMMENDATION, "text": "x", "themes": [ID + "theme/gibt-es-nicht"]})
        assert refused.status_code == 422
        deleted = httpx.delete(url + f"/api/recommendations/{slug}", headers=AUTH, timeout=120)
        assert deleted.status_code == 204, (kind, deleted.text)
        assert httpx.get(url + f"/api/recommendations/{slug}").status_code == 404
    assert answers["remote"] == answers["embedded"]


def test_a_syntax_error_is_a_4xx_not_a_5xx(servers):
    r = httpx.get(servers["remote"].url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert 400 <= r.status_code < 500, r.text


def test_a_server_without_the_union_default_graph_is_refused(tmp_path):
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path / "ox"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = ServerProcess(proc, f"http://127.0.0.1:{port}/sparql", tmp_path / "none.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc=proc)
        built = zdg("build", "--store", server.url)  # a build works: it names its graphs
        assert built.returncode == 2 and "union" in built.stderr, built.stderr
        for args in (["serve", "--port", str(free_port())], ["query", "queries/q02-trade-unions.rq"]):
            result = zdg(*args, "--store", server.url)
            assert result.returncode == 2, (args, result.stderr)
            text = " ".join(result.stderr.split())
            assert "default graph is not the union of its named graphs" in text and "--union-default-graph" in text
            assert "Traceback" not in result.stderr
    finally:
        server.stop()
