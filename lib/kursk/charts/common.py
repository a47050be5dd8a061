"""Pieces every chart shares: the source lines, marks for each kind of value, hover text, the
empty state, unique row labels and the row helpers."""

from __future__ import annotations

import html
import math
import textwrap

import numpy as np
import pandas as pd

from ..analysis.wording import figure_lines
from ..ledger import Dataset
from ..ledger.frames import records
from ..ledger.normalize import date_words
from ..ledger.values import PartialDate
from . import theme
from .spec import Spec, trace

EMPTY = "No figures match the current filters"
# Category charts (one row per figure or claim) stay readable up to this many rows; beyond
# it they keep the rows that mean most and say how many they left out.
MAX_ROWS = 30
MAX_COLUMNS = 20
MAX_SHARES = 12  # share rows carry a label line each
# How a value is worded, drawn the same way in every chart.
MARK_KEY = {
    "exact": "● exact",
    "approximate": "○ about",
    "open": "┆▲ over, at least",
    "upto": "┆▼ up to",
    "vague": "◇ vague (band: its reading)",
    "range": "▮ range",
}
# What is counted: one marker shape per metric, in vocabulary order.
SHAPES = ("circle", "square", "diamond", "x", "triangle-left", "star", "hexagon", "pentagon")
GLYPHS = {  # the shapes as text, for keys in subtitles
    "circle": "●", "square": "■", "diamond": "◆", "x": "✕", "triangle-left": "◀",
          "star": "★", "hexagon": "⬢", "pentagon": "⬟"}  # fmt: skip
ARROW = 0.09  # length of an open-bound arrow, as a share of the value axis
AXIS_SPACE = 72  # px under the plot for tick labels and the axis title, above the source lines
LINE_PX = 13  # one line of the source note


def esc(text) -> str:
    """Text made safe for plotly's HTML subset (apostrophes stay readable in the JSON)."""
    return html.escape(str(text), quote=False)


def ids(claimant: str) -> list[str]:
    return str(claimant).split(";")


def listed(head: str, names: list[str], width: int, lines: int = 2) -> list[str]:
    """'head a; b; c; and 4 more', as many names as fit in `lines` lines of `width`."""
    for limit in range(len(names), -1, -1):
        text = head + "; ".join(names[:limit])
        if limit < len(names):
            text += ("; and " if limit else "") + f"{len(names) - limit} more"
        wrapped = textwrap.wrap(text, width)
        if len(wrapped) <= lines:
            return wrapped
    return textwrap.wrap(f"{head}{len(names)}", width)


def source_lines(data: Dataset, shown: pd.DataFrame, width: int = 150) -> list[str]:
    """Who says it and where it was reported, by name: 'Claimants: ...', 'Sources: outlet,
    date; ...' and, for a filtered selection, what was kept."""
    if shown.empty:
        lines = ["Claimants: none in the current selection"]
    else:
        claimant_ids = sorted({c for s in shown["claimant"] for c in ids(s)})
        names = [data.short_name(c) for c in claimant_ids]
        labels = data.articles.set_index("article")["label"]
        sources = [str(labels.get(a, a)) for a in dict.fromkeys(shown["article"])]
        lines = listed("Claimants: ", names, width) + listed("Sources: ", sorted(sources), width)
    if data.selection:
        lines += textwrap.wrap("Filtered: " + data.selection, width)[:1]
    return lines


def left_margin(labels, pad: int, least: int = 20, size: int = 13) -> int:
    """A left margin that fits the longest tick label (at `size` px) and `pad` px for the tick
    gap (and axis title), so plotly.js need not widen it and draw the chart twice."""
    widest = max((theme.text_width(str(label), size) for label in labels), default=0)
    return max(least, math.ceil(widest) + pad)


def finish(
    fig: Spec,
    data: Dataset,
    name: str,
    title: str,
    subtitle: str,
    shown: pd.DataFrame,
    *,
    legend: bool = False,
    axis_space: int = AXIS_SPACE,
    right: int = 30,
) -> Spec:
    """House template, title, the source lines and meta naming claimants and sources."""
    claimant_ids = sorted({c for s in shown["claimant"] for c in ids(s)}) if len(shown) else []
    articles = sorted(set(shown["article"])) if len(shown) else []
    lines = source_lines(data, shown)
    subtitle_lines = textwrap.wrap(subtitle, 120) or [""]
    title_lines = textwrap.wrap(title, 80) or [""]
    fig.update_layout(
        template="kursk",
        title={
            "text": "<br>".join(f"<b>{esc(t)}</b>" for t in title_lines)
            + f"<br><span style='font-size:13px;color:{theme.MUTED}'>"
            + "<br>".join(esc(s) for s in subtitle_lines)
            + "</span>"
        },
        meta={"chart": name, "claimants": claimant_ids, "articles": articles},
        showlegend=legend,
        # room for the title block, and for the source lines under the axis
        margin={
            "t": 40 + 22 * len(title_lines) + 17 * len(subtitle_lines),
            "b": axis_space + LINE_PX * len(lines) + 10,
            "r": right,
        },
    )
    # anchored under the plot and right-aligned: wide axis labels cannot push it off the figure
    fig.add_annotation(
        text="<br>".join(esc(line) for line in lines),
        xref="paper",
        yref="paper",
        x=1,
        y=0,
        yshift=-axis_space,
        xanchor="right",
        yanchor="top",
        showarrow=False,
        align="right",
        font={"size": 10, "color": theme.MUTED},
        name="source",
    )
    return fig


