"""The timeline: the waves over time, cumulative, with the spread between sources."""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import people_metrics
from ..ledger import Dataset
from . import theme
from .common import (
    AXIS_SPACE,
    empty,
    esc,
    finish,
    hover,
    left_margin,
    plain,
    range_text,
)
from .spec import Spec, trace

NAME = "timeline"
TITLE = "Deployment timeline"


def _numbers(rows: pd.DataFrame) -> str:
    """One wording per distinct number, lowest first ('about 10,000–12,000' = '10,000–12,000')."""
    first: dict[tuple, str] = {}
    for low, top, worded in zip(rows["low"], rows["top"], rows["worded"], strict=True):
        first.setdefault((low, top), worded)
    return " · ".join(first[k] for k in sorted(first))


def _wave_ranges(data: Dataset) -> pd.DataFrame:
    """Per top-level wave: low and high across sources (a part's figures if the whole has none)."""
    f = plain(data.figures)
    people = f[
        f["metric"].isin(people_metrics(data, "deployment"))
        & ~f["vague"]
        & f["part_of"].isna()
        & f["low"].notna()
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


def build(data: Dataset) -> Spec:
    """The waves over time, cumulative, with the spread between sources as a band."""
    waves = _wave_ranges(data)
    if waves.empty:
        return empty(NAME, TITLE, data, "troop counts with a wave")
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
            trace(
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
                trace(
                    "scatter",
                    x=list(first_part["start"]),
                    y=list(cum),
                    mode="lines+markers+text",
                    name=f"arrivals within: {w.label}",
                    line={"shape": "hv", "color": theme.MUTED, "width": 1.5, "dash": "dot"},
                    marker={"size": 7, "color": theme.MUTED},
                    text=[
                        f"{esc(r.part_label)}: {esc(r.worded)}" for r in first_part.itertuples()
                    ],
                    textposition="bottom right",
                    textfont={"size": 10, "color": theme.MUTED},
                    hovertext=[hover(r) for r in first_part.itertuples()],
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
            text=f"<b>{esc(w.label)}</b><br>{esc(w.numbers)} ({reports})",
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
    total = range_text(last.cum_low, last.cum_high)
    title = f"Reported waves add up to {total} people by {last.start:%B %Y}"
    first_x = waves["start"].iloc[0] - pd.Timedelta(days=40)
    top = float(waves["cum_high"].max()) * 1.22
    fig.update_layout(
        yaxis_title_text="people sent (cumulative)",
        yaxis_range=[0, top],
        # tick labels are at most as wide as the top of the axis (in thousands: "26,000")
        margin_l=left_margin([f"{top:,.0f}"], 33, least=70),
        xaxis={"range": [first_x, end + pd.Timedelta(days=10)]},
        hovermode="closest",
        legend={"traceorder": "normal"},
    )
    shown = pd.concat([*waves["figures"], *waves["parts"]])
    return finish(
        fig,
        NAME,
        title,
        "band = spread between the lowest and the highest source for each wave",
        shown,
        axis_space=AXIS_SPACE - 28,  # dates need no axis title
    )
