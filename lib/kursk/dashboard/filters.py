"""The filter state as a value, what the filter panel offers for a dataset, and the counts
beside each choice (how many figures it would add under the other filters)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace

from ..ledger import Dataset
from ..ledger.dataset import UNASSESSED

GROUP_LABELS = {
    "deployment": "Troop numbers",
    "casualties": "Casualties",
    "payment": "Payments",
    "distance": "Distances",
}
DAY = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True)
class Filters:
    """One selection of the dashboard's filters: hashable, compared by value.

    independent: only claims reported by 2+ independent sources (n_independent);
    assessments: the grades of ours shown ('unassessed' for none); known_on: the data as it
    was known on that day (Dataset.as_known_on), None for everything known now."""

    claimants: tuple[str, ...]
    metric_groups: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    independent: bool = False
    assessments: tuple[str, ...] | None = None  # None: every grade
    known_on: dt.date | None = None

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)


def parse_day(text: str, end: bool = False) -> dt.date:
    """'2025-03-31', '2025-03' or '2025' as a day: a month or year means its first day, or its
    last with end=True. ValueError (in words) for anything else."""
    m = DAY.match(text or "")
    if not m:
        raise ValueError(f"“{_cut(text)}” is not a date: write it as YYYY-MM-DD, e.g. 2025-03-31")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            first = dt.date(year, int(month), 1)
            if not end:
                return first
            return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
                days=1
            )
        return dt.date(year, int(month), int(day))
    except ValueError:
        raise ValueError(f"“{_cut(text)}” is not a date of the calendar") from None


def _cut(text, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Offered:
    """What the filter panel offers: (label, value) pairs, the span of as-of dates and the span
    of publication dates (what "as known on" can go back to)."""

    claimants: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, str], ...]
    date_range: tuple[dt.date | None, dt.date | None]
    assessments: tuple[tuple[str, str], ...] = ()
    published: tuple[dt.date | None, dt.date | None] = (None, None)

    @classmethod
    def of(cls, data: Dataset) -> Offered:
        present = data.claimants[data.claimants["n_figures"] > 0]
        claimants = tuple((str(r.name), str(r.claimant)) for r in present.itertuples())
        groups = tuple(
            (label, g)
            for g, label in GROUP_LABELS.items()
            if (data.figures["metric_group"] == g).any()
        )
        grades = tuple((g.label, name) for name, g in data.vocabulary.assessments.items())
        dates = data.figures["as_of_date"].dropna()
        span = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
        published = data.articles["published_date"].dropna()
        pub = (published.min().date(), published.max().date()) if len(published) else (None, None)
        return cls(claimants, groups, span, (*grades, ("Not assessed", UNASSESSED)), pub)

    @property
    def claimant_ids(self) -> tuple[str, ...]:
        return tuple(v for _, v in self.claimants)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(v for _, v in self.groups)

    @property
    def assessment_ids(self) -> tuple[str, ...]:
        return tuple(v for _, v in self.assessments)

    def default(self) -> Filters:
        """Everything: the dashboard's first view, and where Reset goes."""
        return Filters(self.claimant_ids, self.group_ids, *self.date_range, False, None, None)

    def allows(self, f: Filters) -> bool:
        """Values can be forged through the widget comm: accept only what is offered."""
        return (
            set(f.claimants) <= set(self.claimant_ids)
            and set(f.metric_groups) <= set(self.group_ids)
            and (f.assessments is None or set(f.assessments) <= set(self.assessment_ids))
            and all(d is None or isinstance(d, dt.date) for d in (f.since, f.until, f.known_on))
            and isinstance(f.independent, bool)
        )

    def problem(self, f: Filters) -> str | None:
        """Why a selection cannot be shown (in words), or None."""
        if f.since and f.until and f.since > f.until:
            return (
                f"The “from” date, {f.since:%Y-%m-%d}, is after the “to” date, "
                f"{f.until:%Y-%m-%d}: swap them."
            )
        first = self.published[0]
        if f.known_on and first and f.known_on < first:
            return (
                f"No source had been published by {f.known_on:%Y-%m-%d}: the first is dated "
                f"{first:%Y-%m-%d}."
            )
        return None

    def base(self, data: Dataset, f: Filters) -> Dataset:
        """The data the filters apply to: as known on a day, or everything known."""
        last = self.published[1]
        if f.known_on is None or (last is not None and f.known_on >= last):
            return data
        return data.as_known_on(f.known_on)

    def select(self, data: Dataset, f: Filters, base: Dataset | None = None) -> Dataset:
        """The figures a selection shows; what is offered in full is no filter at all.
        `base`: the data as known on f.known_on, when already made (self.base)."""
        base = self.base(data, f) if base is None else base
        return base.filter(**self._arguments(f))

    def _arguments(self, f: Filters, leave_out: str | None = None) -> dict:
        full_dates = (f.since, f.until) == self.date_range
        every_claimant = set(f.claimants) == set(self.claimant_ids)
        every_group = set(f.metric_groups) == set(self.group_ids)
        every_grade = f.assessments is None or set(f.assessments) == set(self.assessment_ids)
        args = {
            "claimants": None if every_claimant else list(f.claimants),
            "metric_groups": None if every_group else list(f.metric_groups),
            "since": None if full_dates else f.since,
            "until": None if full_dates else f.until,
            "min_independent": 2 if f.independent else 1,
            "assessments": None if every_grade else list(f.assessments),
        }
        if leave_out:
            args[leave_out] = None
        return args

    def counts(self, base: Dataset, f: Filters) -> dict[str, dict[str, int]]:
        """For each choice of the claimant, metric and assessment lists: the figures it has
        under the other filters (the counts beside the checkboxes)."""
        out = {}
        for key, column in (
            ("claimants", "claimant"),
            ("metric_groups", "metric_group"),
            ("assessments", "assessment"),
        ):
            figures = base.filter(**self._arguments(f, leave_out=key)).figures[column]
            if key == "claimants":
                counted = Counter(c for s in figures for c in str(s).split(";"))
            elif key == "assessments":
                counted = Counter(figures.fillna(UNASSESSED).astype(str))
            else:
                counted = Counter(figures.astype(str))
            out[key] = {str(k): int(v) for k, v in counted.items()}
        return out
