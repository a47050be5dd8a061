"""Tools for attacking the dashboard server on loopback: raw frames, bare requests, probes.

Shared by the abuse tests (tests/serve/test_abuse.py) and `make chaos` (bench/chaos.py).
Every loop here is bounded in count and time; everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import time
import uuid
from pathlib import Path

import httpx
import psutil
import websockets

from .loadtest import is_kernel, server_pid_for
from .viewer import message

V1 = "v1.kernel.websocket.jupyter.org"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


def reader(n: int) -> dict:
    """Headers of reader n behind the (trusted, loopback) proxy."""
    return {"X-Real-IP": f"203.0.113.{n % 250 + 1}"}


# --- messages and frames ---


def v1_frame(channel: str, parts: list[bytes]) -> bytes:
    """A well-formed v1 frame (jupyter_server's serialize_msg_to_ws_v1)."""
    data = [channel.encode(), *parts]
    offsets = [8 * (len(data) + 2)]
    for part in data:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(data)


def v1_message(msg_type: str, content: dict, metadata=None, channel="shell") -> bytes:
    msg = message(msg_type, content, metadata, channel)
    keys = ("header", "parent_header", "metadata", "content")
    return v1_frame(channel, [json.dumps(msg[k]).encode() for k in keys])


def widget_open(value: str) -> dict:
    """A comm_open that would create a Text widget holding value in the kernel."""
    state = {
        "_model_module": "@jupyter-widgets/controls",
        "_model_module_version": "2.0.0",
        "_model_name": "TextModel",
        "_view_module": "@jupyter-widgets/controls",
        "_view_module_version": "2.0.0",
        "_view_name": "TextView",
        "value": value,
    }
    return {
        "comm_id": uuid.uuid4().hex,
        "target_name": "jupyter.widget",
        "data": {"state": state, "buffer_paths": []},
    }


# --- clients ---


async def get_page(url: str, headers=None, timeout: float = 180):
    """(status, kernel id or None, cookies) of one page load."""
    async with httpx.AsyncClient(base_url=url, timeout=timeout, headers=headers) as http:
        page = await http.get("/")
        cookies = dict(http.cookies)
    match = KERNEL_ID.search(page.text)
    return page.status_code, (match.group(1) if match else None), cookies


async def kernel_socket(url, kernel_id, cookies, v1=True, headers=None, max_size=None):
    """The page's kernel websocket, as the page opens it (v1) or as the tests do (legacy)."""
    session = uuid.uuid4().hex  # a fresh session, as a new tab would have
    ws_url = (
        url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}"
    )
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return await websockets.connect(
        ws_url,
        additional_headers={"Cookie": cookie, "Origin": url.rstrip("/"), **(headers or {})},
        subprotocols=[V1] if v1 else None,
        max_size=max_size,
        open_timeout=30,
    )


async def closed(ws, timeout: float) -> int | None:
    """Wait (reading) until the server closes ws; its close code, or None if still open."""
    with contextlib.suppress(TimeoutError, websockets.ConnectionClosed):
        async with asyncio.timeout(timeout):
            async for _ in ws:
                pass
    return ws.close_code


async def probe(url: str, stop: asyncio.Event, every: float = 0.05) -> list[float]:
    """Latencies of an unrelated request (a static file) sent every `every` s until stop."""
    samples = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        while not stop.is_set():
            started = time.perf_counter()
            with contextlib.suppress(httpx.HTTPError):
                await http.get("voila/static/voila.js", headers={"Range": "bytes=0-15"})
            samples.append(time.perf_counter() - started)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    return samples


def bare_get(url: str, headers: str = "") -> None:
    """A page request on a raw socket, closed as soon as it is sent (an aborted load)."""
    port = httpx.URL(url).port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n".encode())


# --- the server process ---


class Server:
    """A running dashboard server: its pid, log and kernels (for the checks of a case)."""

    MEMORY_CAP = 4 << 30  # address space of the server: one gone wrong fails, not the box
    last_refusal = ""  # why the last reader of a case was not served (bench/cases.py)

    def __init__(self, proc, url: str):
        self.proc, self.url = proc, url
        self.pid = server_pid_for(url) or proc.pid
        self.log_path = Path(os.readlink(f"/proc/{proc.pid}/fd/1"))
        with contextlib.suppress(psutil.Error, OSError):
            psutil.Process(self.pid).rlimit(psutil.RLIMIT_AS, (self.MEMORY_CAP, self.MEMORY_CAP))

    @property
    def port(self) -> int:
        return httpx.URL(self.url).port

    def log(self, since: int = 0) -> str:
        with open(self.log_path, "rb") as fh:
            fh.seek(since)
            return fh.read().decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def rss_mib(self, pid: int | None = None) -> float:
        try:
            return psutil.Process(pid or self.pid).memory_info().rss / 2**20
        except psutil.Error:
            return 0.0

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def connections_from(self, ports: set[int]) -> int:
        """The server's open TCP connections whose other end is one of these local ports
        (a client's own sockets: the kernels' descriptors, which a pool refill adds and
        removes meanwhile, do not count)."""
        with contextlib.suppress(psutil.Error):
            conns = psutil.Process(self.pid).net_connections(kind="tcp")
            return sum(1 for c in conns if c.raddr and c.raddr.port in ports)
        return 0

    def fd_limit(self, soft: int | None = None) -> int:
        """The server's soft limit of open files (set it first when soft is given)."""
        proc = psutil.Process(self.pid)
        if soft is not None:
            _, hard = proc.rlimit(psutil.RLIMIT_NOFILE)
            proc.rlimit(psutil.RLIMIT_NOFILE, (soft, hard))
        return proc.rlimit(psutil.RLIMIT_NOFILE)[0]

    def kernels(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            return [p for p in psutil.Process(self.pid).children(recursive=True) if is_kernel(p)]
        return []

    def describe_kernels(self) -> str:
        """Each kernel's age and whether it was started pre-heated (for a case that fails)."""
        said = []
        for p in self.kernels():
            with contextlib.suppress(psutil.Error):
                pool = p.environ().get("VOILA_PREHEAT") == "True"
                age = time.time() - p.create_time()
                said.append(f"pid {p.pid}, {age:.0f} s old, {'pool' if pool else 'for a page'}")
        return "; ".join(said) or "none"

    def kernel_of(self, kernel_id: str) -> psutil.Process | None:
        for p in self.kernels():
            with contextlib.suppress(psutil.Error):
                if any(kernel_id in arg for arg in p.cmdline()):
                    return p
        return None

    async def quiet(self, timeout: float = 60, busy: float = 10.0) -> bool:
        """Wait until the server and its kernels use under `busy` % CPU over half a second
        (a pool refill renders in the server's loop and would blur a latency measure)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            procs = [psutil.Process(self.pid), *self.kernels()]
            with contextlib.suppress(psutil.Error):
                for p in procs:
                    p.cpu_percent(None)
                await asyncio.sleep(0.5)
                if all(p.cpu_percent(None) < busy for p in procs):
                    return True
        return False

    async def wait_kernels(self, at_most: int, timeout: float) -> int:
        """Wait until the server runs at most at_most kernels; returns the count then."""
        deadline = time.monotonic() + timeout
        while (n := len(self.kernels())) > at_most and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        return n
