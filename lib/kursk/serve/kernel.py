"""The kernel behind each dashboard viewer: IPython's kernel whose errors stay in the server log.

A viewer's browser is connected to its kernel's iopub channel, so by default every traceback
(a forged widget message, a failing callback, a warning) reaches the browser with file paths
and source lines. This kernel sends viewers a generic error without traceback or paths, and
writes the details to the server's log instead. The dashboard server uses it through the
`python3` kernelspec in serve/jupyter/kernels/ (the server's environment puts that folder on
JUPYTER_PATH for the server only; JupyterLab keeps the ordinary kernel).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Type

GENERIC_ERROR = "The dashboard could not handle that request; the previous view is kept."
LOG = logging.getLogger("kursk.viewer")


class ViewerShell(ZMQInteractiveShell):
    """Tracebacks go to the server log; the viewer gets the exception name and a plain sentence."""

    def _showtraceback(self, etype, evalue, stb):
        LOG.error(
            "error in a viewer kernel (pid %d):\n%s",
            os.getpid(),
            "".join(traceback.format_exception(etype, evalue, evalue.__traceback__)),
        )
        super()._showtraceback(etype, GENERIC_ERROR, [])
        self._last_traceback = []


class ViewerKernel(IPythonKernel):
    """IPython's kernel with the ViewerShell."""

    shell_class = Type(ViewerShell)


class ViewerKernelApp(IPKernelApp):
    """The kernel app: no fd capture, logs and warnings to the server's stderr, not to iopub."""

    def init_io(self):
        # fd 2 stays the server's stderr (its log); Python-level print() still reaches the page.
        self.capture_fd_output = False
        super().init_io()

    def initialize(self, argv=None):
        """Route every log record and warning to the server log before the kernel starts."""
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(
            logging.Formatter("[viewer kernel] %(levelname)s %(name)s: %(message)s")
        )
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.WARNING)
        logging.captureWarnings(True)  # warnings name source files: keep them off the page
        super().initialize(argv)


# Viewer kernels run at the lowest CPU priority: when many kernels warm up at once (the
# pre-heated pool refilling after a burst of viewers), the server that relays every viewer's
# messages stays responsive. Kernels among themselves are equal, so a viewer's own kernel is
# not slowed by this unless the machine is busy (docs/performance.md has the load test).
NICENESS = 19


def main() -> None:
    """Start the viewer kernel (argv as for ipykernel_launcher: -f CONNECTION_FILE)."""
    with contextlib.suppress(OSError):  # not permitted here: run at the default priority
        os.nice(NICENESS)
    ViewerKernelApp.launch_instance(kernel_class=ViewerKernel)


if __name__ == "__main__":
    main()
