"""Casualties as a share of the force, by interval arithmetic over comparable figures.

Rule `share`: each current running total of a casualty count metric (killed, killed or
wounded, ...; rule `comparable` in facts.py) is divided by the force it is out of:

- its own denominator when the figure names one (`denominator:`);
- else the comparable deployment figures of its wave (the main wave when it names none), all
  of them together: the share runs from (casualties low / force high) to (casualties high /
  force low). An open casualty bound ("over 6,000") leaves the share open at the top; "up to"
  starts it at 0.

Shares the sources state themselves (a percent metric with share_of) are listed as stated. A
derived share over 100% means the figures cannot all be true: it is kept and flagged, never
cut off. A share is worded with its inputs' qualifiers: "about" when any is approximate or a
range, "over" when the casualties are an open bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..ledger import Dataset
from ..ledger.frames import records
from .facts import Fact, Stated, comparable, main_wave, people_metrics, total_metric

SHARE_COLUMNS = [
    "kind", "figure_id", "claim_id", "force_ids", "metric", "metric_label", "claimant", "low", "high",
    "qualifier", "worded", "over_100", "casualties", "force", "as_of_date", "article",
]  # fmt: skip


def percent(n: float) -> str:
    return f"{n:,.1f}%" if n < 10 and round(n, 1) != round(n) else f"{n:,.0f}%"


def share_words(low: float, high: float | None, qualifier: str) -> str:
    """'about 10–12%', 'over 50%', '25%'."""
    if high is None or high != high:
        return f"over {percent(low)}"
    body = (
        percent(low) if percent(low) == percent(high) else f"{percent(low)[:-1]}–{percent(high)}"
    )
    return f"{qualifier} {body}".strip()


def _interval(rows: pd.DataFrame) -> tuple[float, float, bool]:
    """Lowest and highest count of the rows, and whether any is approximate or a range."""
    low = float(rows["low"].fillna(0).min())
    high = float(rows["high"].fillna(rows["low"]).max())
    approx = bool(rows["approximate"].any() or (rows["qualifier"] == "range").any())
    return low, high, approx


@dataclass(frozen=True)
class _Force:
    """The force a share is out of: its counts' span, their ids and its words."""

    low: float
    high: float
    approx: bool
    ids: str
    words: str

    @classmethod
    def of(cls, force: pd.DataFrame) -> _Force | None:
        force = force[force["low"].fillna(0) > 0]
        if force.empty:
            return None
        low, high, approx = _interval(force)
        return cls(low, high, approx, ";".join(force["figure_id"]), _force_words(force))


def casualty_share(data: Dataset) -> pd.DataFrame:
    """One row per comparable casualty figure with its derived share (rule `share`), then one
    per stated share."""
    f = data.figures
    by_id = f.set_index("figure_id")
    force_metric = total_metric(data, "deployment")
    waves: dict[str | None, _Force | None] = {}  # the force of each wave, found once

    def wave_force(wave: str | None) -> _Force | None:
        if wave not in waves:
            force = comparable(data, force_metric, wave)
            if force.empty:
                main = main_wave(data, force_metric)
                force = comparable(data, force_metric, main[0]) if main else force
            waves[wave] = _Force.of(force)
        return waves[wave]

    rows = []
    for metric in people_metrics(data, "casualties"):
        # one share per claim: its reports by several sources are one number
        for r in records(comparable(data, metric).drop_duplicates("claim_id")):
            if isinstance(r.denominator, str) and r.denominator in by_id.index:
                force = _Force.of(by_id.loc[[r.denominator]].reset_index())
            elif force_metric:
                force = wave_force(r.contingent if isinstance(r.contingent, str) else None)
            else:
                continue
            if force is None:
                continue
            f_low, f_high, f_approx = force.low, force.high, force.approx
            open_top = pd.isna(r.high)
            c_low = 0.0 if pd.isna(r.low) else float(r.low)
            low = 100 * c_low / f_high
            high = None if open_top else 100 * float(r.high) / f_low
            approx = f_approx or bool(r.approximate) or r.qualifier == "range"
            qualifier = "over" if open_top else "about" if approx else ""
            rows.append(
                {
                    "kind": "derived",
                    "figure_id": r.figure_id,
                    "claim_id": r.claim_id,
                    "force_ids": force.ids,
                    "metric": metric,
                    "metric_label": r.metric_label,
                    "claimant": r.claimant,
                    "low": low,
                    "high": high,
                    "qualifier": qualifier,
                    "worded": share_words(low, high, qualifier),
                    "over_100": low > 100 or (high is not None and high > 100),
                    "casualties": r.worded,
                    "force": force.words,
                    "as_of_date": r.as_of_date,
                    "article": r.article,
                }
            )
    for r in records(f[(f["unit"] == "percent") & f["current"] & (f["scope"] == "cumulative")]):
        rows.append(
            {
                "kind": "stated",
                "figure_id": r.figure_id,
                "claim_id": r.claim_id,
                "force_ids": r.denominator if isinstance(r.denominator, str) else "",
                "metric": r.metric,
                "metric_label": r.metric_label,
                "claimant": r.claimant,
                "low": None if pd.isna(r.low) else float(r.low),
                "high": None if pd.isna(r.high) else float(r.high),
                "qualifier": r.qualifier,
                "worded": r.worded,
                "over_100": False,
                "casualties": "",
                "force": str(r.share_of),
                "as_of_date": r.as_of_date,
                "article": r.article,
            }
        )
    out = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    return out.astype({"low": "Float64", "high": "Float64", "over_100": "boolean"})


def _force_words(force: pd.DataFrame) -> str:
    """The force a share is out of: its one figure as worded, or its counts' span."""
    if len(force) == 1:
        return str(force["worded"].iloc[0])
    low = force.loc[force["low"].fillna(force["high"]).idxmin(), "worded"]
    high = force.loc[force["high"].fillna(force["low"]).idxmax(), "worded"]
    return f"{len(force)} counts, {low} to {high}"


def share_fact(data: Dataset, table: pd.DataFrame | None = None) -> Fact | None:
    """The range of derived shares of the casualty group's total metric (rule `share`),
    consistent ones only: 'Killed or wounded: from about 10% to over 50% of the force'."""
    table = casualty_share(data) if table is None else table
    metric = total_metric(data, "casualties")
    rows = table[(table["kind"] == "derived") & (table["metric"] == metric) & ~table["over_100"]]
    if rows.empty:
        return None
    recs = list(records(rows))
    low = min(recs, key=lambda r: r.low)
    high = max(recs, key=lambda r: (r.low if pd.isna(r.high) else r.high, pd.isna(r.high)))
    low_text = share_words(low.low, low.low, low.qualifier if low.qualifier != "over" else "")
    if low.qualifier == "over":
        low_text = f"over {percent(low.low)}"
    high_text = (
        f"over {percent(high.low)}"
        if pd.isna(high.high)
        else share_words(high.high, high.high, high.qualifier)
    )
    label = str(low.metric_label)
    text = (
        f"{label}: {low_text} of the force"
        if low_text == high_text
        else f"{label}: from {low_text} to {high_text} of the force"
    )
    numbers = [
        Stated(r.figure_id, w, data.short_name(r.claimant))
        for r, w in ((low, low_text), (high, high_text))
    ]
    return Fact(text, numbers, list(rows["figure_id"]), "share")
