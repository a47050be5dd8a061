"""The static snapshot: the dashboard as pictures, on screen as soon as the HTML arrives.

A Voila page draws its widgets only once the browser has loaded Voila's scripts, opened the
kernel's websocket, received the widget state and run plotly.js on every figure: seconds on a
small machine. Served pages therefore carry a picture of each chart (an SVG drawn before the
server starts, see serve/snapshots.py) and swap in the live charts once they are all drawn
(snapshot.js). Pictures are cached under a key of the figure's JSON, so a snapshot can never
show other numbers than the chart that replaces it: a figure without a picture means no
snapshot at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

from ..paths import snapshot_dir
from .page import asset, header_html, style

WIDTH, HEIGHT = 1100, 560  # the chart column of a 1500 px wide window; the image scales


def key(fig_json: dict) -> str:
    """The cache key of one figure as plotly.js receives it (its JSON) at the snapshot size."""
    import plotly

    text = json.dumps(fig_json, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{text}|{WIDTH}x{HEIGHT}|{plotly.__version__}".encode()).hexdigest()


def path_for(fig_json: dict, folder: Path | None = None) -> Path:
    return (folder or snapshot_dir()) / f"{key(fig_json)}.svg"


def data_uri(fig_json: dict, folder: Path | None = None) -> str | None:
    """The figure's picture as a data: URI for an <img>, or None when there is none."""
    try:
        svg = path_for(fig_json, folder).read_bytes()
    except OSError:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def snapshot_html(images: dict[str, tuple[str, dict]], headline: str, updated: str = "") -> str:
    """The dashboard as static pictures (name -> (data URI, figure JSON)), laid out like the
    live view so that the live charts take their places without the page moving."""
    pictures = []
    for name, (uri, fig) in images.items():
        title = (fig.get("layout", {}).get("title", {}) or {}).get("text", "")
        bold = " ".join(re.findall(r"<b>(.*?)</b>", title)) or title.split("<br>")[0]
        alt = html.escape(html.unescape(re.sub(r"<[^>]+>", " ", bold)).strip(), True)
        pictures.append(
            f"<div class='kursk-snap-chart' data-chart='{name}'><img alt='{alt}' src='{uri}'></div>"
        )
    return (
        f"<div id='kursk-snapshot' class='kursk-dashboard' data-charts='{len(pictures)}'>"
        + style()
        + f"<style>{asset('snapshot.css')}</style>"
        # header and headline boxed as ipywidgets boxes them in the live view (whose CSS
        # is not loaded yet): the live charts take the snapshot's place without a shift
        + f"<div class='kursk-snap-html kursk-header'>{header_html()}{updated}</div>"
        "<div class='kursk-snap-bar'></div>"
        f"<div class='kursk-snap-html kursk-headline'>{headline}</div>"
        + "<div class='kursk-snap-body'><div class='kursk-filters kursk-snap-filters'>"
        "<b>Filters</b><p>The interactive dashboard (filters, hover details, table, "
        "download) is loading…</p></div>"
        f"<div class='kursk-snap-main'>{''.join(pictures)}</div></div></div>"
        + f"<script>{asset('snapshot.js')}</script>"
    )
