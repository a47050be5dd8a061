"""`make bench`: run every module in bench/benchmarks/, print a table, write build/bench.json.

Each module exposes `run(quick: bool = False) -> list[dict]`; a row has section, name, value,
unit and optionally target and note. A failing module is reported and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback

from kursk.paths import BUILD_DIR, ROOT

from . import benchmarks


def machine() -> dict:
    """What the numbers were measured on."""
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument(
        "--only", help="run only this benchmark module (its rows replace those in bench.json)"
    )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="run nothing; put the table of build/bench.json into docs/performance.md",
    )
    args = parser.parse_args(argv)
    if args.readme:
        return write_readme()
    rows, failures = [], []
    for mod in sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)):
        if args.only and mod != args.only:
            continue
        print(f"running benchmarks.{mod} ...", file=sys.stderr, flush=True)
        try:
            rows += importlib.import_module(f"bench.benchmarks.{mod}").run(quick=args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others
            failures.append({"module": mod, "error": f"{exc.__class__.__name__}: {exc}"})
            traceback.print_exc(limit=2)
    if args.only and (BUILD_DIR / "bench.json").exists():  # keep the other modules' rows
        sections = {r["section"] for r in rows} or {args.only}
        old = json.loads((BUILD_DIR / "bench.json").read_text())["rows"]
        rows = [r for r in old if r["section"] not in sections] + rows
        order = [m.name for m in pkgutil.iter_modules(benchmarks.__path__)]
        rows.sort(key=lambda r: order.index(r["section"]) if r["section"] in order else 99)
    result = {"machine": machine(), "rows": rows, "failures": failures}
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print(markdown_table(rows))
    for f in failures:
        print(f"FAILED {f['module']}: {f['error']}")
    m = result["machine"]
    print(f"\n{m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, {m['date']}")
    return 1 if failures else 0


def write_readme() -> int:
    """Replace the table in docs/performance.md (between the bench-table markers) with
    build/bench.json."""
    result = json.loads((BUILD_DIR / "bench.json").read_text())
    m = result["machine"]
    table = (
        markdown_table(result["rows"])
        + f"\n\nMeasured on {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"{m['platform']}, {m['date']}."
    )
    readme = ROOT / "docs" / "performance.md"
    text = readme.read_text()
    start, end = "<!-- bench-table -->\n", "<!-- /bench-table -->"
    head, rest = text.split(start, 1)
    readme.write_text(head + start + table + "\n" + end + rest.split(end, 1)[1])
    print(f"docs/performance.md: bench table of {m['date']} ({len(result['rows'])} rows)")
    return 0


def markdown_table(rows: list[dict]) -> str:
    """The rows as a markdown table (what the README shows)."""
    lines = ["| section | measure | median | target | note |", "|---|---|---|---|---|"]
    for r in rows:
        value = r["value"]
        shown = f"{value:,.3g}" if isinstance(value, float) else str(value)
        lines.append(
            f"| {r['section']} | {r['name']} | {shown} {r['unit']} | {r.get('target', '')} "
            f"| {r.get('note', '')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
