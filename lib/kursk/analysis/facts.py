"""The sentences the product states, each computed from the figures by a rule written here.

Titles, subtitles, the headline and briefing.md say only what the figures support:

- They compare only comparable figures (`comparable`): one metric at a time; running totals,
  never a count over a window; each claimant's current figure, never one it has revised; whole
  counts, never a part of a stated total or of a breakdown, nor progress toward a plan;
  stated numbers (vague quantities are shown, not ranged); and troops one wave at a time.
- Every number is worded as its figure words it, qualifier and all ("about 1,200", "over
  6,000", "at least 40"); nothing is rounded into "over" or out of "about".
- Edge cases are said as such: one value, one claimant, nothing comparable, a filtered
  selection (`Dataset.selection`).

Each `Fact` keeps the numbers it states (`Stated`, each naming its figure) and the pool of
figures its rule allowed it to compare, so that a test can check every stated number against
the figure and the rule it came from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..ledger import Dataset
from ..ledger.frames import records


def people_metrics(data: Dataset, group: str) -> tuple[str, ...]:
    """The metrics of a group that count people, in vocabulary order: a metric added to a group
    in vocabulary.yaml is drawn wherever the group is."""
    v = data.vocabulary
    return tuple(
        m for m, spec in v.metrics.items() if spec.group == group and v.units[spec.unit].count
    )


@dataclass(frozen=True)
class Stated:
    """One number a sentence states, and the figure it is the wording of."""

    figure_id: str
    worded: str
    claimant: str  # the claimants' short names


@dataclass
class Fact:
    """A sentence, the numbers it states, and the figures its rule let it compare."""

    text: str
    stated: list[Stated] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)
    rule: str = ""

    def __str__(self) -> str:
        return self.text


ANY = object()  # comparable(): any contingent


def comparable(data: Dataset, metric: str, contingent=ANY) -> pd.DataFrame:
    """Rule `comparable`: the figures a range of `metric` may be drawn from. Running totals
    (scope cumulative), current (not revised by a later figure of the claimant), whole counts
    (not part_of a total, not in a breakdown, not progress_of a plan), stated (not vague) and,
    when `contingent` is given, of that wave (None: figures that name no wave)."""
    return _Comparable.of(data).select(metric, contingent)


def comparable_mask(data: Dataset, metric: str, contingent=ANY) -> np.ndarray:
    """Rule `comparable` as booleans over the figures' rows (read only)."""
    return _Comparable.of(data).mask(metric, contingent)


def n_comparable(data: Dataset, metric: str, contingent=ANY) -> int:
    """How many figures rule `comparable` allows (as len(comparable(...)), without the rows)."""
    return _Comparable.of(data).count(metric, contingent)


class _Comparable:
    """Rule `comparable`'s selections of one dataset, and the facts made from them, each made
    once. The headline and four charts of one view ask for the same few about fifty times,
    most of them only to count; a count is a sum over the masks, and rows are taken (every
    column of the figures frame) only for the selections asked for (make bench: dashboard
    redraws; docs/performance.md)."""

    def __init__(self, data: Dataset):
        f = self.figures = data.figures
        kept = (
            (f["scope"] == "cumulative")
            & f["current"]
            & f["part_of"].isna()
            & f["breakdown"].isna()
            & f["progress_of"].isna()
            & ~f["vague"]
            & (f["low"].notna() | f["high"].notna())
        )
        self.kept = kept.fillna(False).to_numpy(dtype=bool)
        self._metric = f["metric"].astype("string").fillna("").to_numpy(dtype=object)
        contingent = f["contingent"].astype("string")
        self._no_contingent = contingent.isna().to_numpy(dtype=bool)
        self._contingent = contingent.fillna("").to_numpy(dtype=object)
        self._masks: dict[tuple, np.ndarray] = {}
        self.selected: dict[tuple, pd.DataFrame] = {}
        self._facts: dict[str, Fact | None] = {}

    @classmethod
    def of(cls, data: Dataset) -> _Comparable:
        return data.derived("_comparable", cls)

    def mask(self, metric: str, contingent) -> np.ndarray:
        key = (metric, contingent)
        if key not in self._masks:
            keep = self.kept & (self._metric == metric)
            if contingent is None:
                keep &= self._no_contingent
            elif contingent is not ANY:
                keep &= (self._contingent == contingent) & ~self._no_contingent
            self._masks[key] = keep
        return self._masks[key]

    def count(self, metric: str, contingent=ANY) -> int:
        return int(self.mask(metric, contingent).sum())

    def fact(self, name: str, make) -> Fact | None:
        """A fact of these figures, made once (a chart's title and the headline state the
        same); each caller gets its own copy, since the headline adds to the text."""
        if name not in self._facts:
            self._facts[name] = make()
        return copy.copy(self._facts[name])

    def select(self, metric: str, contingent=ANY) -> pd.DataFrame:
        key = (metric, contingent)
        if key not in self.selected:
            self.selected[key] = self.figures[self.mask(metric, contingent)]
        return self.selected[key]