def empty(name: str, title: str, data: Dataset, what: str = "") -> Spec:
    """The figure for a selection with nothing to draw (never an exception)."""
    fig = Spec()
    text = EMPTY
    if len(data.figures) and what:
        n = len(data.figures)
        text += f"<br><span style='font-size:13px'>(no {what} among the {n} "
        text += f"figure{'s' if n != 1 else ''} selected)</span>"
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 16, "color": theme.MUTED},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, data, name, title, EMPTY, data.figures.iloc[:0])


def mark(row) -> str:
    """How a value is worded: exact, approximate, open (over), upto or vague."""
    if row.vague:
        return "vague"
    if row.qualifier in ("over", "at_least"):
        return "open"
    if row.qualifier == "up_to":
        return "upto"
    return "approximate" if row.approximate else "exact"


def marks_key(marks: set[str]) -> str:
    """The key of the marks used, as a line of text."""
    return "   ".join(MARK_KEY[m] for m in MARK_KEY if m in marks)


def shapes(data: Dataset, group: str) -> dict[str, str]:
    """metric -> marker shape, for the metrics of a group (its total first, then vocabulary
    order)."""
    metrics = [m for m, spec in data.vocabulary.metrics.items() if spec.group == group]
    metrics.sort(key=lambda m: not data.vocabulary.metrics[m].total)  # the total: a circle
    return {m: SHAPES[i % len(SHAPES)] for i, m in enumerate(metrics)}


def symbol(shape: str, kind: str) -> str:
    """A shape filled for an exact value, hollow for an approximate or vague one."""
    return f"{shape}-open" if kind in ("approximate", "vague") else shape


def hover(row) -> str:
    """Every recorded field of a figure (analysis.wording.figure_lines), the claimant bold."""
    first, *rest = (esc(line) for line in figure_lines(row))
    return f"<b>{first}</b><br>" + "<br>".join(rest)


def value_at(row, kind: str) -> float:
    """Where a figure's marker sits: mid-range, or the number it states."""
    if row.qualifier in ("range", "vague") and pd.notna(row.low) and pd.notna(row.high):
        return (float(row.low) + float(row.high)) / 2
    if kind == "upto":
        return float(row.high)
    return float(row.low)


def extent(row, kind: str, top: float) -> tuple[float, float] | None:
    """The span a value covers beyond its marker: a range or vague reading, or the arrow of
    an open or up-to bound; None for a point."""
    if row.qualifier in ("range", "vague") and pd.notna(row.low) and pd.notna(row.high):
        return float(row.low), float(row.high)
    if kind == "open":
        return float(row.low), float(row.low) + ARROW * top
    if kind == "upto":
        return max(float(row.high) - ARROW * top, 0.0), float(row.high)
    return None


def segments(pairs) -> tuple[list, list]:
    """[(x0, y0, x1, y1), ...] -> one polyline with gaps (one trace draws every segment)."""
    xs, ys = [], []
    for x0, y0, x1, y1 in pairs:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def legend_entry(fig: Spec, name: str, colour: str, shape: str = "square", group: str = ""):
    """A legend-only entry: a swatch (a claimant's colour) or a shape (what is counted)."""
    fig.add_trace(
        trace(
            "scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            legendgroup=group or name,
            marker={"symbol": shape, "size": 10, "color": colour},
            hoverinfo="skip",
        )
    )


def when(row) -> pd.Timestamp:
    """Where a figure sits in time: the middle of the period its as-of date names."""
    return row.as_of_date + (row.as_of_end - row.as_of_date) / 2


def date_text(value) -> str:
    """A partial date (as written) in words, for labels."""
    if not isinstance(value, str):
        return "date unknown"
    return date_words(PartialDate.parse(value))


