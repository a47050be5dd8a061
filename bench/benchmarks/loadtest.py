"""Load test summary for `make bench`: the last build/loadtest.json, or a small run (--quick)."""

from __future__ import annotations

import json

from kursk.paths import BUILD_DIR

from ..loadtest import TARGET_P95_S, load_test


def rows_from(report: dict, source: str) -> list[dict]:
    """Bench rows from a load-test report."""
    s, m, c = report["summary"], report["memory"], report["config"]
    note = f"{s['viewers']} viewers ({c['browsers']} Chromium), pool {c['pool']}, {source}"
    rows = [
        {
            "section": "loadtest",
            "name": "viewers served",
            "value": s["served"],
            "unit": "viewers",
            "target": f"{s['viewers'] - s['busy']} (all below the cap)",
            "note": note,
        },
        {"section": "loadtest", "name": "busy pages", "value": s["busy"], "unit": "viewers"},
        {
            "section": "loadtest",
            "name": "errors",
            "value": s["errors"],
            "unit": "viewers",
            "target": "0",
        },
        {
            "section": "loadtest",
            "name": "time to all charts on screen p50 / p95",
            "value": f"{s.get('visible_p50_s')} / {s.get('visible_p95_s')}",
            "unit": "s",
            "target": f"p95 < {TARGET_P95_S:g}",
            "note": "the page's static snapshot of every chart (kursk.dashboard.snapshot), or the live charts",
        },
        {
            "section": "loadtest",
            "name": "time to all charts live p50 / p95",
            "value": f"{s['p50_s']} / {s['p95_s']}",
            "unit": "s",
            "target": f"p95 < {TARGET_P95_S:g}",
            "note": "every chart's figure from the kernel, drawn by plotly.js (Chromium viewers "
            "timed from their navigation)",
        },
    ]
    if m:
        rows += [
            {
                "section": "loadtest",
                "name": "PSS per viewer kernel (median)",
                "value": m["per_kernel_pss_mib_median"],
                "unit": "MiB",
            },
            {
                "section": "loadtest",
                "name": "server PSS baseline -> peak",
                "value": f"{m['server_baseline_mib']} -> {m['server_peak_mib']}",
                "unit": "MiB",
            },
            {
                "section": "loadtest",
                "name": "total PSS baseline -> peak -> after",
                "value": f"{m['baseline_total_mib']} -> {m['peak_total_mib']} -> "
                f"{m['after_total_mib']}",
                "unit": "MiB",
            },
            {
                "section": "loadtest",
                "name": "back to baseline after viewers left",
                "value": m["seconds_to_baseline"] if m["returned_to_baseline"] else "no",
                "unit": "s",
                "target": "<= 120",
            },
        ]
    return rows


def run(quick: bool = False) -> list[dict]:
    if quick:
        report = load_test(
            viewers=3,
            browsers=1,
            hold=1,
            leave="beacon",
            settle_timeout=60,
            progress=lambda s: None,
        )
        return rows_from(report, "quick run (3 viewers)")
    path = BUILD_DIR / "loadtest.json"
    if not path.is_file():
        return [
            {
                "section": "loadtest",
                "name": "no build/loadtest.json",
                "value": None,
                "unit": "",
                "note": "run `make loadtest VIEWERS=20` first (takes ~5 minutes)",
            }
        ]
    return rows_from(json.loads(path.read_text()), "from build/loadtest.json (make loadtest)")
