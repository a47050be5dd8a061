"""The served dashboard as a reader who got the link meets it (issue 19), in Debian's Chromium at
phone (390 x 844) and desktop (1440 x 900) sizes: no sideways scrolling, the view in the URL,
never stale numbers, nothing leaving the host, axe-core, the keyboard, the empty state and the
sources by name."""

from __future__ import annotations

import contextlib
import re
import signal
from urllib.parse import parse_qs, urlsplit

import psutil
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import kursk
from bench.page import DRAWN_JS, IDLE_JS
from kursk.charts import NAMES
from kursk.dashboard import Dashboard
from tests.support.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.server]
DATA = kursk.load()  # what the server serves
N = len(DATA.figures)
PHONE, DESKTOP = (390, 844), (1440, 900)
SIZES = {"phone": PHONE, "desktop": DESKTOP}
WIDTHS = (360, 390, 768, 1024, 1440)


def status_says(k: int) -> str:
    return f"document.querySelector('.kursk-status').innerText.includes('Showing {k} of {N}')"


def kept_for(claimant: str) -> int:
    app = Dashboard(DATA, live=True)
    app.set_filters(claimants=[claimant])
    return len(app.filtered.figures)


FIRST = Dashboard(DATA, live=True).offered.claimant_ids[0]
KEPT = kept_for(FIRST)


