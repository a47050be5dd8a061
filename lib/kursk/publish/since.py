"""What changed since a previous briefing: its figures.csv against the figures a new briefing
shows, and those figures marked new or changed for the hover text and the table."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..analysis.wording import SINCE
from ..ledger import Dataset
from .diff import Changelog, compare, figure_frame_marks
from .sides import Side, SideError, from_briefing, table_of, versioned


def previous_briefing(where) -> Side:
    """A previous briefing from its folder or its manifest.json."""
    path = Path(where)
    folder = path.parent if path.name == "manifest.json" and path.is_file() else path
    if not (folder / "manifest.json").is_file():
        raise SideError(
            f"{where}: no briefing there (no manifest.json); give the previous briefing's "
            "folder or its manifest.json"
        )
    return from_briefing(str(where), folder)


def changes_since(previous: Side, shown: Dataset, filt: dict) -> Changelog:
    """From the previous briefing to the figures this one shows (with its filter)."""
    now = Side("this briefing", "", versioned(shown.version), table_of(shown), filt)
    return compare(previous, now)


def marked(shown: Dataset, log: Changelog) -> Dataset:
    """shown with each new or changed figure marked in the SINCE column."""
    figures = shown.figures.assign(**{SINCE: figure_frame_marks(shown.figures, log.marks())})
    out = replace(shown, figures=figures, claims=shown.claims)
    if "_version_cache" in shown.__dict__:  # the same data: not fingerprinted again
        out.__dict__["_version_cache"] = shown.__dict__["_version_cache"]
    return out


def recorded(where, log: Changelog) -> dict:
    """What the new briefing's manifest says it was compared with, and what changed."""
    return {
        "previous": str(where),
        "data_version": log.old.version,
        "filter": log.old.filter,
        "created": log.old.created,
        "counts": log.counts(),
    }
