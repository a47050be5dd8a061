"""The casualty chart: every casualty count by as-of date and claimant."""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import people_metrics, span
from ..analysis.wording import fmt
from ..ledger import Dataset
from .common import (
    empty,
    finish,
    ids,
    marks_key,
    plain,
    points,
    sorted_positions,
    spread_dates,
)
from .spec import Spec

NAME = "casualties"
TITLE = "Casualty estimates by claimant"


def build(data: Dataset) -> Spec:
    """Every casualty count placed by as-of date and claimant, ranges as bars, bounds as arrows."""
    f = data.figures
    keep = (
        f["metric"].isin(people_metrics(data, "casualties")) & f["as_of_date"].notna()
    ).to_numpy(bool)
    if not keep.any():
        return empty(NAME, TITLE, data, "casualty figures")
    by = (f[name] for name in ("as_of_date", "claimant", "article"))
    rows = plain(f, sorted_positions(keep, *by))
    top = float(pd.concat([rows["high"], rows["low"]]).max())
    fig = Spec()
    marks = points(fig, data, rows, spread_dates(rows), top)
    low, high, is_open = span(rows)
    title = TITLE
    if low is not None:
        title = (
            f"Casualty estimates range from {fmt(low)} to {'over ' if is_open else ''}{fmt(high)}"
        )
    fig.update_layout(
        xaxis_title_text="as of (the date each number holds for)",
        yaxis_title_text="killed, wounded or captured",
        yaxis_rangemode="tozero",
        legend={"y": 1.0},
    )
    has_ranges = (rows["qualifier"] == "range").any()
    n_claimants = len({c for s in rows["claimant"] for c in ids(s)})
    subtitle = (
        f"{len(rows):,} estimates, {n_claimants} claimants.   {marks_key(marks, has_ranges)}"
    )
    return finish(fig, NAME, title, subtitle, rows)
