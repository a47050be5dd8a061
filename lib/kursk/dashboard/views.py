"""What a selection shows (a View, built part by part) and the cache of recent views.

Going back to a recent selection (Reset, a filter toggled off again) reuses everything built
for it, so that only the widgets whose value changes send anything to the page.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..analysis.facts import headline
from ..charts import figure_json
from ..ledger import Dataset
from .filters import Filters
from .table import table_html


@dataclass
class View:
    """The parts of one selection's page; `data` is dropped once every part is built."""

    data: Dataset | None
    filters: Filters | None = None
    n_figures: int = 0  # figures the selection holds (none: the page says so in one sentence)
    figures: dict = field(default_factory=dict)
    headline: str | None = None
    status: str | None = None
    table: str | None = None
    counts: dict | None = None  # beside each filter choice (filters.Offered.counts)

    @property
    def empty(self) -> bool:
        return self.n_figures == 0


class ViewCache:
    """Views by selection, least recently used out first; each figure's JSON made once."""

    def __init__(
        self,
        builders: dict[str, Callable],
        select: Callable[[Filters], Dataset],
        full: Dataset,
        size: int = 64,
        counts: Callable[[Filters], dict] | None = None,
    ):
        self.builders, self._select, self._full, self.size = builders, select, full, size
        self._counts = counts
        self._views: OrderedDict[Filters, View] = OrderedDict()
        self._json: dict[int, dict] = {}  # figure JSON by id(figure), for figures held

    def __len__(self) -> int:
        return len(self._views)

    def __contains__(self, f: Filters) -> bool:
        return f in self._views

    def complete(self, f: Filters) -> bool:
        """Every part of the selection's view is built."""
        view = self._views.get(f)
        return view is not None and view.data is None

    def view(self, f: Filters) -> View:
        view = self._views.pop(f, None)
        if view is None:
            data = self._select(f)
            view = View(data, f, len(data.figures))
            if len(self._views) >= self.size:
                self._views.popitem(last=False)
                held = {id(g) for v in self._views.values() for g in v.figures.values()}
                self._json = {k: v for k, v in self._json.items() if k in held}
        self._views[f] = view  # most recently used last
        return view

    def figure(self, view: View, name: str):
        fig = view.figures.get(name)
        if fig is None:
            fig = self.builders[name](view.data)
            fig.update_layout(height=560, autosize=True)
            view.figures[name] = fig
            self.json_of(fig)  # the JSON the page gets, made with the figure
            self._done(view)
        return fig

    def headline(self, view: View) -> str:
        """The sentences at the top: what was known when (if so), then the headline; for a
        selection without figures, one sentence saying so."""
        if view.headline is None:
            data = view.data
            known = known_html(data, self._full)
            if view.empty:
                said = f" ({data.selection})" if data.selection else ""
                text = f"No figures match these filters{said}. Widen them, or reset the filters."
                view.headline = known + f"<p class='kursk-empty'>{html.escape(text)}</p>"
            else:
                lines = headline(data).lines()
                items = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
                view.headline = f"{known}<ul>{items}</ul>"
            self._done(view)
        return view.headline

    def text(self, view: View) -> View:
        """The status line, the table and the filter counts of a view."""
        if view.status is None:
            data = view.data
            n = len(data.figures)
            view.status = (
                f"Showing {n} of {len(self._full.figures)} figures ({len(data.claims)} claims)."
            )
            view.table = table_html(data)
            if self._counts is not None and view.filters is not None:
                view.counts = self._counts(view.filters)
            self._done(view)
        return view

    def json_of(self, fig) -> dict:
        """A figure's JSON, made once (dropped with the figure when its view goes)."""
        if id(fig) not in self._json:
            self._json[id(fig)] = figure_json(fig)
        return self._json[id(fig)]

    def _done(self, view: View) -> None:
        if (
            view.status is not None
            and view.headline is not None
            and len(view.figures) == len(self.builders)
        ):
            view.data = None


def known_html(data: Dataset, full: Dataset) -> str:
    """'As known on 15 Jan 2025: 11 of 27 sources had been published; ...', or ''."""
    if data.known_on is None:
        return ""
    n, total = len(data.articles), len(full.articles)
    text = (
        f"As known on {data.known_on:%-d %b %Y}: {n} of the {total} sources had been published "
        "by then. Sources published later, and revisions made later, are left out of every "
        "chart, sentence and row below."
    )
    return f"<p class='kursk-known' role='note'>{html.escape(text)}</p>"
