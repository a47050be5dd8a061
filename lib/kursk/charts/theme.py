"""The house look: one plotly template, the house colours and text widths. Claimant colours
come from the data (the claimants frame; ledger/palette.py)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK, MUTED, GRID = "#1f2933", "#5f6b7a", "#e4e7eb"
# Okabe-Ito, then Paul Tol's muted colours: distinguishable with the common colour blindnesses.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#332288",
    "#117733",
]
AXIS = {
    "gridcolor": GRID,
    "linecolor": "#9aa5b1",
    "zeroline": False,
    "automargin": True,
    "separatethousands": True,
    "exponentformat": "none",
    # plotly.js's default for date and number axes ("hide past div") measures every tick label
    # on every draw (a forced layout each) to hide those past the chart's edge; automargin
    # keeps them inside, and the dashboard's width test checks that no text runs past its box
    # (docs/performance.md, "Still missed", has what it saves).
    "ticklabeloverflow": "allow",
}
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 13, "color": INK},
        title={
            "x": 0.01,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "font": {"size": 18, "color": INK},
        },
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=PALETTE,
        margin={"l": 70, "r": 30, "t": 125, "b": 120},
        # exponentformat none: 20,000 rather than 20k, as the articles write numbers
        xaxis={**AXIS, "title": {"standoff": 10}},
        yaxis=AXIS,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "xanchor": "left",
            "x": 0,
            "font": {"size": 11},
            "bgcolor": "rgba(255,255,255,0)",
        },
        hoverlabel={"font": {"family": FONT, "size": 12}, "align": "left"},
        separators=".,",
    )
)
pio.templates["kursk"] = TEMPLATE

# plotly.js's configuration wherever a chart is drawn live (dashboard, briefing page): the
# mode bar keeps only what works offline (save as PNG, zoom back, reset); nothing that
# uploads a chart or links off this host.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "modeBarButtons": [["toImage", "resetScale2d"]],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# Advance widths of DejaVu Sans (the house font), in em, as Chromium measures them: enough to
# size a chart's margin to its longest tick label in Python, so that plotly.js does not draw
# the chart twice (its automargin redraws a chart whose labels do not fit the margin given, on
# the path of a filter change). automargin stays on: where the reader's
# browser has a wider font, plotly still makes room.
_GLYPHS = "0123456789 !\"#$%&'()*+,-./:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~·–—’“”…×÷≠✓●○▲▼◇▮┆é"
# fmt: off
_EMS = [
    0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.318, 0.401,
    0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361,
    0.318, 0.337, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531, 1, 0.684, 0.686, 0.698,
    0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,
    0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39,
    0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635,
    0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521,
    0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838, 0.318,
    0.5, 1, 0.318, 0.518, 0.518, 1, 0.838, 0.838, 0.838, 0.838, 0.873, 0.873,
    0.769, 0.769, 0.769, 0.55, 0.602, 0.615,
]
# fmt: on
EM_WIDTHS = dict(zip(_GLYPHS, _EMS, strict=True))
WIDEST_EM = 1.0  # characters not in the table count as wide as the widest above


def text_width(text: str, size: float) -> float:
    """Pixels a line of plain text takes in the house font at `size` px (an upper estimate)."""
    return sum(EM_WIDTHS.get(ch, WIDEST_EM) for ch in text) * size


_template_json: dict[str, tuple[go.layout.Template, dict]] = {}


def template_json(name: str) -> dict:
    """A registered plotly template as JSON (made once per template object)."""
    template = pio.templates[name]
    known = _template_json.get(name)
    if known is None or known[0] is not template:
        known = _template_json[name] = (template, template.to_plotly_json())
    return known[1]
