"""The Voila app serving the read-only link: Voila, plus what a public link needs.

`python -m kursk.serve.app NOTEBOOK [voila options]` is Voila with:

- a kernel cap and per-client limits (limits.py, pages.py): beyond `max_viewers` live viewer
  kernels a new viewer gets a polite "busy, try again in a minute" page (503); kernels whose
  page request was abandoned, whose page never connected, or whose page left without a word
  are reclaimed within seconds to minutes, not at the 15-minute cull;
- the kernel websocket checked (sockets.py, frames.py): frame size and shape before any work,
  only the page's own messages, a rate, websockets per kernel and per client;
- dead kernels detected (voila.json: auto-restart with no restarts) and their page told;
  the pre-heated kernels replaced when the data change (pool.py);
- file descriptors: the soft limit raised, viewers refused while few are left, accept()
  paused instead of spinning when none is left, idle connections closed (listen.py);
- quiet logs (logs.py) and plain error pages without tracebacks; no version banners;
- security headers on every reply; any path other than the dashboard is a plain 404;
- snapshots of the default charts drawn in the background (serve/snapshots.py): the server
  never waits for them;
- plotly.js (the cartesian bundle) served once per browser, cacheable.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import os
import re
import subprocess
import sys

import tornado.websocket
from jupyter_server.auth.logout import LogoutHandler
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from nbformat.sign import NotebookNotary
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Bool, Float, Int, List, default
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

from ..chromium import kill_tree
from ..paths import DATA_DIR, PLOTLY_URL, STATIC_DIR
from . import logs
from .limits import ViewerBook, raise_fd_limit
from .listen import guarded_listen
from .pages import (
    BUSY_MESSAGE,
    KurskPageHandler,
    NotFound,
    PlotlyJSHandler,
    SafeTemplateStaticFileHandler,
    SecurityHeaders,
    ShutdownBeacon,
    plain_errors,
)
from .pool import DataWatch, refresh_pool, throttle_refills
from .sockets import KernelChannels, KurskConnection, QueryInfo, forget_queries

__all__ = ["BUSY_MESSAGE", "KurskVoila", "main"]
TICK = 2.0  # seconds between looks at the viewer kernels


def _replacement(handler):
    """Our handler for one of Voila's routes (or the handler itself)."""
    swaps = {
        TornadoVoilaHandler: KurskPageHandler,
        TemplateStaticFileHandler: SafeTemplateStaticFileHandler,
        VoilaKernelWebsocketHandler: KernelChannels,
        RequestInfoSocketHandler: QueryInfo,
        VoilaShutdownKernelHandler: ShutdownBeacon,
    }
    if handler in swaps:
        return swaps[handler]
    if not isinstance(handler, type):
        return handler
    if issubclass(handler, LogoutHandler):  # there is no login to log out of
        return NotFound
    bare = (APIHandler, tornado.websocket.WebSocketHandler)
    if issubclass(handler, JupyterHandler) and not issubclass(handler, bare):
        return plain_errors(handler)  # their error template fails in Voila's app
    return handler


