"""Accepting connections when file descriptors run out, and dropping idle ones.

Tornado's accept loop catches only "no connection waiting". When the process has no file
descriptor left, accept() fails with EMFILE on every turn of the event loop: the listening
socket stays readable, the error and its traceback are logged each time (a busy loop and
a log flood), and nothing recovers. Here an accept failure for want of
descriptors or memory stops accepting for a second, with one log line a minute; a spare
descriptor kept open for the purpose lets the server accept and close one waiting connection
at once, so the client learns quickly instead of waiting in the backlog.

Connections that send no request (or stop half way) were kept for tornado's default of an
hour, each holding a descriptor; they are closed after `idle_timeout` seconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import _DEFAULT_BACKLOG

PAUSE = 1.0  # seconds without accepting after running out
REPORT_EVERY = 60.0
OUT_OF = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class GuardedAccept:
    """The accept handler of one listening socket (tornado.netutil.add_accept_handler's)."""

    def __init__(self, sock, callback, log):
        self.sock, self.callback, self.log = sock, callback, log
        self.loop = IOLoop.current()
        self.removed = self.paused = False
        self.last_report, self.quiet = -REPORT_EVERY, 0
        self.spare = self._open_spare()
        self.loop.add_handler(sock, self.accept, IOLoop.READ)

    @staticmethod
    def _open_spare() -> int | None:
        try:
            return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None

    def accept(self, fd, events) -> None:
        for _ in range(_DEFAULT_BACKLOG):  # as tornado: let other work run between batches
            if self.removed or self.paused:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in OUT_OF:
                    raise
                self._ran_out(exc)
                return
            self.callback(connection, address)

    def _ran_out(self, exc: OSError) -> None:
        now = time.monotonic()
        if now - self.last_report >= REPORT_EVERY:
            self.log.warning(
                "out of file descriptors (%s): not accepting for %.0f s; %d times since the "
                "last report. Raise LimitNOFILE, or lower the viewer cap.",
                errno.errorcode.get(exc.errno, exc.errno),
                PAUSE,
                self.quiet,
            )
            self.last_report, self.quiet = now, 0
        else:
            self.quiet += 1
        self._shed_one()
        self.paused = True
        self.loop.remove_handler(self.sock)
        self.loop.call_later(PAUSE, self._resume)

    def _shed_one(self) -> None:
        """Accept one waiting connection on the spare descriptor and close it at once."""
        if self.spare is None:
            return
        os.close(self.spare)
        self.spare = None
        with contextlib.suppress(OSError):
            connection, _ = self.sock.accept()
            connection.close()
        self.spare = self._open_spare()

    def _resume(self) -> None:
        if not self.removed:
            self.paused = False
            self.loop.add_handler(self.sock, self.accept, IOLoop.READ)

    def remove(self) -> None:
        if not self.paused and not self.removed:
            self.loop.remove_handler(self.sock)
        self.removed = True
        if self.spare is not None:
            os.close(self.spare)
            self.spare = None


class GuardedHTTPServer(HTTPServer):
    """tornado's HTTPServer with GuardedAccept on its sockets (tornado 6.x internals:
    TCPServer._sockets and _handlers, as its own add_sockets fills them)."""

    def initialize(self, *args, accept_log=None, **kwargs):
        self._accept_log = accept_log
        super().initialize(*args, **kwargs)

    def add_sockets(self, sockets) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            guard = GuardedAccept(sock, self._handle_connection, self._accept_log)
            self._handlers[sock.fileno()] = guard.remove


def guarded_listen(app, log, idle_timeout: float):
    """A replacement for app.listen (which Voila calls): the guarded server, idle timeouts."""

    def listen(port, address=None, **kwargs):
        kwargs.setdefault("idle_connection_timeout", idle_timeout)  # also the header timeout
        kwargs.setdefault("body_timeout", idle_timeout)
        server = GuardedHTTPServer(app, accept_log=log, **kwargs)
        server.listen(port, address)
        return server

    return listen
