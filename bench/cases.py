"""The abuse and fault cases against a running dashboard server, one function each.

Each case attacks the server given (bench/abuse.py's Server), measures what happened and
returns a row: attack, expected, observed, held, and the numbers. The abuse tests assert
`held` (tests/serve/test_abuse.py); `make chaos` runs them all and writes the table
(bench/chaos.py). Bounded: every loop has a count, every wait a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import time
from pathlib import Path

import httpx
import psutil
import websockets

from kursk.serve.logs import cut

from .abuse import (
    Server,
    bare_get,
    closed,
    get_page,
    kernel_socket,
    message,
    probe,
    reader,
    v1_message,
    widget_open,
)
from .viewer import Busy, WidgetSession, find_model

PROBE_LIMIT_S = 0.1  # an unrelated request must be answered within this while attacked
V2 = {"version": "2.1.0"}


def row(attack: str, expected: str, observed: str, held: bool) -> dict:
    return {"attack": attack, "expected": expected, "observed": observed, "held": bool(held)}


async def viewer(srv: Server, n: int, timeout: float = 120) -> tuple[bool, float]:
    """A real reader (reader n): page, websocket, every chart; (served, seconds). On the busy
    page or a connection refused it tries again every two seconds, as a reader would reload,
    until the timeout. Why the last try failed is kept in srv.last_refusal."""
    started = time.monotonic()
    deadline = started + timeout
    while time.monotonic() < deadline:
        try:
            async with asyncio.timeout(deadline - time.monotonic()):
                session = await WidgetSession.open(srv.url, timeout, headers=reader(n))
                await session.load_widgets(timeout)
                await session.wait_charts(timeout)
                await session.close(shutdown=True)
            return True, time.monotonic() - started
        except (Busy, httpx.TransportError, OSError) as exc:  # busy page, no answer: reload
            srv.last_refusal = f"{exc.__class__.__name__}: {str(exc)[:120]}"
            await asyncio.sleep(2)
        except Exception as exc:  # noqa: BLE001 - not served: the case says so
            srv.last_refusal = f"{exc.__class__.__name__}: {str(exc)[:120]}"
            break
    return False, time.monotonic() - started


async def _frame_attack(srv: Server, frame: bytes, v1: bool, n: int) -> tuple:
    """Send one frame on a fresh page's socket while probing; (close, worst probe, RSS +)."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    ws = await kernel_socket(srv.url, kernel_id, cookies, v1=v1, headers=reader(n))
    await srv.quiet()  # the pool refill this page started is over
    rss = srv.rss_mib()
    stop = asyncio.Event()
    probing = asyncio.create_task(probe(srv.url, stop))
    await asyncio.sleep(0.3)
    await ws.send(frame)
    code = await closed(ws, 2.0)
    stop.set()
    latencies = await probing
    grew = srv.rss_mib() - rss
    await _leave(srv, kernel_id, cookies, n)
    return code, max(latencies), grew


async def _leave(srv: Server, kernel_id: str, cookies: dict, n: int) -> None:
    """The page's unload beacon, so the case's kernel does not wait for the reclaim."""
    xsrf = cookies.get("_xsrf", "")
    async with httpx.AsyncClient(base_url=srv.url, cookies=cookies, headers=reader(n)) as http:
        with contextlib.suppress(httpx.HTTPError):
            await http.post(
                f"voila/api/shutdown/{kernel_id}",
                data={"_xsrf": xsrf},
                headers={"X-XSRFToken": xsrf},
            )


FRAMES = {
    "v1 frame: 8 bytes declaring 10 million offsets": ((10**7).to_bytes(8, "little"), True),
    "v1 frame: offset count 2**64-1": ((2**64 - 1).to_bytes(8, "little"), True),
    "legacy binary frame declaring 10 million buffers": (
        (10**7).to_bytes(4, "big") + b"\0" * 4,
        False,
    ),
    "v1 frame with offsets outside the frame": (
        (4).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in (10**12, 5, 1, 0)),
        True,
    ),
}


