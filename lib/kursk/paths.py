"""Every path and bundled-asset location the project uses, one home each.

In a checkout, ROOT is the repository (data/, dashboards/, build/ beside lib/). Installed
from a wheel there is no checkout: the data folder is ./data (or KURSK_DATA_DIR), outputs go to
./build, and the dashboard notebook and server assets come from the package itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE_DIR.parents[1]
# A checkout has lib/kursk beside data/; an installed package sits in site-packages.
IN_CHECKOUT = (_CHECKOUT / "lib" / "kursk").resolve() == PACKAGE_DIR and (
    _CHECKOUT / "pyproject.toml"
).is_file()
ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()

# KURSK_DATA_DIR points load(), the CLI and the dashboard at another data folder.
DATA_DIR = Path(os.environ.get("KURSK_DATA_DIR", ROOT / "data"))
BUILD_DIR = ROOT / "build"
NOTEBOOKS_DIR = ROOT / "notebooks"
# Source texts live beside the checkout (../shared/articles) and are never committed.
ARTICLES_DIR = Path(os.environ.get("KURSK_ARTICLES", ROOT.parent / "shared" / "articles"))

# The served dashboard: notebook and Voila configuration (dashboards/ links to these).
DASHBOARD_DIR = PACKAGE_DIR / "serve" / "dashboard"
DASHBOARD_NOTEBOOK = DASHBOARD_DIR / "overview.ipynb"
DASHBOARDS_DIR = ROOT / "dashboards" if IN_CHECKOUT else DASHBOARD_DIR
# Jupyter data for the server only: the `kursk` Voila template and the viewer kernel spec.
JUPYTER_DATA = PACKAGE_DIR / "serve" / "jupyter"
# plotly.js, cartesian bundle: served to the dashboard, used by kaleido for images.
STATIC_DIR = PACKAGE_DIR / "serve" / "static"
PLOTLY_JS = STATIC_DIR / "plotly-cartesian.min.js"
PLOTLY_URL = "voila/kursk/plotly-cartesian.min.js"  # where the server serves it


# Characters that must not reach a terminal or a page raw: C0, DEL, C1, line separators, bidi.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def display_path(path: Path) -> str:
    """A path as a user should see it in an error: relative to the checkout when inside it.

    The last part is not resolved: a link's own name is shown, never where it points (a link
    out of the data folder must not print its target on the public error page). Control
    characters in names are shown escaped (\\x1b), so a file name cannot drive a terminal.
    """
    path = Path(path)
    try:
        shown = str((path.parent.resolve() / path.name).relative_to(ROOT))
    except (ValueError, OSError):
        shown = str(path)
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], shown)


def snapshot_dir() -> Path:
    """Where the dashboard's chart pictures are cached: $KURSK_SNAPSHOT_DIR, else build/."""
    return Path(os.environ.get("KURSK_SNAPSHOT_DIR") or BUILD_DIR / "snapshots")
