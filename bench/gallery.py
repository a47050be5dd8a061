"""`make gallery`: every chart of the registry for several datasets on one contact sheet, each
with its layout check (bench.layout), to look at: build/gallery/index.html and violations.json.

The pictures are screenshots of the very drawing the check measured (vendored plotly.js in
Debian's Chromium, 1100x560), and the sheet outlines each violation's texts on them. It always
exits 0: it is a tool to look at, tests/charts/test_chart_layout.py is the one that asserts.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import kursk
from kursk.charts import CHARTS
from kursk.paths import BUILD_DIR, ROOT, display_path

from .layout import HEIGHT, WIDTH, LayoutChecker, summarise
from .synth import write_dataset

REALISTIC = ROOT / "tests" / "fixtures" / "realistic"
SYNTHETIC = 500


def keys(synthetic: int = SYNTHETIC) -> tuple[str, ...]:
    """The datasets' keys, in the sheet's order (tests parametrize over them)."""
    base = ("seed", "realistic")
    return (*(k for b in base for k in (b, f"{b}-one-claimant")), f"synthetic-{synthetic}")


@dataclass
class Case:
    """A dataset to draw every chart for; data is None when it could not be had (see note)."""

    key: str
    title: str
    data: kursk.Dataset | None
    note: str = ""


def top_claimant(data: kursk.Dataset) -> str:
    """The claimant with most figures (a figure of several claimants counts for each)."""
    counts = Counter(c for s in data.figures["claimant"] for c in str(s).split(";"))
    return min(counts, key=lambda c: (-counts[c], c))


def one_claimant(case: Case) -> Case:
    key, title = f"{case.key}-one-claimant", f"{case.title}, one claimant"
    if case.data is None:
        return Case(key, title, None, case.note)
    claimant = top_claimant(case.data)
    n = int(case.data.figures["claimant"].str.split(";").map(lambda s: claimant in s).sum())
    return Case(
        key,
        f"{title}: {claimant}",
        case.data.filter(claimants=[claimant]),
        f"the claimant with most figures ({n})",
    )


def load_case(key: str, title: str, folder: Path, absent: str) -> Case:
    if not folder.is_dir():
        return Case(key, title, None, absent)
    try:
        return Case(key, title, kursk.load(folder), display_path(folder))
    except kursk.DataError as exc:  # a fixture of a newer data model: say so, draw the rest
        return Case(key, title, None, f"{display_path(folder)} does not load: {exc}")


def cases(
    realistic: Path = REALISTIC,
    synthetic: int = SYNTHETIC,
    build: Path = BUILD_DIR,
    only: list[str] | None = None,
) -> list[Case]:
    """The seed data, the realistic fixture, each filtered to one claimant, and a synthetic
    dataset (written into build/); only: these keys (the others are not even loaded)."""

    def wanted(key: str) -> bool:
        return not only or key in only or f"{key}-one-claimant" in only

    out = []
    if wanted("seed"):
        seed = Case("seed", "Seed data", kursk.load(), "data/ (kursk.load())")
        out += [seed, one_claimant(seed)]
    if wanted("realistic"):
        absent = f"{display_path(realistic)} is absent (made on another branch): skipped"
        real = load_case("realistic", "Realistic fixture", realistic, absent)
        out += [real, one_claimant(real)]
    if wanted(f"synthetic-{synthetic}"):
        folder = write_dataset(build / f"synth-{synthetic}", synthetic)
        note = f"bench.synth.write_dataset into {display_path(folder)}"
        out.append(
            Case(
                f"synthetic-{synthetic}",
                f"Synthetic, {synthetic} figures",
                kursk.load(folder),
                note,
            )
        )
    return [c for c in out if not only or c.key in only]


_CSS = """
body{font-family:DejaVu Sans,sans-serif;margin:20px;color:#1f2933;background:#f5f7fa}
h1{margin:0 0 4px}h2{margin:28px 0 4px;border-bottom:2px solid #9aa5b1}
.note{color:#52606d;margin:0 0 10px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px}
.card{background:#fff;border:1px solid #cbd2d9;padding:8px}
.card h3{margin:0 0 6px;font-size:15px}.card h3 small{color:#7b8794;font-weight:normal}
.pic{position:relative;line-height:0;overflow:hidden}.pic img{width:100%;border:1px solid #e4e7eb}
.box{position:absolute;border:1.5px solid rgba(215,0,0,.9);background:rgba(255,0,0,.08)}
body.plain .box{display:none}
ul.v{margin:6px 0 0;padding-left:18px;font-size:12px;color:#c81e1e}
.ok{color:#17803d;font-size:13px;margin:6px 0 0;font-weight:bold}
.error{color:#c81e1e;font-size:13px}
.summary td,.summary th{padding:2px 10px;text-align:right}.summary td:first-child{text-align:left}
"""


def card(name: str, image: str | None, found, error: str = "") -> str:
    title = f"<h3>{html.escape(CHARTS[name].title)} <small>{name}</small></h3>"
    if error:
        return f"<div class='card'>{title}<p class='error'>{html.escape(error)}</p></div>"
    boxes = "".join(
        f"<div class='box' title='{html.escape(str(v), quote=True)}' style='left:"
        f"{100 * x / WIDTH:.2f}%;top:{100 * y / HEIGHT:.2f}%;width:{100 * w / WIDTH:.2f}%;"
        f"height:{100 * h / HEIGHT:.2f}%'></div>"
        for v in found
        for x, y, w, h in v.boxes
    )
    lines = summarise(found)
    verdict = (
        "<ul class='v'>" + "".join(f"<li>{html.escape(s)}</li>" for s in lines) + "</ul>"
        if lines
        else "<p class='ok'>layout ok</p>"
    )
    pic = f"<a href='{image}'><img src='{image}' alt='{name}' loading='lazy'></a>{boxes}"
    return f"<div class='card'>{title}<div class='pic'>{pic}</div>{verdict}</div>"


def sheet(sections: list[str], totals: Counter, n_charts: int, bad: int, seconds: float) -> str:
    rows = "".join(f"<tr><td>{k}</td><td>{n}</td></tr>" for k, n in totals.most_common())
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Kursk Figures: chart gallery</title><style>{_CSS}</style></head><body>"
        "<h1>Every chart, every dataset, with its layout check</h1>"
        f"<p class='note'>{n_charts} charts, {bad} with layout violations or errors; drawn by the vendored "
        f"plotly.js in Chromium at {WIDTH}×{HEIGHT} in {seconds:.0f} s. Red boxes outline the "
        "texts of each violation (hover one for its message); click a picture for full size. "
        "<label><input type='checkbox' onchange=\"document.body.classList.toggle('plain', "
        'this.checked)"> hide the boxes</label></p>'
        f"<table class='summary'><tr><th>violations</th><th></th></tr>{rows}</table>"
        + "".join(sections)
        + "</body></html>\n"
    )


def section(checker: LayoutChecker, case: Case, out: Path, totals: Counter) -> tuple[str, dict]:
    """One dataset's cards (PNGs written under out/<key>/) and its entry of violations.json;
    totals counts the violations by kind."""
    entry: dict = {"title": case.title, "note": case.note, "charts": {}}
    cards = []
    if case.data is not None:
        (out / case.key).mkdir()
        for name, chart in CHARTS.items():  # the registry: every chart, never a list here
            image = f"{case.key}/{name}.png"
            try:
                found = checker.check(chart.spec(case.data), out / image, outline=False)
            except Exception as exc:  # a builder's bug on this data: show it, draw the rest
                error = f"{type(exc).__name__}: {exc}"
                entry["charts"][name] = [f"error: {error}"]
                cards.append(card(name, None, [], error))
                totals["error"] += 1
                continue
            entry["charts"][name] = summarise(found)
            totals.update(v.kind for v in found)
            cards.append(card(name, image, found))
    html_ = (
        f"<h2 id='{case.key}'>{html.escape(case.title)}</h2>"
        f"<p class='note'>{html.escape(case.note)}</p><div class='grid'>{''.join(cards)}</div>"
    )
    return html_, entry


def main(argv: list[str] | None = None, browser=None) -> int:
    """The command; browser: a Playwright browser to draw in (default: launch Debian's)."""
    parser = argparse.ArgumentParser(prog="python -m bench.gallery", description=__doc__)
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "gallery")
    parser.add_argument("--realistic", type=Path, default=REALISTIC, help="its data folder")
    parser.add_argument("--synthetic", type=int, default=SYNTHETIC, help="figures to generate")
    parser.add_argument("--only", nargs="*", help="dataset keys to draw (default: every one)")
    args = parser.parse_args(argv)
    if browser is None:
        from playwright.sync_api import sync_playwright

        from kursk.chromium import launch

        with sync_playwright() as p:
            browser = launch(p)
            try:
                return main(argv, browser)
            finally:
                browser.close()

    start = time.perf_counter()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    report: dict = {}
    sections, totals = [], Counter()
    with LayoutChecker(browser) as checker:
        for case in cases(args.realistic, args.synthetic, args.out, args.only):
            html_, report[case.key] = section(checker, case, args.out, totals)
            sections.append(html_)
    seconds = time.perf_counter() - start
    drawn = [found for entry in report.values() for found in entry["charts"].values()]
    bad = sum(bool(found) for found in drawn)
    index = args.out / "index.html"
    index.write_text(sheet(sections, totals, len(drawn), bad, seconds), encoding="utf-8")
    (args.out / "violations.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    kinds = ", ".join(f"{k} {n}" for k, n in totals.most_common()) or "none"
    print(f"{display_path(index)}: {len(drawn)} charts in {len(report)} datasets, {seconds:.1f} s")
    print(f"  {bad} with layout violations; {sum(totals.values())} violations: {kinds}")
    for key, entry in report.items():
        if not entry["charts"]:
            print(f"  {key}: {entry['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