async def frame(srv: Server, name: str, n: int = 1) -> dict:
    """One malicious frame: the loop keeps answering, the socket is closed, no memory kept."""
    data, v1 = FRAMES[name]
    code, worst, grew = await _frame_attack(srv, data, v1, n)
    held = code == 1008 and worst < PROBE_LIMIT_S and grew < 20
    return row(
        name,
        f"closed 1008; an unrelated request answered within {PROBE_LIMIT_S * 1000:.0f} ms; "
        "server memory kept < 20 MiB",
        f"close {code}; slowest unrelated request {worst * 1000:.0f} ms; server RSS {grew:+.0f} MiB",
        held,
    )


async def big_frame(srv: Server, n: int = 2) -> dict:
    """A 1 MiB frame (a widget holding 1 MiB): refused before it is read."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    kernel = srv.kernel_of(kernel_id)
    ws = await kernel_socket(srv.url, kernel_id, cookies, headers=reader(n))
    before, server = (srv.rss_mib(kernel.pid) if kernel else 0), srv.rss_mib()
    with contextlib.suppress(websockets.ConnectionClosed):
        await ws.send(v1_message("comm_open", widget_open("X" * (1 << 20)), V2))
    code = await closed(ws, 3)
    grew = (srv.rss_mib(kernel.pid) if kernel else 0) - before
    await _leave(srv, kernel_id, cookies, n)
    return row(
        "1 MiB websocket frame (a widget value of 1 MiB)",
        "closed (1009, or 1006 when the client is still sending) before the frame is read; "
        "neither the kernel nor the server grows",
        f"close {code}; kernel RSS {grew:+.0f} MiB, server RSS {srv.rss_mib() - server:+.0f} MiB",
        code in (1009, 1006) and grow_ok(grew) and grow_ok(srv.rss_mib() - server),
    )


def grow_ok(mib: float) -> bool:
    return mib < 10


async def widget_flood(srv: Server, count: int = 20_000, n: int = 3) -> dict:
    """comm_open of many widgets: none is created, the socket is closed within a few."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    kernel = srv.kernel_of(kernel_id)
    before = srv.rss_mib(kernel.pid) if kernel else 0
    ws = await kernel_socket(srv.url, kernel_id, cookies, headers=reader(n))
    sent = 0
    with contextlib.suppress(websockets.ConnectionClosed):
        for _ in range(count):
            await ws.send(v1_message("comm_open", widget_open("x" * 1000), V2))
            sent += 1
    code = await closed(ws, 3)
    grew = (srv.rss_mib(kernel.pid) if kernel else 0) - before
    await _leave(srv, kernel_id, cookies, n)
    return row(
        f"{count:,} comm_open messages creating widgets",
        "no widget created; socket closed after a few; the kernel does not grow",
        f"close {code} (the client had queued {sent}); kernel RSS {grew:+.0f} MiB",
        code == 1008 and grow_ok(grew),
    )


async def message_rate(srv: Server, count: int = 1000, n: int = 4) -> dict:
    """Messages sent as fast as possible: the socket closes once past the burst."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    ws = await kernel_socket(srv.url, kernel_id, cookies, headers=reader(n))
    update = {"comm_id": "none", "data": {"method": "update", "state": {}, "buffer_paths": []}}
    sent = 0
    with contextlib.suppress(websockets.ConnectionClosed):
        for _ in range(count):
            await ws.send(v1_message("comm_msg", update, V2))
            sent += 1
    code = await closed(ws, 3)
    await _leave(srv, kernel_id, cookies, n)
    return row(
        f"{count} messages back to back",
        "closed 1008 once past the burst (100), before all are sent",
        f"close {code} after {sent} sent",
        code == 1008,
    )


async def sockets_per_kernel(srv: Server, count: int = 50, n: int = 5) -> dict:
    """Many websockets to one kernel: two open, the rest refused before the upgrade."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    fds = srv.fds()
    opened, refused = [], 0
    for _ in range(count):
        try:
            opened.append(await kernel_socket(srv.url, kernel_id, cookies, headers=reader(n)))
        except websockets.InvalidStatus as exc:
            refused += exc.response.status_code == 429
    grew = srv.fds() - fds
    for ws in opened:
        await ws.close()
    await _leave(srv, kernel_id, cookies, n)
    return row(
        f"{count} websockets to one kernel",
        "2 open, the rest refused with 429 before the upgrade",
        f"{len(opened)} open, {refused} refused with 429; server fds {grew:+d}",
        len(opened) == 2 and refused == count - 2,
    )


