"""The `kursk` command: a thin argparse layer over the ledger, the analysis and the briefing."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import paths
from .ledger import DataError
from .paths import ARTICLES_DIR, BUILD_DIR, DATA_DIR

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _load(args):
    from .ledger import load

    return load(args.data)


def cmd_validate(args) -> int:
    data = _load(args)
    print(
        f"ok: {len(data.figures)} figures ({len(data.claims)} claims) from "
        f"{len(data.articles)} articles in {len(data.files)} files"
    )
    return EXIT_OK


def cmd_export(args) -> int:
    from .ledger import export_text

    text = export_text(_load(args), args.format)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _articles_dir(args) -> Path | None:
    path = Path(args.articles)
    if not path.is_dir():
        print(f"kursk: articles folder not found: {path} (pass --articles DIR)", file=sys.stderr)
        return None
    return path


def cmd_verify(args) -> int:
    from .analysis.provenance import verify

    data = _load(args)
    folder = _articles_dir(args)
    if folder is None:
        return EXIT_FAILED
    issues = verify(data, folder)
    for issue in issues:
        print(issue)
    checked = len(data.figures) + len(data.ignored)
    if issues:
        print(f"verify: {len(issues)} problem(s) in {checked} quotes", file=sys.stderr)
        return EXIT_FAILED
    print(f"verify: ok: {len(data.articles)} article hashes, {checked} quotes and their numbers")
    return EXIT_OK


def cmd_coverage(args) -> int:
    from .analysis.provenance import coverage

    data = _load(args)
    folder = _articles_dir(args)
    if folder is None:
        return EXIT_FAILED
    result, issues = coverage(data, folder)
    for issue in issues:
        print(issue)
    total = uncurated = 0
    print(
        f"{'article':<22} {'mentions':>8} {'curated':>8} {'ignored':>8} {'uncurated':>9} {'coverage':>9}"
    )
    for cov in result:
        c = cov.counts
        total += len(cov.mentions)
        uncurated += c["uncurated"]
        print(
            f"{cov.article:<22} {len(cov.mentions):>8} {c['curated']:>8} {c['ignored']:>8} "
            f"{c['uncurated']:>9} {cov.percent:>8.1f}%"
        )
    pct = 100.0 if not total else 100.0 * (total - uncurated) / total
    print(f"{'all':<22} {total:>8} {'':>8} {'':>8} {uncurated:>9} {pct:>8.1f}%")
    for cov in result:
        text = (folder / f"{cov.article}.txt").read_text(encoding="utf-8", errors="replace")
        for m in cov.mentions:
            if m.status == "uncurated" or args.all:
                print(
                    f"  {cov.article}: {m.status}: {m.context(text)}"
                    + (f"  <- {m.by}" if m.by else "")
                )
    return EXIT_OK if not issues and uncurated == 0 else EXIT_FAILED


def cmd_schema(args) -> int:
    from .ledger.models import write_schemas

    for path in write_schemas(Path(args.out) if args.out else DATA_DIR / "schema"):
        print(f"wrote {path}")
    return EXIT_OK


def cmd_briefing(args) -> int:
    import time

    from .briefing import FORMATS, build_briefing
    from .briefing.folder import PackError
    from .chromium import ChromiumError

    data = _load(args)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        print(f"error: unknown format {bad[0]!r}; use some of png,svg,pdf", file=sys.stderr)
        return EXIT_INVALID
    start = time.perf_counter()
    try:
        build_briefing(data, args.out, formats, args.claimant, args.since)
    except PackError as exc:
        print(f"kursk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ChromiumError as exc:
        print(f"error: images not written: {exc}", file=sys.stderr)
        print("index.html, briefing.md, figures.csv, manifest.json were written.", file=sys.stderr)
        return 3
    out = args.out or BUILD_DIR / "briefing"
    print(f"wrote briefing to {out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return EXIT_OK


def _date(text: str) -> str:
    """A --since value: a date as YYYY, YYYY-MM or YYYY-MM-DD (argparse says which is wrong)."""
    import datetime as dt

    for form in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            dt.datetime.strptime(text, form)
            return text
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")


def _os_error(exc: OSError) -> str:
    """What went wrong with a file or folder, in the user's words, with the path and a fix."""
    where = exc.filename or exc.filename2 or "a file"
    fixes = {
        errno.EACCES: "permission denied; choose a folder you can write (--out) or fix its owner",
        errno.EPERM: "not permitted; choose a folder you can write (--out) or fix its owner",
        errno.EROFS: "the file system is read-only; choose another folder with --out",
        errno.ENOSPC: "the disk is full; free some space and run again",
        errno.EDQUOT: "your disk quota is used up; free some space and run again",
        errno.EFBIG: "the file grew beyond the size allowed here; free space or raise the limit",
        errno.ENOENT: "not found; check the path",
        errno.ENOTDIR: "a part of the path is a file, not a folder; check the path",
        errno.EISDIR: "this is a folder; give a file name",
    }
    fix = fixes.get(exc.errno, exc.strerror or str(exc))
    return f"kursk: cannot use {paths.display_path(where)}: {fix}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kursk",
        description="Kursk Figures: curated, sourced numbers on North Korea's deployment to Kursk.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add(
        "validate", cmd_validate, "check the YAML under DATA_DIR; exit 2 listing every problem"
    )
    p.add_argument(
        "data",
        nargs="?",
        default=None,
        metavar="DATA_DIR",
        help=f"folder with the YAML (default: {DATA_DIR})",
    )

    p = add("export", cmd_export, "write the figures table, one row per figure")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")

    p = add(
        "verify", cmd_verify, "check quotes, numbers and article hashes against the article texts"
    )
    p.add_argument(
        "--articles",
        default=str(ARTICLES_DIR),
        metavar="DIR",
        help=f"folder of <article id>.txt files (default: {ARTICLES_DIR})",
    )

    p = add(
        "coverage",
        cmd_coverage,
        "list every numeric mention in the articles as curated, ignored or uncurated",
    )
    p.add_argument(
        "--articles",
        default=str(ARTICLES_DIR),
        metavar="DIR",
        help=f"folder of <article id>.txt files (default: {ARTICLES_DIR})",
    )
    p.add_argument(
        "--all", action="store_true", help="list every mention, not only uncurated ones"
    )

    p = add("schema", cmd_schema, "write the JSON Schemas editors use to data/schema/")
    p.add_argument("--out", metavar="DIR")

    p = add(
        "briefing",
        cmd_briefing,
        "write every chart as PNG/SVG/PDF plus an offline page and briefing pack",
    )
    p.add_argument("--out", metavar="DIR", default=None, help="default: build/briefing/")
    p.add_argument("--formats", default="png,svg,pdf", help="comma-separated: png,svg,pdf")
    p.add_argument("--claimant", action="append", metavar="ID", help="repeat to keep several")
    p.add_argument(
        "--since", metavar="DATE", default=None, type=_date, help="as-of date lower bound"
    )

    for name, p in sub.choices.items():
        if name not in ("validate", "schema") and not any(a.dest == "data" for a in p._actions):
            p.add_argument(
                "--data",
                default=None,
                metavar="DATA_DIR",
                help="folder with the YAML (default: data/)",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DataError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        n = len(exc.issues)
        print(f"kursk: {n} problem{'s' if n != 1 else ''} in the data", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a user's path, permission or disk, not a bug
        if os.environ.get("KURSK_DEBUG"):
            raise
        print(_os_error(exc), file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # no traceback for users; KURSK_DEBUG=1 shows it
        if os.environ.get("KURSK_DEBUG"):
            raise
        print(
            f"kursk: internal error: {exc.__class__.__name__}: {exc} "
            "(run with KURSK_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
