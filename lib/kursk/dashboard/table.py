"""The table of figures behind the charts, and its CSV download."""

from __future__ import annotations

import html

import pandas as pd

from ..ledger import Dataset, export_text


def table_rows(data: Dataset) -> pd.DataFrame:
    """The rows the table shows, with their provenance."""
    f = data.figures
    titles = data.articles.set_index("article")["title"]
    return pd.DataFrame(
        {
            "Claimant": f["claimant_name"],
            "Metric": f["metric_label"],
            "Value": f["worded"],
            "As of": f["as_of"].fillna("") + " (" + f["as_of_basis"].astype(str) + ")",
            "Article": f["article"] + " · " + f["article"].map(titles).fillna(""),
            "Quote": "“" + f["quote"] + "”",
            "Curated at": f["file"] + ":" + f["line"].astype("string").fillna("?"),
        }
    )


def table_html(data: Dataset) -> str:
    rows = table_rows(data)
    if rows.empty:
        return "<p>No figures match the current filters.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
        for r in rows.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def csv_text(data: Dataset) -> str:
    """The selection's rows as `kursk export` writes them."""
    return export_text(data, "csv")