async def bare_pages(
    srv: Server, aborted: int = 100, complete: int = 20, addresses: int = 12
) -> dict:
    """Aborted and complete page loads that never connect, spread over `addresses` clients
    (more than the cap has slots), then a real reader."""
    # The baseline is the pool once full: after a page took the pool's kernel, Voila starts
    # the next one a second later, and a count taken in between left that one over at the end
    # ("kernels 1 (baseline 0)": a pool kernel as old as the case, after the pool-refresh case).
    await srv.quiet()
    await asyncio.sleep(3)
    await srv.quiet()
    baseline = len(srv.kernels())

    def header(i: int) -> str:
        return f"X-Real-IP: 198.51.100.{i % addresses + 1}\r\n"

    await asyncio.gather(
        *(asyncio.to_thread(bare_get, srv.url, header(i)) for i in range(aborted))
    )

    async def load(i: int) -> int:
        headers = {"X-Real-IP": f"198.51.100.{i % addresses + 1}"}
        async with httpx.AsyncClient(base_url=srv.url, timeout=120, headers=headers) as http:
            return (await http.get("/")).status_code

    codes = await asyncio.gather(*(load(i) for i in range(complete)))
    served, seconds = await viewer(srv, 91, timeout=60)
    left = await srv.wait_kernels(baseline, timeout=180)  # far below the 15 min cull
    return row(
        f"{aborted} aborted page loads and {complete} complete ones that never connect, "
        f"from {addresses} addresses",
        "a real reader served within 60 s; unused kernels reclaimed, not kept 15 minutes",
        f"reader served: {served} in {seconds:.1f} s; page answers {sorted(set(codes))}; "
        f"kernels {len(srv.kernels())} (baseline {baseline}) after the wait"
        + (f": {srv.describe_kernels()}" if left > baseline else ""),
        served and seconds < 60 and left <= baseline,
    )


async def dead_kernel(srv: Server, n: int = 6) -> dict:
    """The viewer's kernel is killed (as by the OOM killer): the page is told, the slot freed."""
    _, kernel_id, cookies = await get_page(srv.url, reader(n))
    ws = await kernel_socket(srv.url, kernel_id, cookies, v1=False, headers=reader(n))
    await asyncio.sleep(1)
    os.kill(srv.kernel_of(kernel_id).pid, signal.SIGKILL)
    started, states = time.monotonic(), []
    with contextlib.suppress(TimeoutError, websockets.ConnectionClosed):
        async with asyncio.timeout(15):
            async for raw in ws:
                if isinstance(raw, str) and '"status"' in raw:
                    states.append(json.loads(raw)["content"].get("execution_state"))
    took = time.monotonic() - started
    async with httpx.AsyncClient(base_url=srv.url) as http:
        listed = (await http.get(f"api/kernels/{kernel_id}")).status_code
    return row(
        "a viewer's kernel killed",
        "its page gets status 'dead' and close 4001 within seconds; the kernel is unlisted",
        f"close {ws.close_code} after {took:.1f} s, statuses {states[-2:]}; "
        f"GET /api/kernels/<id> {listed}",
        ws.close_code == 4001 and "dead" in states and listed == 404,
    )


async def query_cache(srv: Server, n: int = 7) -> dict:
    """A page's query string is not kept for its kernel once the kernel is gone."""
    secret = "S" * 2000
    async with httpx.AsyncClient(base_url=srv.url, timeout=120, headers=reader(n)) as http:
        page = await http.get(f"/?secret={secret}")
        cookies = dict(http.cookies)
    kernel_id = page.text.split('"kernelId": "', 1)[1][:36]
    await _leave(srv, kernel_id, cookies, n)
    await asyncio.sleep(3)
    got = ""
    with contextlib.suppress(Exception):
        url = srv.url.replace("http", "ws", 1) + f"voila/query/{kernel_id}"
        async with websockets.connect(url, open_timeout=5) as ws:
            got = await asyncio.wait_for(ws.recv(), 3)
    return row(
        "/voila/query/<id> after the page's kernel is gone",
        "nothing sent (the query string is not kept)",
        f"{len(got)} bytes sent",
        secret not in got,
    )


