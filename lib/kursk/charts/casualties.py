"""The casualty chart: every casualty count by the date it holds for, claimant and metric.

Colour is the claimant, shape what is counted (killed, wounded, killed or wounded, captured,
and any metric a curator adds to the group), fill and bars how the number is worded. Counts
over a stated window ("in the past week") have a panel of their own, drawn as the window they
cover: they are never read as running totals. A claimant's revisions are joined by a dotted
line in time order, and the figures it revised are faded. Figures of one date and number are
one mark (labelled +N), never moved off their date.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import casualty_fact, people_metrics
from ..ledger import Dataset
from ..ledger.frames import records
from . import theme
from .common import (
    EVENT_HEADROOM,
    GLYPHS,
    add_events,
    extent,
    finish,
    hover,
    ids,
    legend_entry,
    mark,
    marks_key,
    plain_rows,
    segments,
    shapes,
    symbol,
    value_at,
    when,
)
from .common import empty as empty_figure
from .spec import Spec, trace

NAME = "casualties"
TITLE = "Casualty estimates by claimant"
WINDOW_DOMAIN, MAIN_DOMAIN = [0.0, 0.2], [0.32, 1.0]


def build(data: Dataset) -> Spec:
    """Every casualty count placed by as-of date, claimant and metric."""
    f = data.figures
    keep = f["metric"].isin(people_metrics(data, "casualties")) & f["as_of_date"].notna()
    if not keep.any():
        return empty_figure(NAME, TITLE, data, "casualty figures")
    rows = plain_rows(data, keep.to_numpy(bool)).sort_values("as_of_date", kind="stable")
    shape_of = shapes(data, "casualties")
    windows = rows[rows["scope"] == "window"]
    totals = rows[rows["scope"] != "window"]
    fig = Spec()
    marks: set[str] = set()
    if len(totals):
        marks |= _panel(fig, data, totals, "y", shape_of)
        _revisions(fig, data, totals)
    if len(windows):
        marks |= _panel(fig, data, windows, "y2", shape_of)
    for claimant in dict.fromkeys(c for s in rows["claimant"] for c in ids(s)):
        legend_entry(fig, data.short_name(claimant), data.colour(claimant), group=claimant)
    pad = pd.Timedelta(days=15)
    start, end = rows["as_of_date"].min() - pad, rows["as_of_end"].max() + pad
    if len(totals) and add_events(fig, data, start, end):
        top = float(pd.concat([totals["high"], totals["low"]]).max() or 1)
        fig.update_layout(yaxis={"range": [0, top * EVENT_HEADROOM * 1.1]})
    fig.update_layout(
        xaxis={"title": {"text": "as of (the date each number holds for)"}},
        yaxis={"title": {"text": "people"}, "rangemode": "tozero"},
        legend={
            "orientation": "v",
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "font": {"size": 10},
            "tracegroupgap": 2,
        },
    )
    if len(windows):
        fig.update_layout(
            xaxis={"anchor": "y2"},  # the date axis under the lower panel
            yaxis={"domain": MAIN_DOMAIN if len(totals) else [0.0, 1.0]},
            yaxis2={
                "domain": WINDOW_DOMAIN if len(totals) else [0.0, 1.0],
                "title": {"text": "in a window", "font": {"size": 11}},
                "rangemode": "tozero",
                "anchor": "x",
            },
        )
    fact = casualty_fact(data)
    n = len({c for s in rows["claimant"] for c in ids(s)})
    counted = "  ".join(
        f"{GLYPHS[shape_of[m]]} {data.vocabulary.metrics[m].label.lower()}"
        for m in dict.fromkeys(rows["metric"])
    )
    subtitle = (
        f"{len(rows):,} figures, {n} claimant{'s' if n != 1 else ''}. Colour: claimant. "
        f"Shape: {counted}. {marks_key(marks)}"
    )
    if (~rows["current"]).any():
        subtitle += "   faded: revised (dotted: revisions)"
    if len(windows):
        subtitle += "   lower panel: counts over a stated window"
    labels = [data.short_name(c) for s in rows["claimant"] for c in ids(s)]
    right = min(240, 50 + round(theme.text_width(max(labels, key=len), 10)))
    return finish(
        fig, data, NAME, fact.text if fact else TITLE, subtitle, rows, legend=True, right=right
    )


def _panel(fig: Spec, data: Dataset, rows: pd.DataFrame, axis: str, shape_of) -> set[str]:
    """One panel's marks, a trace per claimant; figures of one date and number as one mark."""
    top = float(pd.concat([rows["high"], rows["low"]]).max() or 1)
    marks: set[str] = set()
    seen: dict[tuple, dict] = {}
    groups: dict[str, list[dict]] = {}
    for r in records(rows):
        kind = mark(r)
        marks.add("range" if r.qualifier == "range" else kind)
        x, y = when(r), value_at(r, kind)
        point = {"x": x, "y": y, "rows": [r], "kind": kind}
        key = (x, y, r.metric, r.scope)
        if key in seen:  # same date, same number: one mark, every figure in its hover
            seen[key]["rows"].append(r)
            continue
        seen[key] = point
        groups.setdefault(ids(r.claimant)[0], []).append(point)
    for claimant, points in groups.items():
        colour = data.colour(claimant)
        spans: dict[str, list] = {"range": [], "vague": [], "arrow": [], "window": []}
        for p in points:
            for r in p["rows"]:  # every figure of a mark: an "over" among them keeps its arrow
                span = extent(r, mark(r), top)
                if span:
                    style = "vague" if r.vague else "range" if r.qualifier == "range" else "arrow"
                    spans[style].append((p["x"], span[0], p["x"], span[1]))
                if r.scope == "window" and pd.notna(r.window_days):
                    start = p["x"] - pd.Timedelta(days=float(r.window_days))
                    spans["window"].append((start, p["y"], p["x"], p["y"]))
        for style, width, dash, opacity in (
            ("vague", 14, "solid", 0.2),
            ("range", 5, "solid", 0.45),
            ("arrow", 2, "dot", 1),
            ("window", 4, "solid", 0.5),
        ):
            if spans[style]:
                xs, ys = segments(spans[style])
                fig.add_trace(
                    trace(
                        "scatter", x=xs, y=ys, yaxis=axis, mode="lines", opacity=opacity,
                        line={"width": width, "color": colour, "dash": dash},
                        hoverinfo="skip", showlegend=False, legendgroup=claimant,
                    )
                )  # fmt: skip
        fig.add_trace(
            trace(
                "scatter",
                x=[p["x"] for p in points],
                y=[p["y"] for p in points],
                yaxis=axis,
                mode="markers+text",
                text=[f"+{len(p['rows']) - 1}" if len(p["rows"]) > 1 else "" for p in points],
                textposition="middle right",
                textfont={"size": 10, "color": theme.MUTED},
                name=data.short_name(claimant),
                legendgroup=claimant,
                showlegend=False,
                marker={
                    "color": colour,
                    "size": 12,
                    "line": {"width": 2, "color": colour},
                    "symbol": [symbol(shape_of[p["rows"][0].metric], p["kind"]) for p in points],
                    "opacity": [1 if p["rows"][0].current else 0.35 for p in points],
                },
                hovertext=["<br><br>".join(hover(r) for r in p["rows"]) for p in points],
                hoverinfo="text",
                customdata=[";".join(r.figure_id for r in p["rows"]) for p in points],
            )
        )
    return marks


def _revisions(fig: Spec, data: Dataset, rows: pd.DataFrame) -> None:
    """Each claimant's revisions joined in time order by a dotted line in its colour."""
    by_id = {r.figure_id: r for r in records(rows)}
    pairs: dict[str, list] = {}
    for r in by_id.values():
        old = by_id.get(r.revises) if isinstance(r.revises, str) else None
        if old is not None:
            pair = (when(old), value_at(old, mark(old)), when(r), value_at(r, mark(r)))
            pairs.setdefault(ids(r.claimant)[0], []).append(pair)
    for claimant, segs in pairs.items():
        xs, ys = segments(segs)
        fig.add_trace(
            trace(
                "scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                legendgroup=claimant,
                line={"width": 1.5, "color": data.colour(claimant), "dash": "dot"},
            )
        )  # fmt: skip
