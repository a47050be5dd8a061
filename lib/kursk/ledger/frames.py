"""Declared frame schemas: every frame leaving the loader is checked against these."""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from .models import CLAIMANT_KINDS, METRIC_GROUPS, TIERS
from .values import QUALIFIERS

PRECISIONS = ("year", "part_of_year", "month", "part_of_month", "day")
S, F, N, B, D = "string", "Float64", "Int64", "boolean", "datetime64[s]"  # text, float, int, ...
METRIC, UNIT = "<metric>", "<unit>"  # categories of the vocabulary's metrics and units


def cat(values) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(values))


# Every frame's columns: name -> (dtype, meaning). The one place they are documented:
# `help(kursk.Dataset)` points here, data/README.md lists the export's, and the data package's
# table schemas take their descriptions from here.
FIGURE_COLUMNS: dict[str, tuple[object, str]] = {
    "figure_id": (S, "the figure's id: one number as one source reports it"),
    "claim_id": (S, "the claim it reports (figures of several sources share one)"),
    "article": (S, "the source's id (articles.yaml)"),
    "source": (S, "the source by name: outlet (or title) and publication date"),
    "source_kind": (S, "article, briefing, statement, report or post"),
    "source_url": (S, "where the source was published (or its archived copy)"),
    "claimant": (S, "who asserts the number: claimant ids joined with ';'"),
    "claimant_name": (S, "the claimants' names, joined with '; '"),
    "claimant_short": (S, "the claimants' short names, for labels"),
    "claimant_kind": (S, "the claimants' kinds (intelligence, military, ...), joined with ';'"),
    "claimant_country": (S, "the claimants' countries (ISO codes), joined with ';'"),
    "n_claimants": (N, "how many claimants assert it together"),
    "via": (S, "relays between the claimant and the source's outlet, 'a -> b'"),
    "metric": (METRIC, "what is counted (vocabulary.yaml)"),
    "metric_label": (S, "the metric in words"),
    "metric_group": (cat(METRIC_GROUPS), "deployment, casualties, payment or distance"),
    "metric_total": (B, "the metric counts its group's whole (deployed; killed_or_wounded)"),
    "unit": (UNIT, "persons, percent, usd or km"),
    "qualifier": (cat(QUALIFIERS), "how the number is worded: exact, about, over, range, ..."),
    "low": (F, "lowest value it can mean (vague words: their documented reading)"),
    "high": (F, "highest value it can mean; empty for an open bound ('over 6,000')"),
    "approximate": (B, "worded as approximate ('about', 'nearly', a hedged range, vague)"),
    "vague": (B, "a vague quantity ('thousands'), read by vocabulary.yaml"),
    "worded": (S, "the number as a reader would say it: 'over 6,000'"),
    "as_of": (S, "when the number holds, as written (or the source's publication date)"),
    "as_of_date": (D, "start of the period as_of names"),
    "as_of_end": (D, "end of the period as_of names"),
    "as_of_precision": (cat(PRECISIONS), "year, part_of_year, month, part_of_month or day"),
    "as_of_approximate": (B, "the date itself is approximate ('~')"),
    "as_of_basis": (cat(("stated", "published", "unknown")), "where as_of comes from"),
    "scope": (cat(("cumulative", "window")), "a running total, or a count over a window"),
    "window": (S, "the window as worded ('in the past week')"),
    "window_days": (N, "the window's length in days, when known"),
    "contingent": (S, "the deployment wave (contingents.yaml)"),
    "subject": (S, "what exactly is counted ('sappers')"),
    "part_of": (S, "the figure whose stated total this is part of"),
    "breakdown": (S, "the breakdown (without a stated total) this is part of"),
    "revises": (S, "the earlier figure of the same claimant this replaces"),
    "revised_by": (S, "the later figure that replaces this one"),
    "current": (B, "its claim is not replaced by a later revision of the claimant"),
    "event": (S, "the event this reports (events.yaml)"),
    "event_disagrees": (B, "reports of the same event give numbers that cannot all be true"),
    "progress_of": (S, "the planned figure this counts progress toward"),
    "denominator": (S, "the figure this is out of"),
    "share_of": (S, "for a percentage: the metric it is a share of"),
    "confidence": (S, "the claimant's own wording ('reportedly')"),
    "confidence_tier": (cat(TIERS), "that wording's tier (vocabulary.yaml): high, medium, low"),
    "quote": (S, "verbatim evidence from the source, at most 15 words"),
    "translation": (S, "the quote in English, when the source is in another language"),
    "note": (S, "the curator's note"),
    "assessment": (S, "our own grade of the figure (vocabulary.yaml), or empty: unassessed"),
    "assessment_reason": (S, "why it has that grade"),
    "assessed_by": (S, "who assessed it"),
    "assessed_on": (S, "when"),
    "assessment_history": (S, "earlier grades, oldest first: 'weak (2025-02-01, by X); ...'"),
    "initial_assessment": (S, "the first grade it was given"),
    "origin": (S, "the report this one goes back to: its source's original, or its relay"),
    "n_articles": (N, "how many sources report the claim"),
    "n_independent": (N, "how many of them are independent (different origins)"),
    "file": (S, "the YAML file the figure is curated in"),
    "line": (N, "its line there"),
}
CLAIM_COLUMNS: dict[str, tuple[object, str]] = {
    "claim_id": (S, "the claim's id"),
    "metric": (S, "what is counted"),
    "metric_group": (cat(METRIC_GROUPS), "the metric's group"),
    "unit": (S, "the unit"),
    "low": (F, "lowest value any report of it can mean"),
    "high": (F, "highest value; empty when any report leaves it open"),
    "worded": (S, "the first report's wording"),
    "contingent": (S, "the deployment wave"),
    "figure_ids": (S, "the reports' figure ids, joined with ';'"),
    "articles": (S, "the sources reporting it, joined with ';'"),
    "n_articles": (N, "how many sources report it"),
    "n_independent": (N, "how many independent reports (sources of different origins)"),
    "claimants": (S, "claimant ids, joined with ';'"),
    "claimant_names": (S, "claimant names, joined with '; '"),
    "first_as_of": (D, "earliest as-of date among its reports"),
    "last_as_of": (D, "latest as-of date among its reports"),
}
ARTICLE_COLUMNS: dict[str, tuple[object, str]] = {
    "article": (S, "the source's id"),
    "kind": (S, "article, briefing, statement, report or post"),
    "label": (S, "the source by name: outlet (or title) and publication date"),
    "title": (S, "its title"),
    "outlet": (S, "who published it"),
    "url": (S, "where it was published"),
    "published": (S, "publication date as written"),
    "published_date": (D, "start of that date's period"),
    "published_precision": (cat(PRECISIONS), "how precisely the date is known"),
    "published_approximate": (B, "the date is inferred or approximate ('~')"),
    "accessed": (S, "when the curator read it"),
    "archive_url": (S, "an archived copy"),
    "language": (S, "the language of its text (ISO 639)"),
    "text_held": (B, "its text is held, so its quotes can be checked"),
    "sha256": (S, "sha256 of the held text"),
    "no_text": (S, "why no text is held"),
    "reposts": (S, "the source this one reproduces"),
    "original": (S, "the outlet it reproduces, when not a listed source"),
    "notes": (S, "the curator's notes"),
    "n_figures": (N, "figures curated from it"),
}
CLAIMANT_COLUMNS: dict[str, tuple[object, str]] = {
    "claimant": (S, "the claimant's id"),
    "name": (S, "its name"),
    "short_name": (S, "its short name for labels"),
    "colour": (S, "its colour in every chart (#RRGGBB)"),
    "kind": (cat(CLAIMANT_KINDS), "intelligence, military, government, media, analyst, ..."),
    "country": (S, "ISO 3166 code, when one country applies"),
    "note": (S, "the curator's note"),
    "n_figures": (N, "figures it asserts"),
}
CONTINGENT_COLUMNS: dict[str, tuple[object, str]] = {
    "contingent": (S, "the wave's id"),
    "label": (S, "its name"),
    "start": (S, "when it started, as written"),
    "start_date": (D, "start of that date's period"),
    "part_of": (S, "the wave it is part of"),
    "description": (S, "what it is"),
}
EVENT_COLUMNS: dict[str, tuple[object, str]] = {
    "event": (S, "the event's id"),
    "date": (S, "its date as written"),
    "date_start": (D, "start of that date's period"),
    "date_end": (D, "end of that date's period"),
    "label": (S, "short label for charts"),
    "kind": (S, "milestone (drawn on timelines) or statement (reported by several sources)"),
    "claimant": (S, "who made the statement"),
    "source": (S, "a source reporting it"),
    "url": (S, "a link"),
    "note": (S, "the curator's note"),
    "n_figures": (N, "figures reporting it"),
}
IGNORED_COLUMNS: dict[str, tuple[object, str]] = {
    "article": (S, "the source's id"),
    "quote": (S, "the text around a number that is not a figure"),
    "number": (S, "the number meant, when the quote has several"),
    "reason": (S, "why it is not a figure"),
    "figure": (S, "the figure it restates"),
}


