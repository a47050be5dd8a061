"""What the rules look things up by: every id's first occurrence, and where a figure was read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .issues import Issue, did_you_mean, one_of
from .models import Figure
from .read import FigureFile, Ledger


@dataclass
class Located:
    """A figure with where it was read from."""

    file: FigureFile
    index: int
    figure: Figure

    @property
    def path(self) -> Path:
        return self.file.path

    def loc(self, *keys) -> tuple:
        return ("figures", self.index, *keys)


@dataclass
class Index:
    """The ids every rule looks things up by (first occurrence of each id)."""

    articles: dict = field(default_factory=dict)
    claimants: dict = field(default_factory=dict)
    contingents: set = field(default_factory=set)
    events: dict = field(default_factory=dict)
    figures: dict[str, Located] = field(default_factory=dict)

    @classmethod
    def of(cls, ledger: Ledger) -> Index:
        index = cls(
            articles={a.id: a for a in ledger.articles or []},
            claimants={c.id: c for c in ledger.claimants or []},
            contingents={c.id for c in ledger.contingents},
            events={e.id: e for e in ledger.events},
        )
        for ff in ledger.figure_files:
            for i, fig in ff.figures:
                index.figures.setdefault(fig.id, Located(ff, i, fig))
        return index


def located_figures(ledger: Ledger, index: Index) -> Iterator[Located]:
    """Every valid figure whose id is its first use (duplicates are reported once, elsewhere)."""
    yield from index.figures.values()


def unknown(ledger, path, loc, what: str, value, known, code, listed_in: str = "") -> Issue:
    """An issue for a reference to something not listed (a metric, a claimant, ...)."""
    return ledger.issue(
        path,
        loc,
        f"unknown {what}",
        value=value,
        expected=f"an id listed in {listed_in}" if listed_in else one_of(known),
        hint=did_you_mean(value, known) or (f"add it to {listed_in}" if listed_in else ""),
        code=code,
    )
