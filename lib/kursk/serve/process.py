"""Starting and stopping the dashboard server: the argv, its environment, and a background
start for tests and benchmarks.

Settings live in the committed voila.json (serve/dashboard/, linked from dashboards/):
tracebacks hidden, sources stripped, no file access, no URL template/theme overrides, idle
kernels culled, one pre-heated kernel. The `kursk` Voila template (serve/jupyter/) is the lab
template without its CDN fonts.
"""

from __future__ import annotations

import contextlib
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
        f"--Voila.config_file_paths=['{DASHBOARD_DIR}']",
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