def total_metric(data: Dataset, group: str) -> str | None:
    """The metric a group's range is stated for: the one vocabulary.yaml marks total when it
    has comparable figures, else the group's count metric with most of them."""
    counts = {m: n_comparable(data, m) for m in people_metrics(data, group)}
    marked = [m for m in counts if data.vocabulary.metrics[m].total and counts[m]]
    if marked:
        return marked[0]
    best = max(counts, key=counts.get, default=None)
    return best if best is not None and counts[best] else None


def main_wave(data: Dataset, metric: str) -> tuple[str | None, str] | None:
    """Rule `one wave`: the top-level wave (contingents.yaml, not part of another) with most
    comparable figures of `metric`, as (id, label); figures that name no wave form a group of
    their own, used when no wave has any. None when there is nothing to compare."""
    c = data.contingents
    waves = c[c["part_of"].isna()]
    best = max(
        ((n_comparable(data, metric, w.contingent), w.contingent, w.label)
         for w in records(waves)),
        default=(0, None, ""),
    )  # fmt: skip
    if best[0]:
        return best[1], best[2]
    if n_comparable(data, metric, None):
        return None, "troops (no wave given)"
    return None


def _lower(r) -> float:
    return r.low if pd.notna(r.low) else r.high


def _upper(r) -> float:
    return r.high if pd.notna(r.high) else r.low


def stated(data: Dataset, r) -> Stated:
    return Stated(r.figure_id, r.worded, data.short_name(r.claimant))


@dataclass
class Span:
    """The figures stating the lowest and the highest number among comparable ones."""

    low: object
    high: object
    rows: pd.DataFrame

    @property
    def one_value(self) -> bool:
        """The lowest and the highest stated numbers are the same (however each is worded)."""
        return (_lower(self.low), _upper(self.low)) == (_lower(self.high), _upper(self.high))

    @property
    def claimants(self) -> set[str]:
        return {c for s in self.rows["claimant"] for c in s.split(";")}


def span(rows: pd.DataFrame) -> Span | None:
    """Rule `span`: the lowest stated number (an 'up to' counts as its number, and ties go to
    it) and the highest (an open bound counts as its number, and ties go to it)."""
    if rows.empty:
        return None
    recs = list(records(rows))
    low = min(recs, key=lambda r: (_lower(r), r.qualifier != "up_to"))
    high = max(recs, key=lambda r: (_upper(r), r.qualifier in ("over", "at_least")))
    return Span(low, high, rows)


def _filtered(data: Dataset) -> str:
    return f" ({data.selection})" if data.selection else ""


def range_fact(data: Dataset, rows: pd.DataFrame, subject: str, rule: str) -> Fact | None:
    """'{subject}: current figures from about 1,200 to over 6,000', or the one value."""
    s = span(rows)
    if s is None:
        return None
    pool = list(rows["figure_id"])
    if s.one_value:
        n = len(s.claimants)
        who = data.short_name(s.low.claimant) if n == 1 else f"{n} claimants"
        text = f"{subject}: {who} {'puts' if n == 1 else 'put'} it at {s.low.worded}"
        return Fact(text, [stated(data, s.low)], pool, rule)
    text = f"{subject}: current figures from {s.low.worded} to {s.high.worded}"
    return Fact(text, [stated(data, s.low), stated(data, s.high)], pool, rule)


def casualty_fact(data: Dataset) -> Fact | None:
    """The range of the casualty group's total metric (killed_or_wounded) among figures with a
    date (those the casualty chart places in time): a killed-only figure is not a casualty
    total, and a count over a window is not a running total."""
    return _Comparable.of(data).fact("casualties", lambda: _casualty_fact(data))


def _casualty_fact(data: Dataset) -> Fact | None:
    metric = total_metric(data, "casualties")
    if metric is None:
        return None
    label = data.vocabulary.metrics[metric].label
    rows = comparable(data, metric)
    return range_fact(data, rows[rows["as_of_date"].notna()], label, "comparable, dated")


def troops_fact(data: Dataset) -> Fact | None:
    """The range of troop counts of the wave most reported (rule `one wave`)."""
    return _Comparable.of(data).fact("troops", lambda: _troops_fact(data))


def _troops_fact(data: Dataset) -> Fact | None:
    metric = total_metric(data, "deployment")
    wave = main_wave(data, metric) if metric else None
    if wave is None:
        return None
    label = data.vocabulary.metrics[metric].label
    rows = comparable(data, metric, wave[0])
    return range_fact(data, rows, f"{label}, {wave[1]}", "comparable, one wave")


