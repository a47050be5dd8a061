"""The claimants' records: each claimant's troop and casualty figures over time, side by side.

One panel per claimant (the most prolific first, at most four: filter to others to compare
them), all on one time axis. In a panel, a line joins the claimant's figures of one metric in
time order, so that its revisions read at a glance; figures it revised are faded, ranges and
bounds drawn as everywhere else. Hover gives every source that carried each figure.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import total_metric
from ..ledger import Dataset
from ..ledger.frames import records
from .common import (
    GLYPHS,
    empty,
    esc,
    extent,
    finish,
    hover,
    ids,
    mark,
    marks_key,
    not_shown,
    plain_rows,
    segments,
    symbol,
    value_at,
    when,
)
from .spec import Spec, trace

NAME = "record"
TITLE = "Each claimant's record over time"
MAX_PANELS = 4
GAP = 0.08


def build(data: Dataset) -> Spec:
    """Each claimant's running totals of troops and casualties, in time order."""
    metrics = [
        m for m in (total_metric(data, "deployment"), total_metric(data, "casualties")) if m
    ]
    f = data.figures
    keep = f["metric"].isin(metrics) & f["as_of_date"].notna() & (f["scope"] == "cumulative")
    rows = plain_rows(data, keep.to_numpy(bool)).sort_values("as_of_date", kind="stable")
    if rows.empty:
        return empty(NAME, TITLE, data, "troop or casualty totals with a date")
    rows = rows.assign(first=[ids(c)[0] for c in rows["claimant"]])
    order = rows["first"].value_counts(sort=True).index.tolist()
    shown_claimants = order[:MAX_PANELS]
    rows = rows[rows["first"].isin(shown_claimants)]
    shapes_of = {m: ("circle", "square")[i % 2] for i, m in enumerate(metrics)}
    n = len(shown_claimants)
    height = (1 - GAP * (n - 1)) / n
    carried = _carried(data)
    fig = Spec()
    marks: set[str] = set()
    layout: dict = {}
    for i, claimant in enumerate(shown_claimants):
        axis = "y" if i == 0 else f"y{i + 1}"
        top = 1 - i * (height + GAP)
        layout["yaxis" if i == 0 else f"yaxis{i + 1}"] = {
            "domain": [max(top - height, 0), top], "rangemode": "tozero", "anchor": "x",
            "nticks": 4,
        }  # fmt: skip
        # the panel's claimant, in the gap above it (a rotated axis title outgrows short panels)
        fig.add_annotation(
            text=f"<b>{esc(data.short_name(claimant))}</b>", xref="paper", yref="paper", x=0,
            y=top, xanchor="left", yanchor="bottom", showarrow=False,
            font={"size": 11, "color": data.colour(claimant)},
        )  # fmt: skip
        mine = rows[rows["first"] == claimant]
        colour = data.colour(claimant)
        ceiling = float(pd.concat([mine["high"], mine["low"]]).max() or 1)
        # a line per metric and wave: a claimant's counts of different waves are not revisions
        for (metric, _), series in mine.groupby(
            ["metric", mine["contingent"].fillna("")], sort=False
        ):
            recs = list(records(series))
            kinds = [mark(r) for r in recs]
            marks |= {
                "range" if r.qualifier == "range" else k for r, k in zip(recs, kinds, strict=True)
            }
            spans = [(when(r), s[0], when(r), s[1]) for r, k in zip(recs, kinds, strict=True)
                     if (s := extent(r, k, ceiling))]  # fmt: skip
            if spans:
                xs, ys = segments(spans)
                fig.add_trace(
                    trace("scatter", x=xs, y=ys, yaxis=axis, mode="lines", opacity=0.45,
                          line={"width": 5, "color": colour}, hoverinfo="skip", showlegend=False)
                )  # fmt: skip
            fig.add_trace(
                trace(
                    "scatter",
                    x=[when(r) for r in recs],
                    y=[value_at(r, k) for r, k in zip(recs, kinds, strict=True)],
                    yaxis=axis,
                    mode="lines+markers",
                    name=f"{data.short_name(claimant)}: {metric}",
                    showlegend=False,
                    line={"width": 1.5, "color": colour, "dash": "dot"},
                    marker={
                        "color": colour,
                        "size": 10,
                        "line": {"width": 2, "color": colour},
                        "symbol": [symbol(shapes_of[metric], k) for k in kinds],
                        "opacity": [1 if r.current else 0.35 for r in recs],
                    },
                    hovertext=[
                        hover(r) + f"<br>Carried by: {esc(carried.get(r.claim_id, ''))}"
                        for r in recs
                    ],
                    hoverinfo="text",
                    customdata=[r.figure_id for r in recs],
                )
            )
    last = f"y{n}" if n > 1 else "y"
    fig.update_layout(xaxis={"anchor": last, "title": {"text": "as of"}}, **layout)
    key = "  ".join(
        f"{GLYPHS[shapes_of[m]]} {data.vocabulary.metrics[m].label.lower()}" for m in metrics
    )
    subtitle = (
        f"Shape: {key}. {marks_key(marks)}   line: a claimant's counts of one wave in time order"
    )
    more = not_shown(len(order) - len(shown_claimants), "claimants (filter to compare them)")
    if more:
        subtitle += f". {more}"
    if n == 1:
        first, final = rows["as_of_date"].min(), rows["as_of_date"].max()
        title = (
            f"{data.short_name(shown_claimants[0])}: {len(rows)} figures over time, "
            f"{first:%b %Y} to {final:%b %Y}"
        )
    else:
        title = f"{n} claimants' records side by side, {len(rows)} figures"
    return finish(fig, data, NAME, title, subtitle, rows.drop(columns="first"))


def _carried(data: Dataset) -> dict[str, str]:
    """Every source that reported each claim, by name: claim id -> "source; source"."""
    labels = dict(zip(data.articles["article"], data.articles["label"], strict=True))
    return {
        claim: "; ".join(str(labels.get(a, a)) for a in articles.split(";"))
        for claim, articles in zip(data.claims["claim_id"], data.claims["articles"], strict=True)
    }