def _dtypes(columns: dict[str, tuple[object, str]]) -> dict[str, object]:
    return {name: dtype for name, (dtype, _) in columns.items()}


def figures_schema(metrics, units) -> dict[str, object]:
    """Columns and dtypes of the figures frame (one row per figure as reported)."""
    kinds = {METRIC: cat(metrics), UNIT: cat(units)}
    return {
        n: kinds.get(d, d) if isinstance(d, str) else d for n, d in _dtypes(FIGURE_COLUMNS).items()
    }


CLAIMS_SCHEMA = _dtypes(CLAIM_COLUMNS)
ARTICLES_SCHEMA = _dtypes(ARTICLE_COLUMNS)
CLAIMANTS_SCHEMA = _dtypes(CLAIMANT_COLUMNS)
CONTINGENTS_SCHEMA = _dtypes(CONTINGENT_COLUMNS)
EVENTS_SCHEMA = _dtypes(EVENT_COLUMNS)
IGNORED_SCHEMA = _dtypes(IGNORED_COLUMNS)

# Columns `kursk export` writes, in order: each figure with its source, claimant, value,
# dates, relations and evidence (data/README.md documents them). Dates are ISO (YYYY-MM-DD):
# as_of and as_of_end are the period's first and last day, as_of_written the curator's text.
EXPORT_COLUMNS = [
    "figure_id", "claim_id", "article", "source", "source_kind", "source_url", "claimant",
    "claimant_name",
    "claimant_kind", "claimant_country", "via", "metric", "metric_label", "unit", "qualifier",
    "low", "high", "worded", "as_of", "as_of_end", "as_of_precision", "as_of_approximate",
    "as_of_written", "as_of_basis", "scope", "window", "window_days", "contingent", "subject", "part_of",
    "breakdown", "revises", "revised_by", "current", "event", "event_disagrees", "progress_of",
    "denominator", "share_of", "confidence", "confidence_tier", "assessment",
    "assessment_reason", "assessed_by", "assessed_on", "assessment_history", "initial_assessment",
    "quote", "translation", "note", "origin", "n_articles", "n_independent", "data_version",
    "cite",
]  # fmt: skip
# Export columns that are not figure columns, or whose values differ from the figure column of
# the same name: their types and meanings (data/README.md and the data package state these).
EXPORT_ONLY_COLUMNS: dict[str, tuple[object, str]] = {
    "as_of": (D, "first day of the period the number holds for (its as_of, else the source's publication date)"),
    "as_of_written": (S, "that date as written in the YAML ('mid 2025-01', '2025-06~')"),
    "data_version": (S, "the version of the data this row was exported from: 'data <fingerprint> (git <commit>, <date>)'"),
    "cite": (S, "how to cite this figure: claimant, source and its date, figure id, data version"),
}  # fmt: skip


