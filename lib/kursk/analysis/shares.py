"""Casualties as a share of the force: interval arithmetic over the figures."""

from __future__ import annotations

import pandas as pd

from ..ledger import Dataset
from .facts import PEOPLE_CASUALTIES
from .wording import fmt, wordings


def _claimant_ids(claimants) -> str:
    """The distinct claimant ids of a claim's figures, named ones before 'unattributed'."""
    ids = dict.fromkeys(c for s in claimants for c in s.split(";"))
    return ";".join(sorted(ids, key=lambda c: c == "unattributed"))


SHARE_COLUMNS = [
    "claim_id", "kind", "label", "low", "high", "claimants", "articles",
    "worded", "claimant_ids", "n_articles", "as_of_date", "dep_low", "dep_high",
]  # fmt: skip


def casualty_share(data: Dataset) -> pd.DataFrame:
    """Casualties as a % of the 2024 deployment (interval arithmetic), plus stated shares.

    derived low = casualties low / deployed high; derived high = casualties high / deployed low.
    An open casualty bound ("over 6,000") leaves the derived high open; "up to" has low 0.
    One row per casualty claim (its figures pooled), then one per stated share.
    """
    f = data.figures
    parts = []
    dep = f[
        (f["metric"] == "deployed")
        & (f["contingent"] == "initial-2024")
        & ~f["vague"]
        & f["low"].notna()
        & (f["low"] > 0)
    ]
    cas = f[f["metric"].isin(PEOPLE_CASUALTIES) & ~f["vague"]]
    if len(dep) and len(cas):
        dep_low = float(dep["low"].min())
        dep_high = float(pd.concat([dep["high"], dep["low"]]).max())
        # plain Python over the claims: pandas' per-group aggregation is slow on many groups
        columns = ("claim_id", "worded", "claimant", "claimant_name", "article", "as_of_date")
        values = {c: cas[c].tolist() for c in columns}
        lows = cas["low"].to_numpy(dtype=float, na_value=0.0)  # "up to N": no lower bound
        highs = cas["high"].to_numpy(dtype=float, na_value=float("nan"))
        groups: dict[str, list[int]] = {}
        for i, claim in enumerate(values["claim_id"]):
            groups.setdefault(claim, []).append(i)
        rows = []
        for claim, idx in groups.items():
            top = [highs[i] for i in idx]
            is_open = any(h != h for h in top)  # NaN: an open upper bound
            words = wordings(values["worded"][i] for i in idx)
            dates = [values["as_of_date"][i] for i in idx if not pd.isna(values["as_of_date"][i])]
            names = {n for i in idx for n in values["claimant_name"][i].split("; ")}
            rows.append(
                {
                    "claim_id": claim,
                    "kind": "derived",
                    "label": f"{words} ÷ {fmt(dep_low)}–{fmt(dep_high)} deployed",
                    "low": 100 * min(lows[i] for i in idx) / dep_high,
                    "high": None if is_open else 100 * max(top) / dep_low,
                    "claimants": "; ".join(sorted(names)),
                    "articles": ";".join(sorted({values["article"][i] for i in idx})),
                    "worded": words,
                    "claimant_ids": _claimant_ids(values["claimant"][i] for i in idx),
                    "n_articles": len({values["article"][i] for i in idx}),
                    "as_of_date": max(dates) if dates else pd.NaT,
                    "dep_low": dep_low,
                    "dep_high": dep_high,
                }
            )
        derived = pd.DataFrame(rows)
        parts.append(derived)
    stated = f[f["metric"] == "casualty_share"]
    if len(stated):
        parts.append(
            pd.DataFrame(
                {
                    "claim_id": stated["claim_id"],
                    "kind": "stated",
                    "label": stated["worded"] + " (stated)",
                    "low": stated["low"],
                    "high": stated["high"],
                    "claimants": stated["claimant_name"],
                    "articles": stated["article"],
                    "worded": stated["worded"],
                    "claimant_ids": stated["claimant"],
                    "n_articles": stated["n_articles"],
                    "as_of_date": stated["as_of_date"],
                }
            )
        )
    parts = [p for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SHARE_COLUMNS)
    out = out.reindex(columns=SHARE_COLUMNS)
    return out.astype(
        {
            "low": "Float64",
            "high": "Float64",
            "dep_low": "Float64",
            "dep_high": "Float64",
            "n_articles": "Int64",
            "kind": "string",
            "claim_id": "string",
        }
    )
