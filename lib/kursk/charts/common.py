"""Pieces every chart shares: the source line, marks for each kind of value, hover text, the
empty state and the row helpers."""

from __future__ import annotations

import html
import math
import textwrap
from collections import Counter

import numpy as np
import pandas as pd

from ..analysis.wording import figure_lines, fmt
from ..ledger import Dataset
from . import theme
from .spec import Spec, trace

EMPTY = "No figures match the current filters"
# Category charts (one row per figure or claim) stay readable up to this many rows; beyond
# it they keep the most-reported rows and say how many they left out.
MAX_ROWS = 30
MAX_COLUMNS = 25
MAX_SHARES = 12  # share rows carry a label line each
MARK_SYMBOLS = {
    "exact": "circle",
    "approximate": "circle-open",
    "open": "triangle-up",
    "upto": "triangle-down",
    "vague": "diamond-open",
}
MARK_KEY = {
    "exact": "● exact",
    "approximate": "○ about/nearly",
    "open": "▲┆ over (open bound)",
    "upto": "▼┆ up to",
    "vague": "◇ vague (band = reading)",
}
ARROW = 0.09  # length of an open-bound arrow, as a share of the value axis
AXIS_SPACE = 72  # px under the plot for tick labels and the axis title, above the source line


def esc(text) -> str:
    """Text made safe for plotly's HTML subset (apostrophes stay readable in the JSON)."""
    return html.escape(str(text), quote=False)


# --- shared pieces --------------------------------------------------------------------------


def short_article(article: str) -> str:
    """'003_1a8f1fbcddf06ff0' -> '003' (the number the articles folder sorts by)."""
    return str(article).split("_")[0]


def ids(claimant: str) -> list[str]:
    return str(claimant).split(";")


def source_lines(shown: pd.DataFrame, width: int = 120) -> list[str]:
    """'Sources: <claimant names>' and 'Articles: <ids>', wrapped to fit an 800 px chart."""
    names = sorted({n for s in shown["claimant_name"] for n in str(s).split("; ")})
    if not names:
        return ["Sources: none in the current selection"]
    articles = sorted(set(shown["article"]))
    listed = ", ".join(short_article(a) for a in articles[:20])
    if len(articles) > 20:
        listed += f" and {len(articles) - 20} more"
    return textwrap.wrap("Sources: " + "; ".join(names), width) + textwrap.wrap(
        f"Articles: {listed} (data/articles.yaml)", width
    )


def left_margin(labels, pad: int, least: int = 20) -> int:
    """A left margin that fits the longest tick label (13 px, the house tick font) and `pad`
    px for the tick gap (and axis title), so plotly.js need not widen it and redraw."""
    widest = max((theme.text_width(str(label), 13) for label in labels), default=0)
    return max(least, math.ceil(widest) + pad)


