"""In-view-first redraws: the rest of a filter change waits until the page drew what it shows.

A filter change sends the charts the page reports in view first, then the headline. The rest
(charts out of view, the table, the download, the status) is held until the page reports
those charts drawn, or `timeout` seconds at most (a hidden tab draws nothing; a chart can fail
to draw). When the browser shares the machine with the kernel, building the rest meanwhile took
CPU from the drawing the reader waits for (`make bench` measures both).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class InViewFirst:
    """Holds the rest of one redraw until the awaited chart revisions are reported drawn."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._awaited: dict[str, int] = {}
        self._rest: Callable[[str], None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> bool:
        return self._rest is not None

    def hold(self, awaited: dict[str, int], rest: Callable[[str], None]) -> bool:
        """Run rest(how) once every awaited {chart: revision} is drawn ("drawn"), or after the
        timeout ("timeout"). False (nothing held) when nothing is awaited or no event loop runs,
        as in JupyterLab without a page, or in tests without a kernel."""
        self.supersede()
        if not awaited:
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._awaited, self._rest = dict(awaited), rest
        self._timer = loop.call_later(self.timeout, self._release, "timeout")
        return True

    def drawn(self, name: str, content) -> None:
        """The page's message from a chart: {"drawn": revision}. Anything else is ignored."""
        if self._rest is None or not isinstance(content, dict):
            return
        if name in self._awaited and content.get("drawn") == self._awaited[name]:
            del self._awaited[name]
            if not self._awaited:
                self._release("drawn")

    def supersede(self) -> None:
        """Drop the rest still waiting: a new redraw sends every part itself."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._rest, self._awaited = None, None, {}

    def _release(self, how: str) -> None:
        rest = self._rest
        self.supersede()
        if rest is not None:
            rest(how)
