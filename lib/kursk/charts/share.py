"""The share chart: casualties as a share of the force, derived (rule `share` in
analysis/shares.py) next to the shares sources state. A share over 100% says the figures it
comes from cannot all be true: it is drawn in full with its label and flagged, never cut off.
"""

from __future__ import annotations

import math

import pandas as pd

from ..analysis.shares import casualty_share, percent, share_fact
from ..ledger import Dataset
from ..ledger.frames import records
from . import theme
from .common import MAX_SHARES, empty, esc, finish, not_shown
from .spec import Spec, trace

NAME = "share"
TITLE = "Casualties as a share of the force"
FLAG = "#B03A2E"


def build(data: Dataset) -> Spec:
    """One bar per comparable casualty figure (its share of the force) and per stated share."""
    table = casualty_share(data)
    if table.empty:
        return empty(NAME, TITLE, data, "casualty figures with a force to compare")
    derived_all = table[table["kind"] == "derived"]
    stated = table[table["kind"] == "stated"].iloc[:3]
    # the shares the title states, the flagged ones (none hidden), then the most recent
    fact = share_fact(data, table)
    named = derived_all["figure_id"].isin({s.figure_id for s in fact.stated} if fact else set())
    derived = derived_all.assign(named=named).sort_values(
        ["named", "over_100", "as_of_date"], ascending=False, kind="stable"
    )
    derived = derived.iloc[: MAX_SHARES - len(stated)].sort_values("low", kind="stable")
    rows = pd.concat([derived, stated], ignore_index=True)
    highest = float(rows["high"].fillna(rows["low"]).max())
    # past 400% the bars run to the edge, their labels saying how far
    axis_top = max(110.0, min(400.0, math.ceil(highest * 1.15 / 10) * 10))
    fig = Spec()
    by_id = data.figures.set_index("figure_id")
    for y, r in enumerate(records(rows)):
        colour = FLAG if r.over_100 else data.colour(r.claimant)
        is_open = pd.isna(r.high)
        low = 0.0 if pd.isna(r.low) else float(r.low)
        high = axis_top if is_open else float(r.high)
        text = r.worded + (" — over 100%: these figures cannot all be true" if r.over_100 else "")
        who = data.short_name(r.claimant)
        source = by_id.loc[r.figure_id, "source"]
        what = (
            f"<b>{esc(r.casualties)}</b> {esc(r.metric_label.lower())} ÷ {esc(r.force)} · {esc(who)}"
            if r.kind == "derived"
            else f"<b>{esc(r.worded)}</b> stated · {esc(who)}, {esc(source)}"
        )
        fig.add_trace(
            trace(
                "bar", y=[y], x=[max(high - low, 0.6)], base=[low], orientation="h", width=0.42,
                name=r.kind, showlegend=False, customdata=[r.figure_id],
                marker={
                    "color": colour, "opacity": 0.55 if is_open else 1,
                    "line": {"width": 1.5, "color": colour},
                    "pattern": {"shape": "/" if r.kind == "derived" else "", "fgcolor": colour,
                                "bgcolor": "white", "solidity": 0.3},
                },
                hovertext=[f"<b>{esc(r.worded)}</b><br>{what}<br>{esc(source)}"], hoverinfo="text",
            )
        )  # fmt: skip
        fig.add_annotation(
            x=min(high, axis_top), y=y, xanchor="left" if high < axis_top * 0.7 else "right",
            xshift=5 if high < axis_top * 0.7 else -5, showarrow=False,
            text=f"<b>{esc(text)}</b>", font={"size": 12, "color": FLAG if r.over_100 else theme.INK},
            bgcolor="rgba(255,255,255,0.85)",
        )  # fmt: skip
        fig.add_annotation(
            x=0, y=y - 0.26, xanchor="left", yanchor="bottom", showarrow=False, text=what,
            font={"size": 11, "color": theme.INK},
        )  # fmt: skip
    step = 20 if axis_top <= 150 else 50 if axis_top <= 300 else 100
    ticks = list(range(0, int(axis_top) + 1, step))
    fig.update_layout(
        xaxis={
            "title": {"text": "share of the force (interval arithmetic; hatched: derived)"},
            "range": [0, axis_top],
            "tickvals": ticks,
            "ticktext": [percent(t) for t in ticks],
        },
        yaxis={"range": [len(rows) - 0.4, -0.8], "visible": False},
        barmode="overlay",
        margin={"l": 30},
        shapes=[{"type": "line", "x0": 100, "x1": 100, "yref": "paper", "y0": 0, "y1": 1,
                 "line": {"color": theme.MUTED, "width": 1, "dash": "dot"}}],
    )  # fmt: skip
    fact = share_fact(data, table)
    subtitle = (
        "hatched: a casualty figure ÷ the force it is out of (its own, or its wave's counts)"
    )
    subtitle += "; solid: a share a source states"
    more = not_shown(len(derived_all) - len(derived), "derived shares (older)")
    if more:
        subtitle += f". {more}"
    ids = set(rows["figure_id"]) | {i for s in rows["force_ids"] for i in str(s).split(";") if i}
    shown = data.figures[data.figures["figure_id"].isin(ids)]
    return finish(fig, data, NAME, fact.text if fact else TITLE, subtitle, shown)
