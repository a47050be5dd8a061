"""A viewer kernel shut down before it started ends quietly: no traceback in the server log.

The server removes a kernel's connection file when it replaces a pool kernel, and the folder
of the kernels' Unix sockets when it stops. A kernel starting at that moment found one or the
other gone; binding its sockets then logged a ZMQError traceback as the server stopped
(make test, stop 24: test_stop's clean-log check).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _connection(folder) -> dict:
    return {
        "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
        "ip": str(folder / "kernel-ipc"), "key": "k", "transport": "ipc",
        "signature_scheme": "hmac-sha256", "kernel_name": "",
    }  # fmt: skip


def _start(path, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "kursk.serve.kernel", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("gone", ["socket folder", "connection file"])
def test_a_kernel_shut_down_before_it_started_ends_quietly(tmp_path, gone):
    path = tmp_path / "kernel.json"
    folder = tmp_path / ("removed" if gone == "socket folder" else "sockets")
    folder.mkdir(exist_ok=gone != "socket folder")
    if gone == "socket folder":
        folder.rmdir()
    path.write_text(json.dumps(_connection(folder)))
    if gone == "connection file":
        path.unlink()
    run = _start(path)
    assert run.returncode == 0
    assert "Traceback" not in run.stderr and "Error" not in run.stderr, run.stderr


def test_a_kernel_with_its_folder_starts(tmp_path):
    """The same connection with the folder in place: the kernel binds and runs."""
    folder = tmp_path / "sockets"
    folder.mkdir()
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps(_connection(folder)))
    with pytest.raises(subprocess.TimeoutExpired):
        _start(path, timeout=8)  # still serving after 8 s
    assert sorted(p.name for p in folder.iterdir())[:1] == ["kernel-ipc-1"]


def test_a_kernel_stopped_as_it_starts_does_not_warn_about_its_debugger_poll():
    """The coroutine ipykernel schedules on its control thread at start is never run when the
    kernel is shut down at that moment; its warning at exit is not logged (test_stop.py)."""
    import gc
    import warnings

    from ipykernel.ipkernel import IPythonKernel

    from kursk.serve.kernel import quiet_shutdown_race

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        quiet_shutdown_race()
        never_run = IPythonKernel.poll_stopped_queue(object())
        del never_run
        gc.collect()
        warnings.warn("another warning still shows", RuntimeWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["another warning still shows"]
