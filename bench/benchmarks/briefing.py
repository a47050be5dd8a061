"""Briefing wall time: all charts x png/svg/pdf + html + md + csv (median), and per image."""

from __future__ import annotations

import statistics
import tempfile
import time

from kursk import load
from kursk.briefing import FORMATS, build_briefing
from kursk.charts import CHARTS

TARGET_S = 10.0


def _once(data, formats) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        build_briefing(data, out, formats, progress_step=lambda label: None)
        return time.perf_counter() - start


def run(quick: bool = False) -> list[dict]:
    """Median wall time of a full briefing and the per-image time it implies."""
    data = load()
    runs = 1 if quick else 3
    full = statistics.median(_once(data, FORMATS) for _ in range(runs))
    text = statistics.median(_once(data, ()) for _ in range(runs))
    n_images = len(CHARTS) * len(FORMATS)
    return [
        {
            "section": "briefing",
            "name": "full briefing (png+svg+pdf+html+md+csv)",
            "value": round(full, 2),
            "unit": "s",
            "target": f"< {TARGET_S:.0f} s",
            "note": f"median of {runs}",
        },
        {
            "section": "briefing",
            "name": "text outputs only (html+md+csv)",
            "value": round(text, 2),
            "unit": "s",
            "note": f"median of {runs}",
        },
        {
            "section": "briefing",
            "name": "per image (one browser for the batch)",
            "value": round((full - text) / n_images, 3),
            "unit": "s",
            "note": f"{n_images} images",
        },
    ]
