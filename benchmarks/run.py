"""Run every benchmark and write BENCHMARKS.md.

    python -m benchmarks.run [--quick] [--only NAME ...] [--output BENCHMARKS.md]

Each benchmark module ``benchmarks/<name>.py`` exposes ``run(quick: bool = False) -> list[dict]``.
Each runs in its own child process (so a crash, a hang or its memory cannot spoil the others);
a benchmark that fails is recorded with its error and the run goes on.

BENCHMARKS.md keeps one section per benchmark between markers; ``--only`` replaces just the
sections it ran and keeps the others (each section says when and how it was measured).

Row convention (any other keys are shown as extra columns): ``case``; ``ours`` and ``unit``;
``peer`` (what we compare against) and ``peer_value``; ``ratio`` (ours / peer); ``target``
(the issue's target, as text) and ``met`` (True/False/None). Rows may instead carry their own
columns; the table shows whatever keys the rows have, in order of first appearance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Every benchmark, in the order they run and appear.
BENCHMARKS = ("bench_build", "bench_sparql", "bench_shacl", "bench_page", "bench_network", "bench_load", "fuzz_long",
              "bench_fresh_clone", "bench_reliability")
TITLES = {
    "bench_build": "Build, load and serve-ready (issue 7)",
    "bench_sparql": "SPARQL endpoint vs raw Oxigraph vs rdflib-endpoint (issues 3, 7 and 18)",
    "bench_shacl": "SHACL validation: full and single-write (issue 7)",
    "bench_page": "Staff page: time to interactive in Chromium, this page vs the page before issue 13 (issues 7 and 13)",
    "bench_network": "The network after a write: first /api/network and /graph (issue 18)",
    "bench_load": "Load: 50 concurrent clients (issue 8)",
    "fuzz_long": "Long schemathesis run over the OpenAPI spec (issue 8)",
    "bench_fresh_clone": "make serve on a fresh clone: uv vs pip, cold and warm cache (issue 16)",
    "bench_reliability": "Reliability: sync per write, 1 MB INSERT DATA, memory on large answers, /healthz during dumps (issue 17)",
}
LIBRARIES = ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "fastapi", "uvicorn", "httpx", "networkx", "pyvis",
             "schemathesis", "playwright", "rdflib-endpoint", "igraph")
CHILD_TIMEOUT_S = 3600


# --------------------------------------------------------------------------- machine facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> str:
    try:
        import psutil

        return f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        return "unknown"


def _chromium() -> str:
    for exe in ("/usr/bin/chromium", "chromium"):
        try:
            out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20)
            if out.returncode == 0:
                return out.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
    return "not installed"


def machine() -> dict[str, str]:
    """CPU, cores, RAM, OS, Python, library versions and Chromium of this machine."""
    facts = {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": _ram_gib(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        # Other work on the machine slows ours and the peers alike; ratios are what compares.
        "load average at start (1, 5, 15 min)": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    for lib in LIBRARIES:
        try:
            facts[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            facts[lib] = "not installed"
    facts["Chromium"] = _chromium()
    return facts


# --------------------------------------------------------------------------- running


def available() -> list[str]:
    """The benchmark modules that exist in this checkout."""
    here = Path(__file__).resolve().parent
    return [name for name in BENCHMARKS if (here / f"{name}.py").is_file()]


def run_child(name: str, quick: bool) -> dict:
    """Run one benchmark in a child process; returns ``{"rows", "error", "seconds"}``."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result_path = Path(f.name)
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", name, "--result", str(result_path)]
    if quick:
        cmd.append("--quick")
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, timeout=CHILD_TIMEOUT_S, capture_output=True, text=True)
        result = json.loads(result_path.read_text()) if result_path.stat().st_size else None
        if result is None:
            result = {"rows": [], "error": f"exited with {proc.returncode}: {(proc.stderr or '')[-1500:]}"}
    except subprocess.TimeoutExpired:
        result = {"rows": [], "error": f"did not finish within {CHILD_TIMEOUT_S} s"}
    finally:
        result_path.unlink(missing_ok=True)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _child(name: str, quick: bool, result_path: Path) -> None:
    """Inside the child: import the module, call ``run(quick)``, write rows or the error."""
    try:
        module = __import__(f"benchmarks.{name}", fromlist=["run"])
        try:
            rows = module.run(quick=quick)
        except TypeError as exc:  # a module whose run() takes no ``quick``
            if "quick" not in str(exc):
                raise
            rows = module.run()
        result = {"rows": [dict(r) for r in rows or []], "error": None}
    except BaseException:  # noqa: BLE001 - recorded, never fatal for the whole run
        result = {"rows": [], "error": traceback.format_exc()[-3000:]}
    result_path.write_text(json.dumps(result, default=str))