def build(rows: list[dict] | dict[str, list], schema: dict[str, object]) -> pd.DataFrame:
    """A frame with exactly the declared columns, in order, cast to the declared dtypes."""
    if isinstance(rows, dict) and all(column in rows for column in schema):
        # Column lists: each is built straight in its dtype, which on large frames costs about
        # half of building an object frame and casting it (same values, same dtypes).
        columns = {column: _column(list(rows[column]), dtype) for column, dtype in schema.items()}
        return check(pd.DataFrame(columns, copy=False), schema)
    frame = pd.DataFrame(rows, columns=list(schema))
    for column, dtype in schema.items():
        if str(dtype).startswith("datetime64") and frame[column].dtype == object:
            # Python dates (or None) -> datetime64 in one vectorised step
            frame[column] = pd.to_datetime(frame[column], errors="raise")
        frame[column] = frame[column].astype(dtype)
    return check(frame, schema)


def _column(values: list, dtype: object):
    """One column in its dtype: what an object frame's column cast to dtype would hold."""
    if str(dtype).startswith("datetime64"):
        series = pd.Series(values, dtype=None if values else object)
        if series.dtype == object:
            series = pd.to_datetime(series, errors="raise")
        return series.astype(dtype).array
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(np.fromiter(values, dtype=object, count=len(values)), dtype=dtype)
    if values.count(None) == len(values):  # e.g. a field no figure uses
        return pd.array([None], dtype=dtype).take(np.zeros(len(values), dtype=np.intp))
    if dtype in ("Float64", "Int64", "boolean") and None not in values:
        return pd.array(np.array(values), dtype=dtype)
    return pd.array(np.fromiter(values, dtype=object, count=len(values)), dtype=dtype)


def check(frame: pd.DataFrame, schema: dict[str, object]) -> pd.DataFrame:
    """Raise TypeError if the frame's columns or dtypes differ from the declared schema."""
    if list(frame.columns) != list(schema):
        raise TypeError(f"frame columns {list(frame.columns)} != declared {list(schema)}")
    for column, dtype in schema.items():
        if frame[column].dtype != pd.api.types.pandas_dtype(dtype):
            raise TypeError(f"column {column!r} is {frame[column].dtype}, declared {dtype}")
    return frame


@functools.lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> type:
    return collections.namedtuple("Row", ["Index", *columns], rename=True)


def records(frame: pd.DataFrame) -> Iterator:
    """The rows of a frame as named tuples, like `frame.itertuples()` (the same fields and
    values), at under half its cost on these wide frames: pandas builds a Series per column
    and a new tuple type per call (make bench: dashboard redraws loop over rows often)."""
    row = _row_type(tuple(frame.columns))
    # the arrays as stored, read only: `frame[c]` built a Series per column, half the cost
    columns = frame._iter_column_arrays()  # noqa: SLF001 - pandas is pinned (uv.lock)
    return map(row._make, zip(frame.index, *columns, strict=True))