class KurskVoila(Voila):
    """Voila with viewer limits, guarded websockets, quiet logs and no file routes."""

    name = "voila"  # keep reading voila.json / the `Voila` config section
    max_viewers = Int(
        24,
        config=True,
        help="Viewer kernels allowed at once (pre-heated pool not counted); 0 = no cap. "
        "Beyond it a viewer gets the busy page.",
    )
    retry_after = Int(60, config=True, help="Seconds a busy viewer is told to wait.")
    max_rendering = Int(
        os.cpu_count() or 2,
        config=True,
        help="Pages rendered at once (default: one per core); later arrivals wait their turn.",
    )
    max_warming = Int(
        max(1, (os.cpu_count() or 2) - 1),
        config=True,
        help="Pool kernels warmed up (started and their notebook run) at once; default: all "
        "cores but one, which stays free for the viewers already served.",
    )
    viewers_per_client = Int(12, config=True, help="Viewer kernels one client may hold; 0: any.")
    unconnected_per_client = Int(
        4, config=True, help="Of those, whose page has not connected yet (pending pages count)."
    )
    connect_grace = Float(
        30.0, config=True, help="Seconds after its page was sent for a kernel's page to connect."
    )
    leave_grace = Float(
        120.0,
        config=True,
        help="Seconds a kernel is kept after its page's last websocket closed without the "
        "unload beacon (a reload or a network blip reconnects within it).",
    )
    ws_max_frame = Int(64 * 1024, config=True, help="Largest websocket frame a page may send.")
    ws_per_kernel = Int(2, config=True, help="Websockets open at once to one viewer kernel.")
    ws_per_client = Int(16, config=True, help="Kernel websockets open at once per client.")
    msg_rate = Float(20.0, config=True, help="Messages per second a page may send (sustained).")
    msg_burst = Int(100, config=True, help="Messages a page may send at once.")
    comm_opens = Int(4, config=True, help="comm_open messages per websocket (the page sends 1).")
    comm_opens_per_kernel = Int(16, config=True, help="comm_open messages per viewer kernel.")
    fd_limit = Int(65536, config=True, help="Raise the soft open-files limit to this at start.")
    fd_reserve = Int(
        96, config=True, help="Below this many free file descriptors new viewers are refused."
    )
    idle_timeout = Float(30.0, config=True, help="Seconds before a silent connection is closed.")
    trusted_proxies = List(
        ["127.0.0.1", "::1"], config=True, help="Peers whose X-Real-IP names the client."
    )
    data_watch = Float(
        10.0, config=True, help="Seconds between looks at the data folder; 0: never."
    )
    kernel_memory_mb = Int(
        1536,
        config=True,
        help="Ceiling of each viewer kernel's private memory (RLIMIT_DATA), in MiB; 0: none. "
        "An idle kernel already maps most of it (reserved, not resident); docs/deploy.md has "
        "the measured sizing.",
    )
    snapshots = Bool(
        True,
        config=True,
        help="Draw static snapshots of the default charts in the background (serve/"
        "snapshots.py), so pages show every chart before their kernel connects.",
    )
    snapshot_timeout = Float(180.0, config=True, help="Seconds the snapshot drawing may take.")

    @default("kernel_websocket_connection_class")
    def _default_connection_class(self):
        return KurskConnection

    def init_settings(self) -> dict:
        settings = super().init_settings()
        # before any notebook is read: the default notary would warn "not trusted" on each
        self.contents_manager.notary = NothingToTrust(parent=self.contents_manager)
        return settings

    def initialize(self, argv=None):
        super().initialize(argv)
        logs.install(self.log)
        if self.voila_configuration.page_config_hook is None:  # no version in the page
            self.voila_configuration.page_config_hook = _no_version

    def start(self):
        raise_fd_limit(self.fd_limit)
        if self.kernel_memory_mb > 0:  # read by the viewer kernel (serve/kernel.py)
            os.environ["KURSK_KERNEL_MEMORY_MB"] = str(self.kernel_memory_mb)
        super().start()

    def listen(self):
        self.app.listen = guarded_listen(self.app, self.log, self.idle_timeout)
        if self.snapshots:
            IOLoop.current().add_callback(self._draw_snapshots)
        super().listen()

    async def _draw_snapshots(self) -> None:
        """`python -m kursk.serve.snapshots` in the background, killed after the timeout."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kursk.serve.snapshots",
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._snapshot_pid = proc.pid  # stop() ends it should the server stop first
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), self.snapshot_timeout)
            lines = out.decode(errors="replace").strip().splitlines()
            report = lines[-1] if lines else "snapshots: no report"
            self.log.info(report)
            if re.search(r"\(([1-9]\d*) drawn", report):
                # The pre-heated kernels rendered their pages before these pictures existed.
                self.log.info("snapshots drawn: the pre-heated kernels are replaced to show them")
                refresh_pool(self.kernel_manager)
        except TimeoutError:
            self.log.warning("snapshots: none (not drawn within %.0f s)", self.snapshot_timeout)
        finally:
            self._snapshot_pid = None
            kill_tree(proc.pid)
            with contextlib.suppress(ProcessLookupError):
                await proc.wait()

    _snapshot_pid: int | None = None

    def stop(self):
        """Voila's stop (its kernels shut down), and the snapshot drawing ended if running:
        it runs in a session of its own, which a signal to the server's group misses."""
        if self._snapshot_pid is not None:
            kill_tree(self._snapshot_pid)
        super().stop()

    def init_handlers(self) -> list:
        """Voila's routes with ours in their place, and the app's settings and upkeep."""
        throttle_refills(self.kernel_manager, self.max_warming)
        handlers = [(p, _replacement(h), *rest) for p, h, *rest in super().init_handlers()]
        # The dashboard's chart widgets load plotly.js from here (dashboard/chart.py).
        folder, file = PLOTLY_URL.rsplit("/", 1)
        pattern = url_path_join(self.server_url, f"/{folder}/({re.escape(file)})")
        handlers.insert(0, (pattern, PlotlyJSHandler, {"path": str(STATIC_DIR)}))
        # start() has built self.app just before asking for the handlers.
        book = ViewerBook(self.max_viewers, self.viewers_per_client, self.unconnected_per_client)
        self.app.settings.update(
            kursk_book=book,
            kursk_retry_after=self.retry_after,
            kursk_rendering=asyncio.Semaphore(max(1, self.max_rendering)),
            kursk_trusted_proxies=frozenset(self.trusted_proxies),
            kursk_fd_reserve=self.fd_reserve,
            kursk_ws_max_frame=self.ws_max_frame,
            kursk_ws_per_kernel=self.ws_per_kernel,
            kursk_ws_per_client=self.ws_per_client,
            kursk_msg_rate=self.msg_rate,
            kursk_msg_burst=self.msg_burst,
            kursk_comm_opens=self.comm_opens,
            kursk_comm_opens_per_kernel=self.comm_opens_per_kernel,
            kursk_refusals=logs.Summary(self.log),
            kursk_reclaim=self.reclaim,
        )
        headers = {"X-Content-Type-Options": "nosniff", **self.app.settings.get("headers", {})}
        self.app.transforms.append(functools.partial(SecurityHeaders, headers))
        PeriodicCallback(self._tick, TICK * 1000).start()
        if self.data_watch > 0:
            watch = DataWatch(DATA_DIR, self.kernel_manager, self.log)
            PeriodicCallback(watch.check, self.data_watch * 1000).start()
        self.log.info("viewer cap: %d kernels (busy page beyond)", self.max_viewers)
        return handlers

    def reclaim(self, kernel_id: str, why: str) -> None:
        """Shut a viewer kernel down now and free its slot."""
        self.app.settings["kursk_book"].drop(kernel_id)
        RequestInfoSocketHandler._cache.pop(kernel_id, None)
        self.log.info("kernel %s reclaimed: %s", kernel_id, why)

        async def shut_down():
            with contextlib.suppress(Exception):
                await self.kernel_manager.shutdown_kernel(kernel_id, now=True)

        asyncio.ensure_future(shut_down())

    def _tick(self) -> None:
        live = self.kernel_manager.list_kernel_ids()
        book: ViewerBook = self.app.settings["kursk_book"]
        book.prune(live)
        for kernel_id, why in book.expired(self.connect_grace, self.leave_grace):
            self.reclaim(kernel_id, why)
        forget_queries(live)


class NothingToTrust(NotebookNotary):
    """nbformat's own rule first: a notebook without rich outputs has nothing that needs
    trust (check_cells). The dashboard notebook carries none (a test enforces it) and Voila
    runs it itself, so Jupyter's "not trusted" warning, logged for every page, said nothing."""

    def check_signature(self, nb) -> bool:
        return self.check_cells(copy.deepcopy(nb)) or super().check_signature(nb)


def _no_version(page_config, **_kwargs):
    page_config["appVersion"] = ""
    return page_config


main = KurskVoila.launch_instance

if __name__ == "__main__":
    main()
