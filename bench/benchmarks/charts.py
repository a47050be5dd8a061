"""Chart build time: median ms per chart and for all of them, seed data and 10k synthetic figures."""

from __future__ import annotations

import statistics
import time

from kursk import charts, load
from kursk.paths import BUILD_DIR


def _time(build, data, repeats: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of build(data); CPU time is what a busy machine hides."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        build(data)
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _rows(label: str, data, repeats: int, target: str = "") -> list[dict]:
    rows = []
    for name, chart in charts.CHARTS.items():
        wall, cpu = _time(chart.figure, data, repeats)
        rows.append(
            {
                "section": "charts",
                "name": f"{name}, {label}",
                "value": round(wall, 1),
                "unit": "ms",
                "note": f"median of {repeats}; CPU {cpu:.1f} ms",
            }
        )
    wall, cpu = _time(charts.build_all, data, repeats)
    rows.append(
        {
            "section": "charts",
            "name": f"all {len(charts.CHARTS)} charts, {label}",
            "value": round(wall, 1),
            "unit": "ms",
            "target": target,
            "note": f"median of {repeats}; CPU {cpu:.1f} ms; {len(data.figures):,} figures",
        }
    )
    return rows


def _as_json(data) -> None:
    """What the dashboard does for a selection: each chart as plotly JSON for the page."""
    for chart in charts.CHARTS.values():
        charts.figure_json(chart.spec(data))


def run(quick: bool = False) -> list[dict]:
    repeats = 3 if quick else 9
    seed = load()
    charts.build_all(seed)  # warm imports and the template
    rows = _rows("seed data", seed, repeats, target="< 1000 ms")
    wall, cpu = _time(_as_json, seed, repeats)
    rows.append(
        {
            "section": "charts",
            "name": "all charts as the page's JSON (the dashboard's path), seed data",
            "value": round(wall, 1),
            "unit": "ms",
            "note": f"median of {repeats}; CPU {cpu:.1f} ms; Chart.spec + figure_json, "
            "no plotly objects",
        }
    )
    try:
        from ..synth import write_dataset
    except ImportError:  # synthetic datasets are optional
        return rows
    n = 10_000
    big = load(write_dataset(BUILD_DIR / "bench" / f"synth-{n}", n, per_file=100))
    rows += _rows(f"{n:,} synthetic figures", big, 1 if quick else 3, target="< 5000 ms")
    seed_all = next(r for r in rows if r["name"] == f"all {len(charts.CHARTS)} charts, seed data")[
        "value"
    ]
    rows.append(
        {
            "section": "charts",
            "name": f"all charts: {n:,} / seed time ratio",
            "value": round(rows[-1]["value"] / seed_all, 1),
            "unit": "x",
            "note": f"{n:,} vs {len(seed.figures)} figures (category charts cap their rows)",
        }
    )
    return rows
