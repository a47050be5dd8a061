"""Shared fixtures. Test modules have unique basenames (no __init__.py in tests/).

`data` is the curated data in data/. `any_data` (and `any_data_dir`) run a test on each
dataset a curator's valid work can produce: data/ itself, data/ grown by invented reports of
every kind (tests/fixtures/additions), and the invented realistic fixture
(tests/fixtures/realistic). Tests on them assert invariants of the data, never its counts.
"""

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


FIXTURES = Path(__file__).parent / "fixtures"
DATASETS = ("data", "grown", "realistic")


@pytest.fixture(scope="session")
def dataset_dirs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """name -> (data folder, texts folder) for each dataset in DATASETS."""
    from tests.support.datasets import grown_copy

    grown = grown_copy(tmp_path_factory.mktemp("grown") / "data")
    realistic = FIXTURES / "realistic"
    return {
        "data": (DATA_DIR, ARTICLES_DIR),
        "grown": (grown, ARTICLES_DIR),
        "realistic": (realistic, realistic / "texts"),
    }


@pytest.fixture(scope="session", params=DATASETS)
def any_data_dir(request, dataset_dirs) -> tuple[Path, Path]:
    """(data folder, texts folder) of each dataset in turn."""
    return dataset_dirs[request.param]


@pytest.fixture(scope="session")
def any_data(any_data_dir) -> kursk.Dataset:
    """Each dataset in turn, loaded."""
    return kursk.load(any_data_dir[0])


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
    import os
    import time

    from kursk.serve import start, stop

    proc, url = start()
    # The server draws its chart snapshots in the background (it never waits for them): the
    # browser tests that look for them wait until they are there (bounded).
    log = Path(os.readlink(f"/proc/{proc.pid}/fd/1"))
    deadline = time.monotonic() + 240
    while "snapshots:" not in log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.5)
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
