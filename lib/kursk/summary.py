"""Headline numbers and derived figures (casualty share) computed from a Dataset."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from .loader import Dataset

PEOPLE_DEPLOYMENT = ("deployed", "arrived", "planned")
PEOPLE_CASUALTIES = ("killed", "wounded", "captured", "killed_or_wounded")


def fmt(n) -> str:
    """6000 -> '6,000'; missing -> '?'."""
    if n is None or pd.isna(n):
        return "?"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


@dataclass
class Headline:
    """The numbers a reader sees first; None where the selection has no data."""

    troops_low: float | None = None
    troops_high: float | None = None
    troops_sources: list[str] = field(default_factory=list)
    casualties_low: float | None = None
    casualties_high: float | None = None
    casualties_open: bool = False
    casualty_sources: list[str] = field(default_factory=list)
    latest_wave: str | None = None
    latest_wave_total: float | None = None
    latest_wave_parts: list[tuple[str, float]] = field(default_factory=list)
    n_figures: int = 0
    n_articles: int = 0
    n_claimants: int = 0

    def lines(self) -> list[str]:
        """Plain-language headline sentences."""
        out = []
        if self.troops_low is not None:
            out.append(
                f"Sources put the 2024 deployment at {fmt(self.troops_low)}–"
                f"{fmt(self.troops_high)} troops ({len(self.troops_sources)} sources)."
            )
        if self.casualties_low is not None:
            top = ("over " if self.casualties_open else "") + fmt(self.casualties_high)
            out.append(
                f"Casualty estimates range from {fmt(self.casualties_low)} to {top} "
                f"killed or wounded ({len(self.casualty_sources)} sources)."
            )
        if self.latest_wave:
            parts = " + ".join(f"{fmt(v)} {s}" for s, v in self.latest_wave_parts)
            total = fmt(self.latest_wave_total) if self.latest_wave_total is not None else "?"
            out.append(
                f"Latest wave: {self.latest_wave}, {total} people"
                + (f" ({parts})." if parts else ".")
            )
        out.append(
            f"{self.n_figures} figures from {self.n_articles} articles, "
            f"{self.n_claimants} claimants."
        )
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def _names(frame: pd.DataFrame) -> list[str]:
    return sorted({n for s in frame["claimant_name"] for n in s.split("; ")})


def headline(data: Dataset) -> Headline:
    """Headline numbers of a (possibly filtered) dataset."""
    f = data.figures
    h = Headline(
        n_figures=len(f),
        n_articles=f["article"].nunique(),
        n_claimants=len({c for s in f["claimant"] for c in s.split(";")}),
    )
    troops = f[
        (f["metric"] == "deployed")
        & (f["contingent"] == "initial-2024")
        & ~f["vague"]
        & f["low"].notna()
    ]
    if len(troops):
        h.troops_low = float(troops["low"].min())
        h.troops_high = float(pd.concat([troops["high"], troops["low"]]).max())
        h.troops_sources = _names(troops)
    cas = f[f["metric"].isin(PEOPLE_CASUALTIES) & ~f["vague"] & f["low"].notna()]
    if len(cas):
        h.casualties_low = float(cas["low"].min())
        h.casualties_high = float(pd.concat([cas["high"], cas["low"]]).max())
        top = cas[cas["low"] == h.casualties_high]
        h.casualties_open = bool(len(top)) and bool(top["high"].isna().any())
        h.casualty_sources = _names(cas)
    waves = data.contingents.set_index("contingent")
    present = [c for c in f["contingent"].dropna().unique() if c in waves.index]
    if present:
        latest = max(present, key=lambda c: waves.loc[c, "start_date"])
        h.latest_wave = str(waves.loc[latest, "label"])
        wave = f[f["contingent"] == latest]
        wholes = wave[wave["figure_id"].isin(set(wave["part_of"].dropna()))]
        if len(wholes):
            whole = wholes.iloc[0]
            h.latest_wave_total = float(whole["low"])
            parts = wave[wave["part_of"] == whole["figure_id"]]
            h.latest_wave_parts = [(str(p.subject), float(p.low)) for p in parts.itertuples()]
        elif len(wave[wave["metric"].isin(PEOPLE_DEPLOYMENT)]):
            h.latest_wave_total = float(wave["high"].max())
    return h


def _claimant_ids(claimants: pd.Series) -> str:
    """The distinct claimant ids of a claim's figures, named ones before 'unattributed'."""
    ids = dict.fromkeys(c for s in claimants for c in s.split(";"))
    return ";".join(sorted(ids, key=lambda c: c == "unattributed"))


def wordings(worded: pd.Series) -> str:
    """Distinct wordings of one claim, the most common first: 'about 4,000 / 3,800–4,000'."""
    counts = worded.value_counts(sort=False)
    seen = list(dict.fromkeys(worded))
    return " / ".join(sorted(seen, key=lambda w: (-counts[w], seen.index(w))))


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
        by = cas.groupby("claim_id", sort=False)
        low = cas["low"].fillna(0).groupby(cas["claim_id"], sort=False).min()
        is_open = cas["high"].isna().groupby(cas["claim_id"], sort=False).any()
        high = by["high"].max().where(~is_open)
        words = by["worded"].agg(wordings)
        derived = pd.DataFrame(
            {
                "claim_id": low.index,
                "kind": "derived",
                "label": words + f" ÷ {fmt(dep_low)}–{fmt(dep_high)} deployed",
                "low": 100 * low / dep_high,
                "high": 100 * high / dep_low,
                "claimants": by["claimant_name"].agg(lambda s: "; ".join(_names(s.to_frame()))),
                "articles": by["article"].agg(lambda s: ";".join(sorted(set(s)))),
                "worded": words,
                "claimant_ids": by["claimant"].agg(_claimant_ids),
                "n_articles": by["article"].nunique(),
                "as_of_date": by["as_of_date"].max(),
                "dep_low": dep_low,
                "dep_high": dep_high,
            }
        ).reset_index(drop=True)
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
