"""What a selection shows (a View, built part by part) and the cache of recent views.

Going back to a recent selection (Reset, a filter toggled off again) reuses everything built
for it, so that only the widgets whose value changes send anything to the page.
"""

from __future__ import annotations

import base64
import html
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..analysis.facts import headline
from ..charts import figure_json
from ..ledger import Dataset
from .filters import Filters
from .table import csv_text, table_html


@dataclass
class View:
    """The parts of one selection's page; `data` is dropped once every part is built."""

    data: Dataset | None
    figures: dict = field(default_factory=dict)
    headline: str | None = None
    status: str | None = None
    table: str | None = None
    download: str | None = None


class ViewCache:
    """Views by selection, least recently used out first; each figure's JSON made once."""

    def __init__(
        self,
        builders: dict[str, Callable],
        select: Callable[[Filters], Dataset],
        full: Dataset,
        size: int = 64,
    ):
        self.builders, self._select, self._full, self.size = builders, select, full, size
        self._views: OrderedDict[Filters, View] = OrderedDict()
        self._json: dict[int, dict] = {}  # figure JSON by id(figure), for figures held
        self._package: str | None = None  # the data package's download link (package_link)

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
            view = View(self._select(f))
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
        if view.headline is None:
            lines = headline(view.data).lines()
            view.headline = "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in lines) + "</ul>"
            self._done(view)
        return view.headline

    def text(self, view: View) -> View:
        """The status line, the table and the download link of a view."""
        if view.status is None:
            data = view.data
            csv = csv_text(data)
            href = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
            n = len(data.figures)
            view.status = (
                f"Showing {n} of {len(self._full.figures)} figures ({len(data.claims)} claims)."
            )
            view.table = table_html(data)
            view.download = (
                f"<a download='kursk-figures.csv' href='{href}'>"
                f"Download these {n} figures (CSV)</a> · {self.package_link()}"
            )
            self._done(view)
        return view

    def package_link(self) -> str:
        """The whole data package as a zip (README and CITATION.cff in it): the same for every
        view, so it is made once."""
        if self._package is None:
            from ..publish.package import package_zip, zip_name

            body = base64.b64encode(package_zip(self._full)).decode()
            self._package = (
                f"<a download='{zip_name(self._full)}.zip' href='data:application/zip;base64,"
                f"{body}'>Download the whole data package (zip, with README and citation)</a>"
            )
        return self._package

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
