"""Load: 50 concurrent clients for 60 s against a real server on the embedded store (issue 8).

The clients (async httpx, one connection each, loopback only) mix SPARQL queries (GET and
POST, lookups and group-by joins), API reads (lists, network, validation) and a few writes
(``POST /api/recommendations`` with the token, at most one every ``WRITE_EVERY_S``). An error
is any 5xx, connection error or time-out; other non-2xx answers are counted separately (they
mean the mix asked for something the server refused, which the report shows).

The run is bounded in time (``DURATION_S``) and in count (``MAX_REQUESTS``) and stops by itself.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from benchmarks.bench_build import start_server

CLIENTS = 50
DURATION_S = 60.0
QUICK_DURATION_S = 10.0
MAX_REQUESTS = 500_000
WRITE_EVERY_S = 0.5
REQUEST_TIMEOUT_S = 30.0

ID = "https://w3id.org/zukunftsdialog/id/"
PREFIX = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX zd: <https://w3id.org/zukunftsdialog/ontology#>\n"
LOOKUP = PREFIX + f"SELECT ?label WHERE {{ <{ID}organisation/dgb-nrw> skos:prefLabel ?label }}"
ANALYTIC = PREFIX + """SELECT ?type (COUNT(DISTINCT ?s) AS ?n) (COUNT(*) AS ?facts)
WHERE { ?s a ?type ; ?p ?o } GROUP BY ?type ORDER BY DESC(?n)"""
CONSTRUCT = PREFIX + f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER(STRSTARTS(STR(?s), \"{ID}organisation/\")) }}"

#: (kind, weight). Writes are further throttled to one per WRITE_EVERY_S.
MIX = [
    ("sparql GET lookup", 20),
    ("sparql POST group-by", 10),
    ("sparql POST construct", 5),
    ("api organisations", 12),
    ("api persons", 8),
    ("api recommendations", 10),
    ("api themes", 8),
    ("api network", 8),
    ("api validation", 2),
    ("write recommendation", 3),
]


def _request(kind: str, n: int, refs: dict[str, list[str]]) -> tuple[str, str, dict]:
    """(method, path, httpx kwargs) of one request of ``kind``."""
    json_accept = {"Accept": "application/sparql-results+json"}
    if kind == "sparql GET lookup":
        return "GET", "/sparql", {"params": {"query": LOOKUP}, "headers": json_accept}
    if kind == "sparql POST group-by":
        return "POST", "/sparql", {"content": ANALYTIC.encode(),
                                   "headers": {**json_accept, "Content-Type": "application/sparql-query"}}
    if kind == "sparql POST construct":
        return "POST", "/sparql", {"data": {"query": CONSTRUCT}, "headers": {"Accept": "application/n-triples"}}
    if kind == "api organisations":
        return "GET", "/api/organisations", {"params": {"limit": 50, "offset": n % 3}}
    if kind == "api persons":
        return "GET", "/api/persons", {}
    if kind == "api recommendations":
        return "GET", "/api/recommendations", {"params": {"lang": "en"} if n % 2 else {}}
    if kind == "api themes":
        return "GET", "/api/themes", {}
    if kind == "api network":
        return "GET", "/api/network", {}
    if kind == "api validation":
        return "GET", "/api/validation", {}
    if kind == "write recommendation":
        body = {
            "text": f"Lasttest-Empfehlung {n}: Genehmigungsverfahren beschleunigen",
            "lang": "de",
            "themes": [random.choice(refs["themes"])],
            "proposed_by": [random.choice(refs["organisations"])],
            "source": f"https://www.example.org/lasttest/{n}",
        }
        return "POST", "/api/recommendations", {"json": body}
    raise ValueError(kind)


def _refs(client: httpx.Client) -> dict[str, list[str]]:
    """Theme and organisation IRIs to write with, read from the server's own API."""
    refs = {}
    for name in ("themes", "organisations"):
        r = client.get(f"/api/{name}", params={"limit": 1000})
        items = r.json()["items"] if r.status_code == 200 else []
        refs[name] = [i["id"] for i in items] or [ID + ("theme/kreislaufwirtschaft" if name == "themes"
                                                        else "organisation/dgb-nrw")]
    return refs


