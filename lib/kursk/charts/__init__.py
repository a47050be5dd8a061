"""The charts: one module per chart, and this registry, the only list of them.

Each chart module has NAME, TITLE (the chart's name in lists and on its empty state) and
`build(data) -> Spec` (plotly JSON; see spec.py). The public builders below return go.Figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from ..ledger import Dataset
from . import casualties as _casualties
from . import corroboration as _corroboration
from . import record as _record
from . import share as _share
from . import split as _split
from . import timeline as _timeline
from . import troops as _troops
from .spec import Spec, figure_json

__all__ = ["CHARTS", "NAMES", "TITLES", "Chart", "Spec", "build_all", "figure_json"]


@dataclass(frozen=True)
class Chart:
    """One chart of the dashboard and the briefing."""

    name: str
    title: str
    spec: Callable[[Dataset], Spec]  # the figure as plotly JSON (what the dashboard sends)

    def figure(self, data: Dataset) -> go.Figure:
        """The chart as a plotly Figure (validated), for notebooks and image export."""
        return go.Figure(self.spec(data))


# In the order the dashboard and the briefing show them.
CHARTS: dict[str, Chart] = {
    m.NAME: Chart(m.NAME, m.TITLE, m.build)
    for m in (_casualties, _troops, _timeline, _split, _share, _corroboration, _record)
}
NAMES: tuple[str, ...] = tuple(CHARTS)
TITLES: dict[str, str] = {name: chart.title for name, chart in CHARTS.items()}


def build_all(data: Dataset) -> dict[str, go.Figure]:
    """Every chart for a (possibly filtered) dataset, in dashboard order."""
    return {name: chart.figure(data) for name, chart in CHARTS.items()}


def casualties(data: Dataset) -> go.Figure:
    """Every casualty count by as-of date and claimant."""
    return CHARTS["casualties"].figure(data)


def troops(data: Dataset) -> go.Figure:
    """Each claimant's deployment figures side by side, by wave."""
    return CHARTS["troops"].figure(data)


def timeline(data: Dataset) -> go.Figure:
    """The waves over time, cumulative, with the spread between sources as a band."""
    return CHARTS["timeline"].figure(data)


def split(data: Dataset) -> go.Figure:
    """Parts of a whole, checked against the whole."""
    return CHARTS["split"].figure(data)


def share(data: Dataset) -> go.Figure:
    """Casualties as a share of the force: derived intervals next to the shares stated."""
    return CHARTS["share"].figure(data)


def record(data: Dataset) -> go.Figure:
    """Each claimant's troop and casualty figures over time, side by side."""
    return CHARTS["record"].figure(data)


def corroboration(data: Dataset) -> go.Figure:
    """Which article reports which claim."""
    return CHARTS["corroboration"].figure(data)
