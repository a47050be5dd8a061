"""The timeline: the waves over time, cumulative, with the spread between claimants as a band.

Each wave adds its lowest and its highest current troop count (rule `comparable` in
analysis/facts.py, the deployment group's total metric: people sent, never people planned)
to the band; a wave with no count of its own adds up its parts' counts. Planned contingents
are marked at their date and not counted as sent. Labels alternate in height so that
neighbouring waves' labels do not overlap.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import comparable_mask, n_comparable, people_metrics, total_metric
from ..ledger import Dataset
from ..ledger.frames import records
from . import theme
from .common import add_events, empty, esc, finish, hover, left_margin, plain_rows
from .spec import Spec, trace

NAME = "timeline"
TITLE = "Deployment timeline"


def _numbers(rows: pd.DataFrame) -> str:
    """One wording per distinct number, lowest first; beyond three, the lowest and highest."""
    first: dict[tuple, str] = {}
    for low, high, worded in zip(rows["low"], rows["high"], rows["worded"], strict=True):
        first.setdefault((low if low == low else high, high if high == high else low), worded)
    words = [first[k] for k in sorted(first)]
    return " · ".join(words) if len(words) <= 3 else f"{words[0]} … {words[-1]}"


def _span(rows: pd.DataFrame) -> tuple[float, float]:
    """Lowest stated lower bound and highest stated number of some counts."""
    return float(rows["low"].fillna(rows["high"]).min()), float(
        rows["high"].fillna(rows["low"]).max()
    )


def wave_ranges(data: Dataset) -> list[dict]:
    """Per top-level wave with counts: its band (low, high), the counts it comes from, and
    how (as reported, or the sum of its parts)."""
    metric = total_metric(data, "deployment")
    if metric is None:
        return []
    c = data.contingents.sort_values("start_date", kind="stable")
    out = []
    for wave in records(c[c["part_of"].isna()]):
        # rows are taken only where there are counts (most waves have none in a selection)
        parts = [k for k in c[c["part_of"] == wave.contingent]["contingent"]
                 if n_comparable(data, metric, k)]  # fmt: skip
        if n_comparable(data, metric, wave.contingent):
            own = plain_rows(data, comparable_mask(data, metric, wave.contingent))
            (low, high), how, shown = _span(own), "as reported", own
        elif parts:
            rows = [plain_rows(data, comparable_mask(data, metric, k)) for k in parts]
            spans = [_span(p) for p in rows]
            low, high = sum(s[0] for s in spans), sum(s[1] for s in spans)
            how, shown = "sum of its parts", pd.concat(rows)
        else:
            continue
        out.append({"contingent": wave.contingent, "label": wave.label,
                    "start": wave.start_date, "low": low, "high": high, "how": how,
                    "numbers": _numbers(shown), "rows": shown})  # fmt: skip
    return out


def build(data: Dataset) -> Spec:
    """The waves over time, cumulative, with the spread between claimants as a band."""
    waves = wave_ranges(data)
    if not waves:
        return empty(NAME, TITLE, data, "troop counts with a wave")
    cum_low, cum_high, low, high = [], [], 0.0, 0.0
    for w in waves:
        low, high = low + w["low"], high + w["high"]
        cum_low.append(low)
        cum_high.append(high)
    end = waves[-1]["start"] + pd.Timedelta(days=45)  # the last level shows as a step
    x = [w["start"] for w in waves] + [end]
    fig = Spec()
    for values, name, colour, fill in (
        (cum_low, "lowest count of each wave, added up", theme.PALETTE[0], None),
        (cum_high, "highest count of each wave, added up", theme.PALETTE[1], "tonexty"),
    ):
        fig.add_trace(
            trace(
                "scatter", x=x, y=[*values, values[-1]], mode="lines+markers", name=name,
                fill=fill, fillcolor="rgba(0,114,178,0.13)",
                line={"shape": "hv", "color": colour, "width": 2.5},
                marker={"size": [8] * len(waves) + [0], "color": colour},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} sent so far<extra>" + name + "</extra>",
            )
        )  # fmt: skip
    planned_at = _planned(fig, data)
    for i, (w, top) in enumerate(zip(waves, cum_high, strict=True)):
        anchor = "left" if i == 0 else "right" if i == len(waves) - 1 else "center"
        n = len(w["rows"])
        reports = f"{n} count{'s' if n != 1 else ''}" + (
            "" if w["how"] == "as reported" else f", {w['how']}"
        )
        fig.add_annotation(
            x=w["start"], y=top, showarrow=True, arrowhead=0, ax=0, ay=-28 - 34 * (i % 2),
            text=f"<b>{esc(w['label'])}</b><br>{esc(w['numbers'])} ({reports})",
            xanchor=anchor, font={"size": 11}, align=anchor if anchor != "center" else "center",
            bgcolor="rgba(255,255,255,0.9)",
        )  # fmt: skip
    first, last = waves[0]["start"], waves[-1]["start"]
    n = len(waves)
    right = max([end, *(d + pd.Timedelta(days=30) for d in planned_at)])
    left = min([first, *planned_at]) - pd.Timedelta(days=40)
    title = f"{n} wave{'s' if n != 1 else ''} of troops reported, " + (
        f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
    )
    ceiling = max(cum_high) * 1.45
    fig.update_layout(
        yaxis={"title": {"text": "people sent (cumulative)"}, "range": [0, ceiling]},
        margin={"l": left_margin([f"{ceiling:,.0f}"], 33, least=70)},
        xaxis={"range": [left, right]},
        hovermode="closest",
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
    )
    n_events = add_events(fig, data, left, right)  # after the axis: it widens it for events
    shown = pd.concat([w["rows"] for w in waves])
    return finish(
        fig,
        data,
        NAME,
        title,
        "band: from the lowest (blue) to the highest (orange) current count of each wave, added "
        "up; ◇ other counts (planned, arrived): marked at their wave, not added up",
        shown,
        legend=bool(n_events),
        axis_space=50,
    )


def _planned(fig: Spec, data: Dataset) -> list:
    """Planned contingents (any deployment metric other than the total, with a wave) as
    hollow diamonds at their wave's start: marked, never added to the people sent."""
    total = total_metric(data, "deployment")
    f = data.figures
    starts = dict(zip(data.contingents["contingent"], data.contingents["start_date"], strict=True))
    others = [m for m in people_metrics(data, "deployment") if m != total]
    keep = (
        f["metric"].isin(others)
        & f["contingent"].notna()
        & f["part_of"].isna()
        & (f["low"].notna() | f["high"].notna())
    )
    if not keep.any():
        return []
    rows = plain_rows(data, keep.to_numpy(bool))
    fig.add_trace(
        trace(
            "scatter",
            x=[starts.get(c) for c in rows["contingent"]],
            y=list(rows["high"].fillna(rows["low"])),
            mode="markers",
            name="planned or arrived (not added up)",
            marker={"symbol": "diamond-open", "size": 11, "color": theme.MUTED},
            hovertext=[hover(r) for r in records(rows)],
            hoverinfo="text",
            customdata=list(rows["figure_id"]),
        )
    )
    return [d for d in (starts.get(c) for c in rows["contingent"]) if d is not None]
