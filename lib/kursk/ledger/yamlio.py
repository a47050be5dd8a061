"""Reading YAML safely and fast, with line numbers for the places errors point at.

yaml-rs (Rust) parses the data, much faster than PyYAML's C loader on large files,
with duplicate keys rejected and alias expansion capped (billion laughs fails in
milliseconds). Line numbers are only needed when something is wrong, so PyYAML's
composer is run on a file only when that file has an error to locate.

Before any of that, a file must be a regular file inside the data folder (a link out of
it, a device or a FIFO is refused without being opened), no larger than MAX_FILE_BYTES (asked
of the file system, not learnt by reading it all), and free of control characters: yaml-rs
stops at a NUL without a word, so everything after one would silently be missing. Nesting
deeper than MAX_DEPTH is refused too: the data needs a handful of levels, and a thousand
levels break Python's recursion in every later step.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from ..paths import display_path
from .issues import Issue, IssueCode

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32  # levels of mappings and lists; a figures file uses five
# Curated data has no business expanding aliases much; a small cap keeps bombs harmless.
ALIAS_LIMITS = yaml_rs.AliasLimits(
    max_total_replayed_events=10_000,
    max_alias_expansions_per_anchor=100,
    max_replay_stack_depth=16,
)
_ERR_POS = re.compile(r"line (\d+), column (\d+)")
# C0 controls but tab, LF and CR; DEL and C1; the Unicode line separators and the bidi
# controls that make a quote display in another order than it is stored.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class _Refused(Exception):
    """A data file that is not read, and the Issue that says why."""

    def __init__(self, issue: Issue):
        self.issue = issue


def read_yaml(path: Path, root: Path | None = None) -> tuple[Any, list[Issue]]:
    """Parse one YAML file; returns (data, issues). data is None when unreadable."""
    data, issues, _ = read_yaml_text(path, root)
    return data, issues


def read_yaml_text(path: Path, root: Path | None = None) -> tuple[Any, list[Issue], str | None]:
    """read_yaml, and the file's text as decoded (None when it was not readable UTF-8).

    root: the data folder; the file must be a regular file inside it (links included).
    """
    try:
        raw = read_data_bytes(path, root)
    except _Refused as refused:
        return None, [refused.issue], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_not_utf8(display_path(path), raw, exc)], None
    data, issues = _parse(path, text)
    return data, issues, text


def read_data_bytes(path: Path, root: Path | None = None) -> bytes:
    """A data file's bytes, if it is a regular file (inside root) of at most MAX_FILE_BYTES.

    The checks come before the read: a FIFO would block the open, /dev/zero would never
    end, and a link could show another file's lines in the errors of the public page.
    """
    shown = display_path(path)
    try:
        real = Path(os.path.realpath(path))
        if root is not None and not real.is_relative_to(os.path.realpath(root)):
            raise _Refused(_not_regular(shown, "a link to a file outside the data folder"))
        info = os.stat(real)
        _check_regular(shown, info)
        # O_NONBLOCK: a file swapped for a FIFO since the stat must not block the open
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            _check_regular(shown, info)
            with os.fdopen(fd, "rb", closefd=False) as fh:
                raw = fh.read(MAX_FILE_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        what = "a link to a file that does not exist" if exc.errno == errno.ENOENT else None
        if what and os.path.islink(path):
            raise _Refused(_not_regular(shown, what)) from None
        message = f"cannot read file: {exc.strerror or exc}"
        raise _Refused(Issue(shown, None, "", message, code=IssueCode.IO)) from None
    if len(raw) > MAX_FILE_BYTES:  # it grew after the stat
        raise _Refused(_too_large(shown, len(raw)))
    return raw


def _check_regular(shown: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise _Refused(_not_regular(shown, kind))
    if info.st_size > MAX_FILE_BYTES:
        raise _Refused(_too_large(shown, info.st_size))


def _not_regular(shown: str, what: str) -> Issue:
    return Issue(
        shown,
        None,
        "",
        f"not read: {what}",
        expected="a regular YAML file inside the data folder",
        hint="replace it with a copy of the file itself (links out of the data folder, "
        "devices and pipes are never read)",
        code=IssueCode.NOT_REGULAR,
    )


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


def _control(shown: str, text: str, match: re.Match) -> Issue:
    start = match.start()
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    code = ord(match.group())
    name = "NUL" if code == 0 else "control character"
    return Issue(
        shown,
        line,
        "",
        f"{name} U+{code:04X} at column {column}",
        expected="printable text",
        hint="delete the invisible character (it often comes from copying out of a PDF or "
        "a binary file); everything after a NUL would be lost",
        code=IssueCode.CONTROL,
    )


def _too_deep(shown: str, text: str) -> Issue:
    return Issue(
        shown,
        _deep_line(text),
        "",
        f"nested more than {MAX_DEPTH} levels deep",
        expected="figures nested a few levels, as in data/README.md",
        hint="check the indentation: each figure is a '- id:' item under figures:",
        code=IssueCode.TOO_DEEP,
    )


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether mappings and lists nest more than limit levels: level by level, no recursion
    (a comprehension per level, so a large file costs a few percent of its parse)."""
    level = [data]
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
        if not level:
            return False
    return True


def _deep_line(text: str) -> int | None:
    """The line where the nesting passes MAX_DEPTH, by PyYAML's events (no recursion)."""
    depth = 0
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


def _error_line(text: str, message: str) -> int | None:
    """The line of a yaml-rs error whose message gives none (tags, duplicates, aliases)."""
    patterns = []
    if m := re.search(r"Invalid tag: '([^']*)'", message):
        patterns.append(re.escape(m.group(1)))
    elif m := re.search(r"duplicate mapping key: '([^']*)'", message):
        key = re.escape(m.group(1))
        found = list(re.finditer(rf"^[ \t]*(?:-[ \t]+)?[\"']?{key}[\"']?[ \t]*:", text, re.M))
        if len(found) >= 2:
            return text.count("\n", 0, found[1].start()) + 1
    elif "alias" in message:
        patterns.append(r"(?<![\w&])\*[^\s,\]}]+")
    for pattern in patterns:
        if m := re.search(pattern, text):
            return text.count("\n", 0, m.start()) + 1
    return None


def _parse(path: Path, text: str) -> tuple[Any, list[Issue]]:
    text = text.removeprefix("\ufeff")
    control = _CONTROL.search(text)
    if control:
        return None, [_control(display_path(path), text, control)]
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
        line = int(m.group(1)) if m else _error_line(text, message)
        detail = message.strip().splitlines()[-1].strip() if message.strip() else "syntax error"
        hint = "check indentation, colons and quotes on this line or the one above"
        if "alias" in message:
            detail = "YAML aliases expand too far (possible alias bomb)"
            hint = "write the values out instead of using anchors and aliases"
        elif "duplicate" in message:
            hint = "each key may appear once in a mapping; remove or rename one"
        elif "Invalid tag" in message:
            hint = "the data uses no YAML tags (!!...); write the plain value"
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
    if isinstance(data, dict | list) and _deeper_than(data, MAX_DEPTH):
        return None, [_too_deep(display_path(path), text)]
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

    def __init__(self, path: Path, root: Path | None = None):
        self.path = path
        self.root = root
        self._root = None
        self._loaded = False

    def _load(self):
        if not self._loaded:
            self._loaded = True
            try:
                raw = read_data_bytes(self.path, self.root)
                text = raw.decode("utf-8").removeprefix("\ufeff")
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
