"""`make loadtest`: N concurrent viewers against the dashboard server: timing, errors, memory.

Most viewers are protocol clients that do exactly what the page does over the network (GET the
page, open the kernel websocket, open the widget control comm, ask for every widget's state and
wait until every chart holds a figure), so on a 2-core machine the numbers measure the server
and its kernels, not twenty Chromium renderers fighting for the same cores. A few viewers
(`--browsers`, default 2) are real headless Chromium pages (Debian's, via kursk.browser) that
must draw every chart, which keeps the protocol clients honest.

Memory is the PSS (/proc/<pid>/smaps_rollup) of the server and of each kernel process. After the
viewers leave (closing the connection without the page's shutdown beacon, like a closed laptop),
memory is polled until idle kernels are culled and it is back to its baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import psutil

from kursk.paths import BUILD_DIR

from .page import DRAWN_AT_JS, SNAPSHOT_IMG, VISIBLE_AT_JS
from .viewer import CHARTS, Busy, WidgetSession

TARGET_P95_S = 10.0
TARGET_SETTLE_S = 120.0


# --- memory ---


def pss_mib(pid: int) -> float | None:
    """Proportional set size of one process in MiB (shared pages split between sharers)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def is_kernel(proc: psutil.Process) -> bool:
    """A kernel process started by the dashboard server."""
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        return False
    return "kursk.serve.kernel" in cmd or "ipykernel" in cmd


def memory(server_pid: int) -> dict:
    """PSS of the server and of each of its kernels, in MiB."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.Error:
        children = []
    kernels = {p.pid: pss_mib(p.pid) for p in children if is_kernel(p)}
    kernels = {pid: round(m, 1) for pid, m in kernels.items() if m is not None}
    server = pss_mib(server_pid) or 0.0
    return {
        "server_mib": round(server, 1),
        "kernels_mib": kernels,
        "kernel_count": len(kernels),
        "total_mib": round(server + sum(kernels.values()), 1),
    }


def server_pid_for(url: str) -> int | None:
    """The pid listening on the URL's loopback port (for --url runs)."""
    port = httpx.URL(url).port
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    return None


def kernel_cpu_busy(server_pid: int, interval: float = 1.0) -> bool:
    """Whether any kernel is still working (starting, rendering): over 5% CPU in `interval`."""
    try:
        kernels = [p for p in psutil.Process(server_pid).children(recursive=True) if is_kernel(p)]
        for p in kernels:
            p.cpu_percent(None)
        time.sleep(interval)
        return any(p.cpu_percent(None) > 5 for p in kernels)
    except psutil.Error:
        return True


async def settle(server_pid: int, pool: int, timeout: float) -> dict:
    """Wait until the pre-heated pool is rendered and memory is steady; that is the baseline."""
    deadline = time.monotonic() + timeout
    last = memory(server_pid)
    steady = 0
    while time.monotonic() < deadline and steady < 3:
        busy = await asyncio.to_thread(kernel_cpu_busy, server_pid, 2.0)
        now = memory(server_pid)
        close = abs(now["total_mib"] - last["total_mib"]) <= 0.02 * max(last["total_mib"], 1)
        steady = steady + 1 if close and not busy and now["kernel_count"] >= pool else 0
        last = now
    return last


# --- viewers ---


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: with 20 viewers p95 is the 19th slowest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def reader(index: int) -> dict:
    """Headers that make viewer `index` a reader of its own, as nginx would pass it on (the
    server limits kernels per client address, and trusts X-Real-IP from loopback)."""
    n = index + 1  # the warm-up viewer is -1
    return {"X-Real-IP": f"198.18.{n // 250}.{n % 250 + 1}"}


async def ws_viewer(index: int, url: str, timeout: float) -> tuple[dict, WidgetSession | None]:
    """One protocol viewer: time from GET to every chart holding a figure."""
    t0 = time.perf_counter()
    result = {"viewer": index, "kind": "protocol", "served": False, "busy": False, "error": None}
    try:
        async with asyncio.timeout(timeout):
            session = await WidgetSession.open(url, timeout, headers=reader(index))
            await session.load_widgets(timeout)
            await session.wait_charts(timeout)
    except Busy:
        result.update(busy=True, seconds=round(time.perf_counter() - t0, 3))
        return result, None
    except Exception as exc:  # noqa: BLE001 - a load test reports failures, it does not stop
        result.update(error=f"{exc.__class__.__name__}: {exc}"[:300])
        return result, None
    done = time.perf_counter()
    # A browser shows the page's snapshot of every chart as soon as the HTML is parsed.
    snapshot = len(SNAPSHOT_IMG.findall(session.page_html)) >= len(CHARTS)
    result.update(
        served=True,
        seconds=round(done - t0, 3),
        visible_seconds=round((session.opened if snapshot else done) - t0, 3),
        kernel_id=session.kernel_id,
    )
    return result, session


