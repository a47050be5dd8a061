"""How numbers and claimants are worded in every sentence the product states."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..ledger.cite import citations
from ..ledger.frames import records

# An optional figures column: a briefing built --since-briefing marks each figure new or
# changed since the previous one ('new', 'changed: value, claimant'); hover text and the
# table say so. Absent (or missing for a figure): nothing to say.
SINCE = "since_briefing"


def fmt(n) -> str:
    """6000 -> '6,000'; missing -> '?'."""
    if n is None or pd.isna(n):
        return "?"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def wordings(worded) -> str:
    """Distinct wordings of one claim, the most common first: 'about 4,000 / 3,800–4,000'."""
    counts = Counter(worded)
    seen = list(counts)  # first-seen order breaks ties
    return " / ".join(sorted(seen, key=lambda w: (-counts[w], seen.index(w))))


def _text(value) -> str | None:
    """A frame cell as text, or None when missing."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def as_of_words(row) -> str:
    """When a figure holds, in words: 'May 2025 (approx.), as published'."""
    from ..ledger.normalize import date_words
    from ..ledger.values import PartialDate

    text = _text(row.as_of)
    if text is None:
        return "date unknown"
    words = date_words(PartialDate.parse(text))
    return words + (", the source's date" if row.as_of_basis == "published" else "")


def relations(row) -> list[str]:
    """The figure's links to others, in words."""
    out = []
    for key, words in (
        ("revises", "revises {}"),
        ("revised_by", "superseded by {}"),
        ("part_of", "part of {}"),
        ("breakdown", "part of breakdown {}"),
        ("progress_of", "progress toward {}"),
        ("denominator", "out of {}"),
        ("event", "reports event {}"),
    ):
        value = _text(getattr(row, key, None))
        if value:
            out.append(words.format(value))
    if getattr(row, "event_disagrees", False) is True:
        out.append("outlets disagree on this event's numbers")
    return out


def since_words(row) -> str | None:
    """'New since the last briefing', 'Changed since the last briefing: value', or None."""
    mark = _text(getattr(row, SINCE, None))
    if mark is None:
        return None
    if mark == "new":
        return "New since the last briefing"
    return "Changed since the last briefing: " + mark.removeprefix("changed: ")


def figure_lines(row) -> list[str]:
    """Every recorded field of one figure, as plain lines (hover text, table, briefing)."""
    via = _text(row.via)
    who = row.claimant_name + (f" (via {via})" if via else "")
    what = str(row.metric_label) + (f", {row.subject}" if _text(row.subject) else "")
    value = str(row.worded)
    if _text(row.window):
        days = row.window_days
        value += f" {row.window}" + ("" if pd.isna(days) else f" ({int(days)} days)")
    lines = [who, f"{what}: {value}", f"As of {as_of_words(row)}"]
    since = since_words(row)
    if since:
        lines.insert(1, since)
    if _text(row.confidence):
        tier = _text(row.confidence_tier)
        lines.append(f"Wording: {row.confidence}" + (f" (tier: {tier})" if tier else ""))
    if _text(row.share_of):
        lines.append(f"A share of {row.share_of}")
    quote = f"“{row.quote}”"
    if _text(row.translation):
        quote += f" (“{row.translation}”)"
    lines.append(quote)
    source = f"Source: {row.source} ({row.source_kind})"
    if _text(row.source_url):
        source += f" {row.source_url}"
    lines.append(source)
    links = relations(row)
    if links:
        lines.append("; ".join(links).capitalize())
    if _text(row.note):
        lines.append(f"Note: {row.note}")
    lines.append(assessment_words(row))
    return lines


def assessment_words(row) -> str:
    """Our own grade, apart from the claimant's wording: 'Our assessment: contested (two
    sources give ...; Kursk Figures curators, 2026-11-29); earlier: weak', or unassessed."""
    grade = _text(getattr(row, "assessment", None))
    if not grade:
        return "Our assessment: unassessed"
    text = (
        f"Our assessment: {grade} ({row.assessment_reason}; {row.assessed_by}, {row.assessed_on})"
    )
    history = _text(row.assessment_history)
    return text + (f"; earlier: {history}" if history else "")


def figures_table(data) -> pd.DataFrame:
    """Each figure with every recorded field, for readers: the dashboard's table and the
    briefing's (the source by name; its link in _url), each with its citation; marked new or
    changed when the figures carry the SINCE column."""
    f = data.figures
    rows = []
    for r, cite in zip(records(f), citations(f, data.version.label), strict=True):
        value = r.worded + (f" {r.window}" if isinstance(r.window, str) else "")
        wording = r.confidence if isinstance(r.confidence, str) else ""
        if isinstance(r.confidence_tier, str):
            wording += f" ({r.confidence_tier})"
        quote = f"“{r.quote}”" + (
            f" (“{r.translation}”)" if isinstance(r.translation, str) else ""
        )
        rows.append(
            {
                "Claimant": r.claimant_name + (f" via {r.via}" if isinstance(r.via, str) else ""),
                "Metric": r.metric_label
                + (f", {r.subject}" if isinstance(r.subject, str) else ""),
                "Value": value,
                "As of": as_of_words(r),
                "Wording": wording,
                "Source": r.source,
                "Quote": quote,
                "Links": "; ".join(relations(r)),
                "Assessed": r.assessment if isinstance(r.assessment, str) else "unassessed",
                "Note": r.note if isinstance(r.note, str) else "",
                "Cite": cite,
                "Since the last briefing": since_words(r) or "",
                "_url": r.source_url if isinstance(r.source_url, str) else "",
            }
        )
    columns = ["Claimant", "Metric", "Value", "As of", "Wording", "Source", "Quote", "Links"]
    columns = [*columns, "Assessed", "Note", "Cite"]
    if SINCE in f.columns:  # first, where a reader of the briefing looks for what is new
        columns.insert(0, "Since the last briefing")
    return pd.DataFrame(rows, columns=[*columns, "_url"])
