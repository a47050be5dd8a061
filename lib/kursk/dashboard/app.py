"""The dashboard app: filters, headline, charts, table and downloads, wired as ipywidgets.

All logic lives in the package (voila-gallery's App pattern), so it is testable without a
browser; the served notebook only builds `Dashboard.from_data_dir()`, opens the view its link
asks for (`open_link`) and shows it. What each part does lives beside it: the filter state
(filters.py) and its widgets (panel.py, choices.py), the view as a link (link.py, bar.py),
the views built for selections (views.py), the in-view-first order of a redraw (redraw.py),
building ahead while a reader reads (ahead.py),
the chart widget (chart.py, chart.js), the table and CSV (table.py), downloads made on demand
(download.py), "About these figures" (about.py) and the static snapshot (snapshot.py).

Page hooks (one place): each chart's `.kursk-plot` is `aria-busy` while a draw is pending
and counts its draws in `data-kursk-drawn`; the status line ends with a hidden
`.kursk-gen` span whose text is the number of redraws completed and whose `data-rest` says
what released the last one's rest ("now", "drawn" or "timeout"). Tests and benchmarks read
these (bench/page.py); the snapshot swap reads `data-kursk-drawn`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import os
from collections import OrderedDict
from collections.abc import Callable

import ipywidgets as w
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import clear_output, display

from .. import charts
from ..analysis.wording import figures_table
from ..charts.theme import PLOTLY_CONFIG
from ..ledger import DataError, Dataset, load
from .about import about_html, updated_html
from .ahead import BuildAhead
from .bar import Bar
from .chart import Chart
from .download import Download
from .filters import Filters, Offered
from .link import filters_of, notes_html, query_of, summary
from .page import error_html, header_html, style
from .panel import FilterPanel
from .redraw import InViewFirst
from .snapshot import data_uri, snapshot_html
from .table import csv_download, csv_text
from .views import View, ViewCache


def _plotly_bundle(fig: dict) -> dict:
    """The figure as plotly's mime bundle only: JSON that JupyterLab's plotly extension draws.

    Explicit, not `display(fig)`: plotly picks its default renderer from the shell's class name,
    and under a shell it does not recognise it adds the `notebook` renderer, which inlines all
    of plotly.js into the first chart's output.
    """
    return pio.renderers["plotly_mimetype"].to_mimebundle(fig)


class Dashboard:
    """The read-only dashboard for one Dataset (or a plain-language error when data are bad)."""

    DRAWN_TIMEOUT = 0.5  # seconds the rest of a redraw waits for the page (redraw.py)
    CACHE_VIEWS = 64  # selections kept (views.py): a kernel must not grow without bound
    CACHE_KNOWN = 8  # datasets "as known on" a day kept

    def __init__(
        self,
        data: Dataset | None,
        error: DataError | None = None,
        builders: dict[str, Callable[[Dataset], go.Figure | dict]] | None = None,
        live: bool = False,
    ):
        self.data = data
        self.error = error
        # The package's charts are built as plotly JSON (charts.Chart.spec); builders of
        # one's own may return go.Figure objects.
        self.builders = dict(builders or {n: c.spec for n, c in charts.CHARTS.items()})
        # live: charts are Chart widgets redrawn in place (plotly.js served once by the
        # server); otherwise each chart is an output area showing the figure (JupyterLab).
        self.live = live
        self.figures: dict[str, go.Figure | dict] = {}  # what each chart shows now
        self.redraws = 0  # completed redraws (the page hook in the status line)
        if data is None:
            self.view = self._error_view(error)
            return
        self.offered = Offered.of(data)
        self._known: OrderedDict[dt.date, Dataset] = OrderedDict()
        self.views = ViewCache(
            self.builders, self._select, data, self.CACHE_VIEWS, counts=self._counts
        )
        self.in_view_first = InViewFirst(self.DRAWN_TIMEOUT)
        self.ahead = BuildAhead(self.views, lambda: self.offered.claimant_ids, self._in_view, live)
        self._updating = False
        self.link_notes: list[str] = []
        self._build()
        self._shown = self.offered.default()
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

    @property
    def claimant_options(self) -> list[tuple[str, str]]:
        return list(self.offered.claimants)

    @claimant_options.setter
    def claimant_options(self, options) -> None:
        self.offered = dataclasses.replace(self.offered, claimants=tuple(options))
        self.panel.offered = self.offered

    def _build(self) -> None:
        self.panel = p = FilterPanel(self.offered)
        # the widgets by name, for notebooks and tests
        self.claimant, self.metric, self.assessment = p.claimant, p.metric, p.assessment
        self.since, self.until, self.known = p.since, p.until, p.known
        self.independent, self.reset, self.status = p.independent, p.reset, p.status
        self.reset.on_click(lambda _: self._safely(self.reset_filters))
        for control in p.controls():
            control.observe(self._on_change, names="value")
        self.csv = Download(make=self._csv_file, label="Download these figures (CSV)")
        self.csv.add_class("kursk-download")
        self.package = Download(
            make=self._package_file,
            label="Download the data package (zip)",
            note="every figure, claim, source and claimant as CSV, with README and citation",
        )
        self.package.add_class("kursk-package")

        self.bar = Bar()
        self.bar.add_class("kursk-bar")
        self.notes = w.HTML()
        self.notes.add_class("kursk-notes")
        self.headline = w.HTML()
        self.headline.add_class("kursk-headline")
        self.table = w.HTML()
        self.table.add_class("kursk-table")

        self.outputs: dict[str, w.Output | Chart] = {}
        boxes = []
        plotly_src = os.environ.get("KURSK_PLOTLY_URL", "")
        for name in self.builders:
            if self.live:
                chart = Chart(plotly_src=plotly_src, config=PLOTLY_CONFIG, name=name)
                chart.on_msg(functools.partial(self._on_chart_msg, name))
                self.outputs[name] = chart
            else:
                self.outputs[name] = w.Output()
            box = w.Box([self.outputs[name]])
            box.add_class("kursk-chart")
            box.add_class(f"kursk-chart-{name}")
            boxes.append(box)
        grid = w.Box(boxes)
        grid.add_class("kursk-charts")
        self.main = w.VBox(
            [
                grid,
                w.HTML(
                    "<h2 class='kursk-table-h' id='kursk-table-h'>The figures behind the "
                    "charts</h2>"
                ),
                self.table,
                w.HTML(about_html(self.data)),
                self.package,
            ]
        )
        self.main.add_class("kursk-main")
        header = w.HTML(style() + header_html() + updated_html(self.data))
        header.add_class("kursk-header")
        body = w.Box([p.box(self.csv), self.main])
        body.add_class("kursk-body")
        self.view = w.VBox([header, self.bar, self.notes, self.headline, body])
        self.view.add_class("kursk-dashboard")

    def _error_view(self, error: DataError | None) -> w.Widget:
        box = w.HTML(error_html(error))
        box.add_class("kursk-error")
        root = w.VBox([w.HTML(style() + "<h1>Kursk Figures</h1>"), box])
        root.add_class("kursk-dashboard")
        return root

    # --- state ----------------------------------------------------------------------------------

    @property
    def filters(self) -> Filters:
        """The filter state the widgets show (ValueError for a date that cannot be read)."""
        return self.panel.read()

    @property
    def shown(self) -> Filters:
        """The selection the page shows (the last one applied)."""
        return self._shown

    def set_filters(
        self,
        claimants=None,
        metric_groups=None,
        since=None,
        until=None,
        independent=None,
        assessments=None,
        known_on=None,
    ) -> None:
        """Set several filters at once (one redraw); None leaves a filter as it is."""
        f = self._shown
        changes = {
            "claimants": None if claimants is None else tuple(claimants),
            "metric_groups": None if metric_groups is None else tuple(metric_groups),
            "since": since,
            "until": until,
            "independent": None if independent is None else bool(independent),
            "assessments": None if assessments is None else tuple(assessments),
            "known_on": known_on,
        }
        self._apply(f.with_(**{k: v for k, v in changes.items() if v is not None}))

    def reset_filters(self) -> None:
        """Back to everything."""
        self._apply(self.offered.default())

    def open_link(self, query: str) -> None:
        """Show the view a link's query string asks for (link.py): the kernel builds that view
        itself, never the default first. Values the data cannot show are ignored, each with a
        note on the page."""
        if self.data is None:
            return
        f, notes = filters_of(query, self.offered)
        problem = self.offered.problem(f)
        if problem:
            d = self.offered.default()
            notes.append(problem.rstrip(".") + ": the link's dates were ignored.")
            f = f.with_(since=d.since, until=d.until, known_on=None)
        self.link_notes = notes
        self.notes.value = notes_html(notes)
        self._apply(f)

    def _apply(self, f: Filters) -> None:
        """Show a selection: the widgets set without a redraw per widget, then one redraw."""
        self._updating = True
        try:
            self.panel.show(f)
        finally:
            self._updating = False
        self.panel.say(None)
        self._safely(self.refresh)

    @property
    def filtered(self) -> Dataset:
        """The dataset as the filters select it."""
        return self._select(self._shown)

    def _base(self, f: Filters) -> Dataset:
        """The data the filters apply to (as known on a day: kept for the last few days)."""
        if f.known_on is None:
            return self.data
        base = self._known.pop(f.known_on, None)
        if base is None:
            base = self.offered.base(self.data, f)
            if len(self._known) >= self.CACHE_KNOWN:
                self._known.popitem(last=False)
        self._known[f.known_on] = base
        return base

    def _select(self, f: Filters) -> Dataset:
        return self.offered.select(self.data, f, self._base(f))

    def _counts(self, f: Filters) -> dict:
        return self.offered.counts(self._base(f), f)

    def _on_change(self, change) -> None:
        if self._updating:
            return
        try:
            f = self.filters
        except ValueError as exc:
            self.panel.say(str(exc), self._shown)
            return
        if not self.offered.allows(f):
            self._apply(self._shown)
            self.status.value = "That filter value is not available; the last valid one is back."
            return
        problem = self.offered.problem(f)
        if problem:
            self.panel.say(problem, self._shown)
            return
        self.panel.say(None)
        self._safely(self.refresh)
        self.ahead.changed(self._shown)  # a reader's change: the next click's charts, ahead

    def _safely(self, action: Callable[[], None]) -> None:
        """Run a callback; a failure becomes a short message, never a traceback."""
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - viewers must never see a traceback
            self.status.value = (
                "<span class='kursk-problem'>Could not update the dashboard "
                f"({html.escape(exc.__class__.__name__)}). The previous view "
                "is kept.</span>"
            )

    # --- drawing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Redraw headline, charts, table and counts for the current filters.

        Each part is sent as soon as it is built: the charts the page reports in view, with
        the headline after the first of them (the page draws each while the next is built;
        sent last, the headline waited for every chart to be drawn), then the page's link;
        the rest waits for the page to draw those charts (redraw.py). A selection without
        figures is one sentence: no charts, no table."""
        f = self.filters
        view = self.views.view(f)
        self.in_view_first.supersede()
        (self.main.add_class if view.empty else self.main.remove_class)("kursk-is-empty")
        shown = [] if view.empty else list(self.builders)
        first = [name for name in shown if self._in_view(name)]
        awaited = {}
        for name in [*first[:1], None, *first[1:]]:
            if name is None:
                self.headline.value = self.views.headline(view)
            elif self._draw(name, self.views.figure(view, name)):
                awaited[name] = self.outputs[name].revision
        self.bar.query = query_of(f, self.offered)
        self.bar.summary = summary(f, self.offered)
        self._shown = f
        rest = [name for name in shown if name not in first]
        if not self.in_view_first.hold(awaited, lambda how: self._refresh_rest(view, rest, how)):
            self._refresh_rest(view, rest, "now")

    def _refresh_rest(self, view: View, names: list[str], released: str) -> None:
        def send() -> None:
            for name in names:
                self._draw(name, self.views.figure(view, name))
            self.views.text(view)
            self.redraws += 1
            # the page hook (see the module docstring): set after every chart's new figure
            self.status.value = view.status + (
                f"<span class='kursk-gen' data-rest='{released}' hidden>{self.redraws}</span>"
            )
            self.table.value = view.table
            self.panel.counts(view.counts)
            n = view.n_figures
            self.csv.label = f"Download these {n} figure{'s' if n != 1 else ''} (CSV)"
            self.csv.disabled = n == 0

        if released == "now":
            send()
        else:  # from the event loop: failures become a message here too
            self._safely(send)

    def _in_view(self, name: str) -> bool:
        """The page reports a chart in view (never without a page: then nothing waits)."""
        out = self.outputs.get(name)
        return isinstance(out, Chart) and out.in_view

    def _on_chart_msg(self, name: str, _widget, content, _buffers) -> None:
        self.in_view_first.drawn(name, content)

    def figure_json(self) -> dict[str, dict]:
        """Each chart's current figure as the JSON plotly.js draws."""
        return {name: self.views.json_of(fig) for name, fig in self.figures.items()}

    def snapshot_html(self) -> str | None:
        """A static picture of the dashboard as it stands, shown until the live one is drawn;
        None unless every chart has a picture of exactly its figure (snapshot.py)."""
        if self.data is None or self._shown != self.offered.default() or self.link_notes:
            return None
        images = {}
        for name, fig in self.figure_json().items():
            uri = data_uri(fig)
            if uri is None:
                return None
            images[name] = (uri, fig)
        return snapshot_html(images, self.headline.value, updated_html(self.data))

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
        out = self.outputs[name]
        if isinstance(out, Chart):
            new = self.views.json_of(fig)
            if new is out.figure or new == out.figure:  # unchanged: no message, no redraw
                return False
            with out.hold_sync():  # one message
                out.revision += 1
                out.figure = new
            return True
        with out:
            clear_output(wait=True)
            display(_plotly_bundle(self.views.json_of(fig)), raw=True)
        return False

    def _csv_file(self) -> tuple[str, bytes, str]:
        name, body = csv_download(self.filtered, self._shown, self.offered)
        return name, body, "text/csv"

    def _package_file(self) -> tuple[str, bytes, str]:
        from ..publish.package import package_zip, zip_name

        return f"{zip_name(self.data)}.zip", package_zip(self.data), "application/zip"

    def table_rows(self, data: Dataset | None = None):
        """The rows the table shows, with their provenance."""
        return figures_table(data or self.filtered)

    def csv_text(self, data: Dataset | None = None) -> str:
        """The filtered rows as `kursk export` writes them."""
        return csv_text(data or self.filtered)
