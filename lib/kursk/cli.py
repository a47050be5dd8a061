"""The `kursk` command: a thin argparse layer over the ledger, the analysis and the briefing."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import __version__
from .ledger import DataError, FilterError
from .paths import ARTICLES_DIR, BUILD_DIR, DATA_DIR, display_path

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _load(args):
    from .ledger import load

    return load(args.data)


def cmd_validate(args) -> int:
    data = _load(args)
    print(
        f"ok: {len(data.figures)} figures ({len(data.claims)} claims) from "
        f"{len(data.articles)} sources in {len(data.files)} files"
    )
    return EXIT_OK


def cmd_export(args) -> int:
    from .ledger import export_text

    data = _load(args)
    if args.as_known_on:
        data = data.as_known_on(args.as_known_on)
    data = data.filter(claimants=args.claimant, since=args.since, until=args.until)
    text = export_text(data, args.format)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _texts_dir(args, data) -> Path | None:
    """The folder of held texts; None (after saying why) when some text is held and the folder
    does not exist. Sources without a held text need no folder."""
    path = Path(args.articles)
    if path.is_dir() or not data.articles["text_held"].any():
        return path
    print(
        f"kursk: texts folder not found: {path} (pass --articles DIR or set KURSK_ARTICLES; "
        "see data/README.md, 'Adding a source')",
        file=sys.stderr,
    )
    return None


def _checked_line(result) -> str:
    """'3 sources checked; 2 sources (9 quotes) not checkable: no text held'."""
    n_checked, q_checked = result.count("checked")
    n_failed, q_failed = result.count("failed")
    n_none, q_none = result.count("not checkable")
    parts = [
        f"{n_checked + n_failed} source(s) with a held text checked ({q_checked + q_failed} quotes)"
    ]
    if n_none:
        parts.append(f"{n_none} source(s) and {q_none} quote(s) not checkable (no text held)")
    return "; ".join(parts)


def cmd_verify(args) -> int:
    from .analysis.provenance import verify

    data = _load(args)
    folder = _texts_dir(args, data)
    if folder is None:
        return EXIT_FAILED
    result = verify(data, folder)
    for issue in result.issues:
        print(issue)
    for source in result.sources:
        why = f" ({source.reason})" if source.reason else ""
        print(f"  {source.article}: {source.status}{why}")
    if result.issues:
        print(f"verify: {len(result.issues)} problem(s); {_checked_line(result)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"verify: ok: {_checked_line(result)}; every quote found, every number in its quote")
    return EXIT_OK


def cmd_coverage(args) -> int:
    from .analysis.provenance import coverage

    data = _load(args)
    folder = _texts_dir(args, data)
    if folder is None:
        return EXIT_FAILED
    result, issues = coverage(data, folder)
    for issue in issues:
        print(issue)
    total = uncurated = 0
    head = f"{'source':<22} {'mentions':>8} {'curated':>8} {'ignored':>8} {'uncurated':>9}"
    print(head + f" {'coverage':>9}")
    for cov in result:
        c = cov.counts
        total += len(cov.mentions)
        uncurated += c["uncurated"]
        print(
            f"{cov.article:<22} {len(cov.mentions):>8} {c['curated']:>8} {c['ignored']:>8} "
            f"{c['uncurated']:>9} {cov.percent:>8.1f}%"
        )
    pct = 100.0 if not total else 100.0 * (total - uncurated) / total
    print(f"{'all checked':<22} {total:>8} {'':>8} {'':>8} {uncurated:>9} {pct:>8.1f}%")
    unchecked = data.articles[~data.articles["text_held"]]
    for row in unchecked.itertuples():
        print(f"{row.article:<22} {'not checkable: no text held':>46} ({row.no_text})")
    for cov in result:
        text = (folder / f"{cov.article}.txt").read_text(encoding="utf-8", errors="replace")
        for m in cov.mentions:
            if m.status == "uncurated" or args.all:
                print(
                    f"  {cov.article}: {m.status}: {m.context(text)}"
                    + (f"  <- {m.by}" if m.by else "")
                )
    held = len(result)
    print(
        f"coverage: {held} source(s) with a held text, {pct:.1f}% of their numeric mentions "
        f"curated or ignored; {len(unchecked)} source(s) not checkable (no text held)"
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
    from .publish.sides import SideError

    data = _load(args)
    if args.as_known_on:
        data = data.as_known_on(args.as_known_on)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        print(f"error: unknown format {bad[0]!r}; use some of png,svg,pdf", file=sys.stderr)
        return EXIT_INVALID
    start = time.perf_counter()
    try:
        build_briefing(
            data, args.out, formats, args.claimant, args.since, since_briefing=args.since_briefing
        )
    except SideError as exc:  # the previous briefing: nothing was written
        print(f"kursk briefing: --since-briefing: {exc}", file=sys.stderr)
        return EXIT_INVALID
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
    return f"kursk: cannot use {display_path(where)}: {fix}"


def _report_added(run, command: str) -> int:
    """Run an addition and print what it wrote; refused input exits 2 with nothing written."""
    from .ledger.curate import CurateError, Rejected

    try:
        result = run()
    except Rejected as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"kursk {command}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except CurateError as exc:
        print(f"kursk {command}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for added in result if isinstance(result, list) else [result]:
        print(f"added {added.id} to {display_path(added.path)}:{added.line}:")
        print(added.entry, end="")
        for note in added.notes:
            print(f"  {note}")
    print("check it against the source; kursk validate passed with it")
    return EXIT_OK


def cmd_add_source(args) -> int:
    from .ledger.curate import add_source

    return _report_added(
        lambda: add_source(
            Path(args.data) if args.data else DATA_DIR,
            title=args.title,
            text=Path(args.text) if args.text else None,
            no_text=args.no_text,
            kind=args.kind,
            outlet=args.outlet,
            url=args.url,
            published=args.published,
            published_note=args.published_note or "",
            accessed=args.accessed,
            archive_url=args.archive_url,
            language=args.language,
            notes=args.notes or "",
            source_id=args.id,
            texts_dir=Path(args.articles),
        ),
        "add-source",
    )


def cmd_add_figure(args) -> int:
    from .analysis.provenance import Text
    from .ledger.curate import add_figure

    fields = {
        key: getattr(args, key)
        for key in (
            "as_of", "contingent", "via", "confidence", "translation", "claim",
            "part_of", "breakdown", "revises", "event", "progress_of", "denominator",
            "share_of", "note",
        )
    }  # fmt: skip
    return _report_added(
        lambda: add_figure(
            Path(args.data) if args.data else DATA_DIR,
            args.source,
            quote=args.quote,
            claimants=args.claimant,
            metric=args.metric,
            parts=args.part,
            subject=args.subject or "",
            value=args.value,
            number_=args.number,
            figure_id=args.id,
            window=args.window,
            days=args.days,
            texts_dir=Path(args.articles),
            find_quote=lambda text, quote: bool(Text(text).spans(quote)),  # as verify matches
            **fields,
        ),
        "add-figure",
    )


def _curate_parsers(add, texts_help: str) -> None:
    """add-source and add-figure: a source or a figure appended, validated, or nothing."""
    from .ledger.models import SOURCE_KINDS

    p = add(
        "add-source",
        cmd_add_source,
        "add a source to articles.yaml with an empty figures file: from its text (sha256 "
        "and id computed, the text copied into the texts folder) or with the reason no text "
        "is held",
    )
    held = p.add_mutually_exclusive_group(required=True)
    held.add_argument("--text", metavar="FILE", help="the source's text, as read")
    held.add_argument("--no-text", metavar="REASON", help="why no text is held")
    p.add_argument("--title", required=True)
    p.add_argument("--kind", choices=SOURCE_KINDS, default="article")
    p.add_argument("--outlet", help="who published it")
    p.add_argument("--url")
    p.add_argument(
        "--published",
        metavar="DATE",
        help="partial date: 2025-06-17, 2025-06, 'early 2025', 2025-06~ (inferred)",
    )
    p.add_argument("--published-note", metavar="TEXT", help="how the date was inferred")
    p.add_argument("--accessed", metavar="DATE", help="when you read it online")
    p.add_argument("--archive-url", metavar="URL")
    p.add_argument("--language", default="en", help="ISO 639 code of the text (default: en)")
    p.add_argument("--notes")
    p.add_argument("--id", help="the source id (default: the next NNN_<16 hex of sha256>)")
    p.add_argument("--articles", default=str(ARTICLES_DIR), metavar="DIR", help=texts_help)

    p = add(
        "add-figure",
        cmd_add_figure,
        "add a figure read from a quote to its source's figures file: the number and its "
        "value form (about, over, a range, ...) come from the quote's wording",
    )
    p.add_argument("source", metavar="SOURCE_ID", help="the source's id (articles.yaml)")
    p.add_argument("--quote", required=True, help="verbatim, at most 15 words, with the number")
    p.add_argument("--metric", help="what is counted (vocabulary.yaml)")
    p.add_argument(
        "--part",
        action="append",
        metavar="METRIC[:SUBJECT]=N",
        help="instead of --metric: one figure per part from the same quote, added together "
        "(killed=400 --part wounded=3,000 --part-of ID, or with --breakdown NAME)",
    )
    p.add_argument(
        "--claimant",
        required=True,
        action="append",
        metavar="ID",
        help="who says it; repeat for several",
    )
    p.add_argument(
        "--number",
        metavar="N",
        help="which number, when the quote has several "
        "(as written: 1,750), or a vague wording to use",
    )
    p.add_argument("--value", help="override the proposed value, as in the YAML: '{over: 40}'")
    p.add_argument("--as-of", metavar="DATE", help="when it holds (default: published)")
    p.add_argument("--window", metavar="WORDS", help="a stated window: 'in the past week'")
    p.add_argument("--days", type=int, help="the window's days, when known")
    p.add_argument("--via", action="append", metavar="RELAY", help="repeat for each relay")
    p.add_argument("--id", help="the figure id (default: proposed from source, metric, value)")
    for name, metavar, text in (
        ("contingent", "ID", "the deployment wave (contingents.yaml)"),
        ("subject", "TEXT", "what exactly is counted, e.g. sappers"),
        ("confidence", "WORDS", "the claimant's wording (default: one found in the quote)"),
        ("translation", "TEXT", "the quote in English (sources in another language)"),
        ("claim", "ID", "groups this with other sources' reports of the same claim"),
        ("part-of", "ID", "the figure of the stated total this is a part of"),
        ("breakdown", "NAME", "groups the parts of a breakdown without a stated total"),
        ("revises", "ID", "the same claimant's earlier figure this replaces"),
        ("event", "ID", "the event (events.yaml) this reports"),
        ("progress-of", "ID", "the planned figure this counts progress toward"),
        ("denominator", "ID", "the figure this is out of"),
        ("share-of", "METRIC", "for a percentage: the metric it is a share of"),
        ("note", "TEXT", "anything a reader should know"),
    ):
        p.add_argument(f"--{name}", metavar=metavar, help=text)
    p.add_argument("--articles", default=str(ARTICLES_DIR), metavar="DIR", help=texts_help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kursk",
        description="Kursk Figures: curated, sourced numbers on North Korea's deployment to Kursk.",
    )
    parser.add_argument("--version", action="version", version=f"kursk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add(
        "validate", cmd_validate, "check the YAML under DATA_DIR; exit 2 listing every problem"
    )
    p.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        metavar="DATA_DIR",
        help=f"folder with the YAML, as --data (default: {DATA_DIR})",
    )

    p = add("export", cmd_export, "write the figures table, one row per figure")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--claimant", action="append", metavar="ID", help="repeat to keep several")
    p.add_argument("--since", metavar="DATE", help="keep figures as of DATE or later")
    p.add_argument("--until", metavar="DATE", help="keep figures as of DATE or earlier")
    p.add_argument("--as-known-on", metavar="DATE", help="only what was published by DATE")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")

    texts_help = f"folder of the held texts, <source id>.txt (default: $KURSK_ARTICLES, else {ARTICLES_DIR})"
    p = add(
        "verify",
        cmd_verify,
        "check quotes, numbers and text hashes against the held source texts; sources without "
        "a held text are reported as not checkable",
    )
    p.add_argument("--articles", default=str(ARTICLES_DIR), metavar="DIR", help=texts_help)

    p = add(
        "coverage",
        cmd_coverage,
        "list every numeric mention in the held texts as curated, ignored or uncurated",
    )
    p.add_argument("--articles", default=str(ARTICLES_DIR), metavar="DIR", help=texts_help)
    p.add_argument(
        "--all", action="store_true", help="list every mention, not only uncurated ones"
    )

    _curate_parsers(add, texts_help)

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
    p.add_argument(
        "--as-known-on",
        metavar="DATE",
        default=None,
        help="only what was published by DATE (what we knew that day)",
    )
    p.add_argument(
        "--since-briefing",
        metavar="PREVIOUS",
        help="a previous briefing's folder or manifest.json: add what changed since it",
    )

    from .publish.commands import add_commands

    add_commands(add)  # publish, diff

    for name, p in sub.choices.items():
        if name != "schema" and not any(a.dest == "data" for a in p._actions):
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
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if getattr(args, "data_dir", None):
        if args.data and args.data != args.data_dir:
            parser.error("give the data folder once: DATA_DIR or --data DATA_DIR")
        args.data = args.data_dir
    try:
        return args.func(args)
    except DataError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        n = len(exc.issues)
        print(f"kursk: {n} problem{'s' if n != 1 else ''} in the data", file=sys.stderr)
        return EXIT_INVALID
    except FilterError as exc:  # a filter or date the data cannot answer: the user's to fix
        print(f"kursk {args.command}: {exc}", file=sys.stderr)
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
    except ValueError as exc:  # a value the user gave (a date, an option) that does not fit
        if os.environ.get("KURSK_DEBUG"):
            raise
        print(f"kursk: {exc} (KURSK_DEBUG=1 shows where)", file=sys.stderr)
        return EXIT_INVALID
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
