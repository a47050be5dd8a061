"""The briefing pack: files, image sizes, SVG text, determinism, offline page, no-Chromium path."""

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from kursk.charts import CHARTS, TITLES

PY = [sys.executable, "-m", "kursk.cli"]


def _run(out: Path, *extra, env=None):
    code = "import sys; from kursk.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "briefing", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    base = tmp_path_factory.mktemp("briefing")
    a, b = base / "a", base / "b"
    for out in (a, b):
        r = _run(out)
        assert r.returncode == 0, r.stderr
    return a, b


def test_every_file_written_and_non_empty(packs):
    out = packs[0]
    names = ["index.html", "briefing.md", "figures.csv", "manifest.json"]
    names += [f"{c}.{f}" for c in CHARTS for f in ("png", "svg", "pdf")]
    for name in names:
        assert (out / name).stat().st_size > 0, name


def test_png_is_twice_the_layout_size(packs):
    for name in CHARTS:
        head = (packs[0] / f"{name}.png").read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", head[16:24]) == (2400, 1400), name


def test_svg_carries_title_and_source_line(packs, data):
    import html
    import re

    for name, build in CHARTS.items():
        svg = (packs[0] / f"{name}.svg").read_text()
        assert "Sources:" in svg, name
        title = re.sub(r"<[^>]+>", " ", build.figure(data).layout.title.text or TITLES[name])
        words = " ".join(title.split()[:2])
        assert html.escape(words, quote=False) in svg, (name, words)


def test_two_runs_give_identical_bytes(packs):
    a, b = packs
    for path in sorted(a.iterdir()):
        if path.name == "manifest.json":
            continue
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in packs)
    ma.pop("created"), mb.pop("created")
    assert ma == mb


def test_manifest_hashes_every_output(packs, data):
    import hashlib

    m = json.loads((packs[0] / "manifest.json").read_text())
    assert m["data_fingerprint"] == data.fingerprint
    for name, digest in m["files"].items():
        assert hashlib.sha256((packs[0] / name).read_bytes()).hexdigest() == digest


def test_index_html_draws_every_chart_offline(packs, browser):
    url = (packs[0] / "index.html").as_uri()
    requests = []
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHARTS)}"
    )
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(d => d.data && d.data.length).map(d => d.id)"
    )
    shot = Path(__file__).resolve().parents[1] / "build" / "screenshots"
    shot.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot / "briefing-index.png"))
    page.close()
    assert sorted(drawn) == sorted(CHARTS)
    assert requests and all(u.startswith("file://") for u in requests), requests


def test_missing_chromium_is_a_clear_error_and_text_outputs_remain(tmp_path):
    env = dict(os.environ, BROWSER_PATH="/nonexistent")
    r = _run(tmp_path, "--formats", "png", env=env)
    assert r.returncode != 0
    assert "make chromium" in r.stderr and "Traceback" not in r.stderr
    for name in ("index.html", "briefing.md", "figures.csv", "manifest.json"):
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob("*.png"))


def test_claimant_and_since_filter_what_is_shown(tmp_path, data):
    claimant = data.figures["claimant"].str.split(";").explode().value_counts().index[0]
    r = _run(tmp_path, "--formats", "", "--claimant", claimant, "--since", "2025-01-01")
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / "figures.csv").read_text().strip().splitlines()[1:]
    assert 0 < len(rows) < len(data.figures)
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["filter"] == {"claimants": [claimant], "since": "2025-01-01"}


def test_every_image_and_page_says_what_it_was_built_from_and_when(packs, data, tmp_path):
    """Source line: build date and data version (and the filter, when filtered); a PDF's title
    metadata is its chart's title; the page says the same."""
    import datetime as dt
    import html
    import io
    import re

    from pypdf import PdfReader

    today = dt.datetime.now(dt.UTC).date().isoformat()
    version = data.version.label
    for name in CHARTS:
        svg = html.unescape((packs[0] / f"{name}.svg").read_text())
        assert f"Built {today}" in svg and version in svg, name
        title = PdfReader(io.BytesIO((packs[0] / f"{name}.pdf").read_bytes())).metadata.title
        spec_title = CHARTS[name].figure(data).layout.title.text
        assert title == html.unescape(" ".join(re.findall(r"<b>(.*?)</b>", spec_title))), name
    page = html.unescape((packs[0] / "index.html").read_text())
    assert "Filter: none (all figures)" in page and version in page and today in page
    manifest = json.loads((packs[0] / "manifest.json").read_text())
    assert manifest["data_version"]["fingerprint"] == data.fingerprint
    claimant = "kr-military"
    r = _run(tmp_path, "--formats", "svg", "--claimant", claimant)
    assert r.returncode == 0, r.stderr
    svg = html.unescape((tmp_path / "casualties.svg").read_text())
    assert f"Filtered: claimants: {data.short_name(claimant)}" in svg
    assert f"Filter: claimants: {data.short_name(claimant)}" in html.unescape(
        (tmp_path / "index.html").read_text()
    )


@pytest.mark.parametrize("width", [390, 1440], ids=["phone", "desktop"])
def test_index_html_reads_on_a_phone_and_a_desktop(packs, browser, width):
    """The briefing page for people (issue 19, point 8): no sideways scroll, charts within the
    page, a table without "<NA>" or raw floats, axe-core clean, and a mode bar whose every
    button keeps the reader on this file (no upload, no popup)."""
    from tests.support.axe import violations

    phone = width < 1000  # a phone lays the page out at 980 px unless it asks for its width
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    requests, popups = [], []
    page.on("request", lambda r: requests.append(r.url))
    context.on("page", lambda p: popups.append(p.url))
    try:
        page.goto((packs[0] / "index.html").as_uri())
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {len(CHARTS)}"
        )
        sizes = page.evaluate(
            """() => ({scroll: document.documentElement.scrollWidth,
                       plots: [...document.querySelectorAll('.js-plotly-plot')]
                         .map(d => Math.round(d.getBoundingClientRect().right))})"""
        )
        assert sizes["scroll"] <= width, sizes
        assert all(right <= width for right in sizes["plots"]), sizes
        table = page.inner_text("table")
        assert "<NA>" not in table and "NaN" not in table and not re.search(r"\d\.0\b", table)
        assert violations(page) == []
        buttons = page.locator(".modebar-btn")  # shown on hover: clicked as a script would
        for i in range(buttons.count()):
            buttons.nth(i).dispatch_event("click")
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert not popups, popups
    off_host = [u for u in requests if not u.startswith(("file://", "data:", "blob:"))]
    assert not off_host, off_host