async def browser_viewer(index: int, url: str, browser, timeout: float):
    """One Chromium viewer: time from its navigation to every chart on screen, and drawn."""
    t0 = time.perf_counter()
    result = {"viewer": index, "kind": "chromium", "served": False, "busy": False, "error": None}
    context = await browser.new_context(
        viewport={"width": 1400, "height": 900}, extra_http_headers=reader(index)
    )
    try:
        page = await context.new_page()
        response = await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        if response is not None and response.status in (503, 429):
            result.update(busy=True, seconds=round(time.perf_counter() - t0, 3))
            await context.close()
            return result, None
        await page.wait_for_function(VISIBLE_AT_JS, timeout=timeout * 1000, polling=20)
        await page.wait_for_function(DRAWN_AT_JS, timeout=timeout * 1000)
        visible_ms, drawn_ms = await page.evaluate(
            "() => [window.__kurskVisibleAt, window.__kurskDrawnAt]"
        )
    except Exception as exc:  # noqa: BLE001
        result.update(error=f"{exc.__class__.__name__}: {exc}"[:300])
        await context.close()
        return result, None
    result.update(
        served=True,
        seconds=round(drawn_ms / 1000, 3),
        visible_seconds=round(visible_ms / 1000, 3),
        # from before the browser context was created, as earlier runs reported it
        harness_seconds=round(time.perf_counter() - t0, 3),
    )
    return result, page


async def run_viewers(
    url: str,
    viewers: int,
    browsers: int,
    ramp: float,
    timeout: float,
    hold: float,
    server_pid: int | None,
    leave: str = "drop",
) -> dict:
    """Viewers arrive together (or over `ramp` seconds), each watches `hold` s and leaves."""
    browsers = min(browsers, viewers)
    pw = browser = None
    if browsers:
        from playwright.async_api import async_playwright

        from kursk.chromium import launch

        pw = await async_playwright().start()
        browser = await launch(pw)

    async def one(i: int):
        """Arrive, wait for the charts, watch for `hold` seconds, leave."""
        await asyncio.sleep(ramp * i / max(viewers, 1))
        if i < browsers:
            result, handle = await browser_viewer(i, url, browser, timeout)
        else:
            result, handle = await ws_viewer(i, url, timeout)
        if handle is not None:
            await asyncio.sleep(hold)
            if isinstance(handle, WidgetSession):
                await handle.close(shutdown=leave == "beacon")
            else:  # a Chromium page: unload (and its beacon) only when leaving politely
                await handle.close(run_before_unload=leave == "beacon")
                await asyncio.sleep(0.5)
                await handle.context.close()
        return result, None

    peak = {"total_mib": 0.0}
    stop = asyncio.Event()

    async def sample():
        while server_pid and not stop.is_set():
            snap = await asyncio.to_thread(memory, server_pid)
            if snap["total_mib"] > peak["total_mib"]:
                peak.update(snap)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    sampler = asyncio.create_task(sample())
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(one(i) for i in range(viewers)))
    wall = time.perf_counter() - started
    holding = dict(peak) if server_pid else None
    stop.set()
    await sampler
    if browser is not None:
        await browser.close()
        await pw.stop()
    return {
        "results": [r for r, _ in outcomes],
        "wall_s": round(wall, 2),
        "peak": peak,
        "holding": holding,
    }


async def warm_up(url: str, timeout: float) -> dict:
    """One viewer that comes and goes (with the unload beacon) before the baseline is taken."""
    result, session = await ws_viewer(-1, url, timeout)
    if session is not None:
        await session.close(shutdown=True)
    return result


async def wait_baseline(
    server_pid: int, baseline: dict, timeout: float
) -> tuple[bool, float, dict]:
    """Poll memory until idle kernels are culled and it is back to the baseline."""
    t0 = time.monotonic()
    limit = baseline["total_mib"] * 1.10 + 20
    while True:
        snap = memory(server_pid)
        back = snap["kernel_count"] <= baseline["kernel_count"] and snap["total_mib"] <= limit
        waited = time.monotonic() - t0
        if back or waited >= timeout:
            return back, round(waited, 1), snap
        await asyncio.sleep(5)


