"""The split chart: stated totals and the parts their sources split them into.

Only a total that a source states, with parts that name it (`part_of`), is a whole here: the
6,000 = 1,000 sappers + 5,000 construction workers, or 2,000 casualties = 250 killed + 1,750
wounded. A breakdown without a stated total is not a report of a whole and is not drawn as
one. Whether the parts add up is checked and said, for each whole.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import Fact, stated
from ..ledger import Dataset
from ..ledger.frames import records
from . import theme
from .common import (
    MAX_COLUMNS,
    date_text,
    empty,
    esc,
    finish,
    hover,
    not_shown,
    plain_figures,
    unique,
)
from .spec import Spec, trace

NAME = "split"
TITLE = "Stated totals and their parts"


def _tint(color: str, amount: float) -> str:
    """The colour mixed with white (amount 0: as is, 1: white)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def adds_up(whole, parts: pd.DataFrame) -> bool:
    """The parts' numbers can make the whole's (5% slack when any is worded approximately)."""
    low, high = parts["low"].fillna(0).sum(), parts["high"].fillna(float("inf")).sum()
    slack = 1.05 if parts["approximate"].any() or whole.approximate else 1.0
    top = whole.high if whole.high == whole.high else float("inf")
    return low <= top * slack and high * slack >= whole.low


def _part_name(p) -> str:
    return p.subject if isinstance(p.subject, str) else p.metric_label


def split_fact(data: Dataset, wholes: pd.DataFrame, parts: pd.DataFrame) -> Fact:
    """'Shoigu (Russia): 6,000 personnel = 1,000 sappers + 5,000 construction workers', or how
    many stated totals there are and how many add up."""
    ok = [adds_up(w, parts[parts["part_of"] == w.figure_id]) for w in records(wholes)]
    if len(wholes) == 1:
        w = next(records(wholes))
        mine = parts[parts["part_of"] == w.figure_id]
        named = " + ".join(f"{p.worded} {_part_name(p)}" for p in records(mine))
        what = w.subject if isinstance(w.subject, str) else w.metric_label.lower()
        sign = "=" if ok[0] else "≠"
        text = f"{data.short_name(w.claimant)}: {w.worded} {what} {sign} {named}"
        numbers = [stated(data, w), *(stated(data, p) for p in records(mine))]
        return Fact(text, numbers, [w.figure_id, *mine["figure_id"]], "parts")
    n, k = len(wholes), sum(ok)
    text = f"{n} stated totals split into parts: " + (
        "the parts add up in every one" if k == n else f"the parts add up in {k} of them"
    )
    return Fact(text, [], list(wholes["figure_id"]), "parts")


def build(data: Dataset) -> Spec:
    """Each stated total as a bar of its parts, the whole as reported marked across it."""
    f = plain_figures(data)
    parts = f[f["part_of"].notna()]
    wholes_all = f[f["figure_id"].isin(set(parts["part_of"]))]
    if wholes_all.empty:
        return empty(NAME, TITLE, data, "totals split into parts")
    wholes = wholes_all.sort_values("as_of_date", ascending=False, kind="stable").iloc[
        :MAX_COLUMNS
    ]
    parts = parts[parts["part_of"].isin(set(wholes["figure_id"]))]
    x = unique([f"{data.short_name(w.claimant)}<br>{date_text(w.as_of)}" for w in records(wholes)])
    fig = Spec()
    names = list(dict.fromkeys(_part_name(p) for p in records(parts)))
    for i, name in enumerate(names):
        shade = min(0.3 * i, 0.75)
        ys, hovers, texts, colours, inks = [], [], [], [], []
        for w in records(wholes):
            mine = [
                p for p in records(parts[parts["part_of"] == w.figure_id]) if _part_name(p) == name
            ]
            ys.append(sum(float(p.low if p.low == p.low else p.high) for p in mine) if mine else 0)
            hovers.append("<br><br>".join(hover(p) for p in mine))
            texts.append(
                " + ".join(esc(p.worded) for p in mine) + f"<br>{esc(name)}" if mine else ""
            )
            colours.append(_tint(data.colour(w.claimant), shade))
            inks.append("white" if shade < 0.3 else theme.INK)
        fig.add_trace(
            trace(
                "bar", x=x, y=ys, name=name, marker={"color": colours, "line": {"width": 0}},
                text=texts, textangle=0, textposition="inside", insidetextanchor="middle",
                textfont={"color": inks, "size": 12},
                hovertext=hovers, hoverinfo="text",
                customdata=[";".join(parts[parts["part_of"] == w.figure_id]["figure_id"]) for w in records(wholes)],
            )
        )  # fmt: skip
    top = 1.0
    for xv, w in zip(x, records(wholes), strict=True):
        mine = parts[parts["part_of"] == w.figure_id]
        ok = adds_up(w, mine)
        total = float(mine["low"].fillna(mine["high"]).sum())
        whole_value = float(w.low if w.low == w.low else w.high)
        top = max(top, whole_value, total)
        colour = theme.INK if ok else "#B03A2E"
        fig.add_trace(
            trace(
                "scatter", x=[xv], y=[whole_value], mode="markers", showlegend=False,
                name="whole as reported", customdata=[w.figure_id],
                marker={"symbol": "line-ew", "size": 60, "line": {"width": 3, "color": colour}},
                hovertext=[hover(w)], hoverinfo="text",
            )
        )  # fmt: skip
        verdict = "parts add up ✓" if ok else "parts do NOT add up"
        fig.add_annotation(
            x=xv, y=max(whole_value, total), yshift=22, showarrow=False,
            text=f"<b>{esc(w.worded)}</b> as reported<br>{verdict}",
            font={"size": 11, "color": colour},
        )  # fmt: skip
    fact = split_fact(data, wholes_all, f[f["part_of"].notna()])
    subtitle = (
        "each bar: a stated total's parts in its claimant's colour; line: the total as reported"
    )
    more = not_shown(len(wholes_all) - len(wholes), "totals (older)")
    if more:
        subtitle += f". {more}"
    fig.update_layout(
        barmode="stack",
        yaxis={"title": {"text": "people"}, "range": [0, top * 1.35]},
        # labelled columns: a narrow page stands them upright rather than tilted past the edge
        xaxis={"tickmode": "array", "tickvals": x, "ticktext": x},
        bargap=0.45,
    )
    shown = pd.concat([wholes, parts])
    return finish(fig, data, NAME, fact.text, subtitle, shown, axis_space=60)
