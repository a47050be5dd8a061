"""Validation issues: values with a file, line, key path, bad value, expectation and hint."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

_MISSING = object()


class IssueCode(StrEnum):
    """What kind of problem an Issue is: one line each, so tools can act on the kind."""

    # reading files
    IO = "io"  # the file could not be read (permissions, a folder, a vanished file)
    NOT_REGULAR = "not_regular"  # a symlink out of the data folder, a device or a FIFO
    TOO_LARGE = "too_large"  # the file is over the size limit
    ENCODING = "encoding"  # bytes that are not UTF-8
    CONTROL = "control"  # a NUL or other control character in the text
    TAB = "tab"  # a tab character in indentation
    EMPTY = "empty"  # nothing but blank lines and comments
    SYNTAX = "syntax"  # YAML the parser rejects (including alias bombs)
    TOO_DEEP = "too_deep"  # nesting deeper than any data file needs
    MULTIDOC = "multidoc"  # several YAML documents in one file
    MISSING_FILE = "missing_file"  # a required reference file is absent
    # one file against its model
    TYPE = "type"  # a value of the wrong type (a number where text belongs, ...)
    UNKNOWN_KEY = "unknown_key"  # a key the model does not know
    MISSING = "missing"  # a required key is absent
    VALUE = "value"  # a value the model's own rule refuses (value forms, dates, quotes)
    FORMAT = "format"  # text that does not match its pattern (ids, hashes, URLs)
    CHOICE = "choice"  # a value outside a fixed list (kinds, groups, tiers)
    SCHEMA = "schema"  # any other refusal by the model
    # across files
    DUPLICATE = "duplicate"  # an id used twice, or an article with two figures files
    FILE_NAME = "file_name"  # a figures file not named after its article
    UNKNOWN_ARTICLE = "unknown_article"  # a figures file for an article not in articles.yaml
    UNKNOWN_METRIC = "unknown_metric"  # a metric (or share_of) not in vocabulary.yaml
    UNKNOWN_UNIT = "unknown_unit"  # a unit not in vocabulary.yaml
    UNIT_MISMATCH = "unit_mismatch"  # a unit other than the metric's
    UNKNOWN_CLAIMANT = "unknown_claimant"  # a claimant not in claimants.yaml
    UNKNOWN_CONTINGENT = "unknown_contingent"  # a contingent not in contingents.yaml
    UNKNOWN_FIGURE = "unknown_figure"  # a link (part_of, ...) to a figure that does not exist
    UNKNOWN_VAGUE = "unknown_vague"  # vague wording with no numeric reading in vocabulary.yaml
    UNKNOWN_EVENT = "unknown_event"  # a figure's event not in events.yaml
    COLOUR = "colour"  # a claimant colour too light to read on white, or used twice
    NAME = "name"  # two claimants with the same short name (labels would be ambiguous)
    TRANSLATION = "translation"  # a quote from a source in another language, untranslated
    NEGATIVE = "negative"  # a negative number
    SHARE_OVER_100 = "share_over_100"  # a percentage over 100
    FRACTION = "fraction"  # a fractional count of people
    SHARE_OF = "share_of"  # a percentage without what it is a share of
    PARTS_SUM = "parts_sum"  # parts that do not add up to their stated whole
    CLAIM_MISMATCH = "claim_mismatch"  # one claim grouping different metrics or numbers
    RELATION = "relation"  # a link between figures that does not make sense (self, cycle, ...)
    # against the source texts (kursk verify / coverage)
    MISSING_TEXT = "missing_text"  # a text the data says is held was not found
    SHA256 = "sha256"  # the text differs from the one the figures were read from
    QUOTE_NOT_FOUND = "quote_not_found"  # a quote that does not occur in its text
    NUMBER = "number"  # a figure's number (or vague words) not in its quote
    INVALID = "invalid"  # anything else


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
    code: str = IssueCode.INVALID

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


def dotted(loc: tuple) -> str:
    """('figures', 3, 'value') -> 'figures[3].value'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- pydantic's errors, in the curator's words ----------------------------------------------

_PATTERNS = {
    r"^[a-z0-9][a-z0-9._-]*$": "a lower-case id (letters, digits, '.', '_', '-')",
    r"^[0-9a-f]{64}$": "64 lower-case hex digits (sha256sum of the source's text)",
    r"^[A-Z]{2}$": "a two-letter country code such as KR or US",
    r"^https?://\S+$": "an http(s) URL",
    r"^#[0-9a-fA-F]{6}$": "a colour like #0072B2",
}


def pydantic_issues(exc: ValidationError, model: type[BaseModel], base: tuple, make) -> list:
    """Each pydantic error as an Issue; make(loc, message, **kw) locates and builds one."""
    out = []
    for err in exc.errors(include_url=False):
        loc = base + tuple(err["loc"])
        kind, value = err["type"], err.get("input")
        if kind == "extra_forbidden":
            allowed = _fields_at(model, tuple(err["loc"])[:-1])
            out.append(
                make(
                    loc,
                    f"unknown key {loc[-1]!r}",
                    expected=one_of(allowed),
                    hint=did_you_mean(loc[-1], allowed) or "remove it or move it under 'note'",
                    code=IssueCode.UNKNOWN_KEY,
                )
            )
        elif kind == "missing":
            out.append(
                make(
                    loc,
                    f"required key {loc[-1]!r} is missing",
                    hint=f"add {loc[-1]}: ... to this entry",
                    code=IssueCode.MISSING,
                )
            )
        elif kind == "value_error":
            message = err["msg"].removeprefix("Value error, ")
            out.append(make(loc, message, value=value, code=IssueCode.VALUE))
        elif kind == "string_pattern_mismatch":
            pattern = err["ctx"]["pattern"]
            out.append(
                make(
                    loc,
                    "badly formed value",
                    value=value,
                    expected=_PATTERNS.get(pattern, f"text matching {pattern}"),
                    code=IssueCode.FORMAT,
                )
            )
        elif kind == "literal_error":
            choices = re.findall(r"'([^']+)'", err.get("ctx", {}).get("expected", ""))
            out.append(
                make(
                    loc,
                    "value not allowed",
                    value=value,
                    expected=err["msg"].removeprefix("Input should be "),
                    hint=did_you_mean(value, choices),
                    code=IssueCode.CHOICE,
                )
            )
        elif kind == "string_type" and isinstance(value, (int, float, bool)):
            out.append(make(loc, "", value=value, code=IssueCode.TYPE, raw_scalar=True))
        else:
            out.append(make(loc, err["msg"], value=value, code=IssueCode.SCHEMA))
    return out


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at a location inside a model (for 'unknown key' messages)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field_info = current.model_fields.get(str(part))
        if field_info is None:
            return []
        current = _inner_model(field_info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