def unique(labels: list[str]) -> list[str]:
    """Row labels told apart: a label seen before gets ' (2)', ' (3)', ..."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    # a numbered label may itself collide with a label as written: number again
    return out if len(set(out)) == len(out) else unique([f"{o} ·" for o in out])


def not_shown(n: int, what: str) -> str:
    return f"{n:,} more {what} not shown" if n > 0 else ""


# columns no chart reads: dropped before row loops (itertuples pays per column)
UNUSED = ("claimant_kind", "claimant_country", "unit", "file", "line", "n_claimants")


def plain(rows: pd.DataFrame) -> pd.DataFrame:
    """NumPy columns instead of pandas' extension arrays, which row loops read much faster.
    Strings become object columns (None for missing) and low/high float64 (NaN for missing);
    the rest is kept."""
    columns = {}
    # the arrays as stored, read only (`rows[name]` built a Series per column)
    for name, values in zip(rows.columns, rows._iter_column_arrays(), strict=True):  # noqa: SLF001
        if name in UNUSED:
            continue
        if name in ("low", "high"):
            values = pd.array(values).to_numpy(dtype="float64", na_value=np.nan)
        elif isinstance(values.dtype, pd.StringDtype):
            values = pd.Series(
                values.to_numpy(dtype=object, na_value=None), rows.index, dtype=object
            )
        columns[name] = values
    return pd.DataFrame(columns, index=rows.index, copy=False)


def plain_figures(data: Dataset) -> pd.DataFrame:
    """plain(data.figures), converted once per dataset: the charts of one view take their rows
    from it. Taking rows from the typed frame takes its sixty-odd extension columns one by
    one, and each chart converting its rows again cost a view several ms (make bench:
    dashboard redraws; docs/performance.md). Read only."""
    return data.derived("_plain_figures", lambda d: plain(d.figures))


def plain_rows(data: Dataset, mask) -> pd.DataFrame:
    """plain(data.figures[mask]): mask, booleans over the figures' rows. Read only."""
    return plain_figures(data)[np.asarray(mask, dtype=bool)]


EVENT_ROWS = (0.97, 0.91, 0.85)  # label heights, as a share of the plot's height
EVENT_HEADROOM = 1.3  # a value axis with events runs this far above its data: room for labels
PLOT_PX = 760  # the plot's width the labels are laid out for (the chart column's, at desktop)


def add_events(fig: Spec, data: Dataset, start, end, reach_days: int = 90) -> int:
    """The milestones of events.yaml from `reach_days` before `start` to `end` (the chart's
    own span), drawn as dotted lines with their labels; one legend entry ("Events") toggles
    them all. The date axis is set to cover the chart's span and its events. A label goes on
    the first row where it does not run into another, and reads leftwards near the end, so
    that labels never overlap or leave the plot."""
    e = data.events
    if e.empty:
        return 0
    reach = pd.Timedelta(days=reach_days)
    e = e[(e["kind"] == "milestone") & (e["date_start"] <= end) & (e["date_end"] >= start - reach)]
    if e.empty:
        return 0
    start = min(start, e["date_start"].min()) - pd.Timedelta(days=10)
    end = max(end, e["date_end"].max()) + pd.Timedelta(days=10)
    fig.update_layout(xaxis={"range": [start, end]})
    span_days = max((end - start).days, 1)
    px_per_day = PLOT_PX / span_days
    busy: list[list[tuple]] = [[] for _ in EVENT_ROWS]  # each row's label spans
    lines_x, lines_y, xs, ys, labels, hovers, sides = [], [], [], [], [], [], []
    for ev in records(e.sort_values("date_start")):
        x = ev.date_start + (ev.date_end - ev.date_start) / 2
        width = pd.Timedelta(days=(theme.text_width(ev.label, 10) + 14) / px_per_day)
        # a label reads to the right of its line, or to the left near the chart's end
        side = "left" if x + width > end else "right"
        span = (x - width, x) if side == "left" else (x, x + width)
        row = next(
            (i for i, spans in enumerate(busy)
             if all(span[1] < a or b < span[0] for a, b in spans)),
            None,
        )  # fmt: skip
        if row is None:  # no room: the line stays, the label goes to its hover
            row_y, text = None, ""
        else:
            busy[row].append(span)
            row_y, text = EVENT_ROWS[row], esc(ev.label)
        sides.append(f"middle {side}")
        lines_x += [x, x, None]
        lines_y += [0, 1, None]
        xs.append(x)
        ys.append(row_y if row_y is not None else EVENT_ROWS[-1])
        labels.append(text)
        source = f" ({esc(ev.source)})" if isinstance(ev.source, str) else ""
        hovers.append(f"<b>{esc(ev.label)}</b><br>{date_text(ev.date)}{source}")
    common = {"yaxis": "y9", "legendgroup": "events", "hoverinfo": "text"}
    fig.add_trace(
        trace("scatter", x=lines_x, y=lines_y, mode="lines", name="Events (click to hide)",
              line={"color": theme.MUTED, "width": 1, "dash": "dot"}, showlegend=True,
              hovertext=[h for h in hovers for _ in range(3)], **common)
    )  # fmt: skip
    fig.add_trace(
        trace("scatter", x=xs, y=ys, mode="markers+text", text=labels, name="events",
              textposition=sides, textfont={"size": 10, "color": theme.MUTED},
              marker={"size": 5, "color": theme.MUTED}, showlegend=False, hovertext=hovers,
              **common)
    )  # fmt: skip
    fig.update_layout(
        yaxis9={"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}
    )
    return len(e)
