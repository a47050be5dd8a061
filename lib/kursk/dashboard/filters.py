"""The filter state as a value, and what the filter panel offers for a dataset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ..ledger import Dataset

GROUP_LABELS = {
    "deployment": "Troop numbers",
    "casualties": "Casualties",
    "payment": "Payments",
    "distance": "Distances",
}


@dataclass(frozen=True)
class Filters:
    """One selection of the dashboard's filters: hashable, compared by value."""

    claimants: tuple[str, ...]
    metric_groups: tuple[str, ...]
    since: dt.date | None
    until: dt.date | None
    corroborated: bool = False

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)


@dataclass(frozen=True)
class Offered:
    """What the filter panel offers: (label, value) pairs and the span of as-of dates."""

    claimants: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, str], ...]
    date_range: tuple[dt.date | None, dt.date | None]

    @classmethod
    def of(cls, data: Dataset) -> Offered:
        present = data.claimants[data.claimants["n_figures"] > 0]
        claimants = tuple((f"{r.name} ({r.n_figures})", r.claimant) for r in present.itertuples())
        groups = tuple(
            (label, g)
            for g, label in GROUP_LABELS.items()
            if (data.figures["metric_group"] == g).any()
        )
        dates = data.figures["as_of_date"].dropna()
        span = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
        return cls(claimants, groups, span)

    @property
    def claimant_ids(self) -> tuple[str, ...]:
        return tuple(v for _, v in self.claimants)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(v for _, v in self.groups)

    def default(self) -> Filters:
        """Everything: the dashboard's first view, and where Reset goes."""
        return Filters(self.claimant_ids, self.group_ids, *self.date_range, False)

    def allows(self, f: Filters) -> bool:
        """Values can be forged through the widget comm: accept only what is offered."""
        return (
            set(f.claimants) <= set(self.claimant_ids)
            and set(f.metric_groups) <= set(self.group_ids)
            and all(d is None or isinstance(d, dt.date) for d in (f.since, f.until))
            and isinstance(f.corroborated, bool)
        )

    def select(self, data: Dataset, f: Filters) -> Dataset:
        """The figures a selection shows; what is offered in full is no filter at all."""
        full_dates = (f.since, f.until) == self.date_range
        every_claimant = set(f.claimants) == set(self.claimant_ids)
        every_group = set(f.metric_groups) == set(self.group_ids)
        return data.filter(
            claimants=None if every_claimant else list(f.claimants),
            metric_groups=None if every_group else list(f.metric_groups),
            since=None if full_dates else f.since,
            until=None if full_dates else f.until,
            min_articles=2 if f.corroborated else 1,
        )
