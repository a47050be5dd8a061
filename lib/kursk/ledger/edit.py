"""Editing the curated YAML: an entry appended to a file with every other byte kept, written
so that an interruption leaves no half file, and undone exactly when the addition fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from ..paths import display_path
from .issues import Issue


class CurateError(Exception):
    """Input the command refuses, with what to do instead. Nothing has been written."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message + (f" (fix: {self.hint})" if self.hint else "")


class Rejected(CurateError):
    """The data folder did not validate with the addition; every file was put back."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


class Transaction:
    """Files written during one command, with their previous bytes, so that a failure puts
    every one of them back exactly (a file that did not exist is removed again)."""

    def __init__(self) -> None:
        self._saved: dict[Path, bytes | None] = {}
        self._made: list[Path] = []

    def mkdir(self, folder: Path) -> None:
        if not folder.exists():
            folder.mkdir()
            self._made.append(folder)

    def write(self, path: Path, text: str) -> None:
        if path not in self._saved:
            self._saved[path] = path.read_bytes() if path.exists() else None
        atomic_write(path, text.encode("utf-8"))

    def restore(self) -> None:
        for path, raw in reversed(self._saved.items()):
            if raw is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, raw)
        for folder in reversed(self._made):
            folder.rmdir()


def atomic_write(path: Path, raw: bytes) -> None:
    # A new file renamed over the old one: an interruption never leaves half a file behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _reads_back(text: str, value: Any) -> bool:
    """Whether both YAML readers (the loader's and the line finder's) read text as value."""
    try:
        first = yaml.safe_load(text)
        second = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any refusal by either reader means: quote it
        return False
    return first == value and second == value


def scalar(value: Any, flow: bool = False) -> str:
    """A value as a YAML scalar: plain when both readers read it back unchanged, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value)
    if flow and re.search(r"[,\[\]{}]", text):
        return json.dumps(text, ensure_ascii=False)
    if "\n" not in text and text == text.strip() and _reads_back(f"k: {text}", {"k": text}):
        return text
    return json.dumps(text, ensure_ascii=False)


def date_scalar(value: Any) -> str:
    # Partial dates are written as the curator typed them ('2025-06-17', 'early 2025'); the
    # loader reads them as text either way, and a plain 2025-06-17 is what the seed files do.
    text = str(value)
    if re.fullmatch(r"[0-9A-Za-z~ -]+", text) and not text.isdigit():
        return text
    return scalar(value)


def flow_value(raw: Any) -> str:
    """A figure's value as written in the files: 6000, {about: 1200}, {low: 1, high: 2}."""
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in raw.items()) + "}"
    return scalar(raw)


def flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i, flow=True) for i in items) + "]"


def entry_text(pairs: list[tuple[str, str]], indent: int) -> str:
    """A list item of key: value lines, its dash at column indent."""
    pad = " " * (indent + 2)
    lines = [f"{' ' * indent}- {pairs[0][0]}: {pairs[0][1]}"]
    lines += [f"{pad}{key}: {text}" for key, text in pairs[1:]]
    return "\n".join(lines) + "\n"


def _end(text: str, node: yaml.Node) -> int:
    """Where a node's content ends: past its last character, before any trailing blank lines
    (PyYAML's end marks of block scalars and collections reach into the next entry)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        if node.flow_style:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark.index
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def insert_item(text: str, key: str, pairs: list[tuple[str, str]], path: Path) -> tuple[str, int]:
    """text with a new item appended to the block list under top-level key, every other byte
    unchanged; and the new item's first line."""
    if "\r\n" in text:  # a file saved with Windows line ends gets them in the new lines too
        out, line = insert_item(text.replace("\r\n", "\n"), key, pairs, path)
        return out.replace("\n", "\r\n"), line
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CurateError(f"{display_path(path)} is not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise CurateError(f"{display_path(path)}: the top level is not a mapping")
    found = [(k, v) for k, v in root.value if k.value == key]
    if not found:  # no such key yet: the list starts at the end of the file
        head = text if not text or text.endswith("\n") else text + "\n"
        return head + f"{key}:\n" + entry_text(pairs, 2), head.count("\n") + 2
    knode, vnode = found[0]
    empty = (isinstance(vnode, yaml.ScalarNode) and vnode.tag.endswith(":null")) or (
        isinstance(vnode, yaml.SequenceNode) and not vnode.value
    )
    if empty:
        # "figures: []" or "figures:": the key's line becomes "figures:" (a comment on it stays)
        start = text.rfind("\n", 0, knode.start_mark.index) + 1
        stop = text.find("\n", knode.end_mark.index)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop]
        m = re.fullmatch(r"(.*?:)\s*(?:\[\s*\]|null|~)?\s*(#.*)?", line)
        if not m:
            raise CurateError(
                f"{display_path(path)}:{knode.start_mark.line + 1}: cannot add to {key}: here",
                f"write it as '{key}:' followed by one '- id:' entry per line",
            )
        new_line = m.group(1) + (f"  {m.group(2)}" if m.group(2) else "")
        rest = text[stop + 1 :] if stop < len(text) else ""
        indent = knode.start_mark.column + 2
        number_ = text.count("\n", 0, start) + 2
        return text[:start] + new_line + "\n" + entry_text(pairs, indent) + rest, number_
    if not isinstance(vnode, yaml.SequenceNode) or vnode.flow_style:
        raise CurateError(
            f"{display_path(path)}:{vnode.start_mark.line + 1}: {key}: is not a block list",
            f"write {key}: as one '- id: ...' entry per line (see data/README.md)",
        )
    items = vnode.value
    indent = vnode.start_mark.column
    # keep the file's habit: a blank line between entries, or none
    blank = len(items) > 1 and "\n\n" in text[_end(text, items[-2]) : items[-1].start_mark.index]
    if len(items) == 1:
        blank = key == "figures"
    stop = text.find("\n", _end(text, items[-1]))
    head, rest = (text + "\n", "") if stop < 0 else (text[: stop + 1], text[stop + 1 :])
    gap = "\n" if blank else ""
    return head + gap + entry_text(pairs, indent) + rest, head.count("\n") + len(gap) + 1
