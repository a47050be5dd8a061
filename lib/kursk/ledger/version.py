"""Which data an output was built from: the data files' fingerprint and, in a git checkout,
the commit (marked when the data folder has changes not committed) and its date."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataVersion:
    fingerprint: str  # sha256 over the data files' paths and bytes
    revision: str | None = None  # the git commit of the data folder, '+' when changed since
    date: str | None = None  # that commit's date (YYYY-MM-DD)

    @property
    def label(self) -> str:
        """'data 1a2b3c4d5e6f (git 9f9b645, 2026-11-29)' or 'data 1a2b3c4d5e6f'."""
        git = f" (git {self.revision}, {self.date})" if self.revision else ""
        return f"data {self.fingerprint[:12]}{git}"

    def as_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "revision": self.revision, "date": self.date}


def fingerprint(data_dir: Path, files: list[Path]) -> str:
    """sha256 over the data files' paths (relative to the folder) and bytes."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _git(data_dir: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(data_dir), *args], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def data_version(data_dir: Path, files: list[Path]) -> DataVersion:
    """The version of a data folder (git details only when it is inside a git checkout)."""
    print_ = fingerprint(data_dir, files)
    revision = _git(data_dir, "log", "-1", "--format=%h", "--", ".")
    if not revision:
        return DataVersion(print_)
    date = _git(data_dir, "log", "-1", "--format=%cs", "--", ".")
    changed = _git(data_dir, "status", "--porcelain", "--", ".")
    return DataVersion(print_, revision + ("+" if changed else ""), date)
