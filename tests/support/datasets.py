"""Data folders for tests: the seed data grown by a curator's additions (tests/fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
import yaml_rs

from kursk.paths import DATA_DIR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REALISTIC = FIXTURES / "realistic"
ADDITIONS = FIXTURES / "additions"
REFERENCE_FILES = ("vocabulary", "articles", "claimants", "contingents", "events")


class _Quoted(yaml.SafeDumper):
    """Every string double-quoted: ids such as 005_1234567012345670 stay text for both readers."""


_Quoted.add_representer(
    str, lambda dumper, s: dumper.represent_scalar("tag:yaml.org,2002:str", s, style='"')
)


def _read(path: Path) -> dict:
    # the loader's own reader, so that dates stay as written ('2025-06~', '2024-10-31')
    if not path.exists():
        return {}
    return yaml_rs.loads(path.read_text(encoding="utf-8"), parse_datetime=False) or {}


def merge(base: dict, extra: dict, where: str) -> dict:
    """base with extra's list entries appended and its new mapping keys added; a key that both
    define differently is an error (an overlay adds, it never changes the seed)."""
    out = dict(base)
    for key, value in extra.items():
        if key not in out:
            out[key] = value
        elif isinstance(out[key], list) and isinstance(value, list):
            out[key] = out[key] + value
        elif isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = merge(out[key], value, f"{where}:{key}")
        elif out[key] != value:
            raise ValueError(f"{where}: the overlay changes {key!r}; an overlay only adds")
    return out


def grown_copy(target: Path, additions: Path = ADDITIONS, data: Path = DATA_DIR) -> Path:
    """A copy of data/ at target grown by the additions overlay; returns target."""
    shutil.copytree(data, target)
    for name in REFERENCE_FILES:
        extra = _read(additions / f"{name}.yaml")
        if not extra:
            continue
        path = target / f"{name}.yaml"
        grown = merge(_read(path), extra, f"{name}.yaml")
        path.write_text(
            yaml.dump(grown, Dumper=_Quoted, sort_keys=False, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
    for source in sorted((additions / "figures").glob("*.yaml")):
        dest = target / "figures" / source.name
        if dest.exists():
            raise FileExistsError(f"{dest} exists in data/: rename the overlay's source")
        shutil.copyfile(source, dest)
    return target
