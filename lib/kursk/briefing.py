"""Briefing pack: every chart as PNG/SVG/PDF, an offline page, markdown, CSV, manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from .paths import BUILD_DIR

WIDTH, HEIGHT, SCALE = 1200, 700, 2
FORMATS = ("png", "svg", "pdf")
PLOTLY_JS = Path(__file__).resolve().parent / "static" / "plotly-cartesian.min.js"
TEXT_FILES = ("index.html", "briefing.md", "figures.csv")
VERSIONED = ("kursk", "plotly", "kaleido", "pandas")


@dataclass
class Manifest:
    """What a briefing was built from and what it wrote (sha256 per file)."""

    data_fingerprint: str
    filter: dict
    formats: list[str]
    created: str
    versions: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    image_error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _versions() -> dict[str, str]:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def _progress(total: int):
    """A callable(label) that reports each step: tqdm on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="file", file=sys.stderr)

        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)
            if bar.n >= total:
                bar.close()

        return step
    count = [0]

    def step(label: str) -> None:
        count[0] += 1
        print(f"[{count[0]}/{total}] {label}", file=sys.stderr, flush=True)

    return step


_SVG_ID = re.compile(r'(?:id|clip-path|fill|href)="(?:url\()?#?([a-z]+-?[0-9a-f]{6,})')


def normalise_svg(text: str) -> str:
    """Replace plotly's random per-render ids (clip paths, gradients) with stable ones."""
    ids: dict[str, str] = {}
    for match in re.finditer(r'id="([^"]*?[0-9a-f]{6,}[^"]*)"', text):
        ids.setdefault(match.group(1), f"k{len(ids)}")
    for old, new in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text


_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")


def normalise_pdf(data: bytes) -> bytes:
    """Pin Chromium's embedded creation/modification dates so a rebuild gives the same bytes."""
    return _PDF_DATES.sub(lambda m: b"/" + m.group(1) + b" (D:20000101000000+00'00')", data)


