"""Starting and stopping the dashboard server: the argv, its environment, running it in the
foreground until told to stop (`python -m kursk.serve`, `make dashboard`), and a background
start for tests and benchmarks.

Stopping: SIGTERM, SIGINT or SIGHUP to `python -m kursk.serve` (or SIGTERM to `make
dashboard`, which passes it on) asks Voila to stop; Voila shuts its kernels down, and whatever
of its process tree is still there after a grace period (kernels, the snapshot drawing and its
Chromium, which run in sessions of their own) is killed. When the command returns, the port is
free and nothing it started is left.

Settings live in the committed voila.json (serve/dashboard/, linked from dashboards/):
tracebacks hidden, sources stripped, no file access, no URL template/theme overrides, idle
kernels culled, one pre-heated kernel. The `kursk` Voila template (serve/jupyter/) is the lab
template without its CDN fonts.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from ..paths import DASHBOARD_DIR, DASHBOARD_NOTEBOOK, JUPYTER_DATA, PLOTLY_URL

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE = 20.0  # seconds Voila has to shut its kernels down before what is left is killed
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends


def command(
    port: int = 8866, host: str = "127.0.0.1", extra: list[str] | None = None
) -> list[str]:
    """The argv that serves the dashboard; tests start exactly this."""
    return [
        sys.executable,
        "-m",
        "kursk.serve.app",  # Voila with the viewer cap and headers on every reply
        str(DASHBOARD_NOTEBOOK),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        f"--Voila.config_file_paths={DASHBOARD_DIR}",  # one item: traitlets' list syntax
        *(extra or []),
    ]


def environment(data_dir: str | Path | None = None) -> dict[str, str]:
    """Environment for the server: our template on JUPYTER_PATH; optional data folder."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(JUPYTER_DATA), env.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # The dashboard's charts load plotly.js once from this server (serve/app.py serves it).
    env["KURSK_PLOTLY_URL"] = "/" + PLOTLY_URL
    if data_dir is not None:
        env["KURSK_DATA_DIR"] = str(data_dir)
    return env


class _Stop(Exception):
    """A stop signal arrived while the server ran."""


def _raise_stop(signum, _frame) -> None:
    raise _Stop(signum)


def stop_with_parent() -> None:
    """Have the kernel send this process SIGTERM when its parent ends (Linux; elsewhere a
    no-op): a server started by `make dashboard` ends with make, however make ended."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def run(argv: list[str], env: dict[str, str], grace: float = GRACE) -> int:
    """Run the server in the foreground until it exits or a stop signal arrives; then stop
    it and everything it started (see the module docstring). Returns the exit code."""
    handlers = {sig: signal.signal(sig, _raise_stop) for sig in STOP_SIGNALS}
    proc = None
    try:
        # Voila gets SIGTERM should this process be killed outright (SIGKILL, OOM).
        proc = subprocess.Popen(argv, env=env, preexec_fn=stop_with_parent)  # noqa: PLW1509
        return proc.wait()
    except _Stop:
        _stop_tree(proc, grace)
        return 0
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _stop_tree(proc: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM to Voila, up to `grace` seconds for it to shut its kernels down, then SIGKILL
    to whatever of its tree (as it was when asked to stop) is still running. A second stop
    signal skips the wait."""
    if proc is None:
        return
    family = _family(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except (_Stop, subprocess.TimeoutExpired):
        pass
    finally:
        for pid, started in family:
            if _started(pid) == started:  # the same process, not a reused pid
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(_Stop, ChildProcessError):
            proc.wait()


def _started(pid: int) -> int | None:
    """A process's start time (clock ticks since boot), or None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] == "Z" else int(fields[19])


def _family(pid: int) -> set[tuple[int, int]]:
    """(pid, start time) of a process and all its descendants, found through /proc (kernels
    and the snapshot drawing run in sessions of their own: a process group misses them)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(entry.name)] = int(
                (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            )
    family, todo = set(), [pid]
    while todo:
        current = todo.pop()
        started = _started(current)
        if started is not None:
            family.add((current, started))
        todo += [child for child, parent in parents.items() if parent == current]
    return family


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    data_dir=None, extra: list[str] | None = None, port: int | None = None, timeout: float = 180
) -> tuple[subprocess.Popen, str]:
    """Start the real server in the background (tests, benchmarks); returns (process, url)."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="voila-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        command(port, extra=extra),
        env=environment(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"voila exited: {log.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "voila/static/voila.js", timeout=2)  # noqa: S310
            return proc, url
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"voila did not answer within {timeout:.0f} s (log: {log.name})")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by start(), with its kernels."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
