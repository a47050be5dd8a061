"""Voila's pre-heated kernels: handed out only alive, warmed a few at a time, never stale.

- A kernel that died in the pool is skipped (Voila would hand it out and its viewer got a
  404), and one that failed to start too; the next pool kernel is taken.
- At most `max_warming` pool kernels warm up at once: twenty viewers taking twenty
  pre-heated kernels would otherwise start twenty refills together.
- When the data change, the pool is refilled and its old kernels shut down: a pool kernel
  loaded the data when it warmed up, so the first reader after a change got the old figures
  (or the old error) with no sign of it.

`_pools`, `fill_if_needed` and `_initialize` are Voila 0.5's kernel manager internals.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from pathlib import Path

from tornado.web import HTTPError
from voila.request_info_handler import RequestInfoSocketHandler

from .logs import cut

POOL_RETRIES = 3
RETIRE_WAIT = 60  # s an old pool kernel may take to finish its notebook before it is shut down


class RecordingKernelManager:
    """Passes everything to Voila's kernel manager and reports which kernel a page got."""

    def __init__(self, manager, on_kernel):
        self._manager = manager
        self._on_kernel = on_kernel

    def __getattr__(self, name):
        return getattr(self._manager, name)

    async def get_rendered_notebook(self, *args, **kwargs):
        manager = self._manager
        for attempt in range(POOL_RETRIES + 1):
            try:
                task, cache, kernel_id = await manager.get_rendered_notebook(*args, **kwargs)
            except Exception as exc:
                # A pool kernel that failed to start (no file descriptor left when it tried):
                # Voila would answer every page with that error until the pool moved on.
                if attempt == POOL_RETRIES:
                    raise
                manager.log.warning(
                    "a pre-heated kernel failed to start (%s: %s); starting another",
                    exc.__class__.__name__,
                    cut(str(exc), 200),
                )
                manager.fill_if_needed(delay=0, notebook_name=kwargs.get("notebook_name"))
                continue
            if attempt == POOL_RETRIES or await alive(manager, kernel_id):
                break
            manager.log.warning("pre-heated kernel %s died in the pool; next", kernel_id)
            with contextlib.suppress(Exception):
                await manager.shutdown_kernel(kernel_id, now=True)
        self._on_kernel(kernel_id)
        return task, cache, kernel_id

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await self._manager.start_kernel(*args, **kwargs)
        self._on_kernel(kernel_id)
        return kernel_id


async def alive(manager, kernel_id: str) -> bool:
    """Whether a kernel is still known and its process running."""
    try:
        kernel = manager.get_kernel(kernel_id)
    except (KeyError, HTTPError):  # jupyter_server says 404 for a kernel it removed (dead)
        return False
    running = kernel.is_alive()
    return bool(await running if asyncio.iscoroutine(running) else running)


def throttle_refills(manager, max_warming: int) -> None:
    """Warm at most max_warming pool kernels at a time (the pool's refills queue)."""
    initialize = getattr(manager, "_initialize", None)
    if initialize is None or max_warming <= 0:
        return
    warming = asyncio.Semaphore(max_warming)

    async def throttled(notebook_path, kernel_id=None, **kwargs):
        await warming.acquire()
        try:
            content = await initialize(notebook_path, kernel_id, **kwargs)
        except BaseException:
            warming.release()
            raise
        # The slot frees when the kernel has run the notebook, not merely started.
        content["task"].add_done_callback(lambda _task: warming.release())
        return content

    manager._initialize = throttled


def data_fingerprint(folder: Path) -> str:
    """sha256 over the path, size and change time of every file under folder (not contents:
    a tick must stay cheap; an edit changes the time)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class DataWatch:
    """Refreshes the pool when the data folder changed and has stayed so for one more look
    (a `git pull` in progress settles first)."""

    def __init__(self, folder: Path, manager, log):
        self.folder, self.manager, self.log = Path(folder), manager, log
        self.seen = data_fingerprint(self.folder)
        self.candidate: str | None = None

    def check(self) -> None:
        now = data_fingerprint(self.folder)
        if now == self.seen:
            self.candidate = None
        elif now != self.candidate:
            self.candidate = now  # changed: look again next time
        else:
            self.seen, self.candidate = now, None
            self.log.info("data changed: the pre-heated kernels are replaced")
            self.refresh()

    def refresh(self) -> None:
        refresh_pool(self.manager)


def refresh_pool(manager) -> None:
    """Replace the pre-heated kernels: new ones start now, the old ones are shut down once
    they are ready (a page never gets one that rendered what has since changed).

    A pre-heated kernel waits inside the notebook for its page's request (request.py). Shut
    down there, Voila's executor logged the interrupted cell as an error with a traceback (and
    cancelling its rendering does not help: Voila's cell generator yields in a `finally` and
    goes on to the next cell). So an old kernel is first told that no page comes (an empty
    request: the default view) and shut down once its notebook has run, or after RETIRE_WAIT.
    """
    pools = getattr(manager, "_pools", None)
    if pools is None:
        return

    async def retire(task) -> None:
        with contextlib.suppress(Exception):
            content = await task
            kernel_id = content["kernel_id"]
            RequestInfoSocketHandler.send_updates({"kernel_id": kernel_id, "payload": {}})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(content["task"]), RETIRE_WAIT)
            await manager.shutdown_kernel(kernel_id, now=True)

    for name in list(pools):
        old, pools[name] = pools[name], []
        manager.fill_if_needed(delay=0, notebook_name=name)
        for task in old:
            asyncio.ensure_future(retire(task))
