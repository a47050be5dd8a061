"""The Voila app serving the read-only link: a kernel cap, headers on every reply, no file routes.

`python -m kursk.serve.app NOTEBOOK [voila options]` is Voila with the changes a public link
needs:

- a kernel cap: each viewer costs one kernel; beyond `KurskVoila.max_viewers` live
  viewer kernels a new viewer gets a polite "busy, try again in a minute" page (HTTP 503 with
  Retry-After) instead of the server running out of memory;
- the security headers of the Voila config (`tornado_settings.headers`) on every reply, including
  static files and error pages, which Voila's own handlers leave bare; no version banner;
- at most one page renders per core at a time (later arrivals wait their turn);
- any path other than the dashboard is a plain 404, not a redirect into /voila/files/;
- malformed template-asset URLs are a 404, not a 500;
- before serving, static snapshots of the default charts are drawn (serve/snapshots.py), so a
  page shows every chart as soon as it arrives;
- plotly.js (the cartesian bundle) served once per browser, cacheable.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import os
import re
import subprocess
import sys

import tornado.web
from jupyter_server._tz import utcnow
from jupyter_server.utils import url_path_join
from traitlets import Bool, Int
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from ..paths import PLOTLY_URL, STATIC_DIR

BUSY_TITLE = "Kursk Figures is busy"
BUSY_MESSAGE = (
    "Too many people are viewing the dashboard right now. Please try again in a minute; "
    "this page reloads by itself."
)


def busy_page(retry_after: int) -> str:
    """The self-contained page a viewer sees when every viewer slot is taken."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{int(retry_after)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(BUSY_TITLE)}</title>
<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;background:#f6f7f9;color:#1f2933;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}}
main{{background:#fff;border:1px solid #e4e7eb;border-radius:6px;padding:24px 32px;
max-width:520px}}h1{{font-size:22px;margin:0 0 8px 0}}p{{font-size:15px;line-height:1.5}}</style>
</head><body><main class="kursk-busy"><h1>{html.escape(BUSY_TITLE)}</h1>
<p>{html.escape(BUSY_MESSAGE)}</p></main></body></html>
"""


def plain_page(status_code: int, reason: str) -> str:
    """A bare error page: status and reason, nothing about the stack."""
    text = html.escape(f"{status_code}: {reason}")
    return f"<!DOCTYPE html><html><head><title>{text}</title></head><body>{text}</body></html>"


class ViewerSlots:
    """Counts viewer kernels (pre-heated pool kernels excluded) and admits up to `limit`."""

    def __init__(self, limit: int):
        self.limit = limit
        self.kernels: set[str] = set()
        self.pending = 0  # admitted requests whose kernel is not known yet

    def in_use(self, live_ids) -> int:
        """Viewer kernels still alive plus admitted requests still waiting for one."""
        self.kernels &= set(live_ids)  # culled or shut-down kernels free their slot
        return len(self.kernels) + self.pending

    def admit(self, live_ids) -> bool:
        """Take a slot if one is free."""
        if self.limit > 0 and self.in_use(live_ids) >= self.limit:
            return False
        self.pending += 1
        return True

    def bind(self, kernel_id: str) -> None:
        """The admitted request got its kernel: the slot is now held by that kernel."""
        self.pending = max(0, self.pending - 1)
        self.kernels.add(kernel_id)

    def release(self) -> None:
        """The admitted request ended before it got a kernel."""
        self.pending = max(0, self.pending - 1)


class _RecordingKernelManager:
    """Passes everything to Voila's kernel manager and reports which kernel a page got."""

    def __init__(self, manager, on_kernel):
        self._manager = manager
        self._on_kernel = on_kernel

    def __getattr__(self, name):
        return getattr(self._manager, name)

    POOL_RETRIES = 3

    async def get_rendered_notebook(self, *args, **kwargs):
        # Voila hands out pre-heated kernels without checking they still run: one that died in
        # the pool (as kernels did when twenty started at once and two took the same TCP port)
        # gave the viewer a 404. A dead one is shut down and the next pool kernel taken (the
        # pool refills as each is taken); dashboards/voila.json turns jupyter_client's
        # auto-restart off, since a restarted kernel never ran the notebook and its page would
        # stay on the snapshot.
        for attempt in range(self.POOL_RETRIES + 1):
            task, cache, kernel_id = await self._manager.get_rendered_notebook(*args, **kwargs)
            if attempt == self.POOL_RETRIES or await self._alive(kernel_id):
                break
            self._manager.log.warning("pre-heated kernel %s died in the pool; next", kernel_id)
            with contextlib.suppress(Exception):
                await self._manager.shutdown_kernel(kernel_id, now=True)
        self._on_kernel(kernel_id)
        return task, cache, kernel_id

    async def _alive(self, kernel_id: str) -> bool:
        try:
            kernel = self._manager.get_kernel(kernel_id)
        except KeyError:
            return False
        alive = kernel.is_alive()
        return bool(await alive if asyncio.iscoroutine(alive) else alive)

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await self._manager.start_kernel(*args, **kwargs)
        self._on_kernel(kernel_id)
        return kernel_id


