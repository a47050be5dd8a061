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
