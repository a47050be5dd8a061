"""The dashboard app: filters, headline, charts, table and CSV download, wired as ipywidgets.

All logic lives in the package (voila-gallery's App pattern), so it is testable without a
browser; the notebook dashboards/overview.ipynb only builds `Dashboard.from_data_dir()`.
What each part does lives beside it: the filter state (filters.py), the views built for
selections (views.py), the in-view-first order of a redraw (redraw.py), the chart widget
(chart.py, chart.js) and the static snapshot (snapshot.py).

Page hooks (one place): each chart's `.kursk-plot` is `aria-busy` while a draw is pending
and counts its draws in `data-kursk-drawn`; the status line ends with a hidden
`.kursk-gen` span whose text is the number of redraws completed and whose `data-rest` says
what released the last one's rest ("now", "drawn" or "timeout"). Tests and benchmarks read
these (tests/support/page.py); the snapshot swap reads `data-kursk-drawn`.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Callable

import ipywidgets as w
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import clear_output, display

from .. import charts
from ..analysis.wording import figures_table
from ..ledger import DataError, Dataset, load
from .chart import Chart
from .filters import Filters, Offered
from .page import error_html, header_html, style
from .redraw import InViewFirst
from .snapshot import data_uri, snapshot_html
from .table import csv_text
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
        self.views = ViewCache(self.builders, self._select, data, self.CACHE_VIEWS)
        self.in_view_first = InViewFirst(self.DRAWN_TIMEOUT)
        self._updating = False
        self._build()
        self._last_valid = self.filters
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
        self.offered = Offered(tuple(options), self.offered.groups, self.offered.date_range)

    def _build(self) -> None:
        offered = self.offered
        self.claimant = w.SelectMultiple(
            options=offered.claimants,
            value=offered.claimant_ids,
            rows=9,
            layout=w.Layout(width="98%"),
        )
        self.claimant.add_class("kursk-filter-claimant")
        self.metric = w.SelectMultiple(
            options=offered.groups, value=offered.group_ids, rows=4, layout=w.Layout(width="98%")
        )
        self.metric.add_class("kursk-filter-metric")
        # Date pickers sized to the filter panel (their default width overflows it).
        date_layout, date_style = w.Layout(width="96%"), {"description_width": "72px"}
        since, until = offered.date_range
        self.since = w.DatePicker(
            description="As of from", value=since, layout=date_layout, style=date_style
        )
        self.since.add_class("kursk-filter-since")
        self.until = w.DatePicker(
            description="to", value=until, layout=date_layout, style=date_style
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

        self.headline = w.HTML()
        self.headline.add_class("kursk-headline")
        self.status = w.HTML()
        self.status.add_class("kursk-status")
        self.table = w.HTML(layout=w.Layout(max_height="520px", overflow="auto"))
        self.table.add_class("kursk-table")
        self.download = w.HTML()
        self.download.add_class("kursk-download")

        self.outputs: dict[str, w.Output | Chart] = {}
        boxes = []
        plotly_src = os.environ.get("KURSK_PLOTLY_URL", "")
        for name in self.builders:
            if self.live:
                chart = Chart(plotly_src=plotly_src, layout=w.Layout(width="100%"))
                chart.on_msg(functools.partial(self._on_chart_msg, name))
                self.outputs[name] = chart
            else:
                self.outputs[name] = w.Output(layout=w.Layout(width="100%"))
            box = w.Box([self.outputs[name]], layout=w.Layout(width="100%", min_height="560px"))
            box.add_class("kursk-chart")
            box.add_class(f"kursk-chart-{name}")
            boxes.append(box)
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
        header = w.HTML(style() + header_html())
        body = w.HBox([filters, main])
        body.add_class("kursk-body")
        self.view = w.VBox([header, self.headline, body])
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
        """The filter state the widgets show."""
        return Filters(
            tuple(self.claimant.value),
            tuple(self.metric.value),
            self.since.value,
            self.until.value,
            self.corroborated.value,
        )

    def set_filters(
        self, claimants=None, metric_groups=None, since=None, until=None, corroborated=None
    ) -> None:
        """Set several filters at once (one redraw)."""
        self._set_widgets(
            claimants=None if claimants is None else tuple(claimants),
            metric_groups=None if metric_groups is None else tuple(metric_groups),
            since=since,
            until=until,
            corroborated=None if corroborated is None else bool(corroborated),
        )
        self._safely(self.refresh)

    def reset_filters(self) -> None:
        """Back to everything."""
        f = self.offered.default()
        self.set_filters(f.claimants, f.metric_groups, f.since, f.until, f.corroborated)

    def _set_widgets(self, restore: bool = False, **values) -> None:
        """Set widget values without a redraw per widget; None leaves one as it is unless
        restoring a whole state."""
        widgets = {
            "claimants": self.claimant,
            "metric_groups": self.metric,
            "since": self.since,
            "until": self.until,
            "corroborated": self.corroborated,
        }
        self._updating = True
        try:
            for key, value in values.items():
                if value is not None or restore:
                    widgets[key].value = value
        finally:
            self._updating = False

    @property
    def filtered(self) -> Dataset:
        """The dataset as the filters select it."""
        return self._select(self.filters)

    def _select(self, f: Filters) -> Dataset:
        return self.offered.select(self.data, f)

    def _on_change(self, change) -> None:
        if self._updating:
            return
        if not self.offered.allows(self.filters):
            self._set_widgets(**vars(self._last_valid), restore=True)
            self.status.value = "That filter value is not available; the last valid one is back."
            return
        f = self.filters
        if f.since and f.until and f.since > f.until:
            self.status.value = (
                "<span style='color:#D55E00'>The first date is after the second: swap them. "
                "The previous view is kept.</span>"
            )
            return
        self._safely(self.refresh)

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

        Each part is sent as soon as it is built: first the headline, then the charts the
        page reports in view; the rest waits for the page to draw those (redraw.py)."""
        f = self.filters
        view = self.views.view(f)
        self.in_view_first.supersede()
        self.headline.value = self.views.headline(view)
        first = [name for name in self.builders if self._in_view(name)]
        awaited = {}
        for name in first:
            if self._draw(name, self.views.figure(view, name)):
                awaited[name] = self.outputs[name].revision
        self._last_valid = f
        rest = [name for name in self.builders if name not in first]
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
            self.download.value = view.download

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
        if self.data is None:
            return None
        images = {}
        for name, fig in self.figure_json().items():
            uri = data_uri(fig)
            if uri is None:
                return None
            images[name] = (uri, fig)
        return snapshot_html(images, self.headline.value)

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

    def table_rows(self, data: Dataset | None = None):
        """The rows the table shows, with their provenance."""
        return figures_table(data or self.filtered)

    def csv_text(self, data: Dataset | None = None) -> str:
        """The filtered rows as `kursk export` writes them."""
        return csv_text(data or self.filtered)