def finish(
    fig: Spec,
    name: str,
    title: str,
    subtitle: str,
    shown: pd.DataFrame,
    *,
    legend: bool = True,
    axis_space: int = AXIS_SPACE,
) -> Spec:
    """House template, title, the source line and meta naming claimants and articles."""
    claimant_ids = sorted({c for s in shown["claimant"] for c in ids(s)}) if len(shown) else []
    articles = sorted(set(shown["article"])) if len(shown) else []
    lines = source_lines(shown) if len(shown) else ["Sources: none in the current selection"]
    fig.update_layout(
        template="kursk",
        title={
            "text": f"<b>{esc(title)}</b><br><span style='font-size:13px;color:"
            f"{theme.MUTED}'>{esc(subtitle)}</span>"
        },
        meta={"chart": name, "claimants": claimant_ids, "articles": articles},
        # room for the title block (and a legend row), and for the source line under the axis
        margin={"t": 122 if legend else 84, "b": axis_space + 13 * len(lines) + 10},
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
    return finish(fig, name, title, EMPTY, data.figures.iloc[:0], legend=False)


def mark(row) -> str:
    if row.vague:
        return "vague"
    if row.qualifier in ("over", "at_least"):
        return "open"
    if row.qualifier == "up_to":
        return "upto"
    return "approximate" if row.approximate else "exact"


def hover(row) -> str:
    """Every recorded field of a figure (analysis.wording.figure_lines), the claimant bold."""
    first, *rest = (esc(line) for line in figure_lines(row))
    return f"<b>{first}</b><br>" + "<br>".join(rest)


def marks_key(marks: set[str], ranges: bool) -> str:
    """The legend of the marks, as a line of text (keeps the legend for claimants)."""
    keys = [MARK_KEY[m] for m in MARK_KEY if m in marks]
    return "   ".join(keys + (["▮ range"] if ranges else []))


def value_at(row, kind: str, top: float) -> float:
    """Where a figure's marker sits: mid-range, the bound, or the head of an open arrow."""
    if row.qualifier in ("range", "vague") and pd.notna(row.low) and pd.notna(row.high):
        return (float(row.low) + float(row.high)) / 2
    if kind == "open":
        return float(row.low) + ARROW * top
    if kind == "upto":
        return float(row.high)
    return float(row.low)


def legend_entry(fig: Spec, claimant: str, name: str, colour: str) -> None:
    """A legend-only entry: a filled swatch in the claimant's colour, whatever the marks."""
    fig.add_trace(
        trace(
            "scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            legendgroup=claimant,
            marker={"symbol": "square", "size": 11, "color": colour},
            hoverinfo="skip",
        )
    )


def segments(pairs) -> tuple[list, list]:
    """[(x, y0, y1), ...] -> one polyline with gaps (one trace draws every segment)."""
    xs, ys = [], []
    for x, y0, y1 in pairs:
        xs += [x, x, None]
        ys += [y0, y1, None]
    return xs, ys


def points(fig: Spec, data: Dataset, rows: pd.DataFrame, x: pd.Series, top: float) -> set[str]:
    """Markers by kind of value, ranges as bars, open bounds as arrows; one colour per claimant.

    A figure several claimants gave is drawn in its first claimant's colour, labelled with the
    others; the hover names them all.
    """
    marks: set[str] = set()
    groups: dict[str, tuple[list, list]] = {}  # first claimant -> (x values, rows), as listed
    for xv, r in zip(x.tolist(), rows.itertuples(), strict=True):  # itertuples once
        gx, recs = groups.setdefault(ids(r.claimant)[0], ([], []))
        gx.append(xv)
        recs.append(r)
    for claimant, (gx, recs) in groups.items():
        color = data.colour(claimant)
        kinds = [mark(r) for r in recs]
        marks |= set(kinds)
        ranges, vague, arrows = [], [], []
        for xv, r, k in zip(gx, recs, kinds, strict=True):
            if k == "vague" and pd.notna(r.low) and pd.notna(r.high):
                vague.append((xv, float(r.low), float(r.high)))
            elif r.qualifier == "range":
                ranges.append((xv, float(r.low), float(r.high)))
            elif k == "open":
                arrows.append((xv, float(r.low), float(r.low) + ARROW * top))
            elif k == "upto":
                arrows.append((xv, float(r.high), max(float(r.high) - ARROW * top, 0)))
        for pairs, style in (
            (vague, {"width": 16, "color": color}),
            (ranges, {"width": 6, "color": color}),
            (arrows, {"width": 2, "color": color, "dash": "dot"}),
        ):
            if pairs:
                sx, sy = segments(pairs)
                fig.add_trace(
                    trace(
                        "scatter",
                        x=sx,
                        y=sy,
                        mode="lines",
                        line=style,
                        opacity=0.22
                        if style["width"] == 16
                        else 0.5
                        if style["width"] == 6
                        else 1,
                        hoverinfo="skip",
                        showlegend=False,
                        legendgroup=claimant,
                    )
                )
        others = [
            " + " + data.short_name(";".join(ids(r.claimant)[1:])) if ";" in r.claimant else ""
            for r in recs
        ]
        fig.add_trace(
            trace(
                "scatter",
                x=gx,
                y=[value_at(r, k, top) for r, k in zip(recs, kinds, strict=True)],
                mode="markers+text" if any(others) else "markers",
                text=others,
                textposition="middle right",
                textfont={"size": 10, "color": theme.MUTED},
                name=data.short_name(claimant),
                legendgroup=claimant,
                showlegend=False,
                marker={
                    "color": color,
                    "size": 13,
                    "line": {"width": 2, "color": color},
                    "symbol": [MARK_SYMBOLS[k] for k in kinds],
                },
                hovertext=[hover(r) for r in recs],
                hoverinfo="text",
                customdata=[r.figure_id for r in recs],
            )
        )
        legend_entry(fig, claimant, data.short_name(claimant), color)
    return marks


def spread_dates(rows: pd.DataFrame) -> pd.Series:
    """Reports of one date side by side (a few days apart) instead of on top of each other."""
    dates = rows["as_of_date"]
    span = max((dates.max() - dates.min()).days, 30)
    step = pd.Timedelta(days=span / 45)
    values = dates.tolist()
    size = Counter(values)
    seen: Counter = Counter()
    offset = []
    for value in values:  # a plain loop: cheaper than pandas' groupby on a few rows
        n = size[value]
        offset.append(seen[value] - (n - 1) / 2 if n <= 8 else 0.0)  # crowds stay on their date
        seen[value] += 1
    return dates + pd.Series(offset, index=rows.index, dtype="float64") * step


# columns no chart reads: dropped before row loops (itertuples pays per column)
UNUSED = ("claimant_kind", "claimant_country", "unit", "file", "line", "n_claimants")


def plain(rows: pd.DataFrame, take: np.ndarray | None = None) -> pd.DataFrame:
    """NumPy columns instead of pandas' extension arrays, which row loops read much faster.
    Strings become object columns and low/high float64 (NaN for missing); the rest is kept.
    take: the positions of the rows wanted, in order (a selection and sort, done per column).
    Built column by column, which is cheaper than `astype` on the whole frame."""
    index = rows.index if take is None else rows.index.take(take)
    columns = {}
    for name in rows.columns:
        if name in UNUSED:
            continue
        values = rows[name].array
        if take is not None:
            values = values.take(take)
        if name in ("low", "high"):
            values = values.to_numpy(dtype="float64", na_value=np.nan)
        elif isinstance(values.dtype, pd.StringDtype):
            # an object Series: a bare NumPy array of strings would be read back as str dtype
            values = pd.Series(values.to_numpy(dtype=object, na_value=None), index, dtype=object)
        columns[name] = values
    return pd.DataFrame(columns, index=index, copy=False)


def sorted_positions(keep, *keys) -> np.ndarray:
    """The positions `keep` (a boolean mask) in a stable sort by `keys` (columns, arrays or
    lists of one value per row; none missing among the kept rows): what
    sort_values(kind="stable") gives, without pandas' per-call overhead."""
    positions = np.flatnonzero(keep)
    rows = list(zip(*(np.asarray(key)[positions].tolist() for key in keys), strict=True))
    return positions[sorted(range(len(positions)), key=rows.__getitem__)]


def most_reported(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The rows reported by the most articles (then the latest), at most limit of them."""
    if len(rows) <= limit:
        return rows
    keep = rows.sort_values(["n_articles", "as_of_date"], ascending=False, kind="stable")
    return rows.loc[sorted(keep.index[:limit], key=rows.index.get_loc)]


def range_text(low, high) -> str:
    return f"{fmt(low)}–{fmt(high)}" if low != high else fmt(low)
