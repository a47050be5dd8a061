"""The dashboard served by Voila, in Debian's Chromium: drawn, filterable, offline, quiet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import kursk
from bench.page import DRAWN_JS, IDLE_JS, RELEASED_JS
from kursk.analysis.facts import headline
from kursk.charts import NAMES
from kursk.dashboard.table import CSV_HEAD_LINES
from kursk.paths import BUILD_DIR

pytestmark = [pytest.mark.browser, pytest.mark.server]
CHARTS = list(NAMES)
DATA = kursk.load()  # what the server serves: counts come from it, never from the seed
N = len(DATA.figures)
CORROBORATED = len(DATA.filter(min_independent=2).figures)
SHOWING_ALL = f"document.querySelector('.kursk-status').innerText.includes('{N} of {N}')"
SHOWING_CORROBORATED = (
    f"document.querySelector('.kursk-status').innerText.includes('{CORROBORATED} of {N}')"
)
CASUALTY_LINE = next(line for line in headline(DATA).lines() if line.startswith("Casualties"))
# Charts below the fold are redrawn after those in view (dashboard/chart.js): wait for all.
SETTLED_JS = IDLE_JS
COUNT_JS = """() => Object.fromEntries([...document.querySelectorAll('.kursk-chart')].map(box => {
  const name = [...box.classList].find(c => c.startsWith('kursk-chart-')).slice(12);
  const gd = box.querySelector('.js-plotly-plot');
  const data = gd && gd.data ? gd.data : [];
  const points = data.reduce((n, t) => n + (t.x ? t.x.filter(v => v !== null).length : 0)
                                      + (t.z ? t.z.length : 0), 0);
  return [name, {traces: data.length, points: points}];
}))"""


@pytest.fixture(scope="module")
def page(voila_server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.requests, pg.console_errors, pg.ws_frames = [], [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("websocket", lambda ws: ws.on("framereceived", lambda f: pg.ws_frames.append(len(f))))
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.goto(voila_server, timeout=240_000)
    pg.wait_for_function(DRAWN_JS, timeout=240_000)
    yield pg
    context.close()


def counts(page) -> dict:
    return page.evaluate(COUNT_JS)


def test_every_chart_is_drawn_with_data(page):
    found = counts(page)
    assert sorted(found) == sorted(CHARTS)
    for name in CHARTS:
        assert found[name]["traces"] > 0 and found[name]["points"] > 0, (name, found[name])
    assert CASUALTY_LINE in page.inner_text(".kursk-headline")
    assert page.locator(".kursk-table table tr").count() == N + 1
    BUILD_DIR.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(BUILD_DIR / "screenshots" / "dashboard-default.png"), full_page=True)


MARGINS_JS = """() => [...document.querySelectorAll('.kursk-chart')].map(box => {
  const gd = box.querySelector('.js-plotly-plot');
  const given = Object.assign({}, gd._fullLayout.template.layout.margin, gd.layout.margin);
  const used = gd._fullLayout._size;
  return [box.className, Math.round(used.l) - given.l, Math.round(used.t) - given.t];
})"""


def test_every_label_fits_the_margin_the_chart_gives_it(page):
    """Each chart sizes its margins to its labels (kursk.theme.text_width): plotly.js does not
    need to widen a margin, which would draw that chart twice on every filter change."""
    for chart, wider_left, wider_top in page.evaluate(MARGINS_JS):
        assert (wider_left, wider_top) == (0, 0), chart


SNAPSHOT_SHOWN = """() => {
  const snap = document.getElementById('kursk-snapshot');
  const imgs = snap ? [...snap.querySelectorAll('img')] : [];
  return imgs.length === N_CHARTS && imgs.every(i => i.complete && i.naturalWidth > 400)
    && getComputedStyle(snap).display !== 'none' && snap.getBoundingClientRect().height > 1000
    && getComputedStyle(document.getElementById('rendered_cells')).visibility === 'hidden';
}""".replace("N_CHARTS", str(len(CHARTS)))


BOXES_JS = """(sel) => [...document.querySelectorAll(sel)].map(e => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.width, r.height].map(Math.round); })"""


def test_every_chart_is_on_screen_before_the_kernel_connects(voila_server, browser):
    """The page's static snapshot shows every chart at once, then gives way to live ones."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = context.new_page()
    errors = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # Script-free first: the snapshot is plain HTML, it needs no kernel and no plotly.js.
    html = pg.request.get(voila_server).text()
    assert html.count("id='kursk-snapshot'") == 1
    # once each: not again in the output JSON
    assert html.count("data:image/svg+xml;base64,") == len(CHARTS)
    pg.goto(voila_server, wait_until="commit", timeout=240_000)
    pg.wait_for_function(SNAPSHOT_SHOWN, timeout=240_000, polling=20)
    assert CASUALTY_LINE in pg.inner_text("#kursk-snapshot .kursk-headline")
    pictures = pg.evaluate(BOXES_JS, "#kursk-snapshot .kursk-snap-chart")
    BUILD_DIR.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(BUILD_DIR / "screenshots" / "dashboard-snapshot.png"))
    # then the live dashboard replaces it, every chart drawn, and the page is visible
    pg.wait_for_function(
        "!document.getElementById('kursk-snapshot') && [...document.querySelectorAll("
        f"'.kursk-chart .kursk-plot')].filter(d => d.dataset.kurskDrawn).length === {len(CHARTS)}",
        timeout=240_000,
    )
    assert (
        pg.evaluate("getComputedStyle(document.getElementById('rendered_cells')).visibility")
        == "visible"
    )
    assert not pg.evaluate("document.body.classList.contains('kursk-snapshot-on')")
    # each live chart takes exactly its picture's place: nothing on the page moves
    assert pg.evaluate(BOXES_JS, ".kursk-chart") == pictures
    assert errors == []
    context.close()