class CappedVoilaHandler(TornadoVoilaHandler):
    """The dashboard page, or the busy page when every viewer slot is taken."""

    @property
    def kernel_manager(self):
        return _RecordingKernelManager(self.settings["kernel_manager"], self._got_kernel)

    def _got_kernel(self, kernel_id: str) -> None:
        # A pre-heated kernel may have idled in the pool for longer than the cull timeout; once
        # handed out the culler would shut it down before the viewer's websocket connects.
        with contextlib.suppress(KeyError):
            self.settings["kernel_manager"].get_kernel(kernel_id).last_activity = utcnow()
        if self._admitted and not self._bound:
            self._bound = True
            self.settings["kursk_slots"].bind(kernel_id)

    def write_error(self, status_code, **kwargs):
        # Voila's error template pulls a CDN stylesheet and names the stack; keep it plain.
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(plain_page(status_code, self._reason))

    def redirect_to_file(self, path):
        # Voila would redirect any other path into /voila/files/; a read-only link has none.
        raise tornado.web.HTTPError(404)

    @tornado.web.authenticated
    async def get(self, path=None):
        if path:
            raise tornado.web.HTTPError(404)
        slots: ViewerSlots = self.settings["kursk_slots"]
        self._admitted = self._bound = False
        live = self.settings["kernel_manager"].list_kernel_ids()
        if not slots.admit(live):
            retry = self.settings["kursk_retry_after"]
            self.log.warning(
                "busy: %d viewer kernels live (cap %d); busy page sent",
                slots.in_use(live),
                slots.limit,
            )
            self.set_status(503)
            self.set_header("Retry-After", str(retry))
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(busy_page(retry))
            return
        self._admitted = True
        # Voila's page never touches the XSRF token, so no _xsrf cookie is set and the page's
        # unload beacon (POST voila/api/shutdown/<kernel>) is refused: the departed viewer's
        # kernel would live on until culled. Reading the token sets the cookie.
        self.xsrf_token  # noqa: B018
        try:
            # Pages render one per core at a time: twenty kernels importing pandas at once on
            # a small machine all miss Voila's start timeout; queued, they are served in turn.
            async with self.settings["kursk_rendering"]:
                await super().get(path)
        finally:
            if not self._bound:
                slots.release()


class SafeTemplateStaticFileHandler(TemplateStaticFileHandler):
    """Template assets; a URL that is not <template>/static/<file> is a 404, not a 500."""

    def parse_url_path(self, path):
        for form in (path, os.path.normpath(path)):  # Voila splits both forms
            parts = form.split("/", 2)
            if len(parts) < 3 or parts[1] != "static" or not parts[2]:
                raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)


