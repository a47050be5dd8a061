"""data/README.md documents what the code does: every export column, valid YAML examples and
commands the command line accepts."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from kursk.cli import build_parser
from kursk.ledger import frames
from kursk.ledger.models import Figure
from kursk.paths import DATA_DIR

README = (DATA_DIR / "README.md").read_text(encoding="utf-8")


def _export_table() -> dict[str, str]:
    section = README.split("## The export's columns", 1)[1]
    return dict(re.findall(r"^\| `([a-z_]+)` \| (.+?) \|$", section, re.MULTILINE))


def test_every_export_column_is_documented():
    documented = _export_table()
    assert list(documented) == frames.EXPORT_COLUMNS  # all of them, in the export's order
    for column, meaning in documented.items():
        # one wording: export-only columns (and those whose values differ) have their own
        declared = frames.EXPORT_ONLY_COLUMNS.get(column) or frames.FIGURE_COLUMNS[column]
        assert meaning == declared[1], column


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("block", _blocks("yaml"), ids=lambda b: b.strip().splitlines()[0][:40])
def test_yaml_examples_parse_and_whole_figures_validate(block):
    parsed = yaml.safe_load(block)
    entries = parsed if isinstance(parsed, list) else (parsed or {}).get("figures") or []
    for entry in entries:
        if isinstance(entry, dict) and {"id", "metric", "value", "claimant", "quote"} <= set(
            entry
        ):
            Figure.model_validate(entry)


def _commands() -> list[list[str]]:
    out = []
    for block in _blocks("sh"):
        for command in block.replace("\\\n", " ").splitlines():
            command = command.split("  #")[0].strip()
            if command.startswith("kursk "):
                out.append(shlex.split(command)[1:])
    return out


@pytest.mark.parametrize("argv", _commands(), ids=lambda a: a[0])
def test_documented_commands_are_accepted(argv):
    args = build_parser().parse_args(argv)
    assert args.func
