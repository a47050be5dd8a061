"""Chart builders: pure functions, Dataset in, plotly Figure out, each with its sources on it."""

from __future__ import annotations

import functools
import html
import json
import math
import textwrap
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from . import theme
from .loader import Dataset
from .summary import PEOPLE_CASUALTIES, PEOPLE_DEPLOYMENT, casualty_share, fmt, span, wordings

EMPTY = "No figures match the current filters"
TITLES = {
    "casualties": "Casualty estimates by claimant",
    "troops": "Troop counts by source",
    "timeline": "Deployment timeline",
    "split": "The 6,000 split",
    "share": "Casualty share of the force",
    "corroboration": "Corroboration: which article reports which claim",
}
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


# --- figures as plotly JSON -----------------------------------------------------------------
# The builders write each figure as the plain JSON plotly.js reads, through the few go.Figure
# methods they use: building plotly's validated objects costs about twice the builders' own
# work, and the dashboard needs a new figure within a filter change. The public builders
# (casualties(), ...) return go.Figure(spec), which validates it; tests check that the JSON of
# that figure is exactly figure_json(spec), what the dashboard sends.


def _nest(props: dict) -> dict:
    """plotly's "magic underscores": {"xaxis_title_text": t} -> {"xaxis": {"title": {"text": t}}}."""
    out: dict = {}
    for key, value in props.items():
        *path, last = key.split("_")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            _merge(node[last], value)
        else:
            node[last] = value
    return out


def _merge(into: dict, new: dict) -> None:
    """go.Figure.update semantics: nested dicts are merged, None unsets, the rest replaces."""
    for key, value in new.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _props(props: dict) -> dict:
    out: dict = {}
    _merge(out, _nest(props))
    return out


def _trace(kind: str, **props) -> dict:
    return {"type": kind, **_props(props)}


class Spec(dict):
    """A figure as plotly JSON ({"data": [...], "layout": {...}}), built like a go.Figure."""

    def __init__(self, *traces: dict):
        super().__init__(data=list(traces), layout={})

    def add_trace(self, trace: dict) -> None:
        self["data"].append(trace)

    def update_layout(self, **props) -> None:
        _merge(self["layout"], _nest(props))

    def update_xaxes(self, **props) -> None:
        _merge(self["layout"].setdefault("xaxis", {}), _nest(props))

    def update_yaxes(self, **props) -> None:
        _merge(self["layout"].setdefault("yaxis", {}), _nest(props))

    def add_annotation(self, **props) -> None:
        self["layout"].setdefault("annotations", []).append(_props(props))

    def add_shape(self, **props) -> None:
        self["layout"].setdefault("shapes", []).append(_props(props))


def figure_json(fig: go.Figure | dict) -> dict:
    """A figure (go.Figure or Spec) as the JSON plotly.js draws: a Spec's template name written
    out, values (dates, NumPy numbers) exactly as plotly's own encoder writes them."""
    if isinstance(fig, dict) and isinstance(fig["layout"].get("template"), str):
        layout = fig["layout"]
        fig = {**fig, "layout": {**layout, "template": theme.template_json(layout["template"])}}
    return json.loads(pio.to_json(fig, validate=False, remove_uids=True))


def _esc(text) -> str:
    """Text made safe for plotly's HTML subset (apostrophes stay readable in the JSON)."""
    return html.escape(str(text), quote=False)


# --- shared pieces --------------------------------------------------------------------------


def _short(article: str) -> str:
    """'003_1a8f1fbcddf06ff0' -> '003' (the number the articles folder sorts by)."""
    return str(article).split("_")[0]


def _ids(claimant: str) -> list[str]:
    return str(claimant).split(";")


def _source_lines(shown: pd.DataFrame, width: int = 120) -> list[str]:
    """'Sources: <claimant names>' and 'Articles: <ids>', wrapped to fit an 800 px chart."""
    names = sorted({n for s in shown["claimant_name"] for n in str(s).split("; ")})
    if not names:
        return ["Sources: none in the current selection"]
    articles = sorted(set(shown["article"]))
    listed = ", ".join(_short(a) for a in articles[:20])
    if len(articles) > 20:
        listed += f" and {len(articles) - 20} more"
    return textwrap.wrap("Sources: " + "; ".join(names), width) + textwrap.wrap(
        f"Articles: {listed} (data/articles.yaml)", width
    )


def _left_margin(labels, pad: int, least: int = 20) -> int:
    """A left margin that fits the longest tick label (13 px, the house tick font) and `pad`
    px for the tick gap (and axis title), so plotly.js need not widen it and redraw."""
    widest = max((theme.text_width(str(label), 13) for label in labels), default=0)
    return max(least, math.ceil(widest) + pad)


