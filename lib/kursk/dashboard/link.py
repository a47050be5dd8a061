"""A view as a link: the filters in the page's query string, and back.

`query_of(filters)` is what the page puts in its URL as the filters change (bar.js replaces
the URL, no reload); `filters_of(query)` is what a link opens. Only what differs from the
default view is written, ids and ISO dates, so links stay short and readable:

    ?claimant=kr-military,kr-intelligence&metric=casualties&from=2025-01-01&to=2025-06-30
    &assessed=fair,unassessed&independent=2&known=2025-03-01

A value the data does not have (a claimant removed since the link was made, a mistyped date)
is ignored and the default kept for it, with a note naming what was ignored: never an error,
never a view other than the one the note describes.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode

from .filters import Filters, Offered, _cut, parse_day

PARAMS = ("claimant", "metric", "assessed", "from", "to", "independent", "known")
MAX_PARAMS = 20
MAX_VALUE = 2000


def query_of(f: Filters, offered: Offered) -> str:
    """The query string of a selection (without '?'); '' for the default view."""
    d = offered.default()
    parts = []
    for name, mine, every in (
        ("claimant", f.claimants, d.claimants),
        ("metric", f.metric_groups, d.metric_groups),
        ("assessed", f.assessments, offered.assessment_ids),
    ):
        if mine is not None and set(mine) != set(every):
            order = [v for v in every if v in set(mine)]
            parts.append((name, ",".join(order)))
    if (f.since, f.until) != (d.since, d.until):
        if f.since and f.since != d.since:
            parts.append(("from", f.since.isoformat()))
        if f.until and f.until != d.until:
            parts.append(("to", f.until.isoformat()))
    if f.independent:
        parts.append(("independent", "2"))
    if f.known_on:
        parts.append(("known", f.known_on.isoformat()))
    return urlencode(parts, safe=",")


def filters_of(query: str, offered: Offered) -> tuple[Filters, list[str]]:
    """The selection a link asks for, and a note (plain text) for each value ignored."""
    f = offered.default()
    notes: list[str] = []
    try:
        pairs = parse_qsl(query or "", keep_blank_values=True, max_num_fields=MAX_PARAMS)
    except ValueError:
        return f, ["The link has too many parts to be one this page made; it was ignored."]
    seen = set()
    for name, value in pairs:
        if name not in PARAMS:
            notes.append(f"“{_cut(name)}” is not a filter of this page: ignored.")
            continue
        if name in seen:
            notes.append(f"“{name}” was given twice: the first one is used.")
            continue
        seen.add(name)
        if len(value) > MAX_VALUE:
            notes.append(f"The link's “{name}” is too long: ignored.")
            continue
        f = _apply(f, name, value, offered, notes)
    return f, notes


def _apply(f: Filters, name: str, value: str, offered: Offered, notes: list[str]) -> Filters:
    lists = {
        "claimant": ("claimants", offered.claimants, "claimant"),
        "metric": ("metric_groups", offered.groups, "metric"),
        "assessed": ("assessments", offered.assessments, "assessment"),
    }
    if name in lists:
        field, choices, what = lists[name]
        known = [v for _, v in choices]
        asked = [v.strip() for v in value.split(",") if v.strip()]
        unknown = [v for v in asked if v not in known]
        kept = tuple(v for v in known if v in set(asked))
        if unknown:
            words = ", ".join(f"“{_cut(v)}”" for v in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            s = "s" if len(unknown) > 1 else ""
            if kept:
                notes.append(f"Unknown {what}{s} {words}{more}: ignored.")
            else:
                notes.append(f"Unknown {what}{s} {words}{more}: every {what} is shown.")
                return f
        return f.with_(**{field: kept})
    if name == "independent":
        if value in ("2", "1", ""):
            return f.with_(independent=value == "2")
        notes.append(f"“independent={_cut(value)}” is not understood (2 or nothing): ignored.")
        return f
    field, end, what = {
        "from": ("since", False, "“from” date"),
        "to": ("until", True, "“to” date"),
        "known": ("known_on", True, "“as known on” date"),
    }[name]
    if value == "":
        return f
    try:
        day = parse_day(value, end=end)
    except ValueError as exc:
        notes.append(f"The {what}: {exc}; ignored.")
        return f
    return f.with_(**{field: day})


def notes_html(notes: list[str]) -> str:
    """The notes about a link, for the page (one short paragraph; empty when none)."""
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes[:8])
    more = f"<li>…and {len(notes) - 8} more.</li>" if len(notes) > 8 else ""
    return (
        "<div class='kursk-note' role='status'><b>Part of this link could not be used; the "
        f"rest of the view is as linked.</b><ul>{items}{more}</ul></div>"
    )


def summary(f: Filters, offered: Offered) -> str:
    """What a selection keeps, in a few words (the drawer's button): '' for everything."""
    d = offered.default()
    parts = []
    for mine, every, noun in (
        (f.claimants, d.claimants, "claimants"),
        (f.metric_groups, d.metric_groups, "metrics"),
    ):
        if set(mine) != set(every):
            parts.append(f"{len(mine)} of {len(every)} {noun}")
    if f.assessments is not None and set(f.assessments) != set(offered.assessment_ids):
        parts.append(f"{len(f.assessments)} of {len(offered.assessment_ids)} grades")
    if (f.since, f.until) != (d.since, d.until):
        parts.append(f"{f.since or '…'} to {f.until or '…'}")
    if f.independent:
        parts.append("2+ independent")
    if f.known_on:
        parts.append(f"known on {f.known_on.isoformat()}")
    return " · ".join(parts) or "all figures"
