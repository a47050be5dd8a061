"""The HTTP side of the read-only link: the dashboard page, plain error pages, headers.

- The page takes a viewer slot only while it is wanted: a request whose client went away
  gives its kernel back at once, and the app reclaims kernels whose page never connected
  (limits.py, app.py). Beyond the cap a viewer gets a polite "busy" page (503), and a client
  holding too many kernels gets it with 429; so does any viewer when file descriptors run low.
- Error pages are one plain line: jupyter_server's templates need a static_url that Voila's
  app lacks, so each of its 404s used to log a traceback (and /logout answered 500).
- Security headers on every reply, no version banner; assets cacheable.
"""

from __future__ import annotations

import contextlib
import html
import os

import tornado.web
from jupyter_server._tz import utcnow
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from .limits import ViewerBook, client_key, fd_headroom
from .pool import RecordingKernelManager

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


def _plain_write_error(self, status_code, **kwargs):
    self.set_header("Content-Type", "text/html; charset=UTF-8")
    self.finish(plain_page(status_code, self._reason))


def plain_errors(cls: type) -> type:
    """A subclass of a handler whose error pages are plain_page."""
    return type(f"Plain{cls.__name__}", (cls,), {"write_error": _plain_write_error})


class NotFound(tornado.web.RequestHandler):
    """A route a read-only link does not have (/logout: there is no login)."""

    def prepare(self):
        raise tornado.web.HTTPError(404)

    write_error = _plain_write_error


class KurskPageHandler(TornadoVoilaHandler):
    """The dashboard page, or the busy page; its kernel given back when it is not wanted."""

    _admitted = False
    _bound: str | bool = False
    _aborted = False  # the client went away (possibly before get() even started)

    @property
    def kernel_manager(self):
        return RecordingKernelManager(self.settings["kernel_manager"], self._got_kernel)

    def _got_kernel(self, kernel_id: str) -> None:
        # A pre-heated kernel may have idled in the pool for longer than the cull timeout; once
        # handed out the culler would shut it down before the viewer's websocket connects.
        with contextlib.suppress(KeyError):
            self.settings["kernel_manager"].get_kernel(kernel_id).last_activity = utcnow()
        if self._admitted and not self._bound:
            self._bound = kernel_id
            self.settings["kursk_book"].bind(kernel_id, self._client)

    write_error = _plain_write_error  # Voila's error template pulls a CDN stylesheet

    def redirect_to_file(self, path):
        # Voila would redirect any other path into /voila/files/; a read-only link has none.
        raise tornado.web.HTTPError(404)

    def on_connection_close(self):
        # Not cancelling the render: Voila's get awaits the pool's shared task, and cancelling
        # it there cancels the pool's refill. The kernel is given back when get() ends.
        self._aborted = True
        super().on_connection_close()

    def flush(self, include_footers=False):
        future = super().flush(include_footers)
        future.add_done_callback(lambda f: f.exception())  # a gone client is no error to log
        return future

    def _refuse(self, status: int) -> None:
        retry = self.settings["kursk_retry_after"]
        self.set_status(status)
        self.set_header("Retry-After", str(retry))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(busy_page(retry))

    def _admit(self) -> bool:
        s = self.settings
        book: ViewerBook = s["kursk_book"]
        if fd_headroom() < s["kursk_fd_reserve"]:
            s["kursk_refusals"]("busy: file descriptors low; busy page sent")
            self._refuse(503)
            return False
        live = s["kernel_manager"].list_kernel_ids()
        refusal = book.admit(live, self._client)
        if refusal == "busy":
            s["kursk_refusals"]("busy: %d viewer kernels (cap %d)", book.in_use(live), book.cap)
            self._refuse(503)
        elif refusal == "client":
            s["kursk_refusals"]("busy: client %s holds its share of kernels", self._client)
            self._refuse(429)
        return refusal is None

    @tornado.web.authenticated
    async def get(self, path=None):
        if path:
            raise tornado.web.HTTPError(404)
        self._client = client_key(self.request, self.settings["kursk_trusted_proxies"])
        if not self._admit():
            return
        self._admitted = True
        book: ViewerBook = self.settings["kursk_book"]
        # Voila's page never touches the XSRF token, so no _xsrf cookie is set and the page's
        # unload beacon (POST voila/api/shutdown/<kernel>) is refused: the departed viewer's
        # kernel would live on until culled. Reading the token sets the cookie.
        self.xsrf_token  # noqa: B018
        try:
            # Pages render one per core at a time: twenty kernels importing pandas at once on
            # a small machine all miss Voila's start timeout; queued, they are served in turn.
            async with self.settings["kursk_rendering"]:
                if not self._aborted:  # gone while it waited: take no kernel at all
                    await super().get(path)
        finally:
            if not self._bound:
                book.release(self._client)
            elif self._aborted:
                self.settings["kursk_reclaim"](self._bound, "its page request was abandoned")
            else:
                book.page_sent(self._bound)


class ShutdownBeacon(VoilaShutdownKernelHandler):
    """The page's unload beacon: shuts down its own viewer kernel, no other (not a pool one)."""

    @tornado.web.authenticated
    async def post(self, kernel_id):
        book: ViewerBook = self.settings["kursk_book"]
        if kernel_id not in book.kernels:
            raise tornado.web.HTTPError(404)
        book.drop(kernel_id)
        await super().post(kernel_id)


class SafeTemplateStaticFileHandler(TemplateStaticFileHandler):
    """Template assets; a URL that is not <template>/static/<file> is a 404, not a 500."""

    def parse_url_path(self, path):
        for form in (path, os.path.normpath(path)):  # Voila splits both forms
            parts = form.split("/", 2)
            if len(parts) < 3 or parts[1] != "static" or not parts[2]:
                raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)

    write_error = _plain_write_error


class PlotlyJSHandler(tornado.web.StaticFileHandler):
    """plotly.js (cartesian bundle, serve/static/), once per browser: cached, revalidated."""

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "public, max-age=86400")

    write_error = _plain_write_error


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
