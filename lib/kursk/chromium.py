"""Finding and launching Debian's Chromium: one place for Playwright and kaleido alike.

No browser is ever downloaded: these machines reach only package registries, so the
browser is Debian's `chromium` package (`make chromium` installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; --no-sandbox is needed when running as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
INSTALL_HINT = (
    "no Chromium found: install Debian's package with `make chromium` "
    "(or `apt-get install -y chromium`), or point BROWSER_PATH at a Chromium binary"
)


class ChromiumError(RuntimeError):
    """Chromium could not draw: missing, failing to start, or not answering in time."""


class ChromiumNotFound(ChromiumError):
    """No usable Chromium on this machine; the message says how to install one."""


def find_chromium() -> Path:
    """The Chromium to use: $BROWSER_PATH if set, else Debian's standard paths."""
    pinned = os.environ.get("BROWSER_PATH")
    if pinned:
        if Path(pinned).is_file() and os.access(pinned, os.X_OK):
            return Path(pinned)
        raise ChromiumNotFound(f"BROWSER_PATH={pinned} is not an executable file; " + INSTALL_HINT)
    for candidate in CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise ChromiumNotFound(INSTALL_HINT)


def launch(playwright, **kwargs):
    """Launch Debian's Chromium through Playwright (sync API) with the flags this machine needs."""
    return playwright.chromium.launch(
        executable_path=str(find_chromium()), args=CHROMIUM_ARGS, headless=True, **kwargs
    )


def kill_tree(pid: int) -> None:
    """Kill a process and everything it started, even what left its process group.

    Kaleido's browser wrapper starts its own session, so a browser that hangs would outlive
    a killed process group; its descendants are found through /proc first (once the parent
    is gone they would belong to init and be out of reach). The family is stopped before it
    is killed, and looked for again until no new member appears. A look counts only once
    every member has really stopped: a process inside fork() takes SIGSTOP only when the
    fork returns, and its new child is in /proc by then (CI, stop 23: a look taken while
    the parent was still copying itself missed the child, which outlived the run).
    """
    family: set[int] = set()
    while True:
        found = _descendants(pid) - family
        if not found:
            break
        for member in found:
            _signal(member, signal.SIGSTOP)
        family |= found
        _settle(family, "TtZX")
    for member in family:
        _signal(member, signal.SIGKILL)
    _settle(family, "ZX")  # dead, not dying: nothing of it is seen running afterwards


def _settle(family: set[int], states: str, wait: float = 2.0) -> None:
    """Wait (bounded) until every member is in one of `states` or gone. A parent waiting in
    vfork() for a stopped child never reaches "stopped", hence the bound."""
    deadline = time.monotonic() + wait
    waiting = set(family)
    while waiting and time.monotonic() < deadline:
        waiting = {m for m in waiting if _state(m) not in states}
        if waiting:
            time.sleep(0.002)


def _state(pid: int) -> str:
    """The process's state letter from /proc ("X" once it is gone)."""
    fields = _stat(pid)
    return fields[0] if fields else "X"


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state, parent, ...); [] once
    the process is gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _descendants(pid: int) -> set[int]:
    """pid and every live process below it, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(ValueError):
            fields = _stat(int(entry.name))
            if fields:
                parents[int(entry.name)] = int(fields[1])
    family, todo = set(), [pid]
    while todo:
        current = todo.pop()
        family.add(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return family


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
