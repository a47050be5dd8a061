"""Shared fixtures. Test modules have unique basenames (no __init__.py in tests/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kursk
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


@pytest.fixture(scope="session")
def voila_server():
    """Base URL of a running dashboard server, shared by the browser tests."""
    from kursk.serve import start, stop

    proc, url = start()
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from kursk.chromium import ChromiumNotFound, launch

    with sync_playwright() as p:
        try:
            b = launch(p)
        except ChromiumNotFound as exc:
            pytest.fail(str(exc))
        yield b
        b.close()
