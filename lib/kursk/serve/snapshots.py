"""Drawing the dashboard's default charts into the snapshot cache, before the server starts.

`python -m kursk.serve.snapshots` (run by serve/app.py at start) draws each default chart as
SVG with kaleido, into the cache the page reads (dashboard/snapshot.py: keyed by the figure's
JSON). No Chromium, bad data, or any failure here only means no snapshots: pages then wait
for the live charts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..briefing.images import ImageSession
from ..dashboard.snapshot import HEIGHT, WIDTH, path_for
from ..paths import snapshot_dir

KEEP_DAYS = 14  # pictures of figures nobody has drawn for this long are removed


def render(figures: dict[str, dict], folder: Path | None = None) -> dict[str, str]:
    """Draw the figures that have no snapshot yet (one Chromium); returns name -> how."""
    folder = folder or snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    todo = {name: fig for name, fig in figures.items() if not path_for(fig, folder).exists()}
    done = {name: "cached" for name in figures if name not in todo}
    if not todo:
        return done
    with ImageSession() as images:
        for name, fig in todo.items():
            svg = images.draw(fig, "svg", WIDTH, HEIGHT)
            target = path_for(fig, folder)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(svg)
            partial.replace(target)  # atomic: a kernel never reads half a file
            done[name] = "drawn"
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
        prog="python -m kursk.serve.snapshots", description=main.__doc__.splitlines()[0]
    )
    parser.add_argument("--data", default=None, help="data folder (default: KURSK_DATA_DIR)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        from ..chromium import ChromiumNotFound, find_chromium
        from ..dashboard import Dashboard

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
