"""The kernel behind each dashboard viewer: IPython's kernel whose errors stay in the server log.

A viewer's browser is connected to its kernel's iopub channel, so by default every traceback
(a forged widget message, a failing callback, a warning) reaches the browser with file paths
and source lines. This kernel sends viewers a generic error without traceback or paths, and
writes the details to the server's log instead, each record cut to a couple of thousand
characters (a forged value is not copied into the log whole). The dashboard server uses it
through the `python3` kernelspec in serve/jupyter/kernels/ (the server's environment puts that
folder on JUPYTER_PATH for the server only; JupyterLab keeps the ordinary kernel).

Its memory has a ceiling the OS enforces: RLIMIT_DATA (heap, anonymous maps, thread stacks) of
KURSK_KERNEL_MEMORY_MB, set by the server (serve/app.py). A kernel that hits it exits: it
could not do anything useful any more, and its death frees the viewer's slot and tells the
page. kernel_info names no versions.

Its kernelspec asks for interrupts as messages (`interrupt_mode`): jupyter_client interrupts
every kernel it shuts down, and a SIGINT reaching a kernel still importing (a pool kernel
replaced, or the server stopped, just after it started) printed a KeyboardInterrupt traceback
into the server log. ipykernel turns the message into the same SIGINT once it is running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import sys
import traceback
import warnings
from pathlib import Path

import zmq
from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Type

from .logs import CutFormatter, cut

GENERIC_ERROR = "The dashboard could not handle that request; the previous view is kept."
LOG = logging.getLogger("kursk.viewer")


OUT_OF_MEMORY = 70  # the exit status of a kernel at its memory ceiling


def out_of_memory() -> None:
    """Leave at once: the server sees the kernel die, frees its slot and tells the page."""
    with contextlib.suppress(Exception):
        sys.__stderr__.write("[viewer kernel] ERROR out of memory (RLIMIT_DATA): exiting\n")
        sys.__stderr__.flush()
    os._exit(OUT_OF_MEMORY)


class ExitOnMemoryError(logging.Filter):
    """Every error logged with a MemoryError (comm handlers, message handlers) ends the kernel."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], MemoryError):
            out_of_memory()
        return True


class ViewerShell(ZMQInteractiveShell):
    """Tracebacks go to the server log; the viewer gets the exception name and a plain sentence."""

    def _showtraceback(self, etype, evalue, stb):
        if isinstance(evalue, MemoryError):
            out_of_memory()
        if isinstance(evalue, KeyboardInterrupt):
            # jupyter_client interrupts each kernel it shuts down: a pool kernel still running
            # the notebook when it is replaced or the server stops. Expected, not an error.
            LOG.info("a viewer kernel was interrupted while busy (it is being shut down)")
        elif _from_viewer_message(evalue.__traceback__):
            # A widget refused what a viewer sent (a forged value, a wrong type): an expected
            # client error, one line in the log; the page gets the same generic sentence.
            LOG.warning(
                "a viewer's widget message was refused: %s: %s",
                etype.__name__,
                cut(str(evalue), 300),
            )
        else:
            self._log_traceback(etype, evalue)
        super()._showtraceback(etype, GENERIC_ERROR, [])
        self._last_traceback = []

    def _log_traceback(self, etype, evalue) -> None:
        LOG.error(
            "error in a viewer kernel (pid %d):\n%s",
            os.getpid(),
            "".join(traceback.format_exception(etype, evalue, evalue.__traceback__)),
        )


def _from_viewer_message(tb) -> bool:
    """Whether an error arose while a widget handled a message from the page."""
    return any(frame.f_code.co_name == "_handle_msg" for frame, _ in traceback.walk_tb(tb))


class ViewerKernel(IPythonKernel):
    """IPython's kernel with the ViewerShell, and a kernel_info without versions."""

    shell_class = Type(ViewerShell)

    @property
    def kernel_info(self):
        info = dict(super().kernel_info)
        info.update(banner="", implementation_version="", help_links=[])
        language = dict(info.get("language_info") or {})
        language.pop("version", None)
        info["language_info"] = language
        return info


def quiet_shutdown_race() -> None:
    """ipykernel hands its control thread a coroutine polling the debugger as the kernel
    starts; a kernel shut down at that moment (a pool kernel as the server stops) never runs
    it, and Python warns about the coroutine at exit, into the server log (make test, stop
    26). Nothing is lost: viewers have no debugger session to poll."""
    warnings.filterwarnings(
        "ignore", r"coroutine '.*poll_stopped_queue' was never awaited", RuntimeWarning
    )


class ViewerKernelApp(IPKernelApp):
    """The kernel app: no fd capture, logs and warnings to the server's stderr, not to iopub."""

    def init_io(self):
        # fd 2 stays the server's stderr (its log); Python-level print() still reaches the page.
        self.capture_fd_output = False
        super().init_io()

    def init_connection_file(self):
        """A kernel whose connection file is gone was shut down before it started (a pool
        kernel replaced, the server stopping): it ends quietly. ipykernel would start anyway,
        on TCP and new ports, with nobody to talk to, and warn about it in the server log."""
        if self._shut_down_before_start():
            self.exit(0)
        super().init_connection_file()

    def init_sockets(self):
        """The server can stop between that check and the kernel's binding its sockets: it
        removes the folder of the kernels' Unix sockets, and the bind fails. That kernel, too,
        ends quietly instead of logging a traceback as the server stops (make test, stop 24)."""
        try:
            super().init_sockets()
        except zmq.ZMQError:
            if self._shut_down_before_start():
                self.exit(0)
            raise

    def _shut_down_before_start(self) -> bool:
        """The connection file, or the folder of the kernel's Unix sockets, is gone."""
        file = Path(self.connection_file or "")
        if file.is_absolute() and not file.exists():
            return True
        return self.transport == "ipc" and not Path(self.ip).parent.is_dir()

    def initialize(self, argv=None):
        """Route every log record and warning to the server log before the kernel starts."""
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(CutFormatter("[viewer kernel] %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(ExitOnMemoryError())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.WARNING)
        logging.captureWarnings(True)  # warnings name source files: keep them off the page
        quiet_shutdown_race()
        super().initialize(argv)
        for own in self.log.handlers:  # the kernel's own log (message handler errors)
            own.setFormatter(CutFormatter(own.formatter._fmt if own.formatter else None))
            own.addFilter(ExitOnMemoryError())


# Viewer kernels run at the lowest CPU priority: when many kernels warm up at once (the
# pre-heated pool refilling after a burst of viewers), the server that relays every viewer's
# messages stays responsive. Kernels among themselves are equal, so a viewer's own kernel is
# not slowed by this unless the machine is busy (docs/performance.md has the load test).
NICENESS = 19


def limit_memory(megabytes: int) -> None:
    """Cap the kernel's private data (RLIMIT_DATA) at megabytes, if lower than now."""
    if megabytes <= 0:
        return
    cap = megabytes << 20
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or cap < soft:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def main() -> None:
    """Start the viewer kernel (argv as for ipykernel_launcher: -f CONNECTION_FILE)."""
    with contextlib.suppress(OSError):  # not permitted here: run at the default priority
        os.nice(NICENESS)
    with contextlib.suppress(ValueError, OSError):
        limit_memory(int(os.environ.get("KURSK_KERNEL_MEMORY_MB") or 0))
    ViewerKernelApp.launch_instance(kernel_class=ViewerKernel)


if __name__ == "__main__":
    main()
