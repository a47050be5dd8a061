"""The briefing's offline page: plotly.js (the cartesian bundle) inline once, every chart, the
headline, and the figures with their sources, readable on a phone and on a desktop."""

from __future__ import annotations

import html

import pandas as pd

from ..analysis.wording import figures_table
from ..charts.theme import PLOTLY_CONFIG
from ..ledger import Dataset
from ..paths import PLOTLY_JS

WIDTH, HEIGHT = 1200, 700  # the images; the page's charts take the width they are given

STYLE = """
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#e4e7eb}
*{box-sizing:border-box}
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:var(--ink);background:#f6f7f9}
main{max-width:1260px;margin:0 auto;padding:16px}
h1{font-size:clamp(20px,4vw,28px);margin:4px 0}
.meta{color:var(--muted);font-size:14px;margin:4px 0 12px}
.headline{font-size:16px;line-height:1.5;padding-left:20px}
.chart{background:#fff;border:1px solid var(--line);border-radius:6px;margin:14px 0;
  height:min(700px,90vh);min-height:420px}
.chart>div{width:100%;height:100%}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border-bottom:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top}
th{background:#f0f2f5;position:sticky;top:0}
a{color:#0b5cad}
@media (max-width:700px){.chart{height:520px}table{font-size:12px}}
"""


def table_html(data: Dataset) -> str:
    """The figures as readers read them: names, numbers as worded, sources linked."""
    rows = figures_table(data)
    if rows.empty:
        return "<p>No figures match the filter.</p>"
    shown = [c for c in rows.columns if not c.startswith("_")]
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in shown)
    body = []
    for r in rows.to_dict("records"):
        cells = []
        for c in shown:
            value = "" if r[c] is None or (not isinstance(r[c], str) and pd.isna(r[c])) else r[c]
            text = html.escape(str(value))
            if c == "Source" and r["_url"]:
                text = f"<a href='{html.escape(r['_url'], quote=True)}'>{text}</a>"
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<div class='table-wrap' tabindex='0' role='region' aria-label='The figures and their "
        f"sources'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</div>"
    )


def page(data: Dataset, figs: dict, lines: list[str], provenance: str, changes: str = "") -> str:
    """One self-contained HTML page: plotly.js inline once, every chart, headline and table;
    changes: a "What changed" section (publish.report.html_section), after the headline."""
    import plotly.io as pio

    charts = []
    for name, fig in figs.items():
        div = pio.to_html(
            fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=name,
            default_width="100%",
            default_height="100%",
            config=PLOTLY_CONFIG,
        )
        charts.append(
            f"<section class='chart' aria-label='{html.escape(name)} chart'>{div}</section>"
        )
    heads = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
    shown = data.selection or "none (all figures)"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Kursk Figures briefing</title><style>{STYLE}</style>"
        f"<script>{PLOTLY_JS.read_text(encoding='utf-8')}</script></head><body><main>"
        "<h1>Kursk Figures: North Korea's deployment to Kursk</h1>"
        f"<p class='meta'>Filter: {html.escape(shown)}<br>{html.escape(provenance)}</p>"
        f"<ul class='headline'>{heads}</ul>"
        + changes
        + "".join(charts)
        + "<h2>The figures and their sources</h2>"
        + table_html(data)
        + "</main></body></html>\n"
    )
