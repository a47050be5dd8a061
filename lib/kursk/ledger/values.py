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
# How precisely a date is known; whether it is approximate ('~') is kept apart.
PRECISIONS = ("year", "part_of_year", "month", "part_of_month", "day")
PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}  # thirds of a year, by month
PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}  # thirds of a month
DATE_FORMS = (
    "2025, 2025-06 or 2025-06-17; early/mid/late 2025 or 2025-06 (a third of the year or "
    "month); 2025-Q1..Q4 or 2025-H1/H2; a trailing ~ when approximate"
)

_DATE = re.compile(
    r"^(?:(?P<part>early|mid|late)[ -])?(?P<year>\d{4})"
    r"(?:-(?:(?P<month>\d{2})(?:-(?P<day>\d{2}))?|Q(?P<quarter>[1-4])|H(?P<half>[12])))?"
    r"(?P<approx>~)?$"
)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a year, part of a year, month, part of a month or day: the period it
    names (start to end), how precisely, and whether it is approximate ('~')."""

    text: str
    start: date
    end: date
    precision: Literal["year", "part_of_year", "month", "part_of_month", "day"]
    approximate: bool

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"a partial date: {DATE_FORMS}")
        return _parse_text(value.strip())

    @property
    def middle(self) -> date:
        """The middle of the period (where a chart places the date)."""
        return self.start + (self.end - self.start) / 2


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> PartialDate:
    # curated data repeats the same few dates many times: each is parsed once
    m = _DATE.match(value)
    if not m:
        raise ValueError(
            f"{value!r} is not a partial date; write {DATE_FORMS} "
            "(e.g. 'early 2025', 'mid 2025-01' for mid-January)"
        )
    part, year, month, day = m["part"], int(m["year"]), m["month"], m["day"]
    if part and (day or m["quarter"] or m["half"]):
        raise ValueError(f"{value!r}: early/mid/late go with a year or a month, not a day")
    if month:
        mo = int(month)
        if not 1 <= mo <= 12:
            raise ValueError(f"{value!r} is an impossible date: month {mo} does not exist")
        last = calendar.monthrange(year, mo)[1]
        if day:
            d = int(day)
            if not 1 <= d <= last:
                raise ValueError(
                    f"{value!r} is an impossible date: {calendar.month_name[mo]} {year} "
                    f"has {last} days"
                )
            start = end = date(year, mo, d)
            precision = "day"
        elif part:
            first, final = PART_DAYS[part]
            start, end = date(year, mo, first), date(year, mo, min(final, last))
            precision = "part_of_month"
        else:
            start, end = date(year, mo, 1), date(year, mo, last)
            precision = "month"
    else:
        if part:
            first, final = PARTS[part]
        elif m["quarter"]:
            q = int(m["quarter"])
            first, final = 3 * q - 2, 3 * q
        elif m["half"]:
            h = int(m["half"])
            first, final = 6 * h - 5, 6 * h
        else:
            first, final = 1, 12
        start = date(year, first, 1)
        end = date(year, final, calendar.monthrange(year, final)[1])
        precision = "year" if (first, final) == (1, 12) else "part_of_year"
    return PartialDate(value, start, end, precision, bool(m["approx"]))


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
