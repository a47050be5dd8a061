"""The table of figures behind the charts, and its CSV download."""

from __future__ import annotations

import html

from ..analysis.wording import figures_table
from ..ledger import Dataset, export_text


def table_html(data: Dataset) -> str:
    rows = figures_table(data)
    if rows.empty:
        return "<p>No figures match the current filters.</p>"
    shown = [c for c in rows.columns if not c.startswith("_")]
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in shown)
    body = []
    for r in rows.to_dict("records"):
        cells = []
        for c in shown:
            text = html.escape(str(r[c]))
            if c == "Source" and r["_url"]:
                text = f"<a href='{html.escape(r['_url'], quote=True)}' rel='noopener noreferrer' target='_blank'>{text}</a>"
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def csv_text(data: Dataset) -> str:
    """The selection's rows as `kursk export` writes them."""
    return export_text(data, "csv")
