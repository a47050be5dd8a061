"""Building ahead: while a reader reads, the kernel builds what the next click will show.

A reader who reads a view for a while and then ticks or unticks one claimant waits for the
kernel to build that selection's charts in view and its headline. After `pause` seconds
without a change, `BuildAhead` builds those parts for the selections one claimant away from
the one shown (each claimant ticked or unticked; each claimant alone), one part per turn of
the kernel's event loop, so that a message from the page waits for one part at most. It
stops at the next change, builds nothing while the machine is busy (other viewers' work
comes first: see `busy`) and nothing without a running event loop (a notebook outside the
server) or in JupyterLab.

Why it exists: the bench's "next-step" redraw (`make bench`, dashboard: a second claimant
ticked after reading one for 3 s) misses its target without it; the numbers are in
docs/performance.md ("Building ahead"). Only a speed-up: a failure ends it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator

from .filters import Filters
from .views import ViewCache


def one_claimant_away(f: Filters, claimants: tuple[str, ...]) -> list[Filters]:
    """The selections one click on the claimant list away from f: each claimant ticked or
    unticked (never none left), then each claimant alone; f itself not among them."""
    chosen = set(f.claimants)
    out = []
    for c in claimants:
        keep = chosen ^ {c}
        if keep:
            out.append(f.with_(claimants=tuple(x for x in claimants if x in keep)))
    out += [f.with_(claimants=(c,)) for c in claimants]
    unique = dict.fromkeys(s for s in out if s != f)
    return list(unique)


class BuildAhead:
    """Builds the in-view parts of the selections one click away, in the kernel's idle time."""

    def __init__(
        self,
        views: ViewCache,
        claimants: Callable[[], tuple[str, ...]],
        in_view: Callable[[str], bool],
        live: bool = True,
        pause: float = 1.0,
        most: int = 24,
    ):
        """claimants: those offered; in_view(chart): the page reports it in view; live: a
        served page (in JupyterLab nothing is built ahead)."""
        self.views, self.claimants, self.in_view, self.live = views, claimants, in_view, live
        self.pause, self.most = pause, most
        self.built = 0  # parts built ahead (tests read it)
        self._todo: Iterator[tuple[Filters, str | None]] = iter(())
        self._last_change = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None

    def changed(self, shown: Filters) -> None:
        """A new selection is shown: what was queued is dropped; after the pause, its
        neighbours are built (charts in view now, then the headline, selection by selection)."""
        if not self.live:
            return
        self._last_change = time.monotonic()
        names = [*filter(self.in_view, self.views.builders), None]  # None: the headline
        selections = one_claimant_away(shown, self.claimants())[: self.most]
        self._todo = iter([(f, name) for f in selections for name in names])
        if self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._timer = loop.call_later(self.pause, self._step)

    def _step(self) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last_change + self.pause - time.monotonic()
        if wait > 0:  # the reader is still clicking: their changes come first
            self._timer = loop.call_later(wait, self._step)
            return
        if busy():
            self._timer = loop.call_later(2.0, self._step)
            return
        try:
            f, name = next(self._todo)
            view = self.views.view(f)
            if name is None:
                self.views.headline(view)
            elif not view.empty:
                self.views.figure(view, name)
            self.built += 1
        except Exception:  # noqa: BLE001 - done (StopIteration), or failed: only a speed-up
            self._timer = None
            return
        self._timer = loop.call_later(0.002, self._step)


def busy() -> bool:
    """Other work wants the machine: the 1-minute load average is at or above its cores, or
    (Linux) as many other threads as cores are running right now (the average lags a burst)."""
    cores = os.cpu_count() or 1
    if os.getloadavg()[0] >= cores:
        return True
    try:
        with open("/proc/stat", "rb") as stat:
            running = next(
                int(line.split()[1]) for line in stat if line.startswith(b"procs_running")
            )
    except (OSError, StopIteration, ValueError, IndexError):
        return False
    return running - 1 >= cores  # this kernel is one of them
