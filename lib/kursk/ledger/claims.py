"""Claims: the figures that report one claim (in several articles) grouped into one row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import frames

_CLAIM_INPUTS = [
    "claim_id",
    "metric",
    "metric_group",
    "unit",
    "low",
    "high",
    "worded",
    "contingent",
    "figure_id",
    "article",
    "claimant",
    "claimant_name",
    "as_of_date",
    "origin",
]


# claims column <- figures column (the one-figure claim of a figure copies these)
_CLAIM_FROM_FIGURE = {
    "claim_id": "claim_id",
    "metric": "metric",
    "metric_group": "metric_group",
    "unit": "unit",
    "low": "low",
    "high": "high",
    "worded": "worded",
    "contingent": "contingent",
    "figure_ids": "figure_id",
    "articles": "article",
    "claimants": "claimant",
    "claimant_names": "claimant_name",
    "first_as_of": "as_of_date",
    "last_as_of": "as_of_date",
}


def group_claims(figures: pd.DataFrame) -> pd.DataFrame:
    """Group figures reporting the same claim into one row with its articles.

    Claims come in order of first appearance. A one-figure claim copies its figure's typed
    columns (vectorised); only the figures of claims reported several times are merged in
    Python (pandas groupby with Python aggregations is far slower on large data).
    """
    claim_ids = figures["claim_id"]
    first = np.flatnonzero(~claim_ids.duplicated(keep="first").to_numpy())
    columns = {}
    for name, dtype in frames.CLAIMS_SCHEMA.items():
        if name in ("n_articles", "n_independent"):
            columns[name] = pd.array(np.ones(len(first), dtype="int64"), dtype=dtype)
            continue
        column = figures[_CLAIM_FROM_FIGURE[name]].take(first)
        if column.dtype != dtype:  # metric and unit are categories in figures
            column = column.astype(dtype)
        columns[name] = column.array.copy()
    several = claim_ids.duplicated(keep=False).to_numpy()
    if several.any():
        rows = figures.iloc[np.flatnonzero(several)]
        values = {
            c: rows[c].astype(object).where(rows[c].notna(), None).tolist() for c in _CLAIM_INPUTS
        }
        groups = _grouped_rows(values)
        at = np.flatnonzero(several[first])  # where the merged claims go
        merged = frames.build(
            [groups[c] for c in claim_ids.to_numpy()[first[at]]], frames.CLAIMS_SCHEMA
        )
        for name, column in columns.items():
            column[at] = merged[name].array
    return frames.check(pd.DataFrame(columns, copy=False), frames.CLAIMS_SCHEMA)


def _grouped_rows(values: dict[str, list]) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for i, claim_id in enumerate(values["claim_id"]):
        g = groups.get(claim_id)
        low, high, when = values["low"][i], values["high"][i], values["as_of_date"][i]
        if g is None:
            g = groups[claim_id] = {
                "claim_id": claim_id,
                "metric": values["metric"][i],
                "metric_group": values["metric_group"][i],
                "unit": values["unit"][i],
                "low": low,
                "high": high,
                "open_high": high is None,
                "worded": values["worded"][i],
                "contingent": values["contingent"][i],
                "figure_ids": {},
                "articles": {},
                "origins": {},
                "claimants": {},
                "claimant_names": {},
                "first_as_of": when,
                "last_as_of": when,
            }
        else:
            if low is not None and (g["low"] is None or low < g["low"]):
                g["low"] = low
            if high is None:
                g["open_high"] = True
            elif g["high"] is None or high > g["high"]:
                g["high"] = high
            if when is not None:
                if g["first_as_of"] is None or when < g["first_as_of"]:
                    g["first_as_of"] = when
                if g["last_as_of"] is None or when > g["last_as_of"]:
                    g["last_as_of"] = when
        g["figure_ids"][values["figure_id"][i]] = None
        g["articles"][values["article"][i]] = None
        g["origins"][values["origin"][i]] = None
        for part in values["claimant"][i].split(";"):
            g["claimants"][part] = None
        for part in values["claimant_name"][i].split("; "):
            g["claimant_names"][part] = None
    rows = {}
    for claim_id, g in groups.items():
        rows[claim_id] = {
            **{k: g[k] for k in ("claim_id", "metric", "metric_group", "unit", "low")},
            # an open bound in any report leaves that side of the claim open
            "high": None if g["open_high"] else g["high"],
            "worded": g["worded"],
            "contingent": g["contingent"],
            "figure_ids": ";".join(g["figure_ids"]),
            "articles": ";".join(g["articles"]),
            "n_articles": len(g["articles"]),
            "n_independent": len(g["origins"]),
            "claimants": ";".join(g["claimants"]),
            "claimant_names": "; ".join(g["claimant_names"]),
            "first_as_of": g["first_as_of"],
            "last_as_of": g["last_as_of"],
        }
    return rows
