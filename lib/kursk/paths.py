"""Every path the project uses, derived from one root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# KURSK_DATA_DIR points the dashboard (and load()) at another data folder, e.g. in tests.
DATA_DIR = Path(os.environ.get("KURSK_DATA_DIR", ROOT / "data"))
BUILD_DIR = ROOT / "build"
DASHBOARDS_DIR = ROOT / "dashboards"
NOTEBOOKS_DIR = ROOT / "notebooks"
# The source articles live beside the checkout (../shared/articles); they are never committed.
ARTICLES_DIR = Path(os.environ.get("KURSK_ARTICLES", ROOT.parent / "shared" / "articles"))


def display_path(path: Path) -> str:
    """A path as a user should see it in an error: relative to the checkout when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