def summarize(run: dict, baseline: dict | None, settled: tuple | None, config: dict) -> dict:
    """The load test's report: timings, errors, memory, targets."""
    results = run["results"]
    served = [r for r in results if r["served"]]
    times = [r["seconds"] for r in served]
    visible = [r.get("visible_seconds", r["seconds"]) for r in served]
    chromium = [r["seconds"] for r in served if r["kind"] == "chromium"]
    errors = [r for r in results if r["error"]]
    summary = {
        "viewers": len(results),
        "served": len(served),
        "busy": sum(r["busy"] for r in results),
        "errors": len(errors),
        # every chart on screen (the page's snapshot, or the live charts)
        "visible_p50_s": percentile(visible, 50),
        "visible_p95_s": percentile(visible, 95),
        # every chart live (the kernel's figures drawn by plotly.js; filters work)
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "max_s": max(times) if times else None,
        "chromium_p50_s": percentile(chromium, 50),
        "wall_s": run["wall_s"],
    }
    mem = {}
    if baseline is not None:
        holding = run["holding"] or {}
        pool = set(baseline["kernels_mib"])
        viewer_kernels = [
            m for pid, m in holding.get("kernels_mib", {}).items() if pid not in pool
        ]
        back, waited, after = settled
        mem = {
            "baseline_total_mib": baseline["total_mib"],
            "baseline_kernels": baseline["kernel_count"],
            "server_baseline_mib": baseline["server_mib"],
            "peak_total_mib": run["peak"].get("total_mib"),
            "peak_kernels": run["peak"].get("kernel_count"),
            "server_peak_mib": run["peak"].get("server_mib"),
            "per_kernel_pss_mib_median": round(statistics.median(viewer_kernels), 1)
            if viewer_kernels
            else None,
            "after_total_mib": after["total_mib"],
            "after_kernels": after["kernel_count"],
            "server_after_mib": after["server_mib"],
            "returned_to_baseline": back,
            "seconds_to_baseline": waited,
        }
    expected_busy = max(0, len(results) - config["cap"]) if config.get("cap") else 0
    targets = {
        "all_served_or_busy_no_error": summary["errors"] == 0
        and summary["served"] + summary["busy"] == len(results),
        "busy_only_beyond_cap": summary["busy"] == expected_busy,
        f"charts_on_screen_p95_under_{TARGET_P95_S:g}s": summary["visible_p95_s"] is not None
        and summary["visible_p95_s"] < TARGET_P95_S,
        f"charts_live_p95_under_{TARGET_P95_S:g}s": summary["p95_s"] is not None
        and summary["p95_s"] < TARGET_P95_S,
    }
    if mem:
        targets[f"memory_back_within_{TARGET_SETTLE_S:g}s"] = bool(
            mem["returned_to_baseline"] and mem["seconds_to_baseline"] <= TARGET_SETTLE_S
        )
    return {
        "config": config,
        "summary": summary,
        "memory": mem,
        "targets": targets,
        "passed": all(targets.values()),
        "viewers": results,
    }


def server_args(cap: int | None, pool: int | None, cull_timeout: int, cull_interval: int) -> list:
    """Voila options for a load-test server: the cap, the pool and a short cull timeout."""
    extra = [
        f"--MappingKernelManager.cull_idle_timeout={cull_timeout}",
        f"--MappingKernelManager.cull_interval={cull_interval}",
        # Only departed viewers are culled: one still waiting for a busy kernel stays.
        "--MappingKernelManager.cull_connected=False",
    ]
    if cap is not None:
        extra.append(f"--KurskVoila.max_viewers={cap}")
    if pool is not None:
        extra.append(f"--VoilaConfiguration.default_pool_size={pool}")
    return extra


