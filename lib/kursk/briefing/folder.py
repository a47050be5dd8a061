"""The pack's folder: built beside its target and swapped in whole, one run at a time.

A briefing is written into a hidden folder next to the target (`.briefing.partial-<pid>-<n>`)
and only a run that finished replaces the target, in one step: readers (and nginx serving
build/briefing/) see the old pack or the new one, never a mix. A run that fails or is
interrupted removes its partial folder and leaves the previous pack untouched. A lock file
beside the target (`.briefing.lock`) refuses a second run into the same folder while one is
writing. The target is replaced whole, so it must be new, empty, or an earlier pack: a folder
holding other files is refused rather than deleted.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import itertools
import json
import os
import shutil
from pathlib import Path

_COUNTER = itertools.count()
_RENAME_EXCHANGE = 2  # renameat2 flag (Linux >= 3.15): swap two paths atomically
_AT_FDCWD = -100


class PackError(Exception):
    """The pack cannot be written here; the message says why and what to do."""


class PackFolder:
    """`with PackFolder(target) as pack:` write files into pack.staging, then pack.commit().

    Without commit() (an exception, Ctrl-C) the staging folder is removed on exit.
    """

    def __init__(self, target: Path):
        self.target = Path(target)
        self.parent = self.target.parent
        self.staging: Path | None = None
        self._lock_fd: int | None = None
        self._committed = False

    def __enter__(self) -> PackFolder:
        self.parent.mkdir(parents=True, exist_ok=True)
        self._check_target()
        self._lock()
        try:
            self._remove_stale()
            self.staging = self.parent / (
                f".{self.target.name}.partial-{os.getpid()}-{next(_COUNTER)}"
            )
            os.mkdir(self.staging)  # default mode (not mkdtemp's 0700): nginx must read it
        except BaseException:
            self._unlock()
            raise
        return self

    def commit(self) -> None:
        """Put the staging folder in the target's place in one step; remove the old pack."""
        if self.target.exists():
            self._check_target()  # again: something may have appeared while we wrote
            old = _exchange(self.staging, self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.staging, self.target)
        self._committed = True

    def __exit__(self, *exc) -> None:
        try:
            if not self._committed and self.staging is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._unlock()

    def _check_target(self) -> None:
        target = self.target
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise PackError(f"{target} is not a folder; pass --out with a folder to write into")
        if target.is_dir() and any(target.iterdir()) and not _is_pack(target):
            raise PackError(
                f"{target} holds files that are not a briefing; a briefing replaces its "
                "folder whole, so choose a new or empty folder with --out"
            )

    def _lock(self) -> None:
        path = self.parent / f".{self.target.name}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PackError(
                f"another briefing is being written into {self.target}; wait for it to "
                "finish, or write this one elsewhere with --out"
            ) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def _remove_stale(self) -> None:
        """Partial folders of runs that were killed (we hold the lock: none is running)."""
        for kind in ("partial", "old"):
            for stale in self.parent.glob(f".{self.target.name}.{kind}-*"):
                shutil.rmtree(stale, ignore_errors=True)


def _is_pack(folder: Path) -> bool:
    """Whether a folder is an earlier briefing (its manifest names what it was built from)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "data_fingerprint" in manifest


def _exchange(new: Path, target: Path) -> Path:
    """Swap new into target's place; returns where the old target now is (to be removed)."""
    failed = _renameat2_exchange(new, target)
    if not failed:
        return new  # new now holds the old pack
    if failed not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        raise OSError(failed, os.strerror(failed), str(target))
    # No atomic exchange here (another OS or file system): two renames, the gap is short.
    old = new.with_name(new.name.replace(".partial-", ".old-"))
    os.rename(target, old)
    os.rename(new, target)
    return old


def _renameat2_exchange(a: Path, b: Path) -> int:
    """Linux's renameat2(RENAME_EXCHANGE): 0 when swapped, else the errno (ENOSYS: none)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return errno.ENOSYS
    if renameat2(_AT_FDCWD, bytes(a), _AT_FDCWD, bytes(b), _RENAME_EXCHANGE) == 0:
        return 0
    return ctypes.get_errno() or errno.ENOSYS
