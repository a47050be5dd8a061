"""Reading YAML safely and fast, with line numbers for the places errors point at.

yaml-rs (Rust) parses the data, much faster than PyYAML's C loader on large files,
with duplicate keys rejected and alias expansion capped (billion laughs fails in
milliseconds). Line numbers are only needed when something is wrong, so PyYAML's
composer is run on a file only when that file has an error to locate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from ..paths import display_path
from .issues import Issue, IssueCode

MAX_FILE_BYTES = 64 * 1024 * 1024
# Curated data has no business expanding aliases much; a small cap keeps bombs harmless.
ALIAS_LIMITS = yaml_rs.AliasLimits(
    max_total_replayed_events=10_000,
    max_alias_expansions_per_anchor=100,
    max_replay_stack_depth=16,
)
_ERR_POS = re.compile(r"line (\d+), column (\d+)")


def read_yaml(path: Path) -> tuple[Any, list[Issue]]:
    """Parse one YAML file; returns (data, issues). data is None when unreadable."""
    data, issues, _ = read_yaml_text(path)
    return data, issues


def read_yaml_text(path: Path) -> tuple[Any, list[Issue], str | None]:
    """read_yaml, and the file's text as decoded (None when it was not readable UTF-8)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        shown = display_path(path)
        return (
            None,
            [Issue(shown, None, "", f"cannot read file: {exc.strerror}", code=IssueCode.IO)],
            None,
        )
    if len(raw) > MAX_FILE_BYTES:
        return None, [_too_large(display_path(path), len(raw))], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(display_path(path), raw, exc)], None
    data, issues = _parse(path, text)
    return data, issues, text


def _too_large(shown: str, size: int) -> Issue:
    return Issue(
        shown,
        None,
        "",
        f"file is {size / 2**20:.0f} MiB",
        expected=f"at most {MAX_FILE_BYTES // 2**20} MiB",
        hint="split the figures over several files",
        code=IssueCode.TOO_LARGE,
    )


def _not_utf8(shown: str, raw: bytes, exc: UnicodeDecodeError) -> Issue:
    line = raw[: exc.start].count(b"\n") + 1
    bad = raw[exc.start : exc.start + 4]
    return Issue(
        shown,
        line,
        "",
        f"not UTF-8: byte {bad[:1].hex()} at offset {exc.start}",
        expected="UTF-8 text",
        hint="re-save the file as UTF-8 (in most editors: 'Save with encoding')",
        value=bad,
        code=IssueCode.ENCODING,
    )


def _parse(path: Path, text: str) -> tuple[Any, list[Issue]]:
    text = text.removeprefix("\ufeff")
    tab = _leading_tab(text)
    if tab:
        return None, [
            Issue(
                display_path(path),
                tab,
                "",
                "tab character in indentation",
                expected="spaces",
                hint="YAML indents with spaces; replace the tab with two spaces",
                code=IssueCode.TAB,
            )
        ]
    if _blank_or_comments(text):
        return None, [
            Issue(
                display_path(path),
                1,
                "",
                "file is empty",
                expected="a YAML mapping",
                hint="add the file's content or delete the file",
                code=IssueCode.EMPTY,
            )
        ]
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=ALIAS_LIMITS)
    except yaml_rs.YAMLDecodeError as exc:
        message = str(exc)
        m = _ERR_POS.search(message)
        line = int(m.group(1)) if m else None
        detail = message.strip().splitlines()[-1].strip() if message.strip() else "syntax error"
        hint = "check indentation, colons and quotes on this line or the one above"
        if "alias" in message:
            detail = "YAML aliases expand too far (possible alias bomb)"
            hint = "write the values out instead of using anchors and aliases"
        elif "duplicate" in message:
            hint = "each key may appear once in a mapping; remove or rename one"
        shown = display_path(path)
        return None, [
            Issue(shown, line, "", f"YAML error: {detail}", hint=hint, code=IssueCode.SYNTAX)
        ]
    if isinstance(data, list) and text.lstrip().startswith("---") is False and _is_multidoc(text):
        return None, [
            Issue(
                display_path(path),
                None,
                "",
                "several YAML documents in one file",
                expected="a single document",
                hint="remove the '---' separators or split the file",
                code=IssueCode.MULTIDOC,
            )
        ]
    return data, []


def _blank_or_comments(text: str) -> bool:
    """Whether every line is blank or a comment (a file with no content)."""
    if not text.strip():
        return True

    def content(lines):
        return any(ln.strip() and not ln.lstrip().startswith("#") for ln in lines)

    # Most files show content in their first lines: look there before splitting the whole
    # file. The head's last piece may be a cut line, so it is not taken as evidence.
    if content(text[:4096].splitlines()[:-1]):
        return False
    return not content(text.splitlines())


def _leading_tab(text: str) -> int | None:
    if "\t" not in text:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            return number
    return None


def _is_multidoc(text: str) -> bool:
    return bool(re.search(r"^---", text, re.MULTILINE)) and len(
        re.findall(r"^---", text, re.MULTILINE)
    ) > (1 if text.lstrip().startswith("---") else 0)


class LineFinder:
    """Maps key paths like ('figures', 3, 'value', 'low') to 1-based line numbers."""

    def __init__(self, path: Path):
        self.path = path
        self._root = None
        self._loaded = False

    def _load(self):
        if not self._loaded:
            self._loaded = True
            try:
                text = self.path.read_text(encoding="utf-8").removeprefix("\ufeff")
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                self._root = yaml.compose(text, Loader=loader)
            except Exception:  # the file parsed once already; lines are best effort
                self._root = None
        return self._root

    def line(self, keypath: tuple) -> int | None:
        return self._find(keypath)[0]

    def raw(self, keypath: tuple) -> str | None:
        """The scalar at keypath exactly as written in the file (before YAML typed it)."""
        return self._find(keypath)[1]

    def _find(self, keypath: tuple) -> tuple[int | None, str | None]:
        node = self._load()
        if node is None:
            return None, None
        best = node.start_mark.line + 1
        for key in keypath:
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        # a missing/extra key points at the key itself
                        best = k.start_mark.line + 1
                        child = v
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                child = node.value[key]
            if child is None:
                return best, None
            node = child
            best = node.start_mark.line + 1
        return best, node.value if isinstance(node, yaml.ScalarNode) else None
