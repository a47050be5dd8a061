"""The viewer cap and a small, bounded load test against the real server (loopback only)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time
from pathlib import Path

import httpx
import psutil
import pytest

from bench.loadtest import format_report, is_kernel, load_test, percentile, server_pid_for, settle
from bench.viewer import Busy, WidgetSession, charts_with_figures, holds_figure
from kursk import serve
from kursk.serve.app import BUSY_MESSAGE
from kursk.serve.limits import ViewerBook


def arun(coro):
    """Run a coroutine on its own loop in a worker thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_viewer_book_counts_viewer_kernels_and_pending_pages():
    book = ViewerBook(2)
    assert book.admit(["pool"], "a") is None  # pending 1
    assert book.admit(["pool"], "b") is None  # pending 2
    assert book.admit(["pool"], "c") == "busy"  # full while both pages are still rendering
    book.bind("k1", "a")
    book.release("b")  # the second request died before it got a kernel
    assert book.in_use(["pool", "k1"]) == 1
    assert book.admit(["pool", "k1"], "b") is None
    book.bind("k2", "b")
    assert book.admit(["pool", "k1", "k2"], "c") == "busy"
    assert book.admit(["pool", "k2"], "c") is None  # k1 was culled: its slot is free again
    assert ViewerBook(0).admit(["a", "b", "c"], "x") is None  # 0 = no cap


def test_chart_detection_follows_widget_children():
    figure = {
        "output_type": "display_data",
        "data": {"application/vnd.plotly.v1+json": {"data": [{"x": [1]}], "layout": {}}},
    }
    states = {
        "box": {
            "_dom_classes": ["kursk-chart", "kursk-chart-troops"],
            "children": ["IPY_MODEL_out"],
        },
        "out": {"outputs": [figure]},
        "empty": {"_dom_classes": ["kursk-chart-split"], "children": ["IPY_MODEL_none"]},
        "none": {"outputs": []},
    }
    assert charts_with_figures(states) == {"troops"}
    assert holds_figure(states, "box") and not holds_figure(states, "empty")
    assert percentile([5, 1, 4, 2, 3], 50) == 3 and percentile(list(range(1, 21)), 95) == 19


@pytest.fixture(scope="module")
def capped_server():
    """A server that admits one viewer at a time."""
    proc, url = serve.start(extra=["--KurskVoila.max_viewers=1"])
    yield url
    serve.stop(proc)


def test_beyond_the_cap_a_viewer_gets_the_busy_page_until_a_slot_frees(capped_server):
    async def scenario():
        first = await WidgetSession.open(capped_server)
        await first.load_widgets()
        await first.wait_charts()
        async with httpx.AsyncClient(base_url=capped_server, timeout=60) as http:
            busy = await http.get("/")
        with pytest.raises(Busy):
            await WidgetSession.open(capped_server)
        await first.close(shutdown=True)  # the page's unload beacon frees the kernel at once
        third = await WidgetSession.open(capped_server)
        await third.load_widgets()
        await third.wait_charts()
        await third.close(shutdown=True)
        return busy

    busy = arun(scenario())
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "60"
    assert BUSY_MESSAGE in busy.text and "<script" not in busy.text
    assert busy.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in busy.headers["content-security-policy"]


def test_a_pool_kernel_that_died_is_skipped_and_the_viewer_gets_a_live_one():
    """A pre-heated kernel can die while it waits in the pool (in a 20-viewer load test, one
    did: it and another kernel were given the same TCP port). Voila would still hand it out and
    the viewer got a 404; restarted under the same id, it would never have run the notebook.
    The next viewer gets the next pool kernel, with every chart, and the death is logged."""
    proc, url = serve.start()
    try:
        pid = server_pid_for(url)
        arun(settle(pid, 1, 120))
        pool = [p for p in psutil.Process(pid).children(recursive=True) if is_kernel(p)]
        assert len(pool) == 1
        pool[0].kill()  # the server reaps it only when it looks: a zombie until then
        deadline = time.monotonic() + 10
        while pool[0].is_running() and pool[0].status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.1)

        async def viewer():
            session = await WidgetSession.open(url)
            await session.load_widgets()
            await session.wait_charts()
            kernel = session.kernel_id
            await session.close(shutdown=True)
            return kernel

        kernel = arun(viewer())
        log = Path(os.readlink(f"/proc/{proc.pid}/fd/1")).read_text(errors="replace")
    finally:
        serve.stop(proc)
    assert "died in the pool" in log
    assert kernel not in log.split("died in the pool")[0].rsplit("pre-heated kernel", 1)[-1]


def test_small_load_test_three_viewers_cap_two_gives_one_busy_page(tmp_path):
    # In a worker thread: an earlier test's Playwright (sync API) may own this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        report = pool.submit(
            load_test,
            viewers=3,
            browsers=1,
            cap=2,
            hold=1,
            leave="beacon",
            settle_timeout=60,
            progress=lambda s: None,
        ).result()
    s = report["summary"]
    assert (s["served"], s["busy"], s["errors"]) == (2, 1, 0), format_report(report)
    assert report["targets"]["busy_only_beyond_cap"]
    mem = report["memory"]
    assert mem["per_kernel_pss_mib_median"] > 50  # a real kernel with pandas and plotly
    assert mem["peak_kernels"] > mem["baseline_kernels"]
    assert mem["returned_to_baseline"], format_report(report)
    json.dumps(report)  # what `python -m bench.loadtest` writes