def load_test(
    viewers: int = 20,
    browsers: int = 2,
    url: str | None = None,
    cap: int | None = None,
    pool: int | None = None,
    ramp: float = 0.0,
    hold: float = 5.0,
    cull_timeout: int = 100,
    cull_interval: int = 5,
    timeout: float = 180,
    settle_timeout: float = TARGET_SETTLE_S,
    leave: str = "drop",
    data_dir: str | Path | None = None,
    progress=print,
) -> dict:
    """Run the load test (starting a local server unless `url` is given); returns the report."""
    from kursk import serve

    config = {
        "viewers": viewers,
        "browsers": min(browsers, viewers),
        "cap": cap,
        "pool": pool,
        "ramp_s": ramp,
        "hold_s": hold,
        "cull_timeout_s": cull_timeout,
        "leave": leave,
        "url": url,
        "cores": os.cpu_count(),
    }
    proc = None
    if url is None:
        progress(f"starting a dashboard server (cap {cap}, pool {pool}, cull {cull_timeout} s)")
        proc, url = serve.start(
            data_dir=data_dir, extra=server_args(cap, pool, cull_timeout, cull_interval)
        )
        server_pid = proc.pid
    else:
        server_pid = server_pid_for(url)
    try:
        baseline = None
        if server_pid:
            progress("warm-up viewer (first page renders fill the server's caches) ...")
            config["warm_up"] = asyncio.run(warm_up(url, timeout))
            progress("waiting for the pre-heated kernel pool and steady memory ...")
            baseline = asyncio.run(settle(server_pid, pool if pool is not None else 1, 600))
            progress(
                f"baseline: {baseline['total_mib']:.0f} MiB, {baseline['kernel_count']} kernel(s)"
            )
        progress(f"opening {viewers} viewers ({config['browsers']} in Chromium) ...")
        run = asyncio.run(
            run_viewers(url, viewers, browsers, ramp, timeout, hold, server_pid, leave)
        )
        settled = None
        if server_pid:
            progress(f"viewers left; polling memory for up to {settle_timeout:.0f} s ...")
            settled = asyncio.run(wait_baseline(server_pid, baseline, settle_timeout))
        report = summarize(run, baseline, settled, config)
    finally:
        if proc is not None:
            serve.stop(proc)
    return report


def format_report(report: dict) -> str:
    """The printed summary."""
    s, m = report["summary"], report["memory"]
    lines = [
        f"viewers {s['viewers']}: served {s['served']}, busy page {s['busy']}, "
        f"errors {s['errors']}",
        f"time to all charts on screen (snapshot or live): p50 {s['visible_p50_s']} s, "
        f"p95 {s['visible_p95_s']} s",
        f"time to all charts live: p50 {s['p50_s']} s, p95 {s['p95_s']} s, max {s['max_s']} s "
        f"(Chromium p50 {s['chromium_p50_s']} s; all viewers in {s['wall_s']} s)",
    ]
    if m:
        lines += [
            f"memory: baseline {m['baseline_total_mib']} MiB ({m['baseline_kernels']} kernels), "
            f"peak {m['peak_total_mib']} MiB ({m['peak_kernels']} kernels), "
            f"per viewer kernel {m['per_kernel_pss_mib_median']} MiB PSS, server "
            f"{m['server_baseline_mib']} -> {m['server_peak_mib']} -> {m['server_after_mib']} MiB",
            f"after leaving: {m['after_total_mib']} MiB ({m['after_kernels']} kernels), back to "
            f"baseline: {m['returned_to_baseline']} after {m['seconds_to_baseline']} s",
        ]
    for name, ok in report["targets"].items():
        lines.append(f"  {'PASS' if ok else 'MISS'}  {name}")
    for r in report["viewers"]:
        if r["error"]:
            lines.append(f"  viewer {r['viewer']} ({r['kind']}): {r['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument(
        "--browsers",
        type=int,
        default=2,
        help="how many of the viewers are real Chromium pages (default 2)",
    )
    parser.add_argument("--url", help="test this running server instead of starting one")
    parser.add_argument(
        "--cap",
        type=int,
        default=None,
        help="viewer-kernel cap for the started server (default: its config)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=None,
        help="pre-heated kernels for the started server (default: its config)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="spread arrivals over this many seconds (default 0: all at once)",
    )
    parser.add_argument(
        "--hold",
        type=float,
        default=5.0,
        help="seconds each viewer watches once its charts are drawn",
    )
    parser.add_argument(
        "--cull-timeout",
        type=int,
        default=100,
        help="idle seconds before the started server culls a disconnected kernel",
    )
    parser.add_argument(
        "--leave",
        choices=("drop", "beacon"),
        default="drop",
        help="drop: just disconnect (culling frees the kernel); beacon: send the "
        "page's shutdown beacon",
    )
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "loadtest.json")
    args = parser.parse_args(argv)
    report = load_test(
        viewers=args.viewers,
        browsers=args.browsers,
        url=args.url,
        cap=args.cap,
        pool=args.pool,
        ramp=args.ramp,
        hold=args.hold,
        cull_timeout=args.cull_timeout,
        leave=args.leave,
        progress=lambda s: print(s, file=sys.stderr, flush=True),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_report(report))
    print(f"wrote {args.out}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
