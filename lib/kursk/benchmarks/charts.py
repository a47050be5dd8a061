"""Chart build time: median ms per chart and for all six, seed data and 10k synthetic figures."""

from __future__ import annotations

import statistics
import time

from .. import charts, load
from ..paths import BUILD_DIR


def _median_ms(build, data, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        build(data)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _rows(label: str, data, repeats: int) -> list[dict]:
    rows = []
    for name, build in charts.CHARTS.items():
        rows.append(
            {
                "section": "charts",
                "name": f"{name}, {label}",
                "value": round(_median_ms(build, data, repeats), 1),
                "unit": "ms",
                "note": f"median of {repeats}",
            }
        )
    total = _median_ms(charts.build_all, data, repeats)
    rows.append(
        {
            "section": "charts",
            "name": f"all six charts, {label}",
            "value": round(total, 1),
            "unit": "ms",
            "target": "< 1000 ms" if "seed" in label else "",
            "note": f"median of {repeats}; {len(data.figures):,} figures",
        }
    )
    return rows


def run(quick: bool = False) -> list[dict]:
    repeats = 3 if quick else 7
    seed = load()
    charts.build_all(seed)  # warm imports and the template
    rows = _rows("seed data", seed, repeats)
    try:
        from ..synth import write_dataset
    except ImportError:  # synthetic datasets are optional
        return rows
    n = 10_000
    big = load(write_dataset(BUILD_DIR / "bench" / f"synth-{n}", n, per_file=100))
    rows += _rows(f"{n:,} synthetic figures", big, 1 if quick else 3)
    seed_all = next(r for r in rows if r["name"] == "all six charts, seed data")["value"]
    big_all = rows[-1]["value"]
    rows.append(
        {
            "section": "charts",
            "name": f"all six: {n:,} / seed time ratio",
            "value": round(big_all / seed_all, 1),
            "unit": "x",
            "note": f"{n:,} vs {len(seed.figures)} figures",
        }
    )
    return rows
