"""Checks run in a dashboard page (Playwright's evaluate/wait_for_function), one home each.

They read the page hooks documented in kursk.dashboard.app; the number of charts comes from
the chart registry.
"""

from __future__ import annotations

import re

from kursk.charts import NAMES

N = len(NAMES)
DRAWN_JS = (
    "!document.getElementById('kursk-snapshot') && "
    "document.querySelectorAll('.kursk-chart .js-plotly-plot .main-svg').length " + f">= {N}"
)
# The page's static snapshot of every chart (kursk.dashboard.snapshot) is on screen, or the live charts.
VISIBLE_JS = (
    "(() => { const s = document.getElementById('kursk-snapshot'); if (!s) return false;"
    " const i = [...s.querySelectorAll('img')];"
    " return i.length === "
    + str(N)
    + " && i.every(x => x.complete && x.naturalWidth > 0); })() || ("
    + DRAWN_JS
    + ")"
)
# The same two conditions, noting the page's clock (ms since its navigation began) the first
# time each holds: a Chromium viewer is timed from navigation, as a reader who follows the link
# is, not from the creation of its browser context (a test-harness cost: 1-4 s under load).
VISIBLE_AT_JS = (
    "(() => { if (!(" + VISIBLE_JS + ")) return false;"
    " window.__kurskVisibleAt = window.__kurskVisibleAt || performance.now(); return true; })()"
)
DRAWN_AT_JS = (
    "(() => { if (!(" + DRAWN_JS + ")) return false;"
    " window.__kurskDrawnAt = window.__kurskDrawnAt || performance.now(); return true; })()"
)
SNAPSHOT_IMG = re.compile(r"<img alt='[^']*' src='data:image/svg\+xml;base64,")

# Every chart's live plot idle: nothing pending or stale (aria-busy, set by chart.js).
IDLE_JS = """() => [...document.querySelectorAll('.kursk-chart .kursk-plot')].every(
  d => d.getAttribute('aria-busy') !== 'true')"""
# The number of redraws the kernel completed (the status line's hidden .kursk-gen span).
GENERATION_JS = """() => document.querySelector('.kursk-status .kursk-gen').textContent"""
RELEASED_JS = """() => document.querySelector('.kursk-status .kursk-gen').dataset.rest"""
