"""Headline numbers and derived figures (casualty share) computed from a Dataset."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import pandas as pd

from .loader import Dataset
from .theme import short_name

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
    # each distinct number given for the 2024 deployment, with who gave it (short names)
    troops_by_number: list[tuple[str, list[str]]] = field(default_factory=list)
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
        if not self.n_figures:
            return ["No figures match the current filters."]
        out = []
        if self.troops_low is not None:
            who = "; ".join(f"{n} per {' and '.join(c)}" for n, c in self.troops_by_number)
            out.append(
                f"Sources put the 2024 deployment at {fmt(self.troops_low)} to "
                f"{fmt(self.troops_high)} troops ({who})."
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


def _by_number(rows: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """Each distinct number and who gave it, highest first: [('6,000', ['North Korea'])]."""
    out: dict[tuple, list[str]] = {}
    for r in rows.sort_values(["high", "low"], ascending=False).itertuples():
        low = None if pd.isna(r.low) else float(r.low)
        high = None if pd.isna(r.high) else float(r.high)
        names = out.setdefault((low, high, r.qualifier in ("over", "at_least")), [])
        # "6,000 per an unattributed estimate" reads; "per Unattributed" does not
        name = (
            "an unattributed estimate" if r.claimant == "unattributed" else short_name(r.claimant)
        )
        if name not in names:
            names.append(name)
    return [(_number(*k), v) for k, v in out.items()]


def _number(low, high, is_open) -> str:
    if is_open:
        return f"over {fmt(low)}"
    if low is None:
        return f"up to {fmt(high)}"
    return fmt(low) if high is None or low == high else f"{fmt(low)}–{fmt(high)}"


def span(rows: pd.DataFrame) -> tuple[float | None, float | None, bool]:
    """Lowest and highest number across figures (vague ones left out), and whether the
    highest is an open bound ("over 6,000"); (None, None, False) when there is none."""
    rows = rows[~rows["vague"]]
    lows = rows["low"].dropna()
    tops = pd.concat([rows["high"], rows["low"]]).dropna()
    if tops.empty:
        return None, None, False
    high = float(tops.max())
    low = float(lows.min()) if len(lows) else float(tops.min())
    is_open = bool((rows["high"].isna() & (rows["low"] >= high)).fillna(False).any())
    return low, high, is_open


def headline(data: Dataset) -> Headline:
    """Headline numbers of a (possibly filtered) dataset."""
    f = data.figures
    h = Headline(
        n_figures=len(f),
        n_articles=f["article"].nunique(),
        n_claimants=len({c for s in f["claimant"] for c in s.split(";")}),
    )
    troops = f[(f["metric"] == "deployed") & (f["contingent"] == "initial-2024")]
    h.troops_low, h.troops_high, _ = span(troops)
    if h.troops_low is not None:
        h.troops_sources = _names(troops[~troops["vague"]])
        h.troops_by_number = _by_number(troops[~troops["vague"]])
    cas = f[f["metric"].isin(PEOPLE_CASUALTIES)]
    h.casualties_low, h.casualties_high, h.casualties_open = span(cas)
    if h.casualties_low is not None:
        h.casualty_sources = _names(cas[~cas["vague"]])
    waves = data.contingents.set_index("contingent")
    people = f[f["metric"].isin(PEOPLE_DEPLOYMENT)]
    present = [c for c in people["contingent"].dropna().unique() if c in waves.index]
    if present:
        latest = max(present, key=lambda c: waves.loc[c, "start_date"])
        h.latest_wave = str(waves.loc[latest, "label"])
        wave = people[people["contingent"] == latest]
        wholes = wave[wave["figure_id"].isin(set(wave["part_of"].dropna()))]
        if len(wholes):
            whole = wholes.iloc[0]
            h.latest_wave_total = float(whole["low"])
            parts = wave[wave["part_of"] == whole["figure_id"]]
            h.latest_wave_parts = [(str(p.subject), float(p.low)) for p in parts.itertuples()]
        else:
            h.latest_wave_total = span(wave)[1]
    return h


def _claimant_ids(claimants) -> str:
    """The distinct claimant ids of a claim's figures, named ones before 'unattributed'."""
    ids = dict.fromkeys(c for s in claimants for c in s.split(";"))
    return ";".join(sorted(ids, key=lambda c: c == "unattributed"))


def wordings(worded) -> str:
    """Distinct wordings of one claim, the most common first: 'about 4,000 / 3,800–4,000'."""
    counts = Counter(worded)
    seen = list(counts)  # first-seen order breaks ties
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
        # plain Python over the claims: pandas' per-group aggregation costs ~1 ms a group
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