class PlotlyJSHandler(tornado.web.StaticFileHandler):
    """plotly.js (cartesian bundle, serve/static/), once per browser: cached, revalidated."""

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "public, max-age=86400")


class SecurityHeaders(tornado.web.OutputTransform):
    """Adds the configured security headers to every reply and drops the version banner."""

    def __init__(self, headers: dict[str, str], request):
        super().__init__(request)
        self.headers = headers

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in self.headers.items():
            if name not in headers:
                headers[name] = value
        headers.pop("Server", None)
        return status_code, headers, chunk


class KurskVoila(Voila):
    """Voila with the kernel cap, security headers everywhere and no file routes."""

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
        "cores but one, which stays free for the viewers already served. Without it, twenty "
        "viewers taking twenty pre-heated kernels start twenty refills at once.",
    )

    snapshots = Bool(
        True,
        config=True,
        help="Draw static snapshots of the default charts before serving (serve/snapshots.py), so "
        "pages show every chart before their kernel connects. Needs Chromium; without it the "
        "page simply waits for the live charts.",
    )

    def _draw_snapshots(self) -> None:
        """Run `python -m kursk.serve.snapshots` once (cached) before the pool warms up."""
        try:
            done = subprocess.run(
                [sys.executable, "-m", "kursk.serve.snapshots"],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            lines = (done.stdout or done.stderr or "snapshots: no report").strip().splitlines()
            self.log.info(lines[-1] if lines else "snapshots: no report")
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.log.warning("snapshots: none (%s)", exc.__class__.__name__)

    def start(self):
        if self.snapshots:
            self._draw_snapshots()
        super().start()

    def _throttle_pool_refills(self) -> None:
        """Warm at most `max_warming` pool kernels at a time (the pool's refills queue)."""
        manager = self.kernel_manager
        initialize = getattr(manager, "_initialize", None)
        if initialize is None or self.max_warming <= 0:
            return
        warming = asyncio.Semaphore(self.max_warming)

        async def throttled(notebook_path, kernel_id=None, **kwargs):
            await warming.acquire()
            try:
                content = await initialize(notebook_path, kernel_id, **kwargs)
            except BaseException:
                warming.release()
                raise
            # The slot frees when the kernel has run the notebook, not merely started.
            content["task"].add_done_callback(lambda _task: warming.release())
            return content

        manager._initialize = throttled

    def init_handlers(self) -> list:
        """Voila's routes with the notebook and template-asset handlers replaced."""
        self._throttle_pool_refills()
        handlers = []
        for route in super().init_handlers():
            pattern, handler, *rest = route
            if handler is TornadoVoilaHandler:
                handler = CappedVoilaHandler
            elif handler is TemplateStaticFileHandler:
                handler = SafeTemplateStaticFileHandler
            handlers.append((pattern, handler, *rest))
        # The dashboard's chart widgets load plotly.js from here (dashboard/chart.py).
        folder, file = PLOTLY_URL.rsplit("/", 1)
        handlers.insert(
            0,
            (
                url_path_join(self.server_url, f"/{folder}/({re.escape(file)})"),
                PlotlyJSHandler,
                {"path": str(STATIC_DIR)},
            ),
        )
        # start() has built self.app just before asking for the handlers.
        self.app.settings["kursk_slots"] = ViewerSlots(self.max_viewers)
        self.app.settings["kursk_retry_after"] = self.retry_after
        self.app.settings["kursk_rendering"] = asyncio.Semaphore(max(1, self.max_rendering))
        headers = {"X-Content-Type-Options": "nosniff", **self.app.settings.get("headers", {})}
        self.app.transforms.append(functools.partial(SecurityHeaders, headers))
        self.log.info("viewer cap: %d kernels (busy page beyond)", self.max_viewers)
        return handlers


main = KurskVoila.launch_instance

if __name__ == "__main__":
    main()
