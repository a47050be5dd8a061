"""Shared fixtures. Test modules have unique basenames (no __init__.py in tests/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import kursk
import pytest
from kursk.paths import ARTICLES_DIR, DATA_DIR


@pytest.fixture(scope="session")
def data() -> kursk.Dataset:
    """The curated seed data, loaded once."""
    return kursk.load()


@pytest.fixture(scope="session")
def articles_dir() -> Path:
    """../shared/articles; tests that need the article texts skip when it is absent."""
    if not ARTICLES_DIR.is_dir():
        pytest.skip(f"article texts not found at {ARTICLES_DIR} (they are never committed)")
    return ARTICLES_DIR


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_voila(data_dir=None, extra=None):
    """Start the real dashboard server (what `make dashboard` runs) on a free loopback port."""
    import subprocess
    import time
    import urllib.request

    from kursk import serve

    port = _free_port()
    log = open(Path(__import__("tempfile").mkdtemp()) / "voila.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(serve.command(port, extra=extra), env=serve.environment(data_dir),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"voila exited: {log.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "voila/static/voila.js", timeout=2)  # noqa: S310
            break
        except Exception:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("voila did not answer within 90 s")
    return proc, url, log


def stop_voila(proc) -> None:
    import os
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def voila_server():
    """Base URL of a running dashboard server, shared by the browser tests."""
    proc, url, _ = start_voila()
    yield url
    stop_voila(proc)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from kursk.browser import ChromiumNotFound, launch

    with sync_playwright() as p:
        try:
            b = launch(p)
        except ChromiumNotFound as exc:
            pytest.fail(str(exc))
        yield b
        b.close()
