"""Loader scaling: load + validate + normalize time and peak memory, cold, per dataset size."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from kursk.paths import BUILD_DIR

from ..synth import write_dataset

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
import kursk
t1 = time.perf_counter()
data = kursk.load(sys.argv[1])
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t2 - t1, "import": t1 - t0, "figures": len(data.figures),
                  "peak_mib": peak}))
"""


def cold_load(folder) -> dict:
    """Load a dataset in a fresh interpreter (nothing cached) and report time and peak memory.
    The loader runs in the calling process, as in a viewer kernel."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def run(quick: bool = False) -> list[dict]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    repeats = 1 if quick else 3
    rows, medians, imports = [], {}, []
    for n in sizes:
        folder = write_dataset(BUILD_DIR / "bench" / f"synth-{n}", n, per_file=100)
        runs = [cold_load(folder) for _ in range(repeats)]
        assert all(r["figures"] == n for r in runs), "a synthetic figure went missing"
        medians[n] = statistics.median(r["seconds"] for r in runs)
        target = "< 5 s" if n == 100_000 else ""
        rows.append(
            {
                "section": "loader",
                "name": f"load {n:,} figures ({n // 100} files), cold",
                "value": round(medians[n], 3),
                "unit": "s",
                "target": target,
                "note": f"median of {repeats} fresh processes",
            }
        )
        rows.append(
            {
                "section": "loader",
                "name": f"peak memory, {n:,} figures",
                "value": round(max(r["peak_mib"] for r in runs), 1),
                "unit": "MiB",
            }
        )
        imports += [r["import"] for r in runs]
    rows.append(
        {
            "section": "loader",
            "name": "import kursk (pandas, pydantic), cold",
            "value": round(statistics.median(imports), 3),
            "unit": "s",
        }
    )
    big, small = sizes[-1], sizes[-2]
    rows.append(
        {
            "section": "loader",
            "name": f"time ratio {big:,} / {small:,}",
            "value": round(medians[big] / medians[small], 2),
            "unit": "x",
            "note": f"{big // small}x the figures; linear growth is ~{big // small}x",
        }
    )
    return rows