def _rows_html(table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    rows = "".join(body)
    return f"<table class='figures'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _page(figs: dict, lines: list[str], table, filt: dict) -> str:
    """One self-contained HTML page: plotly.js inline once, every chart, headline and table."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    charts = []
    for name, fig in figs.items():
        div = pio.to_html(
            fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=name,
            default_width=f"{WIDTH}px",
            default_height=f"{HEIGHT}px",
            config={"displaylogo": False, "responsive": True},
        )
        charts.append(f"<section class='chart'>{div}</section>")
    heads = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
    shown = ", ".join(f"{k}={v}" for k, v in filt.items() if v) or "none (all figures)"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>Kursk Figures briefing</title><style>"
        "body{font-family:sans-serif;margin:24px;color:#222;max-width:1260px}"
        "h1{margin:0 0 8px}.headline{font-size:17px;line-height:1.5}"
        "table.figures{border-collapse:collapse;font-size:12px}"
        "table.figures td,table.figures th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "table.figures th{background:#eee}.chart{margin:18px 0}"
        "</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        "<h1>North Korean deployment to Kursk: the figures</h1>"
        f"<p>Filter: {html.escape(shown)}</p>"
        f"<ul class='headline'>{heads}</ul>"
        + "".join(charts)
        + "<h2>Figures and their sources</h2>"
        + _rows_html(table)
        + "</body></html>\n"
    )


def _markdown(figs: dict, lines: list[str], formats, filt: dict) -> str:
    from .charts import TITLES

    shown = ", ".join(f"{k}={v}" for k, v in filt.items() if v) or "none (all figures)"
    out = ["# Kursk Figures briefing", "", f"Filter: {shown}", "", "## Headline", ""]
    out += [f"- {s}" for s in lines]
    for name, fig in figs.items():
        meta = fig.layout.meta or {}
        out += ["", f"## {TITLES.get(name, name)}", ""]
        if "png" in formats:
            out += [f"![{TITLES.get(name, name)}]({name}.png)", ""]
        links = [f"[{f.upper()}]({name}.{f})" for f in formats]
        if links:
            out += ["Files: " + " · ".join(links), ""]
        out.append("Claimants: " + (", ".join(meta.get("claimants", [])) or "none"))
        out.append("")
        out.append("Articles: " + (", ".join(meta.get("articles", [])) or "none"))
    return "\n".join(out) + "\n"


def write_images(figs: dict, out_dir: Path, formats, step) -> list[Path]:
    """Every figure in every format through ONE Chromium (kaleido's sync server)."""
    import kaleido
    import plotly.io as pio

    from .browser import find_chromium

    os.environ["BROWSER_PATH"] = str(find_chromium())  # raises ChromiumNotFound with the hint
    pio.defaults.mathjax = None  # no MathJax from a CDN
    jobs = [(fig, out_dir / f"{name}.{f}", f) for f in formats for name, fig in figs.items()]
    # mathjax=False: kaleido's page would otherwise ask a CDN for MathJax (plotly's own mathjax
    # default does not reach a server started here). plotly.js: the cartesian bundle the
    # dashboard serves (same version as plotly's, a third of the size to load and start).
    kaleido.start_sync_server(mathjax=False, plotlyjs=str(PLOTLY_JS), silence_warnings=True)
    try:
        for fig, path, fmt in jobs:
            with warnings.catch_warnings():  # plotly's "kopts ignored with a server": intended
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                pio.write_image(fig, path, format=fmt, width=WIDTH, height=HEIGHT, scale=SCALE)
            if fmt == "svg":
                path.write_text(normalise_svg(path.read_text(encoding="utf-8")), encoding="utf-8")
            elif fmt == "pdf":
                path.write_bytes(normalise_pdf(path.read_bytes()))
            step(path.name)
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return [p for _, p, _ in jobs]


def build_briefing(
    data,
    out_dir=None,
    formats=FORMATS,
    claimants=None,
    since=None,
    progress=None,
) -> Manifest:
    """Write the briefing pack for `data` (filtered by claimants/since) into out_dir.

    Raises ChromiumNotFound after writing the non-image files when no Chromium is available.
    """
    from .browser import ChromiumNotFound
    from .charts import build_all
    from .cli import export_text
    from .summary import headline

    out = Path(out_dir) if out_dir is not None else BUILD_DIR / "briefing"
    out.mkdir(parents=True, exist_ok=True)
    formats = [f for f in formats if f]
    filt = {
        "claimants": sorted(claimants) if claimants else None,
        "since": str(since) if since else None,
    }
    shown = data.filter(claimants=list(claimants) if claimants else None, since=since)
    figs = build_all(shown)
    for name, fig in figs.items():
        # plotly names each trace's SVG group after a random uid unless one is set
        for i, trace in enumerate(fig.data):
            trace.uid = f"{name}-{i}"
    lines = headline(shown).lines()
    step = progress or _progress(len(figs) * len(formats) + len(TEXT_FILES))

    csv_text = export_text(shown, "csv")
    texts = {
        "index.html": _page(figs, lines, shown.export(), filt),
        "briefing.md": _markdown(figs, lines, formats, filt),
        "figures.csv": csv_text,
    }
    written = []
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
        written.append(out / name)
        step(name)

    error = None
    if formats:
        try:
            written += write_images(figs, out, formats, step)
        except ChromiumNotFound as exc:
            error = str(exc)
    manifest = Manifest(
        data_fingerprint=data.fingerprint,
        filter=filt,
        formats=list(formats),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        versions=_versions(),
        files={p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written},
        image_error=error,
    )
    (out / "manifest.json").write_text(
        json.dumps(manifest.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if error:
        raise ChromiumNotFound(error)
    return manifest


def cmd_briefing(args) -> int:
    from .browser import ChromiumNotFound
    from .loader import load

    data = load(args.data)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        print(f"error: unknown format {bad[0]!r}; use some of png,svg,pdf", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        build_briefing(data, args.out, formats, args.claimant, args.since)
    except ChromiumNotFound as exc:
        print(f"error: images not written: {exc}", file=sys.stderr)
        print("index.html, briefing.md, figures.csv, manifest.json were written.", file=sys.stderr)
        return 3
    out = args.out or BUILD_DIR / "briefing"
    print(f"wrote briefing to {out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def add_parser(subparsers) -> None:
    """Register `kursk briefing` on the CLI."""
    p = subparsers.add_parser(
        "briefing", help="write every chart as PNG/SVG/PDF plus an offline page and briefing pack"
    )
    p.set_defaults(func=cmd_briefing)
    p.add_argument("--out", metavar="DIR", default=None, help="default: build/briefing/")
    p.add_argument("--formats", default="png,svg,pdf", help="comma-separated: png,svg,pdf")
    p.add_argument("--claimant", action="append", metavar="ID", help="repeat to keep several")
    p.add_argument("--since", metavar="DATE", default=None, help="as-of date lower bound")