async def quiet_errors(srv: Server) -> dict:
    """Expected client errors cost one log line each, never a traceback."""
    paths = ["logout", "voila/labextensions/none/static/x.js", "login", "api/kernels/nope"]
    before = srv.log_size()
    async with httpx.AsyncClient(base_url=srv.url) as http:
        codes = [(await http.get(p)).status_code for p in paths]
    await asyncio.sleep(0.5)
    added = srv.log(before)
    return row(
        "GET /logout, a missing labextension, /login, an unknown kernel",
        "404 each; a short log line each, no traceback",
        f"{codes}; log +{len(added)} B, tracebacks {added.count('Traceback')}",
        all(c == 404 for c in codes) and "Traceback" not in added and len(added) < 2000,
    )


async def forged_value(srv: Server, n: int = 8) -> dict:
    """A 60 KiB forged widget value: refused by the widget, logged cut short."""
    session = await WidgetSession.open(srv.url, headers=reader(n))
    await session.load_widgets()
    box = find_model(session.states, "kursk-filter-independent")
    before = srv.log_size()
    await session.update(box, {"value": "x" * 60_000})
    await asyncio.sleep(3)
    added = srv.log(before)
    await session.close(shutdown=True)
    longest = max(map(len, added.splitlines() or [""]))
    return row(
        "a 60 KiB forged value for a checkbox",
        "the value refused; the log grows a few KB at most, no line over 2,500 characters",
        f"log +{len(added)} B, longest line {longest}",
        len(added) < 8000 and longest < 2500,
    )


async def versions(srv: Server, n: int = 9) -> dict:
    """Neither the page nor the kernel names its versions; the kernel's memory is capped."""
    async with httpx.AsyncClient(base_url=srv.url, headers=reader(n), timeout=120) as http:
        page = await http.get("/")
        cookies = dict(http.cookies)
    kernel_id = page.text.split('"kernelId": "', 1)[1][:36]
    ws = await kernel_socket(srv.url, kernel_id, cookies, v1=False, headers=reader(n))
    kernel = srv.kernel_of(kernel_id)
    limits = Path(f"/proc/{kernel.pid}/limits").read_text() if kernel else ""
    data_cap = next((ln.split()[3] for ln in limits.splitlines() if "Max data size" in ln), "?")
    await ws.send(json.dumps(message("kernel_info_request", {})))
    info = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            async for raw in ws:
                msg = json.loads(raw) if isinstance(raw, str) else {}
                if msg.get("header", {}).get("msg_type") == "kernel_info_reply":
                    info = msg["content"]
                    break
    await ws.close()
    await _leave(srv, kernel_id, cookies, n)
    quiet = (
        not info.get("banner")
        and not info.get("implementation_version")
        and "version" not in (info.get("language_info") or {})
        and '"appVersion": ""' in page.text
        and "cdnjs" not in page.text  # nbconvert's mermaid loader named a CDN and versions
        and "server" not in {k.lower() for k in page.headers}
    )
    return row(
        "version banners (kernel_info, page config, Server header); kernel memory cap",
        "no versions; each kernel's data capped by the OS (RLIMIT_DATA)",
        f"banner {info.get('banner', '')[:20]!r}, language version "
        f"{(info.get('language_info') or {}).get('version')!r}; RLIMIT_DATA {data_cap} bytes",
        bool(info) and quiet and data_cap.isdigit(),
    )


def _idle_connections(srv: Server, count: int) -> list:
    """count TCP connections to the server that never send a request."""
    out = []
    for _ in range(count):
        try:
            out.append(socket.create_connection(("127.0.0.1", srv.port), timeout=2))
        except OSError:
            break
    return out


async def fds_low(srv: Server, n: int = 10) -> dict:
    """Idle connections until few descriptors are left: new viewers get the busy page."""
    soft = srv.fd_limit()
    idle = _idle_connections(srv, max(0, soft - srv.fds() - 60))
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient(base_url=srv.url, timeout=30, headers=reader(n)) as http:
        low = (await http.get("/")).status_code
        for s in idle:
            s.close()
        await asyncio.sleep(1)
        after = (await http.get("/")).status_code
    return row(
        f"{len(idle)} idle connections, leaving fewer than the reserve of descriptors",
        "new viewers get the busy page (503) while descriptors are low, and are served after",
        f"page {low} while low, {after} after",
        low == 503 and after == 200,
    )


