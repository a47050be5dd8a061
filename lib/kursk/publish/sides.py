"""One side of a comparison: the figures table of a data folder, of the data at a git
revision, of a briefing pack or of a data package, with the data version it carries.

Every side becomes the export's table as text (figures.csv as `kursk export` writes it), so
that a briefing written months ago compares with today's data folder cell by cell.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..ledger import DataError, Dataset, export_text, load
from ..ledger.version import DataVersion
from ..paths import display_path


class SideError(ValueError):
    """A side that cannot be read: the message says what it is and how to fix it."""


@dataclass
class Side:
    """The figures of one version: the export table (every cell as text) and where from."""

    name: str  # what the user gave: a folder, a revision
    kind: str  # data folder, git revision, briefing, data package
    version: dict  # DataVersion.as_dict() with its label, or {} when unknown
    table: pd.DataFrame  # export columns, every cell text ('' when missing), figure_id unique
    filter: dict | None = None  # a briefing's filter: it shows only part of its data
    created: str | None = None  # when a briefing was built

    @property
    def label(self) -> str:
        """'data 1a2b3c4d5e6f (git 9f9b645, 2026-11-29)', else what the user gave."""
        return self.version.get("label") or self.name

    def describe(self) -> str:
        """'briefing build/briefing, built 2026-11-29 (data 1a2b... (git ...))'."""
        label = self.version.get("label")
        built = f", built {self.created[:10]}" if self.created else ""
        return (
            " ".join(filter(None, (self.kind, self.name)))
            + built
            + (f" ({label})" if label else "")
        )


def table_of(data: Dataset) -> pd.DataFrame:
    """A dataset's export as a briefing or a package stores it: CSV text, read back."""
    return read_table(export_text(data, "csv"))


def read_table(text: str) -> pd.DataFrame:
    """figures.csv text -> a frame of text cells ('' for missing), one row per figure."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if "figure_id" not in frame.columns:
        raise SideError("figures.csv has no figure_id column: is it a Kursk Figures export?")
    return frame


def versioned(version: DataVersion) -> dict:
    return {"label": version.label, **version.as_dict()}


def from_data(name: str, folder: Path) -> Side:
    data = load(folder)
    return Side(name, "data folder", versioned(data.version), table_of(data))


def from_briefing(name: str, folder: Path) -> Side:
    """A briefing pack: its figures.csv, checked against the manifest's sha256."""
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SideError(
            f"{display_path(manifest_path)}: not a briefing manifest ({exc})"
        ) from None
    csv = folder / "figures.csv"
    if not csv.is_file():
        raise SideError(f"{display_path(folder)}: a briefing without figures.csv; rebuild it")
    body = csv.read_bytes()
    expected = (manifest.get("files") or {}).get("figures.csv")
    if expected and hashlib.sha256(body).hexdigest() != expected:
        raise SideError(
            f"{display_path(csv)} was changed after the briefing was built (its sha256 is not "
            "the manifest's); use an unmodified briefing folder"
        )
    version = dict(manifest.get("data_version") or {})
    if version.get("fingerprint") and "label" not in version:
        version["label"] = DataVersion(
            **{k: version.get(k) for k in ("fingerprint", "revision", "date")}
        ).label
    table = read_table(body.decode("utf-8"))
    return Side(name, "briefing", version, table, manifest.get("filter"), manifest.get("created"))


def from_package(name: str, folder: Path) -> Side:
    """A data package written by `kursk publish`: its figures resource."""
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        (resource,) = [r for r in package["resources"] if r.get("name") == "figures"]
        text = (folder / resource["path"]).read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError) as exc:
        raise SideError(
            f"{display_path(folder)}: not a Kursk Figures data package with a figures "
            f"resource ({exc.__class__.__name__}: {exc}); write one with `kursk publish`"
        ) from None
    return Side(name, "data package", dict(package.get("data_version") or {}), read_table(text))


def _git(cwd: Path, *args: str, binary: bool = False):
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, timeout=60, text=not binary
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def from_revision(name: str, data_dir: Path) -> Side:
    """The data folder as it was at a git revision of the checkout holding data_dir."""
    top = _git(data_dir, "rev-parse", "--show-toplevel")
    if not top:
        raise SideError(
            f"{name!r} is not a folder, and {display_path(data_dir)} is not in a git checkout "
            "to read a revision from; give a data folder, a briefing folder or a data package"
        )
    top = Path(top.strip())
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    if not commit:
        raise SideError(
            f"{name!r} is neither a folder nor a revision of the git checkout {top}; give a data "
            "folder, a briefing folder, a data package, or a commit, tag or branch "
            "(`git log --oneline` lists commits)"
        )
    commit = commit.strip()
    inside = data_dir.resolve().relative_to(top.resolve()).as_posix()
    archive = _git(top, "archive", "--format=tar", commit, "--", inside, binary=True)
    if not archive:
        raise SideError(f"revision {name!r} has no {inside}/ folder; pick a later revision")
    # as ledger.version names a checkout's data: the last commit that changed the folder
    last = (_git(top, "log", "-1", "--format=%h %cs", commit, "--", inside) or "").split()
    short, date = (last[0], last[1]) if len(last) == 2 else (commit[:7], None)
    with tempfile.TemporaryDirectory(prefix="kursk-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        try:
            data = load(Path(tmp) / inside)
        except DataError as exc:
            first = str(exc.issues[0]) if exc.issues else "no details"
            raise SideError(
                f"the data at revision {name!r} ({short}) does not load with this version of "
                f"kursk: {len(exc.issues)} problem(s), first: {first}"
            ) from None
        # the revision's own version: same files, so the same fingerprint as its checkout had
        version = DataVersion(data.fingerprint, short, date)
        return Side(name, "git revision", versioned(version), table_of(data))


def resolve(name: str, data_dir: Path) -> Side:
    """A side from what the user gave: a data folder (vocabulary.yaml), a briefing (its folder
    or manifest.json), a data package (its folder or datapackage.json); else a git revision
    of the checkout holding data_dir. A folder wins over a revision of the same name."""
    path = Path(name)
    if path.is_file():
        if path.name == "manifest.json":
            return from_briefing(name, path.parent)
        if path.name == "datapackage.json":
            return from_package(name, path.parent)
        raise SideError(
            f"{name}: a file that is neither a briefing's manifest.json nor a datapackage.json"
        )
    if path.is_dir():
        if (path / "vocabulary.yaml").is_file():
            return from_data(name, path)
        if (path / "manifest.json").is_file():
            return from_briefing(name, path)
        if (path / "datapackage.json").is_file():
            return from_package(name, path)
        raise SideError(
            f"{name}: not a data folder (no vocabulary.yaml), a briefing (no manifest.json) or "
            "a data package (no datapackage.json)"
        )
    return from_revision(name, data_dir)
