"""First contact with the server as a person starts it: `make dashboard` and
`python -m kursk.serve` log nothing alarming, and a stop signal to the top process alone
(what a supervisor, `kill` or a closed terminal sends) stops Voila and every kernel and frees
the port.

Each test starts the real server in a process group of its own, as a shell starts
`make dashboard`, and signals only the top process: Voila, its kernels and the snapshot
drawing must all go with it, though the kernels and the drawing run in sessions of their own.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from kursk.serve import free_port

pytestmark = [pytest.mark.server]
ROOT = Path(__file__).resolve().parents[2]
STOPPED_WITHIN = 30.0  # seconds: Voila shuts its kernels down (GRACE is 20 s), then the rest
# Lines a person starting the dashboard should never see.
ALARMING = re.compile(
    r"DeprecationWarning|Warning:|not recognized|not trusted|Traceback|Error|"
    r"\bWARNING\b|CRITICAL"
)


def make_dashboard(port: int) -> list[str]:
    return ["make", "--no-print-directory", "dashboard", f"PORT={port}"]


def python_serve(port: int) -> list[str]:
    return [sys.executable, "-m", "kursk.serve", "--port", str(port)]


def start(argv: list[str], log: Path) -> subprocess.Popen:
    """The command in a new process group (as a shell runs a job), its output to log."""
    with log.open("wb") as out:
        return subprocess.Popen(
            argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def page_answers(proc: subprocess.Popen, port: int, log: Path, timeout: float = 180) -> None:
    """Wait until the dashboard page itself (rendered by a kernel) answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:  # noqa: S310
                if r.status == 200 and b"Kursk" in r.read():
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the page did not answer within {timeout:.0f} s: {log.read_text()[-2000:]}")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def tree(pid: int) -> list[psutil.Process]:
    top = psutil.Process(pid)
    return [top, *top.children(recursive=True)]


def alive(procs: list[psutil.Process]) -> list[str]:
    left = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{p.pid} {' '.join(p.cmdline())[:160]}")
        except psutil.NoSuchProcess:
            pass
    return left


def stop_everything(procs: list[psutil.Process]) -> None:
    """Cleanup after a failed test: the processes this test started, by pid."""
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()


# (how it was started, the signal, whether to the top process alone or to its whole process
# group, as Ctrl-C in a terminal does). SIGINT to make alone does nothing: make waits for its
# child, trusting the terminal to have signalled it too; SIGKILL to make leaves its child
# running unless the server stops with its parent (--stop-with-parent).
CASES = {
    "python-TERM": (python_serve, signal.SIGTERM, "top"),
    "python-INT": (python_serve, signal.SIGINT, "top"),
    "make-TERM": (make_dashboard, signal.SIGTERM, "top"),
    "make-ctrl-c": (make_dashboard, signal.SIGINT, "group"),
    "make-KILL": (make_dashboard, signal.SIGKILL, "top"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_stop_signal_stops_the_whole_server_and_frees_the_port(tmp_path, case):
    how, sig, to = CASES[case]
    port = free_port()
    log = tmp_path / "server.log"
    proc = start(how(port), log)
    procs: list[psutil.Process] = []
    try:
        page_answers(proc, port, log)
        procs = tree(proc.pid)
        kernels = [p for p in procs if "kursk.serve.kernel" in " ".join(p.cmdline())]
        voila = [p for p in procs if "kursk.serve.app" in " ".join(p.cmdline())]
        assert voila and kernels, [" ".join(p.cmdline())[:120] for p in procs]
        if to == "top":
            os.kill(proc.pid, sig)  # make, or python -m kursk.serve, alone
        else:
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + STOPPED_WITHIN
        while time.monotonic() < deadline and (alive(procs) or not port_free(port)):
            time.sleep(0.25)
        assert not alive(procs), f"left running after {sig.name} to the {to}: {alive(procs)}"
        assert port_free(port), f"port {port} still taken after {sig.name}"
        proc.wait(timeout=5)
        text = log.read_text(errors="replace")
        seen = [line for line in text.splitlines() if ALARMING.search(line)]
        assert not seen, "stopping the dashboard logged:\n" + "\n".join(seen)
    finally:
        stop_everything(procs)


def test_make_dashboard_starts_with_a_clean_log(tmp_path):
    """No DeprecationWarning, unknown config key, "not trusted" line or traceback from
    `make dashboard` up to the first page served and the snapshots drawn."""
    port = free_port()
    log = tmp_path / "server.log"
    proc = start(make_dashboard(port), log)
    procs: list[psutil.Process] = []
    try:
        page_answers(proc, port, log)
        procs = tree(proc.pid)
        deadline = time.monotonic() + 240
        while "snapshots:" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.5)
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=STOPPED_WITHIN)
        text = log.read_text(errors="replace")
        seen = [line for line in text.splitlines() if ALARMING.search(line)]
        assert not seen, "the dashboard's log says:\n" + "\n".join(seen)
        assert "Voilà is running at" in text and "Kernel shutdown" in text
    finally:
        stop_everything(procs)
