"""Static snapshots of the dashboard's charts: every chart on screen before the kernel connects.

A Voila page draws its widgets only once the browser has loaded Voila's scripts, opened the
kernel's websocket, received the widget state and run plotly.js on six figures: several seconds
on a small machine. The served dashboard therefore also puts a static picture of each default
chart (an SVG drawn by kaleido, in the page itself) on screen as soon as the HTML arrives, and
swaps in the interactive charts once they are all drawn (see `Dashboard.snapshot_html`).

The server draws the snapshots once, before it starts (`python -m kursk.snapshot`, run by
`kursk.kernelcap`), into a cache keyed by each figure's JSON, so a snapshot can never show other
numbers than the chart that replaces it: a kernel whose figures have no snapshot in the cache
simply sends none. No Chromium, bad data, or any failure here only means no snapshots.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

from .paths import BUILD_DIR

WIDTH, HEIGHT = 1100, 560  # the chart column of a 1500 px wide window; the image scales
KEEP_DAYS = 14  # snapshots of figures nobody has drawn for this long are removed


def snapshot_dir() -> Path:
    """Where snapshots live: $KURSK_SNAPSHOT_DIR, else build/snapshots."""
    return Path(os.environ.get("KURSK_SNAPSHOT_DIR") or BUILD_DIR / "snapshots")


def key(fig_json: dict) -> str:
    """The cache key of one figure as plotly.js receives it (its JSON) at the snapshot size."""
    import plotly

    text = json.dumps(fig_json, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{text}|{WIDTH}x{HEIGHT}|{plotly.__version__}".encode()).hexdigest()


def path_for(fig_json: dict, folder: Path | None = None) -> Path:
    return (folder or snapshot_dir()) / f"{key(fig_json)}.svg"


def data_uri(fig_json: dict, folder: Path | None = None) -> str | None:
    """The figure's snapshot as a data: URI for an <img>, or None when there is none."""
    try:
        svg = path_for(fig_json, folder).read_bytes()
    except OSError:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render(figures: dict[str, dict], folder: Path | None = None) -> dict[str, str]:
    """Draw the figures that have no snapshot yet (one Chromium); returns name -> how."""
    folder = folder or snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    todo = {name: fig for name, fig in figures.items() if not path_for(fig, folder).exists()}
    done = {name: "cached" for name in figures if name not in todo}
    if not todo:
        return done
    import kaleido
    import plotly.io as pio

    from .briefing import PLOTLY_JS
    from .browser import find_chromium

    os.environ["BROWSER_PATH"] = str(find_chromium())
    kaleido.start_sync_server(mathjax=False, plotlyjs=str(PLOTLY_JS), silence_warnings=True)
    try:
        for name, fig in todo.items():
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                svg = pio.to_image(fig, format="svg", width=WIDTH, height=HEIGHT)
            target = path_for(fig, folder)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(svg)
            partial.replace(target)  # atomic: a kernel never reads half a file
            done[name] = "drawn"
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return done


def prune(folder: Path | None = None, keep_days: float = KEEP_DAYS) -> int:
    """Remove snapshots not used for `keep_days` (figures of data that has since changed)."""
    folder = folder or snapshot_dir()
    cutoff = time.time() - keep_days * 86400
    removed = 0
    for path in folder.glob("*.svg"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed


def main(argv: list[str] | None = None) -> int:
    """Draw the served dashboard's default charts into the snapshot cache. Never fails."""
    parser = argparse.ArgumentParser(
        prog="python -m kursk.snapshot", description=main.__doc__.splitlines()[0]
    )
    parser.add_argument("--data", default=None, help="data folder (default: KURSK_DATA_DIR)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        from .browser import ChromiumNotFound, find_chromium
        from .dashboard import Dashboard

        try:
            find_chromium()
        except ChromiumNotFound:
            print("snapshots: none (no Chromium; `make chromium` installs it)", flush=True)
            return 0
        app = Dashboard.from_data_dir(args.data, live=True)
        if app.data is None:
            print("snapshots: none (the data has errors; the page explains them)", flush=True)
            return 0
        how = render(app.figure_json())
        for fig in app.figure_json().values():
            os.utime(path_for(fig))  # in use: keep it
        prune()
    except Exception as exc:  # noqa: BLE001 - snapshots are an extra; the server starts anyway
        print(f"snapshots: none ({exc.__class__.__name__}: {exc})", flush=True)
        return 0
    drawn = sum(v == "drawn" for v in how.values())
    print(
        f"snapshots: {len(how)} charts ({drawn} drawn, {len(how) - drawn} cached) "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