# --------------------------------------------------------------------------- BENCHMARKS.md


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if key == "met" and isinstance(value, bool):
        return "**met**" if value else "**missed**"
    if isinstance(value, float):
        text = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict]) -> str:
    """A markdown table of the rows (columns: every key, in order of first appearance)."""
    if not rows:
        return "_no rows_\n"
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    # An empty column (e.g. no row has a target) only adds noise.
    columns = [c for c in columns if any(r.get(c) not in (None, "") for r in rows)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(c, row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def section(name: str, result: dict, command: str, quick: bool) -> str:
    """One benchmark's section, with its own date and command."""
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!-- bench:{name} start -->", f"## {TITLES.get(name, name)}", "",
             f"Module `benchmarks/{name}.py`; measured {when} with `{command}`"
             f"{' (quick mode: fewer repeats and sizes)' if quick else ''}; took {result.get('seconds', '?')} s.", ""]
    if result.get("rows"):
        parts.append(table(result["rows"]))
    if result.get("error"):
        parts += ["**This benchmark failed**; its error:", "", "```", result["error"].strip(), "```", ""]
    parts.append(f"<!-- bench:{name} end -->")
    return "\n".join(parts)


_SECTION = re.compile(r"<!-- bench:(?P<name>[\w-]+) start -->.*?<!-- bench:(?P=name) end -->", re.DOTALL)


def write_report(path: Path, sections: dict[str, str], facts: dict[str, str]) -> None:
    """Write BENCHMARKS.md: header with the machine, then every section (kept ones included)."""
    old = {m.group("name"): m.group(0) for m in _SECTION.finditer(path.read_text())} if path.exists() else {}
    merged = {**old, **sections}
    order = [n for n in BENCHMARKS if n in merged] + sorted(n for n in merged if n not in BENCHMARKS)
    header = [
        "# Benchmarks", "",
        "Written by `python -m benchmarks.run` (`make bench`); do not edit by hand. Each section says when and "
        "with which command it was measured; `--only NAME` re-runs one section and keeps the others. "
        "Ratios are ours / peer, measured in the same run on the same machine; targets are those of "
        "issues 7, 8 and 18, and \"met\"/\"missed\" is computed, not hand-written.", "",
        "## Machine (of the latest run)", "",
        "| | |", "|---|---|",
        *[f"| {k} | {_cell(k, v)} |" for k, v in facts.items()], "",
    ]
    path.write_text("\n".join(header) + "\n" + "\n\n".join(merged[n] for n in order) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line entry: run the chosen benchmarks and write the report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (minutes, not an hour)")
    parser.add_argument("--only", action="append", metavar="NAME", help=f"run only these ({', '.join(BENCHMARKS)})")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.quick, args.result)
        return 0
    names = available()
    if args.only:
        unknown = [n for n in args.only if n not in BENCHMARKS]
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        missing = [n for n in args.only if n not in names]
        if missing:
            parser.error(f"not in this checkout yet: {', '.join(missing)}")
        names = [n for n in names if n in args.only]
    command = "python -m benchmarks.run" + (" --quick" if args.quick else "") + "".join(
        f" --only {n}" for n in args.only or [])
    sections, failed, facts = {}, [], machine()
    for name in names:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        result = run_child(name, args.quick)
        if result.get("error"):
            failed.append(name)
            print(f"[bench] {name} FAILED:\n{result['error']}", file=sys.stderr, flush=True)
        else:
            print(f"[bench] {name}: {len(result['rows'])} rows in {result['seconds']} s", file=sys.stderr, flush=True)
        sections[name] = section(name, result, command, args.quick)
        # Written after each benchmark, so an interrupted run keeps what it measured.
        write_report(args.output, sections, facts)
    print(f"[bench] wrote {args.output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
