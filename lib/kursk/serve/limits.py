"""Who holds what: viewer kernels per client, websockets per kernel and client, free fds.

Every page load takes a kernel: Voila renders the notebook in it. Before, the kernel then held
a viewer slot until the idle cull (15 minutes), whether or not any page ever used it, so a
few dozen bare GETs locked every reader out. The `ViewerBook` knows, for each kernel it
handed to a page, which client asked, whether the page's own code ever connected, and how many
websockets it has open; the app reclaims kernels whose page was abandoned, never connected,
or left (serve/app.py), and refuses a client that holds too many.

A client is the reader's address: `X-Real-IP` when the request comes through a trusted proxy
(nginx, on loopback), else the peer address. Many readers behind one NAT share an address,
so the per-client limits are set well above what one reader needs.
"""

from __future__ import annotations

import os
import resource
import time
from collections import Counter
from dataclasses import dataclass


def client_key(request, trusted_proxies) -> str:
    """The reader's address: nginx's X-Real-IP if the peer is a trusted proxy, else the peer."""
    peer = request.remote_ip or "?"
    if peer in trusted_proxies:
        real = request.headers.get("X-Real-IP", "").strip()
        if real:
            return real[:64]
    return peer


def fd_headroom() -> int:
    """File descriptors this process may still open (soft limit minus those open)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        return soft - len(os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: assume enough
        return soft


def raise_fd_limit(target: int) -> int:
    """Raise the soft RLIMIT_NOFILE towards target (never above the hard limit); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if target > soft:
        new = target if hard == resource.RLIM_INFINITY else min(target, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        return new
    return soft


@dataclass
class Viewer:
    """A kernel handed to a page."""

    client: str
    page_sent: float | None = None  # when the page finished (monotonic seconds)
    sockets: int = 0  # websockets open now
    connected: bool = False  # a websocket has opened at least once
    last_close: float | None = None
    comm_opens: int = 0


class ViewerBook:
    """Viewer kernels by id, and the admitted pages still waiting for theirs.

    cap: viewer kernels at once (0: no cap); per_client: of them, held by one client;
    unconnected_per_client: of them, whose page has not connected (pending pages count).
    """

    def __init__(self, cap: int, per_client: int = 0, unconnected_per_client: int = 0):
        self.cap, self.per_client, self.unconnected = cap, per_client, unconnected_per_client
        self.kernels: dict[str, Viewer] = {}
        self.pending: Counter[str] = Counter()
        self.client_sockets: Counter[str] = Counter()

    # --- pages ---

    def prune(self, live_ids) -> None:
        """Forget kernels that are gone (shut down, culled, dead): their slots are free."""
        live = set(live_ids)
        for kernel_id in [k for k in self.kernels if k not in live]:
            self.drop(kernel_id)

    def in_use(self, live_ids) -> int:
        """Viewer kernels alive plus admitted pages still waiting for one."""
        self.prune(live_ids)
        return len(self.kernels) + sum(self.pending.values())

    def admit(self, live_ids, client: str) -> str | None:
        """Take a pending slot for a page: None if admitted, else "busy" or "client"."""
        if self.cap > 0 and self.in_use(live_ids) >= self.cap:
            return "busy"
        mine = [v for v in self.kernels.values() if v.client == client]
        waiting = self.pending[client]
        if self.per_client and len(mine) + waiting >= self.per_client:
            return "client"
        unconnected = sum(not v.connected for v in mine) + waiting
        if self.unconnected and unconnected >= self.unconnected:
            return "client"
        self.pending[client] += 1
        return None

    def release(self, client: str) -> None:
        """An admitted page ended before it got a kernel."""
        self.pending[client] -= 1
        if self.pending[client] <= 0:
            del self.pending[client]

    def bind(self, kernel_id: str, client: str) -> None:
        """An admitted page got its kernel: the slot is now held by the kernel."""
        self.release(client)
        self.kernels[kernel_id] = Viewer(client)

    def page_sent(self, kernel_id: str) -> None:
        if kernel_id in self.kernels:
            self.kernels[kernel_id].page_sent = time.monotonic()

    def drop(self, kernel_id: str) -> None:
        viewer = self.kernels.pop(kernel_id, None)
        if viewer is not None and viewer.sockets:
            self.client_sockets[viewer.client] -= viewer.sockets
            if self.client_sockets[viewer.client] <= 0:
                del self.client_sockets[viewer.client]

    def expired(self, connect_grace: float, leave_grace: float) -> list[tuple[str, str]]:
        """(kernel, why) for kernels whose page never connected, or left without a word."""
        now, out = time.monotonic(), []
        for kernel_id, v in self.kernels.items():
            if v.sockets:
                continue
            if not v.connected and v.page_sent and now - v.page_sent > connect_grace:
                out.append((kernel_id, "its page never connected"))
            elif v.connected and v.last_close and now - v.last_close > leave_grace:
                out.append((kernel_id, "its page left"))
        return out

    # --- websockets ---

    def open_socket(self, kernel_id: str, client: str, per_kernel: int, per_client: int):
        """Count a websocket about to open: None if allowed, else the HTTP status and why."""
        viewer = self.kernels.get(kernel_id)
        if viewer is None:  # a pool kernel, an unknown or a reclaimed one
            return 404, "not a viewer kernel"
        if per_kernel and viewer.sockets >= per_kernel:
            return 429, "websockets per kernel"
        if per_client and self.client_sockets[client] >= per_client:
            return 429, "websockets per client"
        viewer.sockets += 1
        viewer.connected = True
        self.client_sockets[client] += 1
        return None

    def close_socket(self, kernel_id: str, client: str) -> None:
        viewer = self.kernels.get(kernel_id)
        if viewer is None:  # reclaimed meanwhile: drop() already uncounted it
            return
        viewer.sockets = max(0, viewer.sockets - 1)
        if not viewer.sockets:
            viewer.last_close = time.monotonic()
        self.client_sockets[client] -= 1
        if self.client_sockets[client] <= 0:
            del self.client_sockets[client]

    def comm_open(self, kernel_id: str, limit: int) -> bool:
        """Count a comm_open for a kernel over all its sockets; False beyond limit."""
        viewer = self.kernels.get(kernel_id)
        if viewer is None:
            return False
        viewer.comm_opens += 1
        return not limit or viewer.comm_opens <= limit
