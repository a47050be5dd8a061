"""How a number and a date are written in the YAML, parsed into values the frames carry."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Literal, NamedTuple

QUALIFIERS = ("exact", "about", "nearly", "over", "at_least", "up_to", "range", "vague")
POINT_FORMS = ("exact", "about", "nearly", "over", "at_least", "up_to")
VALUE_FORMS = (
    "a number (exact) or one of {about: N}, {nearly: N}, {over: N}, {at_least: N}, "
    "{up_to: N}, {low: N, high: N} (optionally approx: true), {vague: words}"
)
PRECISIONS = ("year", "month", "day")

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(~)?$")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a year, month or day, optionally approximate ('~')."""

    text: str
    start: date
    precision: Literal["year", "month", "day"]
    approximate: bool

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(
                "a partial date like 2025, 2025-06 or 2025-06-17 (append ~ if approximate)"
            )
        return _parse_text(value.strip())


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> PartialDate:
    # curated data repeats the same few dates many times: each is parsed once
    m = _PARTIAL_DATE.match(value)
    if not m:
        raise ValueError(
            f"{value!r} is not a partial date; write 2025, 2025-06 or 2025-06-17, "
            "with a trailing ~ when approximate (e.g. 2025-01-15~ for 'mid-January')"
        )
    year, month, day, approx = m.groups()
    y, mo, d = int(year), int(month or 1), int(day or 1)
    if not 1 <= mo <= 12:
        raise ValueError(f"{value!r} is an impossible date: month {mo} does not exist")
    last = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise ValueError(
            f"{value!r} is an impossible date: {calendar.month_name[mo]} {y} has {last} days"
        )
    precision = "day" if day else "month" if month else "year"
    return PartialDate(value, date(y, mo, d), precision, bool(approx))


def partial_date(value: Any) -> PartialDate | None:
    return None if value is None else PartialDate.parse(value)


class Value(NamedTuple):
    """One way a number is worded; the YAML writes exactly one form (see data/README.md)."""

    qualifier: str  # one of QUALIFIERS
    low: float | None = None
    high: float | None = None
    approximate: bool = False
    vague: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Value:
        if isinstance(raw, bool) or raw is None:
            raise ValueError(VALUE_FORMS)
        if isinstance(raw, (int, float)):
            n = _number(raw)
            return cls("exact", n, n)
        if not isinstance(raw, dict) or not raw:
            raise ValueError(VALUE_FORMS)
        keys = set(raw)
        if keys <= {"low", "high", "approx"} and {"low", "high"} <= keys:
            low, high = _number(raw["low"], "low"), _number(raw["high"], "high")
            approx = raw.get("approx", False)
            if not isinstance(approx, bool):
                raise ValueError("approx must be true or false")
            if low > high:
                raise ValueError(f"low ({low:g}) is greater than high ({high:g}); swap them")
            return cls("range", low, high, approx)
        if keys == {"vague"}:
            words = raw["vague"]
            if not isinstance(words, str) or not words.strip():
                raise ValueError("vague takes the words as written, e.g. {vague: thousands}")
            return cls("vague", None, None, True, words.strip())
        if len(keys) == 1:
            (form,) = keys
            if form in POINT_FORMS:
                n = _number(raw[form], form)
                low = None if form == "up_to" else n
                high = None if form in ("over", "at_least") else n
                return cls(form, low, high, form in ("about", "nearly"))
        raise ValueError(f"unrecognised value form with keys {sorted(keys)}; " + VALUE_FORMS)


def _number(value: Any, key: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {value!r} (write 10000, not '10,000')")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{key} must be a finite number")
    return float(value)


def overlap(a: Value, b: Value) -> bool:
    """Whether two values can be the same number (approximate wording: 5% slack either way)."""
    if a.qualifier == "vague" or b.qualifier == "vague":
        return True
    alo = a.low if a.low is not None else float("-inf")
    ahi = a.high if a.high is not None else float("inf")
    blo = b.low if b.low is not None else float("-inf")
    bhi = b.high if b.high is not None else float("inf")
    slack = 0.05 if (a.approximate or b.approximate) else 0.0
    return alo <= bhi * (1 + slack) and blo <= ahi * (1 + slack)


def number(n: float | None) -> str:
    """6000 -> '6,000'; 2.5 -> '2.5'; missing -> '?'."""
    if n is None or n != n:
        return "?"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


_UNIT_FORMAT = {"usd": "${}", "percent": "{}%", "km": "{} km"}
_PREFIX = {
    "exact": "",
    "about": "about ",
    "nearly": "nearly ",
    "over": "over ",
    "at_least": "at least ",
    "up_to": "up to ",
}


def worded(v: Value, unit: str | None) -> str:
    """The value as a reader would say it: 'over 6,000', '10,000–12,000', 'up to $2,000'."""
    q = v.qualifier
    if q == "vague":
        return v.vague or ""
    form = _UNIT_FORMAT.get(unit) if unit else None
    if q == "range":
        low, high = number(v.low), number(v.high)
        if form:
            low, high = form.format(low), form.format(high)
        text = f"{low}–{high}" if unit not in ("usd", "km") else f"{low} to {high}"
        return f"about {text}" if v.approximate else text
    n = number(v.low if v.low is not None else v.high)
    return _PREFIX[q] + (form.format(n) if form else n)
