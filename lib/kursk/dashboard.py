"""The dashboard app: filters, headline, charts, table and CSV download, wired as ipywidgets.

All logic lives here (voila-gallery's App pattern), so it is testable without a browser; the
notebook dashboards/overview.ipynb only builds `Dashboard.from_data_dir()` and shows `.view`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import functools
import html
import os
import re
import time
from collections.abc import Callable

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import psutil
from IPython.display import clear_output, display

from . import charts, snapshot
from .chartwidget import Chart
from .cli import export_text
from .errors import DataError
from .loader import Dataset, load
from .summary import headline

GROUP_LABELS = {
    "deployment": "Troop numbers",
    "casualties": "Casualties",
    "payment": "Payments",
    "distance": "Distances",
}
CSS = """
<style>
.kursk-dashboard { font-family: 'DejaVu Sans', Arial, sans-serif; color: #1f2933;
  padding: 12px 18px; max-width: 1500px; margin: 0 auto; }
.kursk-dashboard h1 { font-size: 24px; margin: 4px 0 2px 0; }
.kursk-dashboard .sub { color: #5f6b7a; margin: 0 0 10px 0; }
.kursk-headline ul { margin: 4px 0 8px 0; padding-left: 20px; font-size: 15px; line-height: 1.5; }
.kursk-filters { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 8px; }
.kursk-chart { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; }
.kursk-status { color: #5f6b7a; }
.kursk-body { gap: 14px; }
.kursk-table table { border-collapse: collapse; font-size: 12px; width: 100%; background: #fff; }
.kursk-table th { text-align: left; background: #f0f2f5; position: sticky; top: 0; }
.kursk-table th, .kursk-table td { border-bottom: 1px solid #e4e7eb; padding: 4px 6px;
  vertical-align: top; }
/* A redraw lays out only its own box; the table is not laid out while scrolled away
   (measured: a filter change's redraw 200 -> 119 ms in view, 351 -> 232 ms for all six) */
.kursk-chart, .kursk-table { contain: content; }
.kursk-table { content-visibility: auto; contain-intrinsic-size: auto 520px; }
.kursk-error { background: #fff4e5; border: 1px solid #D55E00; border-radius: 6px; padding: 12px;
  font-size: 14px; }
</style>
"""

# The snapshot (Dashboard.snapshot_html) sits above Voila's hidden output area. The live view
# renders there out of sight (laid out, so plotly sizes the charts right) and replaces the
# snapshot once every chart is drawn; each chart widget announces a draw with `kursk-drawn`.
SNAPSHOT_CSS = """
<style>
body.kursk-snapshot-on #loading { display: none !important; }
body.kursk-snapshot-on #rendered_cells { visibility: hidden; position: absolute !important;
  top: 0; left: 0; width: 100%; }
#kursk-snapshot { padding-top: 17px; }  /* where Voila's output area puts the live view */
.kursk-snap-html { margin: 2px; line-height: 28px; font-size: 13px; display: flow-root; }
.kursk-snap-html .sub { padding-bottom: 2px; }
.kursk-snap-body { display: flex; gap: 14px; }
.kursk-snap-filters { width: 330px; min-width: 330px; box-sizing: border-box; color: #5f6b7a;
  align-self: flex-start; }
.kursk-snap-main { flex: 1 1 auto; min-width: 0; display: grid; gap: 12px; }
.kursk-snap-chart { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; }
.kursk-snap-chart img { display: block; width: 100%; height: 560px; object-fit: contain; }
</style>
"""
SNAPSHOT_JS = """<script>
(function () {
  var snap = document.getElementById("kursk-snapshot");
  var cells = document.getElementById("rendered_cells");
  if (!snap || !cells) return;
  document.body.insertBefore(snap, cells);
  document.body.classList.add("kursk-snapshot-on");
  var expected = Number(snap.dataset.charts);
  function swap() {
    var drawn = cells.querySelectorAll(".kursk-plot[data-kursk-drawn]").length;
    if (drawn < expected) return;
    window.removeEventListener("kursk-drawn", swap);
    snap.remove();
    document.body.classList.remove("kursk-snapshot-on");
    window.dispatchEvent(new Event("resize"));
  }
  window.addEventListener("kursk-drawn", swap);
})();
</script>"""


def _plotly_bundle(fig: dict) -> dict:
    """The figure as plotly's mime bundle only: JSON that the page's plotly extension draws.

    Explicit, not `display(fig)`: plotly picks its default renderer from the shell's class name,
    and under any shell it does not recognise (our viewer kernel's among them) it adds the
    `notebook` renderer, which inlines all of plotly.js (4.8 MB) into the first chart's output.
    """
    return pio.renderers["plotly_mimetype"].to_mimebundle(fig)


class SpareCPU:
    """How many cores' worth of CPU the rest of the machine left unused lately (psutil's CPU
    times). This process's own use counts as spare: it is what building ahead would give up.
    Measured over at least INTERVAL seconds (a window of one building step is noise); None
    before the first window."""

    INTERVAL = 0.5

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._last: tuple[float, float, float] | None = None
        self._spare: float | None = None

    def _read(self) -> tuple[float, float, float]:
        """(now, machine idle seconds summed over cores, this process's CPU seconds)."""
        machine, own = psutil.cpu_times(), self._process.cpu_times()
        idle = machine.idle + getattr(machine, "iowait", 0.0)  # iowait: Linux only
        return time.monotonic(), idle, own.user + own.system

    def cores(self) -> float | None:
        now = self._read()
        if self._last is None:
            self._last = now
        elif now[0] - self._last[0] >= self.INTERVAL:
            wall, idle, own = (a - b for a, b in zip(now, self._last, strict=True))
            self._spare = (idle + own) / wall
            self._last = now
        return self._spare


_SPARE = SpareCPU()


def _machine_busy(min_spare: float) -> bool:
    """Less than min_spare cores' worth of CPU went unused by the rest of the machine in the
    last half second or more (other viewers' kernels and browsers, the server); before the
    first such window, the 1-minute load average leaves less than min_spare cores."""
    spare = _SPARE.cores()
    if spare is None:
        return psutil.getloadavg()[0] + min_spare > (psutil.cpu_count() or 1)
    return spare < min_spare


class Dashboard:
    """The read-only dashboard for one Dataset (or a plain-language error when data are bad)."""

    def __init__(
        self,
        data: Dataset | None,
        error: DataError | None = None,
        builders: dict[str, Callable[[Dataset], go.Figure | dict]] | None = None,
        live: bool = False,
    ):
        self.data = data
        self.error = error
        # The package's charts are built as plotly JSON (charts.SPECS: what go.Figure would
        # give, at half the cost); builders of one's own may return go.Figure objects.
        self.builders = dict(builders or charts.SPECS)
        # live: charts are Chart widgets redrawn in place (plotly.js served once by kursk.serve);
        # otherwise each chart is an output area showing the figure (JupyterLab draws it).
        self.live = live
        self.figures: dict[str, go.Figure | dict] = {}  # as built: go.Figure(f) for an object
        self._json: dict[int, dict] = {}  # figure JSON by id(figure), for figures in the cache
        self._updating = False
        self._generation = 0
        # Building the six charts is most of a redraw; going back to a recent selection
        # (reset, toggling a filter off again) reuses the figures built for it.
        self._cache: dict[tuple, dict] = {}  # filter state -> figures, headline, table, …
        self._warm = None  # the views still to build ahead (see _after_change)
        self._warm_running = False
        self._last_change = 0.0
        self._pending: dict | None = None  # the rest of a redraw, waiting (see refresh)
        if data is None:
            self.view = self._error_view(error)
            return
        self._build()
        self.refresh()

    @classmethod
    def from_data_dir(cls, data_dir=None, live: bool | None = None) -> Dashboard:
        """Load the data; on bad data show what is wrong instead of raising.

        `live` defaults to on under `kursk.serve` (which sets KURSK_PLOTLY_URL), off elsewhere.
        """
        live = bool(os.environ.get("KURSK_PLOTLY_URL")) if live is None else live
        try:
            return cls(load(data_dir), live=live)
        except DataError as exc:
            return cls(None, exc)

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        data = self.data
        claimants = data.claimants[data.claimants["n_figures"] > 0]
        self.claimant_options = [
            (f"{r.name} ({r.n_figures})", r.claimant) for r in claimants.itertuples()
        ]
        groups = [g for g in GROUP_LABELS if (data.figures["metric_group"] == g).any()]
        self.group_options = [(GROUP_LABELS[g], g) for g in groups]
        dates = data.figures["as_of_date"].dropna()
        self.date_range = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)

        self.claimant = w.SelectMultiple(
            options=self.claimant_options,
            value=[v for _, v in self.claimant_options],
            rows=9,
            layout=w.Layout(width="98%"),
        )
        self.claimant.add_class("kursk-filter-claimant")
        self.metric = w.SelectMultiple(
            options=self.group_options,
            value=[v for _, v in self.group_options],
            rows=4,
            layout=w.Layout(width="98%"),
        )
        self.metric.add_class("kursk-filter-metric")
        # Date pickers sized to the filter panel (their default width overflows it).
        date_layout, date_style = w.Layout(width="96%"), {"description_width": "72px"}
        self.since = w.DatePicker(
            description="As of from",
            value=self.date_range[0],
            layout=date_layout,
            style=date_style,
        )
        self.since.add_class("kursk-filter-since")
        self.until = w.DatePicker(
            description="to", value=self.date_range[1], layout=date_layout, style=date_style
        )
        self.until.add_class("kursk-filter-until")
        self.corroborated = w.Checkbox(
            description="Reported by 2+ articles only", value=False, indent=False
        )
        self.corroborated.add_class("kursk-filter-corroborated")
        self.reset = w.Button(description="Reset filters", icon="", button_style="")
        self.reset.add_class("kursk-reset")
        self.reset.on_click(lambda _: self._safely(self.reset_filters))
        for control in (self.claimant, self.metric, self.since, self.until, self.corroborated):
            control.observe(self._on_change, names="value")
        self._last_valid = self._current()

        self.headline = w.HTML()
        self.headline.add_class("kursk-headline")
        self.status = w.HTML()
        self.status.add_class("kursk-status")
        self.table = w.HTML(layout=w.Layout(max_height="520px", overflow="auto"))
        self.table.add_class("kursk-table")
        self.download = w.HTML()
        self.download.add_class("kursk-download")

        self._boxes: dict[str, w.Box] = {}
        self._outputs: dict[str, w.Output | Chart] = {}
        plotly_src = os.environ.get("KURSK_PLOTLY_URL", "")
        for name in self.builders:
            if self.live:
                chart = Chart(plotly_src=plotly_src, layout=w.Layout(width="100%"))
                chart.on_msg(functools.partial(self._on_chart_msg, name))
                self._outputs[name] = chart
            else:
                self._outputs[name] = w.Output(layout=w.Layout(width="100%"))
            box = w.Box([self._outputs[name]], layout=w.Layout(width="100%", min_height="560px"))
            box.add_class("kursk-chart")
            box.add_class(f"kursk-chart-{name}")
            self._boxes[name] = box
        boxes = list(self._boxes.values())
        filters = w.VBox(
            [
                w.HTML(
                    "<b>Filters</b> <span style='color:#5f6b7a'>(Ctrl/⌘-click to pick "
                    "several)</span>"
                ),
                w.HTML("Claimants"),
                self.claimant,
                w.HTML("Metrics"),
                self.metric,
                self.since,
                self.until,
                self.corroborated,
                self.reset,
                self.status,
                self.download,
            ],
            layout=w.Layout(width="330px", min_width="300px"),
        )
        filters.add_class("kursk-filters")
        grid = w.GridBox(
            boxes,
            layout=w.Layout(grid_template_columns="minmax(0, 1fr)", grid_gap="12px", width="100%"),
        )
        main = w.VBox(
            [grid, w.HTML("<h3>The figures behind the charts</h3>"), self.table],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        header = w.HTML(CSS + self._header_html())
        body = w.HBox([filters, main])
        body.add_class("kursk-body")
        self.view = w.VBox([header, self.headline, body])
        self.view.add_class("kursk-dashboard")

    @staticmethod
    def _header_html() -> str:
        return (
            "<h1>Kursk Figures</h1><p class='sub'>North Korea's deployment to Russia's "
            "Kursk region: every number with who said it, when, and where it was reported.</p>"
        )

    def _error_view(self, error: DataError | None) -> w.Widget:
        items = "".join(
            f"<li>{html.escape(i.sentence())}</li>" for i in (error.issues if error else [])[:20]
        )
        more = len(error.issues) - 20 if error and len(error.issues) > 20 else 0
        box = w.HTML(
            CSS + "<div class='kursk-error'><b>The figures data has problems, so the dashboard "
            "cannot show charts yet.</b><p>Whoever maintains the data can fix these and reload "
            f"this page:</p><ul>{items}</ul>"
            + (f"<p>…and {more} more.</p>" if more else "")
            + "</div>"
        )
        box.add_class("kursk-error")
        root = w.VBox([w.HTML(CSS + "<h1>Kursk Figures</h1>"), box])
        root.add_class("kursk-dashboard")
        return root

    # --- state ----------------------------------------------------------------------------------

    def _current(self) -> dict:
        return {
            "claimants": tuple(self.claimant.value),
            "metric_groups": tuple(self.metric.value),
            "since": self.since.value,
            "until": self.until.value,
            "corroborated": bool(self.corroborated.value),
        }

    @property
    def filters(self) -> dict:
        """The filter state as plain values."""
        return self._current()

    def set_filters(
        self, claimants=None, metric_groups=None, since=None, until=None, corroborated=None
    ) -> None:
        """Set several filters at once (one redraw)."""
        self._updating = True
        try:
            if claimants is not None:
                self.claimant.value = tuple(claimants)
            if metric_groups is not None:
                self.metric.value = tuple(metric_groups)
            if since is not None:
                self.since.value = since
            if until is not None:
                self.until.value = until
            if corroborated is not None:
                self.corroborated.value = bool(corroborated)
        finally:
            self._updating = False
        self._safely(self.refresh)
        self._after_change()

    def reset_filters(self) -> None:
        """Back to everything."""
        self.set_filters(**self._default_state())

    def _default_state(self) -> dict:
        """The filter state that shows everything (the dashboard's first view)."""
        return {
            "claimants": tuple(v for _, v in self.claimant_options),
            "metric_groups": tuple(v for _, v in self.group_options),
            "since": self.date_range[0],
            "until": self.date_range[1],
            "corroborated": False,
        }

    @property
    def filtered(self) -> Dataset:
        """The dataset as the filters select it."""
        return self._filtered_for(self._current())

    def _filtered_for(self, s: dict) -> Dataset:
        full_dates = (s["since"], s["until"]) == self.date_range
        return self.data.filter(
            claimants=list(s["claimants"]),
            metric_groups=list(s["metric_groups"]),
            since=None if full_dates or s["since"] is None else s["since"],
            until=None if full_dates or s["until"] is None else s["until"],
            min_articles=2 if s["corroborated"] else 1,
        )

    def _valid(self, state: dict) -> bool:
        """Values can be forged through the widget comm: accept only what is offered."""
        offered = {v for _, v in self.claimant_options}
        groups = {v for _, v in self.group_options}
        return (
            set(state["claimants"]) <= offered
            and set(state["metric_groups"]) <= groups
            and all(d is None or isinstance(d, dt.date) for d in (state["since"], state["until"]))
            and isinstance(state["corroborated"], bool)
        )

    def _on_change(self, change) -> None:
        if self._updating:
            return
        state = self._current()
        if not self._valid(state):
            self._restore(self._last_valid)
            self.status.value = "That filter value is not available; the last valid one is back."
            return
        self._safely(self.refresh)
        self._after_change()

    def _restore(self, state: dict) -> None:
        self._updating = True
        try:
            self.claimant.value = state["claimants"]
            self.metric.value = state["metric_groups"]
            self.since.value = state["since"]
            self.until.value = state["until"]
            self.corroborated.value = state["corroborated"]
        finally:
            self._updating = False

    def _safely(self, action: Callable[[], None]) -> None:
        """Run a callback; a failure becomes a short message, never a traceback."""
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - viewers must never see a traceback
            self.status.value = (
                "<span style='color:#D55E00'>Could not update the dashboard "
                f"({html.escape(exc.__class__.__name__)}). The previous view "
                "is kept.</span>"
            )

    # --- drawing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw headline, charts, table and download for the current filters.

        Each part is sent as soon as it is built, so that the page draws it while the kernel
        builds the next: first the headline at the top (about a millisecond to build), then
        the charts the reader has in view. In a served page the rest (the charts out of view,
        the table, the download and the status) waits until the page reports those charts
        drawn, or DRAWN_TIMEOUT at most: building it meanwhile took CPU from the reader's
        browser whenever the two share a machine (see docs/deploy.md)."""
        state = self._current()
        view = self._view(state)
        self._supersede()
        self.headline.value = self._view_headline(view)
        first = [name for name in self.builders if self._in_view(name)]
        awaited = {}
        for name in first:
            if self._draw(name, self._view_figure(view, name)):
                awaited[name] = self._outputs[name].revision
        self._last_valid = state
        rest = [name for name in self.builders if name not in first]
        if not (awaited and self._defer(view, rest, awaited)):
            self._refresh_rest(view, rest, "now")

    def _refresh_rest(self, view: dict, names: list[str], released: str) -> None:
        for name in names:
            self._draw(name, self._view_figure(view, name))
        self._view_text(view)
        # The hidden generation number tells tests and benchmarks this redraw has arrived
        # (the status is set after the charts, so every chart's new figure came before it);
        # data-rest says what released this last part ("now", "drawn" or "timeout").
        self._generation += 1
        self.status.value = view["status"] + (
            f"<span class='kursk-gen' data-rest='{released}' hidden>{self._generation}</span>"
        )
        self.table.value = view["table"]
        self.download.value = view["download"]

    # At most this long (seconds) the rest of a redraw waits for the page to report the charts
    # in view drawn (a hidden tab draws nothing; a chart can fail to draw).
    DRAWN_TIMEOUT = 0.5

    def _in_view(self, name: str) -> bool:
        """The page reports a chart in view (never without a page: then nothing waits)."""
        out = self._outputs.get(name)
        return isinstance(out, Chart) and out.in_view

    def _defer(self, view: dict, rest: list[str], awaited: dict[str, int]) -> bool:
        """Hold the rest of a redraw until the page has drawn the `awaited` chart revisions;
        False (nothing held) outside a running event loop, as in tests without a kernel."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        pending = {"view": view, "rest": rest, "awaited": awaited}
        pending["timer"] = loop.call_later(self.DRAWN_TIMEOUT, self._release, pending, "timeout")
        self._pending = pending
        return True

    def _on_chart_msg(self, name: str, _widget, content, _buffers) -> None:
        """The page drew a chart: {"drawn": revision}. Anything else is ignored."""
        pending = self._pending
        if pending is None or not isinstance(content, dict):
            return
        if name in pending["awaited"] and content.get("drawn") == pending["awaited"][name]:
            del pending["awaited"][name]
            if not pending["awaited"]:
                self._release(pending, "drawn")

    def _release(self, pending: dict, how: str) -> None:
        if self._pending is not pending:  # superseded by a later change
            return
        self._supersede()
        self._safely(lambda: self._refresh_rest(pending["view"], pending["rest"], how))

    def _supersede(self) -> None:
        """Drop the rest still waiting, if any: released, or replaced by a new redraw (which
        sends every part)."""
        if self._pending is not None:
            self._pending["timer"].cancel()
            self._pending = None

    # A selection seen before (reset, a filter toggled back) reuses everything built for it:
    # only the widgets whose value changes send anything to the page. Views are built part by
    # part, so that idle time can build them ahead (see _warm_ahead).
    CACHE_VIEWS = 64  # bounded, least recently used first out: a kernel must not grow on
    # Building ahead costs ~0.1 s of CPU per selection (and ~0.13 MiB): only while the rest of
    # the machine leaves at least WARM_MIN_SPARE cores unused (see _machine_busy), so that it
    # does not take CPU from other viewers when they need it; at most WARM_STATES selections
    # per pause.
    WARM_MIN_SPARE = 1.0
    WARM_PAUSE = 1.0  # seconds after a viewer's change before building ahead resumes
    WARM_STATES = 24

    def _view(self, state: dict) -> dict:
        key = tuple(state.items())
        view = self._cache.pop(key, None)
        if view is not None:
            self._cache[key] = view  # most recently used last
        else:
            view = {"data": self._filtered_for(state), "figures": {}}
            self._cache[key] = view
            if len(self._cache) > self.CACHE_VIEWS:
                self._cache.pop(next(iter(self._cache)))
                kept = {id(f) for v in self._cache.values() for f in v["figures"].values()}
                self._json = {k: v for k, v in self._json.items() if k in kept}
        return view

    def _view_figure(self, view: dict, name: str) -> go.Figure | dict:
        fig = view["figures"].get(name)
        if fig is None:
            fig = self.builders[name](view["data"])
            fig.update_layout(height=560, autosize=True)
            view["figures"][name] = fig
            if self.live:  # the JSON the page gets, made with the figure (also when ahead)
                self._json_of(fig)
            self._view_done(view)
        return fig

    def _view_headline(self, view: dict) -> str:
        if "headline" not in view:
            lines = headline(view["data"]).lines()
            view["headline"] = (
                "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
            )
            self._view_done(view)
        return view["headline"]

    def _view_text(self, view: dict) -> None:
        if "status" in view:
            return
        data = view["data"]
        csv = self.csv_text(data)
        href = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
        n = len(data.figures)
        view["status"] = (
            f"Showing {n} of {len(self.data.figures)} figures ({len(data.claims)} claims)."
        )
        view["table"] = self._table_html(data)
        view["download"] = (
            f"<a download='kursk-figures.csv' href='{href}'>Download these {n} figures (CSV)</a>"
        )
        self._view_done(view)

    def _view_done(self, view: dict) -> None:
        """A complete view no longer needs its filtered dataset."""
        if "status" in view and "headline" in view and len(view["figures"]) == len(self.builders):
            view.pop("data", None)

    def warm_ahead_states(self, state: dict | None = None) -> list[dict]:
        """The selections one step from `state` (the default view if None), those a reader is
        likeliest to pick next first, no state twice and `state` itself not among them.

        From the default view: each claimant alone, each metric group alone, "reported by 2+
        articles only". From any other: each claimant added or taken away (Ctrl/⌘-click),
        each claimant alone, "2+ articles" toggled, each metric group added or taken away or
        alone, and back to the default (Reset)."""
        default = self._default_state()
        state = state or default
        claimants = [v for _, v in self.claimant_options]
        groups = [v for _, v in self.group_options]

        def toggled(chosen: tuple, value, offered: list) -> tuple:
            keep = set(chosen) ^ {value}
            return tuple(v for v in offered if v in keep)

        if state == default:
            states = [{**state, "corroborated": True}]
            states += [{**state, "claimants": (v,)} for v in claimants]
            states += [{**state, "metric_groups": (v,)} for v in groups]
        else:
            picked, metrics = state["claimants"], state["metric_groups"]
            states = [{**state, "claimants": toggled(picked, v, claimants)} for v in claimants]
            states += [{**state, "claimants": (v,)} for v in claimants]
            states += [{**state, "corroborated": not state["corroborated"]}]
            states += [{**state, "metric_groups": toggled(metrics, v, groups)} for v in groups]
            states += [{**state, "metric_groups": (v,)} for v in groups]
            states += [default]
        unique = {tuple(s.items()): s for s in states if s != state}
        return list(unique.values())

    def _after_change(self) -> None:
        """A viewer changed a filter: building ahead pauses a while, then builds the selections
        one step from this one (after those one step from the default, the first time)."""
        self._last_change = time.monotonic()
        if not self.live:
            return
        _SPARE.cores()  # the reader's pause is the first window measured
        current = self._current()
        states = self.warm_ahead_states(current)[: self.WARM_STATES]
        if self._warm is None:  # the first change: the default view's neighbours too
            default = self._default_state()
            states += [default, *self.warm_ahead_states(default)]
        names = [*self.builders, None]  # None: the headline, table and download
        self._warm = iter([(s, name) for s in states for name in names])
        self._warm_ahead()

    def _warm_ahead(self) -> None:
        """Build the views queued by _after_change in the kernel's idle time, one chart per turn
        of its event loop, so that a viewer's message waits for at most one chart build. Only
        in a running kernel (a served page)."""
        if self._warm_running:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._warm_running = True

        def step() -> None:
            wait = self._last_change + self.WARM_PAUSE - time.monotonic()
            if wait > 0:  # the viewer is busy filtering: their changes come first
                loop.call_later(wait, step)
                return
            if _machine_busy(self.WARM_MIN_SPARE):  # other viewers first
                loop.call_later(2.0, step)
                return
            try:
                state, name = next(self._warm)
                view = self._view(state)
                if name is None:
                    self._view_headline(view)
                    self._view_text(view)
                else:
                    self._view_figure(view, name)
            except Exception:  # noqa: BLE001 - done (StopIteration), or failed: only a speed-up
                self._warm_running = False
                return
            loop.call_later(0.005, step)

        loop.call_later(0.05, step)

    def figure_json(self) -> dict[str, dict]:
        """Each chart's current figure as the JSON plotly.js draws (cached per figure)."""
        return {name: self._json_of(fig) for name, fig in self.figures.items()}

    def _json_of(self, fig: go.Figure | dict) -> dict:
        """A figure's JSON, made once (dropped with the figure when the view cache lets go)."""
        if id(fig) not in self._json:
            self._json[id(fig)] = charts.figure_json(fig)
        return self._json[id(fig)]

    def snapshot_html(self) -> str | None:
        """A static picture of the dashboard as it stands, shown until the live one is drawn.

        Served pages carry it (see kursk.snapshot and the kursk Voila template): every chart is
        on screen as soon as the HTML arrives, not after the kernel has connected and plotly.js
        has drawn six figures. None unless every chart has a snapshot of exactly its figure.
        """
        if self.data is None:
            return None
        images = []
        for name, fig in self.figure_json().items():
            uri = snapshot.data_uri(fig)
            if uri is None:
                return None
            title = (fig.get("layout", {}).get("title", {}) or {}).get("text", "")
            alt = html.escape(re.sub(r"<[^>]+>", " ", title.split("<br>")[0]).strip(), True)
            images.append(
                f"<div class='kursk-snap-chart' data-chart='{name}'>"
                f"<img alt='{alt}' src='{uri}'></div>"
            )
        return (
            f"<div id='kursk-snapshot' class='kursk-dashboard' data-charts='{len(images)}'>"
            + CSS
            + SNAPSHOT_CSS
            # header and headline boxed as ipywidgets boxes them in the live view (whose CSS
            # is not loaded yet): the live charts take the snapshot's place without a shift
            + f"<div class='kursk-snap-html'>{self._header_html()}</div>"
            f"<div class='kursk-snap-html kursk-headline'>{self.headline.value}</div>"
            + "<div class='kursk-snap-body'><div class='kursk-filters kursk-snap-filters'>"
            "<b>Filters</b><p>The interactive dashboard (filters, hover details, table, "
            "download) is loading…</p></div>"
            f"<div class='kursk-snap-main'>{''.join(images)}</div></div></div>" + SNAPSHOT_JS
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The dashboard's widget; served, also the static snapshot the page shows first."""
        data = self.view._repr_mimebundle_(include=include, exclude=exclude)
        snap = self.snapshot_html() if self.live else None
        if not snap:
            return data
        return {**data, "text/html": snap}, {"kursk": {"snapshot": True}}

    def _draw(self, name: str, fig: go.Figure | dict) -> bool:
        """Show one chart's figure: only its JSON travels; the page's plotly.js draws it.
        True if a served chart got a new figure (a new revision for the page to draw)."""
        self.figures[name] = fig
        out = self._outputs[name]
        if isinstance(out, Chart):
            new = self._json_of(fig)
            if new is out.figure or new == out.figure:  # unchanged: no message, no redraw
                return False
            with out.hold_sync():  # one message
                out.revision += 1
                out.figure = new
            return True
        with out:
            clear_output(wait=True)
            display(_plotly_bundle(self._json_of(fig)), raw=True)
        return False

    def table_rows(self, data: Dataset | None = None) -> pd.DataFrame:
        """The rows the table shows, with their provenance."""
        f = (data or self.filtered).figures
        titles = self.data.articles.set_index("article")["title"]
        return pd.DataFrame(
            {
                "Claimant": f["claimant_name"],
                "Metric": f["metric_label"],
                "Value": f["worded"],
                "As of": f["as_of"].fillna("") + " (" + f["as_of_basis"].astype(str) + ")",
                "Article": f["article"] + " · " + f["article"].map(titles).fillna(""),
                "Quote": "“" + f["quote"] + "”",
                "Curated at": f["file"] + ":" + f["line"].astype("string").fillna("?"),
            }
        )

    def _table_html(self, data: Dataset) -> str:
        rows = self.table_rows(data)
        if rows.empty:
            return "<p>No figures match the current filters.</p>"
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
            for r in rows.itertuples(index=False)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def csv_text(self, data: Dataset | None = None) -> str:
        """The filtered rows as `kursk export` writes them."""
        return export_text(data or self.filtered, "csv")
