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
            out.append(f"Sources put the 2024 deployment at {fmt(self.troops_low)}–"
                       f"{fmt(self.troops_high)} troops ({len(self.troops_sources)} sources).")
        if self.casualties_low is not None:
            top = ("over " if self.casualties_open else "") + fmt(self.casualties_high)
            out.append(f"Casualty estimates range from {fmt(self.casualties_low)} to {top} "
                       f"killed or wounded ({len(self.casualty_sources)} sources).")
        if self.latest_wave:
            parts = " + ".join(f"{fmt(v)} {s}" for s, v in self.latest_wave_parts)
            total = fmt(self.latest_wave_total) if self.latest_wave_total is not None else "?"
            out.append(f"Latest wave: {self.latest_wave}, {total} people"
                       + (f" ({parts})." if parts else "."))
        out.append(f"{self.n_figures} figures from {self.n_articles} articles, "
                   f"{self.n_claimants} claimants.")
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def _names(frame: pd.DataFrame) -> list[str]:
    return sorted({n for s in frame["claimant_name"] for n in s.split("; ")})


def headline(data: Dataset) -> Headline:
    """Headline numbers of a (possibly filtered) dataset."""
    f = data.figures
    h = Headline(n_figures=len(f), n_articles=f["article"].nunique(),
                 n_claimants=len({c for s in f["claimant"] for c in s.split(";")}))
    troops = f[(f["metric"] == "deployed") & (f["contingent"] == "initial-2024") & ~f["vague"]
               & f["low"].notna()]
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


def casualty_share(data: Dataset) -> pd.DataFrame:
    """Casualties as a % of the 2024 deployment (interval arithmetic), plus stated shares.

    derived low = casualties low / deployed high; derived high = casualties high / deployed low.
    An open casualty bound ("over 6,000") leaves the derived high open.
    """
    f = data.figures
    rows = []
    dep = f[(f["metric"] == "deployed") & (f["contingent"] == "initial-2024") & ~f["vague"]
            & f["low"].notna() & (f["low"] > 0)]
    if len(dep):
        dep_low = float(dep["low"].min())
        dep_high = float(pd.concat([dep["high"], dep["low"]]).max())
        cas = f[f["metric"].isin(PEOPLE_CASUALTIES) & ~f["vague"]]
        claims = cas.groupby("claim_id", sort=False)
        for claim_id, g in claims:
            low = float(g["low"].fillna(0).min())  # "up to N" has no lower bound: 0
            high = None if g["high"].isna().any() else float(g["high"].max())
            rows.append({
                "claim_id": claim_id, "kind": "derived",
                "label": f"{g['worded'].iloc[0]} ÷ {fmt(dep_low)}–{fmt(dep_high)} deployed",
                "low": 100 * low / dep_high,
                "high": None if high is None else 100 * high / dep_low,
                "claimants": "; ".join(_names(g)), "articles": ";".join(sorted(set(g["article"]))),
            })
    stated = f[f["metric"] == "casualty_share"]
    for r in stated.itertuples():
        rows.append({
            "claim_id": r.claim_id, "kind": "stated", "label": f"{r.worded} (stated)",
            "low": None if pd.isna(r.low) else float(r.low),
            "high": None if pd.isna(r.high) else float(r.high),
            "claimants": r.claimant_name, "articles": r.article,
        })
    out = pd.DataFrame(rows, columns=["claim_id", "kind", "label", "low", "high", "claimants",
                                      "articles"])
    return out.astype({"low": "Float64", "high": "Float64"})
