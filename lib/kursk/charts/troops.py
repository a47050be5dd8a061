"""The troops chart: every troop count, wave by wave, one row each, newest first.

Rows are told apart by claimant and the date the count holds for (a claimant's revision is a
row of its own, marked revised); each wave opens with a heading row, so that the numbers'
labels stand clear of the waves' names. Parts of a stated total are in the split chart.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import people_metrics, total_metric, troops_fact
from ..ledger import Dataset
from ..ledger.frames import records
from . import theme
from .common import (
    date_text,
    empty,
    esc,
    extent,
    finish,
    hover,
    ids,
    left_margin,
    mark,
    marks_key,
    not_shown,
    plain_rows,
    segments,
    symbol,
    unique,
    value_at,
)
from .spec import Spec, trace

NAME = "troops"
TITLE = "Troop counts by claimant"
NO_WAVE = "No wave given"
MAX_ROWS = 18  # with a heading row per wave: one line of 11 px type each at the chart's height


def _label(data: Dataset, r, total: str | None) -> str:
    label = f"{data.short_name(r.claimant)} · {date_text(r.as_of)}"
    if r.metric != total:
        label += f" · {r.metric.replace('_', ' ')}"
    if isinstance(r.subject, str):
        label += f" · {r.subject[:16]}"
    if not r.current:
        label += " · revised"
    return label


def build(data: Dataset) -> Spec:
    """Each troop count as a row, by wave (waves in time order), newest first."""
    f = data.figures
    keep = f["metric"].isin(people_metrics(data, "deployment")) & f["part_of"].isna()
    if not keep.any():
        return empty(NAME, TITLE, data, "troop counts")
    rows = plain_rows(data, keep.to_numpy(bool))
    n_counts = len(rows)
    fact = troops_fact(data)
    if n_counts > MAX_ROWS:  # the counts the title states, then current ones, newest first
        stated = rows["figure_id"].isin({s.figure_id for s in fact.stated} if fact else set())
        order = rows.assign(stated=stated).sort_values(
            ["stated", "current", "as_of_date"], ascending=False, kind="stable"
        )
        rows = rows.loc[order.index[:MAX_ROWS]]
    waves = data.contingents.sort_values("start_date", kind="stable")
    order = {c: i for i, c in enumerate(waves["contingent"])}
    names = dict(zip(waves["contingent"], waves["label"], strict=True))
    rows = rows.assign(
        wave=[order.get(c, len(order)) if c else len(order) for c in rows["contingent"]],
        newest=-rows["as_of_date"].fillna(pd.Timestamp(0)).astype("int64"),
    ).sort_values(["wave", "newest", "claimant"], kind="stable")
    total = total_metric(data, "deployment")
    top = float(pd.concat([rows["high"], rows["low"]]).max() or 1)
    labels, positions, headings = [], [], []
    y = 0
    for _, group in rows.groupby("wave", sort=False):
        first = group.iloc[0]
        headings.append((y, names.get(first["contingent"], NO_WAVE)))
        labels.append(f"<b>{esc(headings[-1][1])}</b>")
        y += 1
        for r in records(group):
            labels.append(esc(_label(data, r, total)))
            positions.append((y, r))
            y += 1
    labels = unique(labels)
    fig = Spec()
    marks: set[str] = set()
    by_claimant: dict[str, list] = {}
    for y_pos, r in positions:
        by_claimant.setdefault(ids(r.claimant)[0], []).append((y_pos, r))
    for claimant, items in by_claimant.items():
        colour = data.colour(claimant)
        kinds = [mark(r) for _, r in items]
        marks |= {
            "range" if r.qualifier == "range" else k
            for (_, r), k in zip(items, kinds, strict=True)
        }
        spans = [
            (s[0], y_pos, s[1], y_pos)
            for (y_pos, r), k in zip(items, kinds, strict=True)
            if (s := extent(r, k, top))
        ]
        if spans:
            xs, ys = segments(spans)
            fig.add_trace(
                trace(
                    "scatter", x=xs, y=ys, mode="lines", opacity=0.45, hoverinfo="skip",
                    showlegend=False, line={"width": 8, "color": colour},
                )
            )  # fmt: skip
        fig.add_trace(
            trace(
                "scatter",
                y=[y_pos for y_pos, _ in items],
                x=[
                    max(value_at(r, k), (extent(r, k, top) or (0, 0))[1])
                    for (_, r), k in zip(items, kinds, strict=True)
                ],
                mode="markers+text",
                text=[f"  {esc(r.worded)}" for _, r in items],
                textposition="middle right",
                textfont={"size": 11, "color": theme.INK},
                name=data.short_name(claimant),
                showlegend=False,
                marker={
                    "color": colour,
                    "size": 11,
                    "line": {"width": 2, "color": colour},
                    "symbol": [symbol("circle", k) for k in kinds],
                    "opacity": [1 if r.current else 0.35 for _, r in items],
                },
                hovertext=[hover(r) for _, r in items],
                hoverinfo="text",
                customdata=[r.figure_id for _, r in items],
            )
        )
    fig.update_layout(
        margin={"l": left_margin(labels, 16, size=11)},
        xaxis={"range": [0, top * 1.45], "title": {"text": "people"}, "separatethousands": True},
        yaxis={
            "range": [len(labels) - 0.5, -0.5],
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "showgrid": False,
            "automargin": False,
            "tickfont": {"size": 11},
        },
    )
    for y0, _ in headings[1:]:  # a rule above each wave after the first
        fig.add_shape(
            type="line", xref="paper", x0=0, x1=1, y0=y0 - 0.5, y1=y0 - 0.5,
            line={"color": theme.GRID, "width": 1},
        )  # fmt: skip
    more = not_shown(n_counts - len(rows), "counts (older or revised)")
    subtitle = "by wave, newest first; parts of a stated total are in the split chart. "
    subtitle += (f"{more}. " if more else "") + marks_key(marks)
    return finish(fig, data, NAME, fact.text if fact else TITLE, subtitle, rows)
