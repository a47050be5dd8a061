"""`kursk publish` and `kursk diff`: their arguments and what they print (cli.py adds them)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..paths import BUILD_DIR, DATA_DIR, display_path

EXIT_SAME, EXIT_CHANGED, EXIT_TROUBLE = 0, 1, 2  # as diff(1)
FORMATS = ("text", "markdown", "json")


def cmd_publish(args) -> int:
    from ..ledger import load
    from .package import write_package

    out = Path(args.out) if args.out else BUILD_DIR / "package"
    if out.exists() and not out.is_dir():
        print(f"kursk publish: {args.out} is a file; --out names a folder", file=sys.stderr)
        return EXIT_TROUBLE
    data = load(args.data)
    written = write_package(data, out, args.url)
    names = ", ".join(p.name for p in written)
    print(f"wrote {names} to {display_path(out)}", file=sys.stderr)
    print(f"data package {data.version.label}: {len(data.figures)} figures", file=sys.stderr)
    return EXIT_SAME


def cmd_diff(args) -> int:
    from . import report
    from .diff import compare
    from .sides import SideError, from_data, resolve

    data_dir = Path(args.data) if args.data else DATA_DIR
    try:
        old = resolve(args.old, data_dir)
        new = (
            resolve(args.new, data_dir)
            if args.new
            else from_data(display_path(data_dir), data_dir)
        )
        log = compare(old, new)
    except (SideError, ValueError) as exc:
        print(f"kursk diff: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    write = {"text": report.text, "markdown": report.markdown, "json": report.as_json}
    text = write[args.format](log)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {report.summary(log)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_CHANGED if log else EXIT_SAME


def add_commands(add) -> None:
    """Add publish and diff to the parser; `add(name, func, help)` returns a subparser."""
    p = add(
        "publish",
        cmd_publish,
        "write the figures as a citable Frictionless data package: datapackage.json (licence, "
        "version, sources, a Table Schema per CSV), figures, claims, sources, claimants as "
        "CSV, README.md (how to cite, caveats) and CITATION.cff",
    )
    p.add_argument("--out", metavar="DIR", default=None, help="default: build/package/")
    p.add_argument(
        "--url", help="where the package will be published: named in README.md and CITATION.cff"
    )

    p = add(
        "diff",
        cmd_diff,
        "list the figures changed between two versions (added, removed, revised, value, "
        "qualifier, claimant, source, assessment, details), grouped by source and claim; "
        "exit 0 when the same, 1 when changed, 2 on trouble",
    )
    sides = (
        "a data folder, a briefing (its folder or manifest.json), a data package (its folder "
        "or datapackage.json), or a git revision (commit, tag, branch) of the checkout holding "
        "--data"
    )
    p.add_argument("old", metavar="OLD", help=sides)
    p.add_argument("new", metavar="NEW", nargs="?", help=f"{sides} (default: --data, as it is)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
