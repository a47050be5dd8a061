"""Facts the product states (the headline) and the rules for which figures they compare."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import asdict, dataclass, field

import pandas as pd

from ..ledger import Dataset
from .wording import fmt

PEOPLE_DEPLOYMENT = ("deployed", "arrived", "planned")
PEOPLE_CASUALTIES = ("killed", "wounded", "captured", "killed_or_wounded")


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


# The headline reads a handful of columns of a small selection, on the path between a dashboard
# filter change and the page: plain Python rows avoid pandas' per-operation cost there.
_KINDS = {
    "figure_id": object, "article": object, "claimant": object, "claimant_name": object,
    "metric": object, "contingent": object, "qualifier": object, "subject": object,
    "part_of": object, "low": float, "high": float, "vague": bool,
}  # fmt: skip
_MISSING = {object: None, float: float("nan"), bool: False}
_Row = namedtuple("_Row", list(_KINDS))
_Bounds = namedtuple("_Bounds", ["low", "high", "vague"])


def _rows(frame: pd.DataFrame, row: type = _Row) -> list:
    """The figures as plain tuples (`row`'s fields): missing text None, missing numbers NaN,
    vague False if unset."""
    columns = [
        frame[name].to_numpy(dtype=_KINDS[name], na_value=_MISSING[_KINDS[name]]).tolist()
        for name in row._fields
    ]
    return list(map(row._make, zip(*columns, strict=True)))


def _names(rows: list) -> list[str]:
    return sorted({n for r in rows for n in r.claimant_name.split("; ")})


def _descending(value: float) -> tuple:
    """Sort key: highest first, missing last (as pandas' sort_values(ascending=False))."""
    return (1, 0.0) if value != value else (0, -value)


def _by_number(data: Dataset, rows: list) -> list[tuple[str, list[str]]]:
    """Each distinct number and who gave it, highest first: [('6,000', ['North Korea'])]."""
    out: dict[tuple, list[str]] = {}
    for r in sorted(rows, key=lambda r: (_descending(r.high), _descending(r.low))):
        low = None if r.low != r.low else r.low
        high = None if r.high != r.high else r.high
        names = out.setdefault((low, high, r.qualifier in ("over", "at_least")), [])
        # "6,000 per an unattributed estimate" reads; "per Unattributed" does not
        name = (
            "an unattributed estimate"
            if r.claimant == "unattributed"
            else data.short_name(r.claimant)
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


def span(rows: pd.DataFrame | list) -> tuple[float | None, float | None, bool]:
    """Lowest and highest number across figures (vague ones left out), and whether the
    highest is an open bound ("over 6,000"); (None, None, False) when there is none."""
    if isinstance(rows, pd.DataFrame):
        rows = _rows(rows, _Bounds)
    rows = [r for r in rows if not r.vague]
    lows = [r.low for r in rows if r.low == r.low]  # NaN != NaN: missing
    tops = [v for r in rows for v in (r.high, r.low) if v == v]
    if not tops:
        return None, None, False
    high = max(tops)
    low = min(lows) if lows else min(tops)
    is_open = any(r.high != r.high and r.low >= high for r in rows)
    return low, high, is_open


def headline(data: Dataset) -> Headline:
    """Headline numbers of a (possibly filtered) dataset."""
    f = data.figures
    wanted = {*PEOPLE_CASUALTIES, *PEOPLE_DEPLOYMENT}
    rows = [r for r in _rows(f) if r.metric in wanted]
    h = Headline(
        n_figures=len(f),
        n_articles=f["article"].nunique(),
        n_claimants=len({c for s in f["claimant"].tolist() for c in s.split(";")}),
    )
    troops = [r for r in rows if r.metric == "deployed" and r.contingent == "initial-2024"]
    h.troops_low, h.troops_high, _ = span(troops)
    if h.troops_low is not None:
        solid = [r for r in troops if not r.vague]
        h.troops_sources = _names(solid)
        h.troops_by_number = _by_number(data, solid)
    cas = [r for r in rows if r.metric in PEOPLE_CASUALTIES]
    h.casualties_low, h.casualties_high, h.casualties_open = span(cas)
    if h.casualties_low is not None:
        h.casualty_sources = _names([r for r in cas if not r.vague])
    waves = {
        c: (start, label)
        for c, start, label in zip(
            data.contingents["contingent"].tolist(),
            data.contingents["start_date"].tolist(),
            data.contingents["label"].tolist(),
            strict=True,
        )
    }
    people = [r for r in rows if r.metric in PEOPLE_DEPLOYMENT]
    present = [c for c in dict.fromkeys(r.contingent for r in people) if c in waves]
    if present:
        latest = max(present, key=lambda c: waves[c][0])
        h.latest_wave = str(waves[latest][1])
        wave = [r for r in people if r.contingent == latest]
        whole_ids = {r.part_of for r in wave if r.part_of is not None}
        wholes = [r for r in wave if r.figure_id in whole_ids]
        if wholes:
            whole = wholes[0]
            h.latest_wave_total = whole.low
            h.latest_wave_parts = [
                (str(p.subject), p.low) for p in wave if p.part_of == whole.figure_id
            ]
        else:
            h.latest_wave_total = span(wave)[1]
    return h