def open_page(browser, url: str, size=DESKTOP, **kw):
    """A fresh context and page showing the live dashboard (every chart drawn, idle)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, **kw)
    page = context.new_page()
    page.goto(url, timeout=240_000)
    page.wait_for_function(DRAWN_JS, timeout=240_000)
    page.wait_for_function(IDLE_JS, timeout=120_000)
    return context, page


@pytest.fixture(scope="module", params=sorted(SIZES))
def sized(request, voila_server, browser):
    """(size name, page) at the phone and the desktop size, one page each."""
    context, page = open_page(browser, voila_server, SIZES[request.param], accept_downloads=True)
    yield request.param, page
    context.close()


# --- 1. responsive: one column, charts full width, nothing sideways ---------------------------

LAYOUT_JS = """() => {
  const doc = document.documentElement;
  const main = document.querySelector('.kursk-main').getBoundingClientRect();
  const charts = [...document.querySelectorAll('.kursk-chart')].map(c => {
    const r = c.getBoundingClientRect(); const gd = c.querySelector('.js-plotly-plot');
    return [Math.round(r.width), gd ? Math.round(gd._fullLayout.width) : 0]; });
  const filters = document.querySelector('.kursk-filters');
  return {scroll: doc.scrollWidth - doc.clientWidth, main: Math.round(main.width),
          charts: charts, panel: getComputedStyle(filters).display,
          toggle: getComputedStyle(document.querySelector('.kursk-drawer-toggle')).display};
}"""


# Chart i, scrolled into view, follows its box (a chart out of view is redrawn when the page
# is idle or when it comes into view: what a reader scrolling down sees).
FITTED_JS = """([i, w]) => {
  const c = document.querySelectorAll('.kursk-chart')[i];
  c.scrollIntoView({block: 'center'});
  const gd = c.querySelector('.js-plotly-plot');
  return window.innerWidth === w && gd && gd._fullLayout
    && Math.abs(gd._fullLayout.width - c.getBoundingClientRect().width) <= 4;
}"""


# Text a chart draws (title, source lines, annotations, axis labels) that runs past its box's
# left or right edge: [chart, text, how far] (cut off for a reader).
CUT_JS = """() => [...document.querySelectorAll('.kursk-chart')].flatMap(c => {
  const box = c.getBoundingClientRect();
  return [...c.querySelectorAll('.gtitle, .annotation-text, .ytick text, .xtick text')]
    .filter(t => t.textContent.trim())
    .map(t => [t, t.getBoundingClientRect()])
    .filter(([, r]) => r.width && (r.left < box.left - 1 || r.right > box.right + 1))
    .map(([t, r]) => [c.className.split(' ').pop(), t.textContent.slice(0, 40),
                      Math.round(Math.max(box.left - r.left, r.right - box.right))]);
})"""


def test_no_sideways_scroll_and_charts_full_width_at_every_width(voila_server, browser):
    context, page = open_page(browser, voila_server, DESKTOP)
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            page.wait_for_function(IDLE_JS, timeout=60_000)
            page.wait_for_timeout(300)  # the new width is laid out, then the charts follow
            for i in range(len(NAMES)):
                with contextlib.suppress(PlaywrightTimeout):  # if not, the asserts say how
                    page.wait_for_function(FITTED_JS, arg=[i, width], timeout=15_000)
            got = page.evaluate(LAYOUT_JS)
            assert got["scroll"] <= 0, (width, got)
            assert page.evaluate(CUT_JS) == [], width  # no chart's text cut at its edges
            assert len(got["charts"]) == len(NAMES)
            for box, plot in got["charts"]:
                assert abs(box - got["main"]) <= 2 and abs(plot - box) <= 4, (width, got)
            if width < 1000:  # one column: the filters fold into the drawer under the bar
                assert got["main"] >= width - 40, (width, got)
                assert got["panel"] == "none" and got["toggle"] != "none", (width, got)
            else:
                assert got["panel"] != "none" and got["toggle"] == "none", (width, got)
        page.set_viewport_size({"width": 390, "height": 844})
        page.click(".kursk-drawer-toggle")  # the drawer opens, its lists are touch-sized
        page.wait_for_selector(".kursk-filter-claimant li input", state="visible")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # a mouse and a keyboard here: the hint for them, not the touch one
        assert page.is_visible(".kursk-hint-pointer") and not page.is_visible(".kursk-hint-touch")
    finally:
        context.close()


# --- 2. shareable views ---------------------------------------------------------------------


def test_the_url_follows_the_filters_and_opening_it_restores_the_view(voila_server, browser):
    context, page = open_page(browser, voila_server, DESKTOP)
    try:
        assert page.is_visible(".kursk-copy") and page.inner_text(".kursk-copy") == "Copy link"
        page.locator(".kursk-filter-claimant .kursk-choices-only").first.click()
        page.wait_for_function(status_says(KEPT), timeout=60_000)
        page.wait_for_function("location.search.includes('claimant=')", timeout=10_000)
        link = page.url
        assert parse_qs(urlsplit(link).query) == {"claimant": [FIRST]}
        # Copy link copies the view shown, even before the address bar has followed a change
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        second = page.locator(".kursk-filter-claimant li input[type=checkbox]").nth(1)
        second.click()
        page.wait_for_function(f"!({status_says(KEPT)})", timeout=60_000)  # the new view is shown
        page.click(".kursk-copy")
        copied = page.wait_for_function("navigator.clipboard.readText()", timeout=10_000)
        claimants = parse_qs(urlsplit(copied.json_value()).query)["claimant"]
        assert sorted(claimants[0].split(",")) == sorted([FIRST, second.get_attribute("value")])
    finally:
        context.close()
    # the colleague, on a touch phone
    context, page = open_page(browser, link, PHONE, has_touch=True, is_mobile=True)
    try:
        page.wait_for_function(status_says(KEPT), timeout=60_000)
        page.tap(".kursk-drawer-toggle")
        page.wait_for_selector(".kursk-hint-touch", state="visible", timeout=10_000)
        assert not page.is_visible(".kursk-hint-pointer")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        ticked = page.eval_on_selector_all(
            ".kursk-filter-claimant li input",
            "els => els.filter(e => e.checked).map(e => e.value)",
        )
        assert ticked == [FIRST] and page.url == link
        assert page.inner_text(".kursk-notes").strip() == ""
    finally:
        context.close()


def test_a_bad_link_value_falls_back_with_a_visible_note(voila_server, browser):
    context, page = open_page(browser, voila_server + "?claimant=nobody&from=2025-13", DESKTOP)
    try:
        page.wait_for_function(status_says(N), timeout=60_000)
        note = page.locator(".kursk-notes")
        assert note.is_visible()
        text = note.inner_text()
        assert "nobody" in text and "2025-13" in text and "not a date" in text
    finally:
        context.close()


# --- 3. never stale ---------------------------------------------------------------------------


def kernel_process(kernel_id: str) -> psutil.Process:
    """The viewer kernel of a page: a child process of the server this session started."""
    for proc in psutil.process_iter(["cmdline"]):
        if any(kernel_id in arg for arg in proc.info["cmdline"] or ()):
            return proc
    raise AssertionError(f"no kernel process for {kernel_id}")


CONTROLS_JS = """() => [...document.querySelectorAll(
  '.kursk-dashboard input, .kursk-dashboard button')].filter(e => !e.closest('#kursk-stopped'))
  .map(e => e.disabled)"""


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_page_whose_kernel_is_gone_switches_off_says_so_and_reloads_the_view(
    voila_server, browser, size
):
    context, page = open_page(browser, voila_server, SIZES[size])
    try:
        if size == "phone":
            page.click(".kursk-drawer-toggle")
        page.locator(".kursk-filter-claimant .kursk-choices-only").first.click()
        page.wait_for_function(status_says(KEPT), timeout=60_000)
        page.wait_for_function("location.search.includes('claimant=')", timeout=10_000)
        link, status = page.url, page.inner_text(".kursk-status")
        kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.content()).group(1)
        kernel_process(kernel_id).send_signal(signal.SIGKILL)
        page.wait_for_selector("#kursk-stopped", timeout=20_000)
        notice = page.inner_text("#kursk-stopped")
        assert "stopped" in notice and "switched off" in notice and "Reload" in notice
        disabled = page.evaluate(CONTROLS_JS)
        assert disabled and all(disabled)
        # nothing a reader does changes the page without a kernel
        page.locator(".kursk-filter-claimant li input").nth(1).click(force=True)
        page.wait_for_timeout(1000)
        assert page.url == link and page.inner_text(".kursk-status") == status
        page.click("#kursk-stopped button")
        page.wait_for_function(DRAWN_JS, timeout=240_000)
        page.wait_for_function(status_says(KEPT), timeout=60_000)
        assert page.url == link and page.locator("#kursk-stopped").count() == 0
    finally:
        context.close()


# --- 4. no data leaves the host ---------------------------------------------------------------


def test_every_mode_bar_button_stays_on_the_host(voila_server, browser):
    for size in SIZES.values():
        context, page = open_page(browser, voila_server, size, accept_downloads=True)
        requests, popups = [], []
        context.on("request", lambda r, seen=requests: seen.append(r.url))
        context.on("page", lambda p, seen=popups: seen.append(p.url))
        try:
            titles = page.eval_on_selector_all(
                ".kursk-chart .modebar-btn", "els => els.map(e => e.getAttribute('data-title'))"
            )
            assert titles and set(titles) <= {"Download plot as a PNG", "Reset axes"}, titles
            buttons = page.locator(".kursk-chart .modebar-btn")
            for i in range(buttons.count()):
                buttons.nth(i).click(force=True)
                page.wait_for_timeout(150)
            page.wait_for_timeout(1500)
            host = voila_server.rstrip("/")
            off_host = [
                u for u in requests if not u.startswith((host, "data:", "blob:", "about:"))
            ]
            assert off_host == [] and popups == [] and len(context.pages) == 1
        finally:
            context.close()


# --- 7. accessibility, keyboard -----------------------------------------------------------------


def test_axe_finds_no_critical_or_serious_violation(sized):
    size, page = sized
    assert violations(page) == [], size


STOP_JS = """() => { const e = document.activeElement;
  return e.tagName + ' ' + (e.getAttribute('aria-label') || e.getAttribute('data-title')
    || e.textContent || e.className || '').trim().slice(0, 30); }"""


def test_the_keyboard_reaches_the_table_in_a_few_stops(sized):
    size, page = sized
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement.blur(); }")
    stops = []
    while len(stops) < 40:
        page.keyboard.press("Tab")
        stops.append(page.evaluate(STOP_JS))
        if page.evaluate("() => !!document.activeElement.closest('#kursk-table')"):
            break
    else:
        pytest.fail(f"{size}: the table is not reached in 40 tab stops: {stops}")
    assert len(stops) <= 25, f"{size} {len(stops)} {stops}"
    if size == "desktop":  # arrow keys in a list move, they do not apply a selection
        page.locator(".kursk-filter-metric li input").first.focus()
        before = page.inner_text(".kursk-status")
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(800)
        assert page.inner_text(".kursk-status") == before


# --- 6. empty state ---------------------------------------------------------------------------


def test_an_empty_selection_is_one_sentence_not_empty_boxes(voila_server, browser):
    context, page = open_page(browser, voila_server, DESKTOP)
    try:
        page.locator(".kursk-filter-metric .kursk-choices-only").first.click()
        page.locator(".kursk-filter-claimant .kursk-choices-all").click()  # clear every claimant
        page.wait_for_selector(".kursk-empty", state="visible", timeout=60_000)
        assert "No figures match" in page.inner_text(".kursk-headline")
        shown = page.eval_on_selector_all(
            ".kursk-chart, .kursk-table table", "els => els.filter(e => e.offsetParent).length"
        )
        assert shown == 0
    finally:
        context.close()


# --- 5. sources by name, About, title ---------------------------------------------------------


def test_sources_are_named_and_the_page_says_what_it_is(sized):
    size, page = sized
    assert page.title() == "Kursk Figures"
    assert page.locator("link[rel='icon']").count() >= 1
    table = page.inner_text("#kursk-table")
    assert "data/figures" not in table and ".yaml" not in table
    outlets = {o for o in DATA.articles.get("outlet", []) if isinstance(o, str) and o}
    months = re.findall(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d", table)
    assert months and (not outlets or any(o in table for o in outlets)), size
    about = page.locator("#kursk-about")
    assert about.count() == 1 and "About these figures" in about.inner_text()
    for word in ("claimant", "as of", "cite"):
        assert word in about.inner_text().lower(), word
    footers = page.eval_on_selector_all(
        ".kursk-chart .annotation-text", "els => els.map(e => e.textContent).join(' ')"
    )
    assert "articles.yaml" not in footers and "Sources:" in footers
