"""The split chart: parts of a whole, checked against the whole."""

from __future__ import annotations

import pandas as pd

from ..analysis.wording import fmt
from ..ledger import Dataset
from . import theme
from .common import (
    MAX_COLUMNS,
    empty,
    esc,
    finish,
    hover,
    plain,
    short_article,
)
from .spec import Spec, trace

NAME = "split"
TITLE = "The 6,000 split"


def _tint(color: str, amount: float) -> str:
    """The colour mixed with white (amount 0: as is, 1: white)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def build(data: Dataset) -> Spec:
    """Parts of a whole (the 6,000 = sappers + construction workers), checked against the whole."""
    f = plain(data.figures)
    parts = f[f["part_of"].notna()]
    wholes = f[f["figure_id"].isin(set(parts["part_of"]))]
    if wholes.empty:
        return empty(NAME, TITLE, data, "figures split into parts")
    wholes = wholes.iloc[:MAX_COLUMNS]
    parts = parts[parts["part_of"].isin(set(wholes["figure_id"]))]
    fig = Spec()
    subjects = list(dict.fromkeys(parts["subject"].fillna("part")))
    x = [f"{short_article(w.article)}: {data.short_name(w.claimant)}" for w in wholes.itertuples()]
    colors = [data.colour(w.claimant) for w in wholes.itertuples()]
    # the parts of one report: the claimant's colour, lighter for each further part
    for i, subject in enumerate(subjects):
        shade = min(0.3 * i, 0.75)
        ys, hovers = [], []
        for w in wholes.itertuples():
            p = parts[
                (parts["part_of"] == w.figure_id) & (parts["subject"].fillna("part") == subject)
            ]
            ys.append(float(p["low"].sum()) if len(p) else 0)
            hovers.append("<br>".join(hover(r) for r in p.itertuples()))
        fig.add_trace(
            trace(
                "bar",
                x=x,
                y=ys,
                name=subject,
                marker={"color": [_tint(c, shade) for c in colors], "line": {"width": 0}},
                text=[f"{fmt(y)}<br>{esc(subject)}" if y else "" for y in ys],
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
            trace(
                "scatter",
                x=[xv],
                y=[float(w.low)],
                mode="markers",
                showlegend=False,
                name="whole as reported",
                marker={"symbol": "line-ew", "size": 70, "line": {"width": 3, "color": color}},
                hovertext=[hover(w)],
                hoverinfo="text",
            )
        )
        fig.add_annotation(
            x=xv,
            y=max(float(w.low), total),
            yshift=20,
            showarrow=False,
            text=f"<b>{verdict}</b><br>whole as reported: {esc(w.worded)}",
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
    return finish(fig, NAME, title, subtitle, shown, legend=False)
