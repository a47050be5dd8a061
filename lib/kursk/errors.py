"""Validation issues: values with a file, line, key path, bad value, expectation and hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Issue:
    """One problem in the data, located precisely enough to fix it."""

    file: str
    line: int | None
    field: str
    message: str
    expected: str = ""
    hint: str = ""
    value: Any = field(default=_MISSING, compare=False)
    code: str = "invalid"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line if self.line is not None else '?'}"

    def sentence(self) -> str:
        """The problem for a reader of the dashboard: where, what, the value and the fix."""
        where = f"{self.file.rsplit('/', 1)[-1]}, line {self.line if self.line else '?'}"
        got = "" if self.value is _MISSING else f" ({_short(self.value)})"
        fix = f"; fix: {self.hint}" if self.hint else ""
        return f"{where}, {self.field or 'file'}: {self.message}{got}{fix}"

    def __str__(self) -> str:
        parts = [self.message]
        if self.value is not _MISSING:
            parts.append(f"got {_short(self.value)}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        text = "; ".join(parts)
        if self.hint:
            text += f" (fix: {self.hint})"
        return f"{self.location}: {self.field or '<file>'}: {text}"


class DataError(Exception):
    """The data did not validate; `issues` holds every problem found in the run."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues = sorted(issues, key=lambda i: (i.file, i.line or 0, i.field))
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the figures data:"
        return "\n".join([head, *(str(i) for i in self.issues)])


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for a misspelt name, or an empty string."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    items = sorted(choices)
    shown = ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")
    return f"one of: {shown}"
