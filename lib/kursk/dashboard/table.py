"""The table of figures behind the charts, and the CSV a reader downloads of them."""

from __future__ import annotations

import datetime as dt
import html
import re

from ..analysis.wording import figures_table
from ..ledger import Dataset, export_text
from ..publish.citation import LICENCE
from .filters import Filters, Offered

TABLE_ID = "kursk-table"


def table_html(data: Dataset) -> str:
    """The figures as a table in a scrolling region the keyboard can reach (Tab, then arrow
    keys); on a phone each row reads as a card, each value under its column's name."""
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
                url = html.escape(r["_url"], quote=True)
                text = f"<a href='{url}' rel='noopener noreferrer' target='_blank'>{text}</a>"
            label = html.escape(c, quote=True)
            cells.append(f"<td data-label='{label}'>{text}</td>" if text else "<td></td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<div class='kursk-table-scroll' id='{TABLE_ID}' tabindex='0' role='region' "
        f"aria-label='The figures behind the charts, {len(rows)} rows'>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def csv_text(data: Dataset) -> str:
    """The selection's rows as `kursk export` writes them."""
    return export_text(data, "csv")


CSV_HEAD_LINES = 4  # the lines before the CSV header: pandas.read_csv(path, skiprows=4)


def csv_download(data: Dataset, f: Filters, offered: Offered, today: dt.date | None = None):
    """(file name, bytes): the CSV a reader downloads. Its name says the filter; its first
    CSV_HEAD_LINES lines say the filter, the data version, the day and the licence; then
    the export (ISO dates, their precision, each figure's citation)."""
    today = today or dt.date.today()
    said = data.selection or "none (every figure)"
    head = [
        f"# Kursk Figures: {len(data.figures)} figures, downloaded {today.isoformat()}",
        f"# Filter: {said}",
        f"# Data: {data.version.label}",
        f"# Licence: {LICENCE['title']}; quotes remain their authors' words; cite each "
        "figure as its 'cite' column says",
    ]
    text = "\n".join(line.replace("\n", " ") for line in head) + "\n" + csv_text(data)
    return csv_name(f, offered), text.encode("utf-8")


def csv_name(f: Filters, offered: Offered) -> str:
    """'kursk-figures_kr-military_casualties_2025-01-01--2025-06-30.csv': what was kept."""
    d = offered.default()
    parts = ["kursk-figures"]
    if set(f.claimants) != set(d.claimants):
        parts.append(
            "+".join(f.claimants) if len(f.claimants) <= 3 else f"{len(f.claimants)}-claimants"
        )
        if not f.claimants:
            parts[-1] = "no-claimants"
    if set(f.metric_groups) != set(d.metric_groups):
        parts.append("+".join(f.metric_groups) or "no-metrics")
    if f.assessments is not None and set(f.assessments) != set(offered.assessment_ids):
        parts.append("assessed-" + ("+".join(f.assessments) or "none"))
    if (f.since, f.until) != (d.since, d.until):
        parts.append(f"{f.since or ''}--{f.until or ''}")
    if f.independent:
        parts.append("independent")
    if f.known_on:
        parts.append(f"known-{f.known_on.isoformat()}")
    name = "_".join(parts)
    return re.sub(r"[^A-Za-z0-9._+-]", "-", name)[:180] + ".csv"
