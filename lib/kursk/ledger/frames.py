"""Declared frame schemas: every frame leaving the loader is checked against these."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .models import CLAIMANT_KINDS, METRIC_GROUPS, TIERS
from .values import QUALIFIERS

PRECISION_CATEGORIES = ("year", "month", "day", "approximate")

# Columns `kursk export` writes, in order (the issue names them exactly).
EXPORT_COLUMNS = [
    "figure_id", "claim_id", "article", "claimant", "claimant_name", "claimant_kind",
    "claimant_country", "metric", "unit", "qualifier", "low", "high", "as_of",
    "as_of_precision", "scope", "contingent", "part_of", "quote", "n_articles",
]  # fmt: skip


def cat(values) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(values))


def figures_schema(metrics, units) -> dict[str, object]:
    """Columns and dtypes of the figures frame (one row per figure as reported)."""
    return {
        "figure_id": "string",
        "claim_id": "string",
        "article": "string",
        "claimant": "string",  # ids joined with ';'
        "claimant_name": "string",
        "claimant_kind": "string",
        "claimant_country": "string",
        "n_claimants": "Int64",
        "metric": cat(metrics),
        "metric_label": "string",
        "metric_group": cat(METRIC_GROUPS),
        "unit": cat(units),
        "qualifier": cat(QUALIFIERS),
        "low": "Float64",
        "high": "Float64",
        "approximate": "boolean",
        "vague": "boolean",
        "worded": "string",
        "as_of": "string",
        "as_of_date": "datetime64[s]",
        "as_of_precision": cat(PRECISION_CATEGORIES),
        "as_of_basis": cat(("stated", "published", "unknown")),
        "scope": cat(("cumulative", "window")),
        "window": "string",
        "contingent": "string",
        "subject": "string",
        "part_of": "string",
        "share_of": "string",
        "via": "string",
        "confidence": "string",
        "confidence_tier": cat(TIERS),
        "quote": "string",
        "note": "string",
        "n_articles": "Int64",
        "file": "string",
        "line": "Int64",
    }


CLAIMS_SCHEMA = {
    "claim_id": "string",
    "metric": "string",
    "metric_group": cat(METRIC_GROUPS),
    "unit": "string",
    "low": "Float64",
    "high": "Float64",
    "worded": "string",
    "contingent": "string",
    "figure_ids": "string",
    "articles": "string",
    "n_articles": "Int64",
    "claimants": "string",
    "claimant_names": "string",
    "first_as_of": "datetime64[s]",
    "last_as_of": "datetime64[s]",
}

ARTICLES_SCHEMA = {
    "article": "string",
    "title": "string",
    "outlet": "string",
    "url": "string",
    "published": "string",
    "published_date": "datetime64[s]",
    "published_precision": cat(PRECISION_CATEGORIES),
    "sha256": "string",
    "notes": "string",
    "n_figures": "Int64",
}

CLAIMANTS_SCHEMA = {
    "claimant": "string",
    "name": "string",
    "kind": cat(CLAIMANT_KINDS),
    "country": "string",
    "note": "string",
    "n_figures": "Int64",
}

CONTINGENTS_SCHEMA = {
    "contingent": "string",
    "label": "string",
    "start": "string",
    "start_date": "datetime64[s]",
    "part_of": "string",
    "description": "string",
}

IGNORED_SCHEMA = {
    "article": "string",
    "quote": "string",
    "number": "string",
    "reason": "string",
    "figure": "string",
}


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
