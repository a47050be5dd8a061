"""What changed between two versions of the figures, figure by figure: added, removed, revised
(a new figure that replaces one), and for a figure in both its value, qualifier, claimant,
source, assessment or other details; plus sources and claimants renamed.

Every column both sides have is compared, except those derived from others (names looked up by
id, dates read from a written date, counts, the version and citation): a field added to the
data model later is compared without a change here. A column only one side has is listed,
not compared.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .sides import Side

# Columns computed from other columns or from other files: a change shows where it starts.
DERIVED = frozenset(
    {
        "source", "source_kind", "source_url",  # the source's, compared once per source
        "claimant_name", "claimant_kind", "claimant_country", "metric_label", "unit",
        "as_of", "as_of_end", "as_of_precision", "as_of_approximate", "as_of_basis",
        "confidence_tier", "revised_by", "current", "event_disagrees", "n_articles",
        "n_independent", "origin", "data_version", "cite", "file", "line",
    }
)  # fmt: skip
# Which kind of change each compared field makes; any other field is a detail.
FIELD_KINDS = {
    "low": "value",
    "high": "value",
    "qualifier": "qualifier",
    "worded": "qualifier",  # the wording alone ('about 6,000' -> 'nearly 6,000')
    "claimant": "claimant",
    "via": "claimant",
    "article": "source",
    "revises": "revised",
}
# The order kinds are reported and counted in; their words.
KINDS = {
    "added": "added",
    "removed": "removed",
    "revised": "revised",
    "value": "value changed",
    "qualifier": "qualifier changed",
    "claimant": "claimant changed",
    "source": "source changed",
    "assessment": "assessment changed",
    "details": "details changed",
}
SOURCE_FIELDS = ("source", "source_kind", "source_url")


def kind_of(column: str) -> str:
    if column.startswith(("assessment", "assessed", "initial_assessment")):
        return "assessment"  # the grade, its reason, by whom, when, its history
    return FIELD_KINDS.get(column, "details")


@dataclass
class FigureChange:
    """One figure's change. old/new: its row on each side (None where it is missing)."""

    figure_id: str
    status: str  # added, removed, revised (a new figure that revises another) or changed
    old: dict | None
    new: dict | None
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (old, new)
    replaces: dict | None = None  # revised: the figure it revises, as it was

    @property
    def kinds(self) -> list[str]:
        """added | removed | revised, or the kinds of its changed fields, in KINDS order."""
        if self.status != "changed":
            return [self.status]
        found = {kind_of(c) for c in self.fields}
        if "value" in found and "qualifier" not in self.fields:
            found.discard("qualifier")  # the wording follows a new value: no change of its own
        return [k for k in KINDS if k in found]

    @property
    def row(self) -> dict:
        """The figure as it is now (as it was, for a removed one)."""
        return self.new if self.new is not None else self.old

    def as_dict(self) -> dict:
        return {
            "figure_id": self.figure_id,
            "status": self.status,
            "kinds": self.kinds,
            "claim_id": self.row.get("claim_id", ""),
            "article": self.row.get("article", ""),
            "source": self.row.get("source", ""),
            "fields": {k: {"old": a, "new": b} for k, (a, b) in self.fields.items()},
            "replaces": self.replaces.get("figure_id") if self.replaces else None,
            "old": self.old,
            "new": self.new,
        }


