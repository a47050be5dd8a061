"""The bar above the dashboard (bar.js): the view's link and the filter drawer.

- `query`: the current view as the page's query string (link.py). The page puts it in its
  URL as it changes (history.replaceState, no reload), so that the address is always a link
  to what the reader sees, and a reload shows the same view.
- "Copy link" copies that address and says so on the page.
- On a narrow screen the filters fold into a drawer under the bar; its button says what the
  view shows (`summary`) and whether the drawer is open (aria-expanded). All of it works in
  the page alone: no round trip to the kernel.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets


class Bar(anywidget.AnyWidget):
    """The link to the view and the filter drawer's button."""

    _esm = Path(__file__).with_name("bar.js")
    query = traitlets.Unicode("").tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