async def _load(url: str, token: str, duration: float, refs: dict[str, list[str]]) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: dict[str, list[str]] = defaultdict(list)
    kinds, weights = zip(*MIX)
    deadline = time.perf_counter() + duration
    counter = 0
    last_write = 0.0
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}

    async def client_loop(client: httpx.AsyncClient, seed: int) -> None:
        nonlocal counter, last_write
        rnd = random.Random(seed)
        while time.perf_counter() < deadline and counter < MAX_REQUESTS:
            kind = rnd.choices(kinds, weights)[0]
            if kind == "write recommendation":
                now = time.perf_counter()
                if now - last_write < WRITE_EVERY_S:
                    continue
                last_write = now
            counter += 1
            method, path, kwargs = _request(kind, counter, refs)
            started = time.perf_counter()
            try:
                r = await client.request(method, path, **kwargs)
                latencies[kind].append(time.perf_counter() - started)
                statuses[kind][str(r.status_code)] += 1
                if r.status_code >= 500:
                    errors[kind].append(f"{r.status_code}: {r.text[:200]}")
            except httpx.HTTPError as exc:
                latencies[kind].append(time.perf_counter() - started)
                statuses[kind][type(exc).__name__] += 1
                errors[kind].append(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S) as reader, \
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S, headers=headers) as writer:
        # Writers carry the token on their own client; readers never send it.
        async def one(seed: int) -> None:
            await client_loop(_Router(reader, writer), seed)

        await asyncio.gather(*(one(i) for i in range(CLIENTS)))
    return {"elapsed": time.perf_counter() - started, "latencies": latencies, "statuses": statuses, "errors": errors}


class _Router:
    """Sends writes through the client holding the token and everything else through the other."""

    def __init__(self, reader: httpx.AsyncClient, writer: httpx.AsyncClient):
        self.reader, self.writer = reader, writer

    async def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        client = self.writer if method == "POST" and path.startswith("/api/") else self.reader
        return await client.request(method, path, **kwargs)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rows_of(result: dict) -> list[dict]:
    """Per-kind and total rows: count, errors, other non-2xx, throughput, p50/p99 in ms."""
    elapsed = result["elapsed"]
    rows, all_lat = [], []
    total_errors = total_other = 0
    for kind, _ in MIX:
        lat = result["latencies"].get(kind, [])
        all_lat += lat
        statuses = dict(result["statuses"].get(kind, {}))
        errors = len(result["errors"].get(kind, []))
        other = sum(v for k, v in statuses.items() if k.isdigit() and not 200 <= int(k) < 400 and int(k) < 500)
        total_errors += errors
        total_other += other
        rows.append({"case": kind, "requests": len(lat), "errors (5xx/conn.)": errors, "other non-2xx": other,
                     "statuses": statuses, "req/s": round(len(lat) / elapsed, 1),
                     "p50 ms": round(1000 * _pct(lat, 0.5), 1), "p99 ms": round(1000 * _pct(lat, 0.99), 1)})
    rows.append({"case": f"all ({CLIENTS} clients, {elapsed:.0f} s)", "requests": len(all_lat),
                 "errors (5xx/conn.)": total_errors, "other non-2xx": total_other,
                 "req/s": round(len(all_lat) / elapsed, 1),
                 "p50 ms": round(1000 * _pct(all_lat, 0.5), 1), "p99 ms": round(1000 * _pct(all_lat, 0.99), 1),
                 "target": "0 errors", "met": total_errors == 0})
    samples = [f"{k}: {e[0]}" for k, e in result["errors"].items() if e]
    if samples:
        rows.append({"case": "first error of each kind", "note": " / ".join(samples)[:1500]})
    return rows


def _exceptions(log: str) -> list[str]:
    """The distinct exception lines of a server log, with how often each occurred."""
    import re
    from collections import Counter

    found = Counter(re.sub(r"/tmp/\S+", "<tmp>", line) for line in log.splitlines()
                    if re.match(r"^\w+(Error|Exception)\b", line))
    return [f"{n}x {line[:300]}" for line, n in found.most_common(5)]


def run(quick: bool = False) -> list[dict]:
    """Start a server on a fresh embedded store, load it, stop it; rows per request kind."""
    with tempfile.TemporaryDirectory(prefix="zdg-bench-load-") as d:
        tmp = Path(d)
        server = start_server(tmp / "store", tmp)
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                refs = _refs(client)
            result = asyncio.run(_load(server.url, server.token, QUICK_DURATION_S if quick else DURATION_S, refs))
            alive = httpx.get(server.url + "/healthz", timeout=10).status_code
        finally:
            server.stop()
        causes = _exceptions(server.log.read_text(errors="replace"))
    rows = rows_of(result)
    rows.append({"case": "server answers /healthz after the run", "note": f"status {alive}", "met": alive == 200})
    if causes:
        rows.append({"case": "exceptions in the server log", "note": " / ".join(causes)[:1500]})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
