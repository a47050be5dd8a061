"""The briefing's offline page: plotly.js inline once, every chart, the headline and the table."""

from __future__ import annotations

import html

from ..paths import PLOTLY_JS

WIDTH, HEIGHT = 1200, 700


def rows_html(table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        body.append(f"<tr>{cells}</tr>")
    rows = "".join(body)
    return f"<table class='figures'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def page(figs: dict, lines: list[str], table, filt: dict) -> str:
    """One self-contained HTML page: plotly.js inline once, every chart, headline and table."""
    import plotly.io as pio

    charts = []
    for name, fig in figs.items():
        div = pio.to_html(
            fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=name,
            default_width=f"{WIDTH}px",
            default_height=f"{HEIGHT}px",
            config={"displaylogo": False, "responsive": True},
        )
        charts.append(f"<section class='chart'>{div}</section>")
    heads = "".join(f"<li>{html.escape(s)}</li>" for s in lines)
    shown = ", ".join(f"{k}={v}" for k, v in filt.items() if v) or "none (all figures)"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>Kursk Figures briefing</title><style>"
        "body{font-family:sans-serif;margin:24px;color:#222;max-width:1260px}"
        "h1{margin:0 0 8px}.headline{font-size:17px;line-height:1.5}"
        "table.figures{border-collapse:collapse;font-size:12px}"
        "table.figures td,table.figures th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "table.figures th{background:#eee}.chart{margin:18px 0}"
        "</style>"
        f"<script type='text/javascript'>{PLOTLY_JS.read_text(encoding='utf-8')}</script></head><body>"
        "<h1>North Korean deployment to Kursk: the figures</h1>"
        f"<p>Filter: {html.escape(shown)}</p>"
        f"<ul class='headline'>{heads}</ul>"
        + "".join(charts)
        + "<h2>Figures and their sources</h2>"
        + rows_html(table)
        + "</body></html>\n"
    )
