"""The websockets of the read-only link: the kernel channels and Voila's query socket.

Kernel channels (`/api/kernels/<id>/channels`):
- only for a kernel handed to a page (not a pre-heated one, not one reclaimed), at most
  `ws_per_kernel` at once per kernel and `ws_per_client` per client (429 beyond, refused before
  the upgrade, so no kernel sockets are opened), and none when file descriptors run low (503);
- frames larger than `ws_max_frame` are refused by tornado before it reads them (1009);
  every other frame passes `FrameGuard` (frames.py) before jupyter_server parses it;
- when the kernel dies, the page gets the kernel's "dead" status and the socket closes with
  code 4001, which the page's notice script turns into words and a reload button;
- a message for a page that has gone is dropped: jupyter_server never awaits the write, so
  each one became an unretrieved WebSocketClosedError with its traceback in the log.
"""

from __future__ import annotations

import tornado.web
import tornado.websocket
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.ioloop import IOLoop
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from .frames import FrameError, FrameGuard
from .limits import ViewerBook, client_key, fd_headroom
from .logs import cut

KERNEL_STOPPED = 4001  # the page's notice (templates/kursk/static/notice.js) knows these
POLICY = 1008


class KernelChannels(VoilaKernelWebsocketHandler):
    """The kernel websocket with admission, frame checks and quiet writes."""

    _counted = False
    _refused = False
    _guard: FrameGuard | None = None

    @property
    def max_message_size(self):  # tornado closes with 1009 before reading a larger frame
        return self.settings["kursk_ws_max_frame"]

    async def get(self, kernel_id):
        s = self.settings
        self._kernel = kernel_id
        self._client = client_key(self.request, s["kursk_trusted_proxies"])
        if fd_headroom() < s["kursk_fd_reserve"] // 2:
            s["kursk_refusals"]("websocket refused: file descriptors low")
            raise tornado.web.HTTPError(503)
        book: ViewerBook = s["kursk_book"]
        refused = book.open_socket(
            kernel_id, self._client, s["kursk_ws_per_kernel"], s["kursk_ws_per_client"]
        )
        if refused:
            status, why = refused
            s["kursk_refusals"]("websocket refused (%s): client %s", why, self._client)
            raise tornado.web.HTTPError(status)
        self._counted = True
        try:
            await super().get(kernel_id)
        finally:
            if self.ws_connection is None:  # the handshake was refused: never opened
                self._uncount()

    def _uncount(self) -> None:
        if self._counted:
            self._counted = False
            self.settings["kursk_book"].close_socket(self._kernel, self._client)

    async def open(self, kernel_id):
        s = self.settings
        self._guard = FrameGuard(s["kursk_msg_rate"], s["kursk_msg_burst"], s["kursk_comm_opens"])
        await super().open(kernel_id)

    def on_message(self, message):
        if self._refused:
            return None
        try:
            msg_type = self._guard.check(message, self.selected_subprotocol)
            if msg_type == "comm_open" and not self.settings["kursk_book"].comm_open(
                self._kernel, self.settings["kursk_comm_opens_per_kernel"]
            ):
                raise FrameError("too many comm_open for this kernel")
        except FrameError as exc:
            self.settings["kursk_refusals"](
                "websocket message refused (%s): %s (kernel %s, client %s, %d bytes)%s",
                exc.kind,
                cut(str(exc), 200),
                self._kernel[:8],
                self._client,
                len(message),
                "; socket closed" if exc.fatal else "",
            )
            if exc.fatal:
                self._refused = True
                self.close(POLICY, "policy")
            return None
        return super().on_message(message)

    def on_close(self):
        self._uncount()
        if self.connection is not None:
            super().on_close()

    def write_message(self, message, binary=False):
        if self.ws_connection is None or self.ws_connection.is_closing():
            return None
        try:
            future = super().write_message(message, binary)
        except tornado.websocket.WebSocketClosedError:
            return None
        if future is not None:
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
        return future

    def write_error(self, status_code, **kwargs):
        self.finish()  # a refused upgrade: the status says it all


class KurskConnection(ZMQChannelsWebsocketConnection):
    """Tells the page its kernel is gone: the "dead" status, then a 4001 close."""

    def on_restart_failed(self):
        super().on_restart_failed()
        handler = self.websocket_handler
        IOLoop.current().add_callback(close_socket, handler, KERNEL_STOPPED, "kernel stopped")


def close_socket(handler, code: int, reason: str) -> None:
    if handler is not None and handler.ws_connection is not None:
        handler.close(code, reason)


class QueryInfo(RequestInfoSocketHandler):
    """/voila/query/<id>: a page's query string, once, to that page's own kernel only.

    A pre-heated kernel waits here, from the moment it ran the notebook up to
    `request_query()` (serve/request.py), for the query string of the page that takes it; a
    kernel whose page came before it was ready gets the query string when it connects.
    Voila cached each page's query string until the kernel connected, and answered anyone who
    knew the kernel id: the cache is now popped on use and pruned of gone kernels (app.py),
    and the socket is open only to a live kernel's first caller: a viewer's kernel, or a
    pre-heated one connecting from this host (no browser Origin, no proxy's client address).
    """

    def open(self, kernel_id):
        s = self.settings
        live = s["kernel_manager"].list_kernel_ids()
        viewer = kernel_id in s["kursk_book"].kernels
        ready = viewer or (self._local() and in_pool(s["kernel_manager"], kernel_id))
        waiting = RequestInfoSocketHandler._waiters.get(kernel_id)
        if not ready or kernel_id not in live or (waiting is not None and waiting is not self):
            if not ready or kernel_id not in live:
                RequestInfoSocketHandler._cache.pop(kernel_id, None)
            self.close()
            return
        self._kernel = kernel_id
        RequestInfoSocketHandler._waiters[kernel_id] = self
        payload = RequestInfoSocketHandler._cache.pop(kernel_id, None)
        if payload is not None:
            self.write_message(payload)

    def _local(self) -> bool:
        """A process of this host (the kernel), not a browser or a client behind the proxy."""
        headers = self.request.headers
        if "Origin" in headers or "X-Real-IP" in headers or "X-Forwarded-For" in headers:
            return False
        return self.request.remote_ip in ("127.0.0.1", "::1")

    def on_close(self):
        kernel_id = getattr(self, "_kernel", None)
        if kernel_id and RequestInfoSocketHandler._waiters.get(kernel_id) is self:
            del RequestInfoSocketHandler._waiters[kernel_id]


def in_pool(manager, kernel_id: str) -> bool:
    """Whether a kernel is one of Voila's pre-heated kernels, not yet handed to a page."""
    for pool in getattr(manager, "_pools", {}).values():
        for task in pool:
            done = task.done() and not task.cancelled() and task.exception() is None
            if done and task.result().get("kernel_id") == kernel_id:
                return True
    return False


def forget_queries(live_ids) -> None:
    """Drop the cached query strings of kernels that are gone."""
    live = set(live_ids)
    for kernel_id in [k for k in RequestInfoSocketHandler._cache if k not in live]:
        RequestInfoSocketHandler._cache.pop(kernel_id, None)
