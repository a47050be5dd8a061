"""A plotly chart as a small widget that redraws in place with `Plotly.react` (chart.js).

Used when the dashboard is served: the server hands out plotly.js once, as a cacheable file
(the cartesian bundle in serve/static/), and each chart widget carries only its figure's JSON.
A filter change sends the new JSON of the charts that changed and the page updates them in
place, instead of tearing an output area down and drawing a new plot.

plotly's own `FigureWidget` is not used: it ships all of plotly.js inside the state of every
widget instance, over every viewer's websocket.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from ..paths import PLOTLY_URL


class Chart(anywidget.AnyWidget):
    """One plotly chart; set `.figure` (a plotly JSON dict) to redraw it in place."""

    _esm = Path(__file__).with_name("chart.js")
    figure = traitlets.Dict().tag(sync=True)
    # Set with each new figure; the page answers {"drawn": revision} once it has drawn it.
    revision = traitlets.Int(0).tag(sync=True)
    # Set by the page: the chart is on screen (or within 100 px of it).
    in_view = traitlets.Bool(False).tag(sync=True)
    plotly_src = traitlets.Unicode("/" + PLOTLY_URL).tag(sync=True)
    # plotly.js's configuration: kursk.charts.theme.PLOTLY_CONFIG (a mode bar that only saves
    # an image and resets the axes: nothing uploads a chart or links off the host)
    config = traitlets.Dict().tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)  # the chart's anchor on the page: #chart-<name>