def _by_number(data: Dataset, rows: pd.DataFrame, limit: int = 4) -> str:
    """Each distinct wording and who gave it: '10,000–12,000 per North Korea; 6,000 per
    Unattributed' (at most `limit`, then how many more)."""
    who: dict[str, list[str]] = {}
    for r in sorted(records(rows), key=lambda r: -_upper(r)):
        names = who.setdefault(r.worded, [])
        name = data.short_name(r.claimant)
        if name not in names:
            names.append(name)
    parts = [f"{w} per {' and '.join(n)}" for w, n in who.items()]
    more = len(parts) - limit
    return "; ".join(parts[:limit]) + (f"; and {more} more" if more > 0 else "")


def _latest_wave(data: Dataset) -> Fact | None:
    """The latest wave with troop figures: a stated total and its parts as worded, else its
    range (rule `comparable`, that wave)."""
    deployment = people_metrics(data, "deployment")
    f = data.figures
    # masks over the columns read, and rows taken once (each row selection of the figures
    # frame takes all its columns)
    contingent = f["contingent"].to_numpy(dtype=object, na_value=None)
    people = f["metric"].isin(deployment).to_numpy(dtype=bool) & (contingent != None)  # noqa: E711
    c = data.contingents
    starts = dict(zip(c["contingent"], c["start_date"], strict=True))
    labels = dict(zip(c["contingent"], c["label"], strict=True))
    present = [w for w in dict.fromkeys(contingent[people]) if w in starts]
    if not present:
        return None
    latest = max(present, key=lambda w: starts[w])
    label = labels[latest]
    figure_id = f["figure_id"].to_numpy(dtype=object, na_value=None)
    part_of = f["part_of"].to_numpy(dtype=object, na_value=None)
    totals = {p for p in part_of if p is not None}
    wholes = np.flatnonzero(
        people
        & (contingent == latest)
        & np.fromiter((i in totals for i in figure_id), dtype=bool, count=len(figure_id))
        & f["current"].to_numpy(dtype=bool, na_value=False)
    )
    if len(wholes):
        parts = np.flatnonzero(part_of == figure_id[wholes[0]])
        whole, *rest = records(f.take(np.concatenate([wholes[:1], parts])))
        named = " + ".join(
            f"{p.worded} {p.subject}" if isinstance(p.subject, str) else p.worded for p in rest
        )
        text = (
            f"Latest wave: {label}, {whole.worded} {whole.metric_label.lower()} ({named}), "
            f"per {data.short_name(whole.claimant)}"
        )
        numbers = [stated(data, whole), *(stated(data, p) for p in rest)]
        return Fact(text, numbers, list(figure_id[wholes]) + list(figure_id[parts]), "parts")
    for metric in deployment:
        fact = range_fact(data, comparable(data, metric, latest), f"Latest wave, {label}", "")
        if fact:
            fact.text = fact.text.replace(": ", f" ({metric.replace('_', ' ')}): ", 1)
            fact.rule = "comparable, one wave"
            return fact
    return None


@dataclass
class Headline:
    """The sentences a reader sees first (`lines()`), each a Fact."""

    facts: list[Fact]
    n_figures: int = 0

    def lines(self) -> list[str]:
        return [fact.text for fact in self.facts]


def headline(data: Dataset) -> Headline:
    """The troop range of the main wave (with who gave each number), the casualty range, the
    latest wave, and what the figures come from."""
    f = data.figures
    if f.empty:
        return Headline([Fact("No figures match the current filters.")])
    facts = []
    troops = troops_fact(data)
    # A range says who gave which number; one value already says who gave it.
    if troops:
        rows = data.figures[data.figures["figure_id"].isin(troops.pool)]
        troops.text += f" ({_by_number(data, rows)})." if len(troops.stated) > 1 else "."
        facts.append(troops)
    casualties = casualty_fact(data)
    if casualties:
        n = len(
            {c for s in f[f["figure_id"].isin(casualties.pool)]["claimant"] for c in s.split(";")}
        )
        many = len(casualties.stated) > 1
        casualties.text += f" ({n} claimant{'s' if n != 1 else ''})." if many else "."
        facts.append(casualties)
    latest = _latest_wave(data)
    if latest and not (troops and set(latest.pool) == set(troops.pool)):
        latest.text += "."  # (the latest wave is not the troops line's wave again)
        facts.append(latest)
    n_claimants = len({c for s in f["claimant"] for c in s.split(";")})
    facts.append(
        Fact(
            f"{len(f)} figure{'s' if len(f) != 1 else ''} from {f['article'].nunique()} "
            f"source{'s' if f['article'].nunique() != 1 else ''}, {n_claimants} "
            f"claimant{'s' if n_claimants != 1 else ''}{_filtered(data)}."
        )
    )
    return Headline(facts, len(f))
