"""How one figure is cited: who says it, where and when it was reported, and where it was
compiled (figure id and data version), so a reader can find both the original and our row.

The one wording of "cite this figure": the export's `cite` column, the tables, the data
package and the notebook all take it from here.
"""

from __future__ import annotations

import pandas as pd

PROJECT = "Kursk Figures"


def _text(value) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def cite(row, version_label: str) -> str:
    """'UK intelligence, via Express & Star, reported by Harbour Wire, 13 Nov 2024,
    https://...; in Kursk Figures, figure a003-uk-kwia-6000, data 1a2b3c4d5e6f (git 9f9b645,
    2026-11-29)'. row: a figures (or export) row with claimant_name, via, source, source_url
    and figure_id; version_label: DataVersion.label."""
    return _cite(
        row.claimant_name, row.via, row.source, row.source_url, row.figure_id, version_label
    )


def _cite(claimant_name, via, source, source_url, figure_id, version_label: str) -> str:
    who = str(claimant_name)
    if _text(via):
        who += f", via {via}"
    where = str(source)  # the source by name: outlet (or title) and its date
    if _text(source_url):
        where += f", {source_url}"
    return f"{who}, reported by {where}; in {PROJECT}, figure {figure_id}, {version_label}"


COLUMNS = ("claimant_name", "via", "source", "source_url", "figure_id")


def citations(figures: pd.DataFrame, version_label: str) -> pd.Series:
    """The citation of every row of a figures frame, as a string column on its index."""
    # plain columns, not itertuples: a dashboard view's table cites every row it shows
    columns = [figures[c].to_numpy(dtype=object, na_value=None) for c in COLUMNS]
    return pd.Series(
        [_cite(*values, version_label) for values in zip(*columns, strict=True)],
        index=figures.index,
        dtype="string",
    )
