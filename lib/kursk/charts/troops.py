"""The troops chart: each claimant's deployment figures side by side, by wave."""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import people_metrics, span
from ..analysis.wording import fmt
from ..ledger import Dataset
from . import theme
from .common import (
    ARROW,
    MARK_SYMBOLS,
    MAX_ROWS,
    empty,
    esc,
    finish,
    hover,
    ids,
    left_margin,
    mark,
    marks_key,
    most_reported,
    plain,
    short_article,
    sorted_positions,
    value_at,
)
from .spec import Spec, trace

NAME = "troops"
TITLE = "Troop counts by source"


def _troop_label(data: Dataset, r) -> str:
    label = f"{data.short_name(r.claimant)} ({short_article(r.article)})"
    if r.metric != "deployed":
        label += f" · {r.metric}"
    return label


def build(data: Dataset) -> Spec:
    """Each claimant's deployment figures side by side, by wave, with ranges."""
    f = data.figures
    # parts of a whole (the sappers of the 6,000) are the split chart's; here, whole counts
    keep = (f["metric"].isin(people_metrics(data, "deployment")) & f["part_of"].isna()).to_numpy(
        bool
    )
    n_counts = int(keep.sum())
    if not n_counts:
        return empty(NAME, TITLE, data, "troop counts")
    if n_counts > MAX_ROWS:
        keep = f.index.isin(most_reported(f[keep], MAX_ROWS).index)
    waves = data.contingents.sort_values("start_date")
    order = {c: i for i, c in enumerate(waves["contingent"])}
    labels = dict(zip(waves["contingent"], waves["label"], strict=True))
    wave = [order.get(c, len(order)) for c in f["contingent"].tolist()]
    positions = sorted_positions(keep, wave, f["claimant_name"], f["article"])
    rows = plain(f, positions)
    rows["order"] = [wave[i] for i in positions]
    rows["y"] = range(len(rows))
    recs_all = list(rows.itertuples())  # once: the loops below read these
    top = float(pd.concat([rows["high"], rows["low"]]).max())
    fig = Spec()
    marks: set[str] = set()
    groups: dict[str, list] = {}  # first claimant -> rows, as listed
    for r in recs_all:
        groups.setdefault(ids(r.claimant)[0], []).append(r)
    for claimant, recs in groups.items():
        color = data.colour(claimant)
        kinds = [mark(r) for r in recs]
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
                trace(
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
            trace(
                "scatter",
                y=[r.y for r in recs],
                x=[value_at(r, k, top) for r, k in zip(recs, kinds, strict=True)],
                mode="markers+text",
                text=[r.worded for r in recs],
                textposition="middle right",
                textfont={"size": 11},
                legendgroup=claimant,
                name=data.short_name(claimant),
                showlegend=False,
                marker={
                    "color": color,
                    "size": 12,
                    "line": {"width": 2, "color": color},
                    "symbol": [MARK_SYMBOLS[k] for k in kinds],
                },
                hovertext=[hover(r) for r in recs],
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
            text=f"<i>{esc(labels.get(r.contingent, 'no wave given'))}</i>",
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
        n = len({c for r in recs_all for c in ids(r.claimant)})
        title = f"{len(rows)} troop counts from {n} claimants"
    subtitle = "by wave; parts of a whole are in the split chart.   "
    if len(rows) < n_counts:
        subtitle = f"the {len(rows)} most-reported of {n_counts:,} counts, by wave.   "
    ticktext = [_troop_label(data, r) for r in recs_all]
    fig.update_layout(
        barmode="overlay",
        margin={"l": left_margin(ticktext, 16)},
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
    return finish(fig, NAME, title, subtitle + marks_key(marks, ranges), rows, legend=False)
