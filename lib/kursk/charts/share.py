"""The share chart: casualties as a share of the force, derived and stated."""

from __future__ import annotations

import pandas as pd

from ..analysis.shares import casualty_share
from ..ledger import Dataset
from . import theme
from .common import (
    MAX_SHARES,
    empty,
    esc,
    finish,
    ids,
    most_reported,
    range_text,
    short_article,
)
from .spec import Spec, trace

NAME = "share"
TITLE = "Casualty share of the force"


def _percent(v) -> str:
    return f"{v:.0f}%"


def build(data: Dataset) -> Spec:
    """Casualties as a share of the force: derived intervals next to the shares stated."""
    table = casualty_share(data)
    if table.empty:
        return empty(NAME, TITLE, data, "casualty figures with a deployment to compare")
    derived_all = table[table["kind"] == "derived"]
    derived = most_reported(derived_all, MAX_SHARES - 3).sort_values("low", kind="stable")
    stated = table[table["kind"] == "stated"].iloc[:3]
    rows = pd.concat([derived, stated], ignore_index=True)
    rows["y"] = range(len(rows))
    fig = Spec()
    for r in rows.itertuples():
        color = data.colour(r.claimant_ids)
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
            f"<b>{esc(r.label)}</b><br>{r.kind}: {low:.1f}%"
            + (" or more (open bound)" if is_open else f" to {high:.1f}%")
            + f"<br>{esc(r.claimants)}<br>Articles {r.articles}"
        )
        # derived: hatched in the claimant's colour; stated: solid; an open top fades out
        fig.add_trace(
            trace(
                "bar",
                y=[r.y],
                x=[max(high - low, 0.6)],
                base=[low],
                orientation="h",
                width=0.42,
                name=r.kind,
                legendgroup=ids(r.claimant_ids)[0],
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
        who = data.short_name(r.claimant_ids)
        what = (
            f"<b>{esc(r.worded)}</b> casualties ÷ 2024 deployment · {esc(who)}"
            if is_derived
            else f"<b>{esc(r.worded)}</b> stated · {esc(who)}, article {short_article(r.articles)}"
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
            f"hatched: derived, casualty claim ÷ the {range_text(d.dep_low, d.dep_high)} "
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
    return finish(fig, NAME, title, subtitle, shown, legend=False)