@dataclass
class Changelog:
    """Every change from old to new, and what cannot be compared."""

    old: Side
    new: Side
    figures: list[FigureChange]
    sources: dict[str, dict[str, tuple[str, str]]]  # article -> field -> (old, new)
    claimants: dict[str, tuple[str, str]]  # claimant id -> (old name, new name)
    only_old: list[str]  # columns only the old side has (not compared)
    only_new: list[str]

    def __bool__(self) -> bool:
        return bool(self.figures or self.sources or self.claimants)

    def counts(self) -> dict[str, int]:
        """Figures per kind of change, in KINDS order (a figure may count in several)."""
        tally = Counter(k for change in self.figures for k in change.kinds)
        return {k: tally[k] for k in KINDS if tally[k]}

    def marks(self) -> dict[str, str]:
        """figure id -> 'new' or 'changed: value, qualifier' for the figures the new side
        has: what a briefing marks in its hover text and table."""
        out = {}
        for change in self.figures:
            if change.status in ("added", "revised"):
                out[change.figure_id] = "new"
            elif change.status == "changed":
                out[change.figure_id] = "changed: " + ", ".join(
                    KINDS[k].removesuffix(" changed") for k in change.kinds
                )
        return out

    def groups(self) -> dict[str, dict[str, list[FigureChange]]]:
        """article -> claim id -> its figures' changes: sources and claims in id order."""
        out: dict[str, dict[str, list[FigureChange]]] = {}
        for change in sorted(self.figures, key=lambda c: c.figure_id):
            row = change.row
            out.setdefault(row.get("article", ""), {}).setdefault(
                row.get("claim_id", ""), []
            ).append(change)
        for article in self.sources:
            out.setdefault(article, {})
        return {a: dict(sorted(out[a].items())) for a in sorted(out)}

    def source_name(self, article: str) -> str:
        """A source by name, as the new side (else the old) names it."""
        for side in (self.new, self.old):
            table = side.table
            if {"article", "source"} <= set(table.columns):
                names = table.loc[table["article"] == article, "source"]
                if len(names):
                    return str(names.iloc[0])
        return article


def _records(side: Side) -> dict[str, dict]:
    table = side.table
    if table["figure_id"].duplicated().any():
        dup = table.loc[table["figure_id"].duplicated(), "figure_id"].iloc[0]
        raise ValueError(f"{side.describe()}: figure {dup!r} appears twice")
    return {r["figure_id"]: r for r in table.to_dict("records")}


def _by(side_rows: dict[str, dict], key: str, fields) -> dict[str, dict]:
    """The first row's fields per value of key (a source's or claimant's details)."""
    out: dict[str, dict] = {}
    for row in side_rows.values():
        out.setdefault(row.get(key, ""), {f: row.get(f, "") for f in fields})
    return out


def _claimant_names(rows: dict[str, dict]) -> dict[str, str]:
    """claimant id -> name, from the figures' joined ids and names."""
    out = {}
    for row in rows.values():
        ids, names = row.get("claimant", "").split(";"), row.get("claimant_name", "").split("; ")
        if len(ids) == len(names):
            out.update(zip(ids, names, strict=True))
    return out


def compare(old: Side, new: Side) -> Changelog:
    """The changelog from old to new."""
    before, after = _records(old), _records(new)
    common = [c for c in new.table.columns if c in old.table.columns and c not in DERIVED]
    changes = []
    for figure_id in sorted(before.keys() | after.keys()):
        a, b = before.get(figure_id), after.get(figure_id)
        if b is None:
            changes.append(FigureChange(figure_id, "removed", a, None))
        elif a is None:
            revised = b.get("revises", "")
            replaces = before.get(revised) or after.get(revised) if revised else None
            status = "revised" if revised else "added"
            changes.append(FigureChange(figure_id, status, None, b, replaces=replaces))
        else:
            fields = {c: (a[c], b[c]) for c in common if a[c] != b[c]}
            if fields:
                changes.append(FigureChange(figure_id, "changed", a, b, fields))
    olds = _by(before, "article", SOURCE_FIELDS)
    sources = {}
    for article, now in _by(after, "article", SOURCE_FIELDS).items():
        was = olds.get(article)
        if was is not None:
            moved = {f: (was[f], now[f]) for f in SOURCE_FIELDS if was[f] != now[f]}
            if moved:
                sources[article] = moved
    old_names, new_names = _claimant_names(before), _claimant_names(after)
    claimants = {
        c: (old_names[c], name)
        for c, name in sorted(new_names.items())
        if c in old_names and old_names[c] != name
    }
    return Changelog(
        old,
        new,
        changes,
        sources,
        claimants,
        only_old=[c for c in old.table.columns if c not in new.table.columns],
        only_new=[c for c in new.table.columns if c not in old.table.columns],
    )


def figure_frame_marks(figures: pd.DataFrame, marks: dict[str, str]) -> pd.Series:
    """The marks as a column on a figures frame (missing for unchanged figures)."""
    return pd.Series(
        [marks.get(f) for f in figures["figure_id"]], index=figures.index, dtype="string"
    )