def _finish(
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
    claimant_ids = sorted({c for s in shown["claimant"] for c in _ids(s)}) if len(shown) else []
    articles = sorted(set(shown["article"])) if len(shown) else []
    lines = _source_lines(shown) if len(shown) else ["Sources: none in the current selection"]
    fig.update_layout(
        template="kursk",
        title={
            "text": f"<b>{_esc(title)}</b><br><span style='font-size:13px;color:"
            f"{theme.MUTED}'>{_esc(subtitle)}</span>"
        },
        meta={"chart": name, "claimants": claimant_ids, "articles": articles},
        # room for the title block (and a legend row), and for the source line under the axis
        margin={"t": 122 if legend else 84, "b": axis_space + 13 * len(lines) + 10},
    )
    # anchored under the plot and right-aligned: wide axis labels cannot push it off the figure
    fig.add_annotation(
        text="<br>".join(_esc(line) for line in lines),
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


def _empty(name: str, data: Dataset, what: str = "") -> Spec:
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
    return _finish(fig, name, TITLES[name], EMPTY, data.figures.iloc[:0], legend=False)


def _mark(row) -> str:
    if row.vague:
        return "vague"
    if row.qualifier in ("over", "at_least"):
        return "open"
    if row.qualifier == "up_to":
        return "upto"
    return "approximate" if row.approximate else "exact"


def _hover(row) -> str:
    date = "" if pd.isna(row.as_of_date) else f"{row.as_of} ({row.as_of_precision})"
    conf = f"<br>Wording: {_esc(str(row.confidence))}" if isinstance(row.confidence, str) else ""
    return (
        f"<b>{_esc(row.claimant_name)}</b><br>{_esc(str(row.metric_label))}: "
        f"<b>{_esc(row.worded)}</b><br>As of: {date}{conf}<br>"
        f"“{_esc(row.quote)}”<br>Article {row.article}"
    )


def _marks_key(marks: set[str], ranges: bool) -> str:
    """The legend of the marks, as a line of text (keeps the legend for claimants)."""
    keys = [MARK_KEY[m] for m in MARK_KEY if m in marks]
    return "   ".join(keys + (["▮ range"] if ranges else []))


def _value(row, kind: str, top: float) -> float:
    """Where a figure's marker sits: mid-range, the bound, or the head of an open arrow."""
    if row.qualifier in ("range", "vague") and pd.notna(row.low) and pd.notna(row.high):
        return (float(row.low) + float(row.high)) / 2
    if kind == "open":
        return float(row.low) + ARROW * top
    if kind == "upto":
        return float(row.high)
    return float(row.low)


def _legend_entry(fig: Spec, claimant: str, name: str) -> None:
    """A legend-only entry: a filled swatch in the claimant's colour, whatever the marks."""
    fig.add_trace(
        _trace(
            "scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            legendgroup=claimant,
            marker={"symbol": "square", "size": 11, "color": theme.claimant_color(claimant)},
            hoverinfo="skip",
        )
    )


def _segments(pairs) -> tuple[list, list]:
    """[(x, y0, y1), ...] -> one polyline with gaps (one trace draws every segment)."""
    xs, ys = [], []
    for x, y0, y1 in pairs:
        xs += [x, x, None]
        ys += [y0, y1, None]
    return xs, ys


def _points(fig: Spec, rows: pd.DataFrame, x: pd.Series, top: float) -> set[str]:
    """Markers by kind of value, ranges as bars, open bounds as arrows; one colour per claimant.

    A figure several claimants gave is drawn in its first claimant's colour, labelled with the
    others; the hover names them all.
    """
    marks: set[str] = set()
    groups: dict[str, tuple[list, list]] = {}  # first claimant -> (x values, rows), as listed
    for xv, r in zip(x.tolist(), rows.itertuples(), strict=True):  # itertuples once
        gx, recs = groups.setdefault(_ids(r.claimant)[0], ([], []))
        gx.append(xv)
        recs.append(r)
    for claimant, (gx, recs) in groups.items():
        color = theme.claimant_color(claimant)
        kinds = [_mark(r) for r in recs]
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
                sx, sy = _segments(pairs)
                fig.add_trace(
                    _trace(
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
            " + " + theme.short_name(";".join(_ids(r.claimant)[1:])) if ";" in r.claimant else ""
            for r in recs
        ]
        fig.add_trace(
            _trace(
                "scatter",
                x=gx,
                y=[_value(r, k, top) for r, k in zip(recs, kinds, strict=True)],
                mode="markers+text" if any(others) else "markers",
                text=others,
                textposition="middle right",
                textfont={"size": 10, "color": theme.MUTED},
                name=theme.short_name(claimant),
                legendgroup=claimant,
                showlegend=False,
                marker={
                    "color": color,
                    "size": 13,
                    "line": {"width": 2, "color": color},
                    "symbol": [MARK_SYMBOLS[k] for k in kinds],
                },
                hovertext=[_hover(r) for r in recs],
                hoverinfo="text",
                customdata=[r.figure_id for r in recs],
            )
        )
        _legend_entry(fig, claimant, theme.short_name(claimant))
    return marks


def _spread_dates(rows: pd.DataFrame) -> pd.Series:
    """Reports of one date side by side (a few days apart) instead of on top of each other."""
    dates = rows["as_of_date"]
    span = max((dates.max() - dates.min()).days, 30)
    step = pd.Timedelta(days=span / 45)
    values = dates.tolist()
    size = Counter(values)
    seen: Counter = Counter()
    offset = []
    for value in values:  # a plain loop: pandas' groupby costs ~3 ms on a few rows
        n = size[value]
        offset.append(seen[value] - (n - 1) / 2 if n <= 8 else 0.0)  # crowds stay on their date
        seen[value] += 1
    return dates + pd.Series(offset, index=rows.index, dtype="float64") * step


# columns no chart reads: dropped before row loops (itertuples pays per column)
UNUSED = (
    "claimant_kind", "claimant_country", "unit", "scope", "window", "via", "note", "file",
    "line", "as_of_basis", "share_of", "confidence_tier", "metric_group", "n_claimants",
)  # fmt: skip


def _plain(rows: pd.DataFrame, take: np.ndarray | None = None) -> pd.DataFrame:
    """NumPy columns instead of pandas' extension arrays: row loops over them run ~5x faster.
    Strings become object columns and low/high float64 (NaN for missing); the rest is kept.
    take: the positions of the rows wanted, in order (a selection and sort, done per column).
    Built column by column (~1.5 ms on the seed data; `astype` took ~6 ms)."""
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
            values = pd.Series(np.asarray(values, dtype=object), index, dtype=object, copy=False)
        columns[name] = values
    return pd.DataFrame(columns, index=index, copy=False)


def _sorted_positions(keep, *keys) -> np.ndarray:
    """The positions `keep` (a boolean mask) in a stable sort by `keys` (columns, arrays or
    lists of one value per row; none missing among the kept rows): what
    sort_values(kind="stable") gives, in ~0.1 ms where pandas takes ~1.3 ms."""
    positions = np.flatnonzero(keep)
    rows = list(zip(*(np.asarray(key)[positions].tolist() for key in keys), strict=True))
    return positions[sorted(range(len(positions)), key=rows.__getitem__)]


def _most_reported(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The rows reported by the most articles (then the latest), at most limit of them."""
    if len(rows) <= limit:
        return rows
    keep = rows.sort_values(["n_articles", "as_of_date"], ascending=False, kind="stable")
    return rows.loc[sorted(keep.index[:limit], key=rows.index.get_loc)]


def _range_text(low, high) -> str:
    return f"{fmt(low)}–{fmt(high)}" if low != high else fmt(low)


# --- the six charts -------------------------------------------------------------------------


def _casualties(data: Dataset) -> Spec:
    """Every casualty count placed by as-of date and claimant, ranges as bars, bounds as arrows."""
    f = data.figures
    keep = (f["metric"].isin(PEOPLE_CASUALTIES) & f["as_of_date"].notna()).to_numpy(bool)
    if not keep.any():
        return _empty("casualties", data, "casualty figures")
    by = (f[name] for name in ("as_of_date", "claimant", "article"))
    rows = _plain(f, _sorted_positions(keep, *by))
    top = float(pd.concat([rows["high"], rows["low"]]).max())
    fig = Spec()
    marks = _points(fig, rows, _spread_dates(rows), top)
    low, high, is_open = span(rows)
    title = TITLES["casualties"]
    if low is not None:
        title = (
            f"Casualty estimates range from {fmt(low)} to {'over ' if is_open else ''}{fmt(high)}"
        )
    fig.update_layout(
        xaxis_title_text="as of (the date each number holds for)",
        yaxis_title_text="killed, wounded or captured",
        yaxis_rangemode="tozero",
        legend={"y": 1.0},
    )
    has_ranges = (rows["qualifier"] == "range").any()
    n_claimants = len({c for s in rows["claimant"] for c in _ids(s)})
    subtitle = (
        f"{len(rows):,} estimates, {n_claimants} claimants.   {_marks_key(marks, has_ranges)}"
    )
    return _finish(fig, "casualties", title, subtitle, rows)


def _troop_label(r) -> str:
    label = f"{theme.short_name(r.claimant)} ({_short(r.article)})"
    if r.metric != "deployed":
        label += f" · {r.metric}"
    return label


def _troops(data: Dataset) -> Spec:
    """Each claimant's deployment figures side by side, by wave, with ranges."""
    f = data.figures
    # parts of a whole (the sappers of the 6,000) are the split chart's; here, whole counts
    keep = (f["metric"].isin(PEOPLE_DEPLOYMENT) & f["part_of"].isna()).to_numpy(bool)
    n_counts = int(keep.sum())
    if not n_counts:
        return _empty("troops", data, "troop counts")
    if n_counts > MAX_ROWS:
        keep = f.index.isin(_most_reported(f[keep], MAX_ROWS).index)
    waves = data.contingents.sort_values("start_date")
    order = {c: i for i, c in enumerate(waves["contingent"])}
    labels = dict(zip(waves["contingent"], waves["label"], strict=True))
    wave = [order.get(c, len(order)) for c in f["contingent"].tolist()]
    positions = _sorted_positions(keep, wave, f["claimant_name"], f["article"])
    rows = _plain(f, positions)
    rows["order"] = [wave[i] for i in positions]
    rows["y"] = range(len(rows))
    recs_all = list(rows.itertuples())  # once: the loops below read these
    top = float(pd.concat([rows["high"], rows["low"]]).max())
    fig = Spec()
    marks: set[str] = set()
    groups: dict[str, list] = {}  # first claimant -> rows, as listed
    for r in recs_all:
        groups.setdefault(_ids(r.claimant)[0], []).append(r)
    for claimant, recs in groups.items():
        color = theme.claimant_color(claimant)
        kinds = [_mark(r) for r in recs]
        marks |= set(kinds)
        # a bar for every range, vague reading and open bound (open: hatched, to the arrow head)
        spans = [
            (r.y, float(r.low), float(r.high), k)
            for r, k in zip(recs, kinds, strict=True)
            if r.qualifier in ("range", "vague") and pd.notna(r.low) and pd.notna(r.high)
        ] + [
            (r.y, float(r.low), float(r.low) + ARROW * top, k)
            for r, k in zip(recs, kinds, strict=True)
            if k == "open"
        ]
        if spans:
            fig.add_trace(
                _trace(
                    "bar",
                    y=[s[0] for s in spans],
                    x=[s[2] - s[1] for s in spans],
                    base=[s[1] for s in spans],
                    orientation="h",
                    width=0.5,
                    marker={
                        "color": color,
                        "opacity": 0.35,
                        "pattern": {"shape": ["/" if s[3] == "open" else "" for s in spans]},
                    },
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=claimant,
                )
            )
        fig.add_trace(
            _trace(
                "scatter",
                y=[r.y for r in recs],
                x=[_value(r, k, top) for r, k in zip(recs, kinds, strict=True)],
                mode="markers+text",
                text=[r.worded for r in recs],
                textposition="middle right",
                textfont={"size": 11},
                legendgroup=claimant,
                name=theme.short_name(claimant),
                showlegend=False,
                marker={
                    "color": color,
                    "size": 12,
                    "line": {"width": 2, "color": color},
                    "symbol": [MARK_SYMBOLS[k] for k in kinds],
                },
                hovertext=[_hover(r) for r in recs],
                hoverinfo="text",
                customdata=[r.figure_id for r in recs],
            )
        )
    # each wave: a rule above its rows with its name on it, right-aligned (numbers sit left)
    firsts = {}  # each wave's first row (rows are in wave order)
    for r in recs_all:
        firsts.setdefault(r.order, r)
    for i, r in enumerate(firsts.values()):
        y0 = float(r.y) - 0.5
        if i:
            fig.add_shape(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=y0,
                y1=y0,
                line={"color": "#9aa5b1", "width": 1},
            )
        fig.add_annotation(
            x=1,
            xref="paper",
            y=y0,
            yref="y",
            xanchor="right",
            yanchor="middle",
            text=f"<i>{_esc(labels.get(r.contingent, 'no wave given'))}</i>",
            showarrow=False,
            bgcolor="white",
            font={"size": 11, "color": theme.MUTED},
        )
    low, high, _ = span(
        [r for r in recs_all if r.contingent == "initial-2024" and r.metric == "deployed"]
    )
    if low is not None:
        title = f"Sources put the 2024 deployment at {fmt(low)} to {fmt(high)} troops"
    else:
        n = len({c for r in recs_all for c in _ids(r.claimant)})
        title = f"{len(rows)} troop counts from {n} claimants"
    subtitle = "by wave; parts of a whole are in the split chart.   "
    if len(rows) < n_counts:
        subtitle = f"the {len(rows)} most-reported of {n_counts:,} counts, by wave.   "
    ticktext = [_troop_label(r) for r in recs_all]
    fig.update_layout(
        barmode="overlay",
        margin={"l": _left_margin(ticktext, 16)},
        showlegend=False,
        xaxis={"range": [0, top * 1.32], "title": {"text": "people"}, "separatethousands": True},
        yaxis={
            "range": [len(rows) - 0.5, -0.5],
            "tickvals": [r.y for r in recs_all],
            "ticktext": ticktext,
            "showgrid": False,
        },
    )
    ranges = (rows["qualifier"] == "range").any()
    return _finish(fig, "troops", title, subtitle + _marks_key(marks, ranges), rows, legend=False)


def _numbers(rows: pd.DataFrame) -> str:
    """One wording per distinct number, lowest first ('about 10,000–12,000' = '10,000–12,000')."""
    first: dict[tuple, str] = {}
    for low, top, worded in zip(rows["low"], rows["top"], rows["worded"], strict=True):
        first.setdefault((low, top), worded)
    return " · ".join(first[k] for k in sorted(first))


def _wave_ranges(data: Dataset) -> pd.DataFrame:
    """Per top-level wave: low and high across sources (a part's figures if the whole has none)."""
    f = _plain(data.figures)
    people = f[
        f["metric"].isin(PEOPLE_DEPLOYMENT) & ~f["vague"] & f["part_of"].isna() & f["low"].notna()
    ]
    c = data.contingents.sort_values("start_date")
    people = people.assign(
        top=people["high"].fillna(people["low"]),
        start=people["contingent"].map(dict(zip(c["contingent"], c["start_date"], strict=True))),
        part_label=people["contingent"].map(dict(zip(c["contingent"], c["label"], strict=True))),
    )
    by_wave = dict(list(people.groupby("contingent", sort=False)))
    none = people.iloc[:0]
    out = []
    for wave in c[c["part_of"].isna()].itertuples():
        parts = [k for k in c[c["part_of"] == wave.contingent]["contingent"] if k in by_wave]
        own = by_wave.get(wave.contingent, none)
        sub = pd.concat([by_wave[k] for k in parts]) if parts else none
        how = "as reported"
        if own.empty:
            if sub.empty:
                continue
            # no figure for the whole wave: its parts add up (each part: lowest to highest)
            low = sum(float(by_wave[k]["low"].min()) for k in parts)
            high = sum(float(by_wave[k]["top"].max()) for k in parts)
            own, sub, how = sub, none, "sum of its parts"
        else:
            low, high = float(own["low"].min()), float(own["top"].max())
        out.append(
            {
                "contingent": wave.contingent,
                "label": wave.label,
                "start": wave.start_date,
                "low": low,
                "high": high,
                "n": len(own),
                "how": how,
                "numbers": _numbers(own),
                "figures": own,
                "parts": sub,
            }
        )
    return pd.DataFrame(out)


def _timeline(data: Dataset) -> Spec:
    """The waves over time, cumulative, with the spread between sources as a band."""
    waves = _wave_ranges(data)
    if waves.empty:
        return _empty("timeline", data, "troop counts with a wave")
    waves["cum_low"] = waves["low"].cumsum()
    waves["cum_high"] = waves["high"].cumsum()
    end = waves["start"].iloc[-1] + pd.Timedelta(days=45)  # the last level shows as a step
    x = [*waves["start"], end]
    fig = Spec()
    for col, name, color, fill in (
        ("cum_low", "lowest source per wave", theme.PALETTE[0], None),
        ("cum_high", "highest source per wave", theme.PALETTE[1], "tonexty"),
    ):
        y = [*waves[col], waves[col].iloc[-1]]
        fig.add_trace(
            _trace(
                "scatter",
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                fill=fill,
                fillcolor="rgba(0,114,178,0.13)",
                line={"shape": "hv", "color": color, "width": 2.5},
                marker={"size": [8] * len(waves) + [0], "color": color},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} sent so far<extra>" + name + "</extra>",
            )
        )
    # arrivals reported for the parts of a wave, inside its band (e.g. special forces first)
    before = 0.0
    for w in waves.itertuples():
        if len(w.parts):
            p = w.parts.sort_values("start", kind="stable")
            first_part = p.groupby("contingent", sort=False).first().sort_values("start")
            cum = before + first_part["low"].cumsum()
            fig.add_trace(
                _trace(
                    "scatter",
                    x=list(first_part["start"]),
                    y=list(cum),
                    mode="lines+markers+text",
                    name=f"arrivals within: {w.label}",
                    line={"shape": "hv", "color": theme.MUTED, "width": 1.5, "dash": "dot"},
                    marker={"size": 7, "color": theme.MUTED},
                    text=[
                        f"{_esc(r.part_label)}: {_esc(r.worded)}" for r in first_part.itertuples()
                    ],
                    textposition="bottom right",
                    textfont={"size": 10, "color": theme.MUTED},
                    hovertext=[_hover(r) for r in first_part.itertuples()],
                    hoverinfo="text",
                )
            )
        before += w.low
    for i, w in enumerate(waves.itertuples()):
        # the first and last labels open inwards so they stay on narrow charts
        anchor = "left" if i == 0 else "right" if i == len(waves) - 1 else "center"
        reports = f"{w.n} report{'s' if w.n != 1 else ''}" + (
            "" if w.how == "as reported" else f", {w.how}"
        )
        fig.add_annotation(
            x=w.start,
            y=w.cum_high,
            text=f"<b>{_esc(w.label)}</b><br>{_esc(w.numbers)} ({reports})",
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-34,
            xanchor=anchor,
            font={"size": 11},
            align=anchor if anchor != "center" else "center",
            bgcolor="rgba(255,255,255,0.85)",
        )
    last = waves.iloc[-1]
    total = _range_text(last.cum_low, last.cum_high)
    title = f"Reported waves add up to {total} people by {last.start:%B %Y}"
    first_x = waves["start"].iloc[0] - pd.Timedelta(days=40)
    top = float(waves["cum_high"].max()) * 1.22
    fig.update_layout(
        yaxis_title_text="people sent (cumulative)",
        yaxis_range=[0, top],
        # tick labels are at most as wide as the top of the axis (in thousands: "26,000")
        margin_l=_left_margin([f"{top:,.0f}"], 33, least=70),
        xaxis={"range": [first_x, end + pd.Timedelta(days=10)]},
        hovermode="closest",
        legend={"traceorder": "normal"},
    )
    shown = pd.concat([*waves["figures"], *waves["parts"]])
    return _finish(
        fig,
        "timeline",
        title,
        "band = spread between the lowest and the highest source for each wave",
        shown,
        axis_space=AXIS_SPACE - 28,  # dates need no axis title
    )


def _tint(color: str, amount: float) -> str:
    """The colour mixed with white (amount 0: as is, 1: white)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _split(data: Dataset) -> Spec:
    """Parts of a whole (the 6,000 = sappers + construction workers), checked against the whole."""
    f = _plain(data.figures)
    parts = f[f["part_of"].notna()]
    wholes = f[f["figure_id"].isin(set(parts["part_of"]))]
    if wholes.empty:
        return _empty("split", data, "figures split into parts")
    wholes = wholes.iloc[:MAX_COLUMNS]
    parts = parts[parts["part_of"].isin(set(wholes["figure_id"]))]
    fig = Spec()
    subjects = list(dict.fromkeys(parts["subject"].fillna("part")))
    x = [f"{_short(w.article)}: {theme.short_name(w.claimant)}" for w in wholes.itertuples()]
    colors = [theme.claimant_color(w.claimant) for w in wholes.itertuples()]
    # the parts of one report: the claimant's colour, lighter for each further part
    for i, subject in enumerate(subjects):
        shade = min(0.3 * i, 0.75)
        ys, hovers = [], []
        for w in wholes.itertuples():
            p = parts[
                (parts["part_of"] == w.figure_id) & (parts["subject"].fillna("part") == subject)
            ]
            ys.append(float(p["low"].sum()) if len(p) else 0)
            hovers.append("<br>".join(_hover(r) for r in p.itertuples()))
        fig.add_trace(
            _trace(
                "bar",
                x=x,
                y=ys,
                name=subject,
                marker={"color": [_tint(c, shade) for c in colors], "line": {"width": 0}},
                text=[f"{fmt(y)}<br>{_esc(subject)}" if y else "" for y in ys],
                textangle=0,
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "white" if shade < 0.3 else theme.INK, "size": 13},
                hovertext=hovers,
                hoverinfo="text",
                customdata=list(wholes["figure_id"]),
            )
        )
    ok_all = True
    for xv, w in zip(x, wholes.itertuples(), strict=True):
        mine = parts[parts["part_of"] == w.figure_id]
        total = float(mine["low"].sum())
        ok = abs(total - float(w.low)) < 0.5
        ok_all &= ok
        pieces = " + ".join(fmt(v) for v in mine["low"])
        verdict = (
            f"{pieces} = {fmt(w.low)} ✓"
            if ok
            else f"{pieces} = {fmt(total)} ≠ {fmt(w.low)}<br>parts do NOT add up to the whole"
        )
        color = theme.INK if ok else "#D55E00"
        fig.add_trace(
            _trace(
                "scatter",
                x=[xv],
                y=[float(w.low)],
                mode="markers",
                showlegend=False,
                name="whole as reported",
                marker={"symbol": "line-ew", "size": 70, "line": {"width": 3, "color": color}},
                hovertext=[_hover(w)],
                hoverinfo="text",
            )
        )
        fig.add_annotation(
            x=xv,
            y=max(float(w.low), total),
            yshift=20,
            showarrow=False,
            text=f"<b>{verdict}</b><br>whole as reported: {_esc(w.worded)}",
            font={"size": 12, "color": color},
        )
    w0 = wholes.iloc[0]
    if ok_all:
        p0 = parts[parts["part_of"] == w0["figure_id"]]
        named = " and ".join(f"{fmt(r.low)} {r.subject}" for r in p0.itertuples())
        title = f"The {fmt(w0['low'])} of {str(w0['as_of'])[:4]}: {named}"
    else:
        title = "Reported parts do not add up to their whole"
    fig.update_layout(
        barmode="stack",
        yaxis_title_text="people",
        bargap=0.5,
        showlegend=False,
        yaxis_range=[0, float(max(wholes["low"].max(), 1)) * 1.32],
    )
    shown = pd.concat([wholes, parts])
    subtitle = (
        f"{len(wholes)} report{'s' if len(wholes) != 1 else ''} of the whole, each bar in its "
        "claimant's colour; black line = the whole as reported"
    )
    return _finish(fig, "split", title, subtitle, shown, legend=False)


def _percent(v) -> str:
    return f"{v:.0f}%"


def _share(data: Dataset) -> Spec:
    """Casualties as a share of the force: derived intervals next to the shares stated."""
    table = casualty_share(data)
    if table.empty:
        return _empty("share", data, "casualty figures with a deployment to compare")
    derived_all = table[table["kind"] == "derived"]
    derived = _most_reported(derived_all, MAX_SHARES - 3).sort_values("low", kind="stable")
    stated = table[table["kind"] == "stated"].iloc[:3]
    rows = pd.concat([derived, stated], ignore_index=True)
    rows["y"] = range(len(rows))
    fig = Spec()
    for r in rows.itertuples():
        color = theme.claimant_color(r.claimant_ids)
        is_open = pd.isna(r.high)
        low = 0.0 if pd.isna(r.low) else float(r.low)
        high = 100.0 if is_open else float(r.high)
        is_derived = r.kind == "derived"
        if is_open:
            text = f"{_percent(low)} or more"
        elif round(high) != round(low):
            text = f"{_percent(low)}–{_percent(high)}"
        else:
            text = _percent(low)
        hover = (
            f"<b>{_esc(r.label)}</b><br>{r.kind}: {low:.1f}%"
            + (" or more (open bound)" if is_open else f" to {high:.1f}%")
            + f"<br>{_esc(r.claimants)}<br>Articles {r.articles}"
        )
        # derived: hatched in the claimant's colour; stated: solid; an open top fades out
        fig.add_trace(
            _trace(
                "bar",
                y=[r.y],
                x=[max(high - low, 0.6)],
                base=[low],
                orientation="h",
                width=0.42,
                name=r.kind,
                legendgroup=_ids(r.claimant_ids)[0],
                customdata=[r.claim_id],
                showlegend=False,
                marker={
                    "color": color,
                    "opacity": 0.55 if is_open else 1,
                    "line": {"width": 1.5, "color": color},
                    "pattern": {
                        "shape": "/" if is_derived else "",
                        "fgcolor": color,
                        "bgcolor": "white",
                        "solidity": 0.3,
                    },
                },
                hovertext=[hover],
                hoverinfo="text",
            )
        )
        fig.add_annotation(
            x=high,
            y=r.y,
            xanchor="left",
            xshift=5,
            showarrow=False,
            text=f"<b>{text}</b>",
            font={"size": 12, "color": theme.INK},
        )
        who = theme.short_name(r.claimant_ids)
        what = (
            f"<b>{_esc(r.worded)}</b> casualties ÷ 2024 deployment · {_esc(who)}"
            if is_derived
            else f"<b>{_esc(r.worded)}</b> stated · {_esc(who)}, article {_short(r.articles)}"
        )
        fig.add_annotation(
            x=0,
            y=r.y - 0.23,  # just above the bar (the axis runs top to bottom), at any size
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            text=what,
            font={"size": 12, "color": theme.INK},
        )
    if len(derived_all):
        hi = derived_all["high"].max()
        top = (
            _percent(hi)
            if not derived_all["high"].isna().any()
            else f"over {_percent(derived_all['low'].max())}"
        )
        low_all = _percent(derived_all["low"].min())
        title = f"Casualties amount to {low_all} to {top} of the 2024 force"
        d = derived_all.iloc[0]
        subtitle = (
            f"hatched: derived, casualty claim ÷ the {_range_text(d.dep_low, d.dep_high)} "
            "deployed in 2024 (interval arithmetic); solid: stated"
        )
    else:
        title = "Casualty shares as the articles state them"
        subtitle = "solid: stated in an article (no 2024 deployment figure to derive a share)"
    if len(derived) < len(derived_all):
        subtitle = f"{len(derived)} most-reported of {len(derived_all):,} claims; " + subtitle
    fig.update_layout(
        xaxis={
            "title": {"text": "share of the North Korean troops deployed in 2024"},
            "range": [0, 118],
            "tickvals": [0, 20, 40, 60, 80, 100],
            "ticktext": ["0", "20%", "40%", "60%", "80%", "100%"],
        },
        yaxis={"range": [len(rows) - 0.4, -0.75], "visible": False},
        barmode="overlay",
        margin={"l": 30, "r": 30},
        showlegend=False,
    )
    f = data.figures
    claim_ids = set(rows["claim_id"])
    shown = f[
        f["claim_id"].isin(claim_ids)
        | ((f["metric"] == "deployed") & (f["contingent"] == "initial-2024"))
    ]
    return _finish(fig, "share", title, subtitle, shown, legend=False)


def _corroboration(data: Dataset) -> Spec:
    """Which article reports which claim (claims reported by several articles first)."""
    f = data.figures
    if f.empty:
        return _empty("corroboration", data)
    marks = pd.crosstab(f["claim_id"], f["article"]).clip(upper=1)
    first_seen = {c: i for i, c in enumerate(dict.fromkeys(f["claim_id"]))}
    n = marks.sum(axis=1)
    order = sorted(marks.index, key=lambda c: (-n[c], first_seen[c]))
    kept = order[:MAX_ROWS]
    marks = marks.loc[kept]
    marks = marks.loc[:, marks.sum(axis=0) > 0]
    articles = sorted(marks.columns, key=lambda a: -int(marks[a].sum()))[:MAX_COLUMNS]
    articles = sorted(articles)
    marks = marks[articles]
    shown = f[f["claim_id"].isin(set(kept)) & f["article"].isin(set(articles))]
    by_claim = shown.groupby("claim_id", sort=False)
    metric = by_claim["metric_label"].first()
    worded = by_claim["worded"].agg(wordings)
    subject = by_claim["subject"].first()
    ylabels = [
        f"{metric[c]}: {worded[c]}"
        + (f" {subject[c]}" if isinstance(subject[c], str) and len(subject[c]) < 24 else "")
        + f" ({n[c]})"
        for c in kept
    ]
    published = data.articles.set_index("article")["published_date"]
    xlabels = [
        f"{_short(a)}<br>{published[a]:%b %Y}"
        if a in published.index and pd.notna(published[a])
        else _short(a)
        for a in articles
    ]
    z = marks.to_numpy().tolist()
    fig = Spec(
        _trace(
            "heatmap",
            z=z,
            x=xlabels,
            y=ylabels,
            text=[["✓" if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            textfont={"size": 13},
            colorscale=[[0, "#f3f4f6"], [1, "#3e4c59"]],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>article %{x}: %{text}<extra></extra>",
            zmin=0,
            zmax=1,
        )
    )
    multi = int((n >= 2).sum())
    subtitle = "claim (number of articles reporting it) × article"
    if len(order) > len(kept) or len(articles) < len(set(f["article"])):
        subtitle += f"; the {len(kept)} most-reported of {len(order):,} claims"
    fig.update_layout(
        xaxis={"side": "top", "type": "category", "showgrid": False},
        yaxis={"autorange": "reversed", "type": "category", "showgrid": False},
        margin={"l": _left_margin(ylabels, 25)},
    )
    return _finish(
        fig,
        "corroboration",
        f"{multi:,} of {len(order):,} claims are reported by two or more articles",
        subtitle,
        shown,
        legend=False,
        axis_space=12,
    )


SPECS: dict[str, Callable[[Dataset], Spec]] = {
    "casualties": _casualties,
    "troops": _troops,
    "timeline": _timeline,
    "split": _split,
    "share": _share,
    "corroboration": _corroboration,
}


def _as_figure(build: Callable[[Dataset], Spec]) -> Callable[[Dataset], go.Figure]:
    @functools.wraps(build)
    def figure(data: Dataset) -> go.Figure:
        return go.Figure(build(data))

    figure.__name__ = figure.__qualname__ = build.__name__.lstrip("_")
    return figure


casualties = _as_figure(_casualties)
troops = _as_figure(_troops)
timeline = _as_figure(_timeline)
split = _as_figure(_split)
share = _as_figure(_share)
corroboration = _as_figure(_corroboration)

CHARTS: dict[str, Callable[[Dataset], go.Figure]] = {
    "casualties": casualties,
    "troops": troops,
    "timeline": timeline,
    "split": split,
    "share": share,
    "corroboration": corroboration,
}


def build_all(data: Dataset) -> dict[str, go.Figure]:
    """Every chart for a (possibly filtered) dataset, in dashboard order."""
    return {name: build(data) for name, build in CHARTS.items()}