def test_a_filter_changes_charts_table_and_download(page):
    before = counts(page)
    page.locator(".kursk-filter-independent input").check()
    page.wait_for_function(SHOWING_CORROBORATED, timeout=60_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    # the page reported the charts in view and their drawing: that sent the rest of the change
    # (kursk.dashboard.Dashboard.refresh), not the kernel's timeout
    assert page.evaluate(RELEASED_JS) == "drawn"
    after = counts(page)
    assert after["corroboration"]["points"] < before["corroboration"]["points"]
    assert after["casualties"] != before["casualties"]
    assert page.locator(".kursk-table table tr").count() == CORROBORATED + 1
    with page.expect_download(timeout=60_000) as made:
        page.locator(".kursk-download .kursk-download-button").click()
    download = made.value
    assert download.suggested_filename == "kursk-figures_independent.csv"
    lines = Path(download.path()).read_text().splitlines()
    assert lines[1].startswith("# Filter:")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[CSV_HEAD_LINES:]))))
    assert len(rows) == CORROBORATED and all(int(r["n_independent"]) >= 2 for r in rows)
    page.screenshot(path=str(BUILD_DIR / "screenshots" / "dashboard-filtered.png"), full_page=True)
    page.locator(".kursk-reset button, button.kursk-reset").first.click()
    page.wait_for_function(SHOWING_ALL, timeout=60_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    assert counts(page) == before  # the plots drawn before are shown again, with their data
    assert page.evaluate(SHOWN_JS) == [1] * len(CHARTS)


# Per chart: how many plots are on screen (a chart keeps a few earlier plots hidden), and
# whether the one on screen is as wide as its box.
SHOWN_JS = """() => [...document.querySelectorAll('.kursk-chart .kursk-plot')].map(
  d => [...d.children].filter(c => c.style.display !== 'none').length)"""
FITS_JS = """() => [...document.querySelectorAll('.kursk-chart .kursk-plot')].every(d => {
  const gd = d.firstChild; return Math.abs(gd._fullLayout.width - d.clientWidth) <= 2; })"""


def test_a_plot_shown_again_after_a_resize_fits_its_box(page):
    box = page.locator(".kursk-filter-independent input")
    box.check()
    page.wait_for_function(SHOWING_CORROBORATED, timeout=60_000)
    page.wait_for_function(SETTLED_JS, timeout=60_000)
    page.set_viewport_size({"width": 1100, "height": 1000})
    try:
        page.wait_for_function(FITS_JS, timeout=30_000)
        box.uncheck()  # back to the default selection, whose plots were drawn 1500 px wide
        page.wait_for_function(SHOWING_ALL, timeout=60_000)
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(SETTLED_JS, timeout=60_000)
        page.wait_for_function(FITS_JS, timeout=30_000)
        assert page.evaluate(SHOWN_JS) == [1] * len(CHARTS)
    finally:
        page.set_viewport_size({"width": 1500, "height": 1000})
        page.evaluate("() => window.scrollTo(0, 0)")


def test_no_console_errors_and_nothing_leaves_loopback(page):
    assert page.console_errors == []
    outside = [
        u
        for u in page.requests
        if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
    ]
    assert outside == []


def test_no_source_code_reaches_the_page(page):
    text = page.content()
    assert "Dashboard.from_data_dir" not in text and "from kursk" not in text


def test_plotly_js_comes_once_from_the_server_not_over_the_websocket(page, voila_server):
    # plotly.js (1.5 MB here, 4.8 MB in full) is a cacheable file of this server; the widget
    # state a viewer's kernel sends is the figures' JSON only.
    assert [u for u in page.requests if "plotly" in u] == [
        voila_server + "voila/kursk/plotly-cartesian.min.js"
    ]
    assert page.ws_frames and max(page.ws_frames) < 1_000_000, max(page.ws_frames)