async def fds_exhausted(srv: Server, hold: float = 5.0, n: int = 11) -> dict:
    """No descriptor left at all: no log flood, no busy loop; a reader is served after."""
    soft = srv.fd_limit()
    before, proc = srv.log_size(), psutil.Process(srv.pid)
    idle = _idle_connections(srv, soft + 100)
    proc.cpu_percent(None)
    await asyncio.sleep(hold)
    cpu = proc.cpu_percent(None)
    added = srv.log_size() - before
    for s in idle:
        s.close()
    await asyncio.sleep(1)
    served, seconds = await viewer(
        srv, n, timeout=120
    )  # kernels run at nice 19: slow on a busy box
    return row(
        f"{len(idle)} idle connections against a limit of {soft} descriptors, held {hold:.0f} s",
        "no log flood (< 5 KB), server CPU < 50 %; a reader served once they go",
        f"log +{added} B, server CPU {cpu:.0f} %; reader served {served} in {seconds:.1f} s"
        + ("" if served else f" ({srv.last_refusal})"),
        added < 5000 and cpu < 50 and served,
    )


async def idle_dropped(srv: Server, count: int = 100, wait: float = 12.0) -> dict:
    """Connections that never send a request are closed after the idle timeout."""
    idle = _idle_connections(srv, count)
    ours = {s.getsockname()[1] for s in idle}
    await asyncio.sleep(1)
    held_open = srv.connections_from(ours)
    await asyncio.sleep(wait)
    left = srv.connections_from(ours)
    for s in idle:
        s.close()
    return row(
        f"{count} connections that never send a request",
        "closed by the server after the idle timeout (descriptors freed)",
        f"the server held {held_open} of them open, {left} after {wait:.0f} s",
        held_open >= count * 0.9 and left < count * 0.1,
    )


STATUS = re.compile(r"(\d+) of (\d+)")


async def _figures_shown(srv: Server, n: int) -> str:
    """What a new reader's page shows: "N figures", or that the data has problems."""
    session = await WidgetSession.open(srv.url, headers=reader(n))
    await session.load_widgets()
    try:
        match = STATUS.search(session.text("kursk-status"))
        shown = f"{match.group(2)} figures" if match else "no count"
    except KeyError:  # no status line: the page explains the data's problems instead
        shown = "the data's problems"
    await session.close(shutdown=True)
    return shown


def _first_error(log: str) -> str:
    return next((line for line in log.splitlines() if "ERROR" in line), log[-300:])


async def stale_pool(srv: Server, data_dir: Path, settle: float = 5, n: int = 12) -> dict:
    """The data change while a kernel waits pre-heated: the next reader sees the new data.

    The change empties one source's figures (the data stay valid, so readers during it are
    served). The first reader after it is the one that would get the pre-heated kernel's old
    figures: it comes once the server has had `settle` seconds to notice and is quiet again."""
    before = await _figures_shown(srv, n)
    await srv.quiet()  # the pool kernel that replaced the one just taken has loaded the data
    victim = sorted((data_dir / "figures").glob("*.yaml"))[0]
    kept, since = victim.read_bytes(), srv.log_size()
    victim.write_text(f"article: {victim.stem}\nfigures: []\n")
    try:
        await asyncio.sleep(settle)
        await srv.quiet()
        after = await _figures_shown(srv, n)
    finally:
        victim.write_bytes(kept)
    # The old pool kernel, waiting in the notebook for a page, is retired without an error.
    added = srv.log(since)
    retired = "pre-heated kernels are replaced" in added and "Traceback" not in added
    return row(
        "a source's figures removed while a kernel waits pre-heated",
        "the first reader after the change sees the new data, not the pre-heated kernel's; "
        "the old kernel is retired with no error in the log",
        f"a new reader's page shows {before} before, {after} after; log: "
        + ("replaced, no traceback" if retired else cut(_first_error(added), 300)),
        before.endswith(" figures") and after.endswith(" figures") and after != before and retired,
    )
