"""The long fuzzing run (issue 8): schemathesis over the whole OpenAPI spec, >= 10,000 cases.

A real ``zdg serve`` on a fresh embedded store on a loopback port, with a write token that
schemathesis sends on every request (so the write paths are fuzzed past the auth check too).
Every phase runs (examples, coverage, fuzzing, stateful where links exist) with every check.
Server errors (ST101) must be 0; the other findings (schema or status-code mismatches) are
counted and listed. The bounded CI run of the same kind lives in tests/test_api_fuzz.py.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from benchmarks.bench_build import start_server

TARGET_CASES = 10_000
QUICK_CASES = 500
MAX_TIME_S = 2400
QUICK_MAX_TIME_S = 60
SEED = 20230120  # the letter's date: reproducible runs


def _schemathesis() -> str:
    exe = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(exe).exists() and not shutil.which(exe):
        raise RuntimeError("schemathesis is not installed (pip install -e '.[test]')")
    return exe


def _operations(url: str) -> int:
    spec = httpx.get(url + "/openapi.json", timeout=30).json()
    methods = {"get", "put", "post", "delete", "patch", "options", "head"}
    return sum(1 for item in spec.get("paths", {}).values() for m in item if m in methods)


def fuzz(url: str, token: str, cases: int, max_time: int, report_dir: Path) -> dict:
    """Run schemathesis against ``url``; returns its JSON run report."""
    ops = _operations(url)
    # The examples and coverage phases add their own cases on top of --max-examples.
    max_examples = max(1, math.ceil(cases / max(ops, 1)))
    cmd = [
        _schemathesis(), "run", url + "/openapi.json",
        "--max-examples", str(max_examples), "--max-time", str(max_time),
        "--checks", "all", "--no-shrink", "--seed", str(SEED), "--workers", "2",
        "--request-timeout", "60", "--suppress-health-check", "all",
        "-H", f"Authorization: Bearer {token}",
        "--report", "json", "--report-json-path", str(report_dir / "report.json"),
    ]
    # cwd: schemathesis keeps a .schemathesis/ cache in its working directory, not in the checkout.
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=max_time + 600, cwd=report_dir)
    report_path = report_dir / "report.json"
    if not report_path.exists():
        raise RuntimeError(f"schemathesis wrote no report (exit {proc.returncode}): {proc.stdout[-1500:]} {proc.stderr[-1500:]}")
    report = json.loads(report_path.read_text())
    report["_operations"] = ops
    report["_max_examples"] = max_examples
    report["_stdout_tail"] = proc.stdout[-4000:]
    return report


def rows_of(report: dict, target_cases: int) -> list[dict]:
    """Rows: cases run, server errors (target 0), the other findings by code."""
    cases = report.get("test_cases", {})
    failures = report.get("failures", [])
    server = [f for f in failures if f.get("code") == "ST101"]
    rows = [
        {"case": "test cases generated", "ours": cases.get("generated", 0),
         "target": f">= {target_cases:,}", "met": cases.get("generated", 0) >= target_cases,
         "note": f"{report.get('_operations')} operations, --max-examples {report.get('_max_examples')}, "
                 f"seed {report.get('seed')}, {report.get('running_time', 0):.0f} s, stop: {report.get('stop_reason')}"},
        {"case": "server errors (ST101, unique)", "ours": sum(f.get("count", 0) for f in server),
         "target": "0", "met": not server,
         "note": "; ".join(", ".join(f.get("operations", [])) for f in server)},
        {"case": "test cases with any failing check", "ours": cases.get("with_failures", 0)},
        {"case": "errors while testing (not server answers)", "ours": cases.get("errored", 0)
            + len(report.get("errors", [])), "note": json.dumps(report.get("errors", [])[:2], default=str)[:600]},
    ]
    for f in failures:
        if f.get("code") == "ST101":
            continue
        rows.append({"case": f"{f.get('code')} {f.get('title')} (unique)", "ours": f.get("count", 0),
                     "note": ", ".join(f.get("operations", []))})
    return rows


def run(quick: bool = False) -> list[dict]:
    """Serve a fresh store, fuzz it, stop it; rows for BENCHMARKS.md."""
    cases = QUICK_CASES if quick else TARGET_CASES
    with tempfile.TemporaryDirectory(prefix="zdg-fuzz-") as d:
        tmp = Path(d)
        server = start_server(tmp / "store", tmp)
        try:
            report = fuzz(server.url, server.token, cases, QUICK_MAX_TIME_S if quick else MAX_TIME_S, tmp)
            alive = httpx.get(server.url + "/healthz", timeout=10).status_code
            log = server.log.read_text(errors="replace")
        finally:
            server.stop()
    rows = rows_of(report, cases)
    rows.append({"case": "server answers /healthz after the run", "ours": alive, "met": alive == 200})
    rows.append({"case": "token in the server log", "ours": log.count(server.token), "target": "0",
                 "met": server.token not in log})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
