"""The YAML schema, written once: pydantic models used by the loader, the tests and editors.

`kursk schema` writes the JSON Schema that editors (yaml-language-server) use; a test checks
that the committed data/schema/*.json match these models.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80),
    Field(description="lower-case id: letters, digits, '.', '_' or '-'"),
]
MAX_QUOTE_WORDS = 15
CLAIMANT_KINDS = ("intelligence", "military", "government", "media", "analyst", "unattributed")
METRIC_GROUPS = ("deployment", "casualties", "payment", "distance")
TIERS = ("high", "medium", "low")
QUALIFIERS = ("exact", "about", "nearly", "over", "at_least", "up_to", "range", "vague")
PRECISIONS = ("year", "month", "day")

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(~)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a year, month or day, optionally approximate ('~')."""

    text: str
    start: date
    precision: Literal["year", "month", "day"]
    approximate: bool

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, str):
            return _parse_date_text(value)
        return cls._parse(value)

    @classmethod
    def _parse(cls, value: Any) -> PartialDate:
        if isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(
                "a partial date like 2025, 2025-06 or 2025-06-17 (append ~ if approximate)"
            )
        m = _PARTIAL_DATE.match(value.strip())
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
        return cls(
            text=value.strip(), start=date(y, mo, d), precision=precision, approximate=bool(approx)
        )


@lru_cache(maxsize=4096)
def _parse_date_text(value: str) -> PartialDate:
    # Curated data repeats the same few dates many times; parse each once.
    return PartialDate._parse(value)


def _partial_date(value: Any) -> PartialDate | None:
    return None if value is None else PartialDate.parse(value)


DateField = Annotated[
    Any,
    Field(
        description="partial date: YYYY, YYYY-MM or YYYY-MM-DD, '~' suffix if approximate",
        json_schema_extra={"type": ["string", "integer"]},
    ),
]


# --- vocabulary -------------------------------------------------------------------------------


class Unit(Strict):
    label: str
    symbol: str = ""
    count: bool = Field(False, description="a count of people: cannot be negative or fractional")


class Metric(Strict):
    label: str
    unit: Slug
    group: Literal[METRIC_GROUPS]  # type: ignore[valid-type]
    description: str = ""


class VagueReading(Strict):
    low: float = Field(ge=0)
    high: float = Field(ge=0)
    note: str = ""


class Vocabulary(Strict):
    """data/vocabulary.yaml: units, metrics, numeric readings of vague words, confidence tiers."""

    units: dict[Slug, Unit]
    metrics: dict[Slug, Metric]
    vague: dict[str, VagueReading] = {}
    confidence: dict[str, Literal[TIERS]] = {}  # type: ignore[valid-type]


# --- reference entities -----------------------------------------------------------------------


class Article(Strict):
    id: Slug
    title: str = Field(min_length=1)
    outlet: str | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    published: DateField = None
    published_note: str = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    notes: str = ""

    @field_validator("published")
    @classmethod
    def _published(cls, v: Any) -> PartialDate | None:
        return _partial_date(v)


class ArticlesFile(Strict):
    articles: list[Article] = Field(min_length=1)


class Claimant(Strict):
    id: Slug
    name: str = Field(min_length=1)
    kind: Literal[CLAIMANT_KINDS]  # type: ignore[valid-type]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 code; omit for no single country"
    )
    note: str = ""


class ClaimantsFile(Strict):
    claimants: list[Claimant] = Field(min_length=1)


class Contingent(Strict):
    id: Slug
    label: str
    start: DateField
    part_of: Slug | None = None
    description: str = ""

    @field_validator("start")
    @classmethod
    def _start(cls, v: Any) -> PartialDate:
        return PartialDate.parse(v)


class ContingentsFile(Strict):
    contingents: list[Contingent] = Field(min_length=1)


# --- figures ----------------------------------------------------------------------------------

Number = Annotated[float, Field(allow_inf_nan=False)]


@dataclass(frozen=True, slots=True)
class Value:
    """One way a number is worded; the YAML writes exactly one form (see data/README.md)."""

    qualifier: str  # one of QUALIFIERS
    low: float | None = None
    high: float | None = None
    approximate: bool = False
    vague: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Value:
        if isinstance(raw, bool) or raw is None:
            raise ValueError(_VALUE_FORMS)
        if isinstance(raw, (int, float)):
            return cls(qualifier="exact", low=_num(raw), high=_num(raw))
        if not isinstance(raw, dict) or not raw:
            raise ValueError(_VALUE_FORMS)
        keys = set(raw)
        if keys <= {"low", "high", "approx"} and {"low", "high"} <= keys:
            low, high = _num(raw["low"], "low"), _num(raw["high"], "high")
            approx = raw.get("approx", False)
            if not isinstance(approx, bool):
                raise ValueError("approx must be true or false")
            if low > high:
                raise ValueError(f"low ({low:g}) is greater than high ({high:g}); swap them")
            return cls(qualifier="range", low=low, high=high, approximate=approx)
        if keys == {"vague"}:
            if not isinstance(raw["vague"], str) or not raw["vague"].strip():
                raise ValueError("vague takes the words as written, e.g. {vague: thousands}")
            return cls(qualifier="vague", vague=raw["vague"].strip(), approximate=True)
        if len(keys) == 1:
            (form,) = keys
            if form in _POINT_FORMS:
                n = _num(raw[form], form)
                low = None if form == "up_to" else n
                high = None if form in ("over", "at_least") else n
                return cls(
                    qualifier=form, low=low, high=high, approximate=form in ("about", "nearly")
                )
        raise ValueError(f"unrecognised value form with keys {sorted(keys)}; " + _VALUE_FORMS)


_POINT_FORMS = ("exact", "about", "nearly", "over", "at_least", "up_to")
_VALUE_FORMS = (
    "a number (exact) or one of {about: N}, {nearly: N}, {over: N}, {at_least: N}, "
    "{up_to: N}, {low: N, high: N} (optionally approx: true), {vague: words}"
)


def _num(value: Any, key: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {value!r} (write 10000, not '10,000')")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{key} must be a finite number")
    return float(value)


class Window(Strict):
    window: str = Field(min_length=1, description="the window as worded, e.g. 'in the past week'")
    days: int | None = Field(None, ge=1)


class Figure(Strict):
    id: Slug
    claim: Slug | None = Field(
        None, description="groups reports of the same claim across articles"
    )
    metric: Slug
    unit: Slug | None = Field(None, description="defaults to the metric's unit")
    value: Annotated[Any, Field(json_schema_extra={"description": _VALUE_FORMS})]
    subject: str = Field("", description="what is counted, e.g. 'sappers'")
    claimant: Annotated[
        list[Slug], Field(json_schema_extra={"description": "a claimant id or a list of them"})
    ]
    via: list[str] = Field(
        default_factory=list, description="relays between claimant and this article's outlet"
    )
    as_of: DateField = None
    scope: Annotated[
        Any,
        Field(
            json_schema_extra={"description": "cumulative (default) or {window: words, days: N}"}
        ),
    ] = "cumulative"
    contingent: Slug | None = None
    part_of: Slug | None = Field(None, description="id of the figure this is a part of")
    share_of: Slug | None = Field(None, description="metric a percentage is a share of")
    confidence: str = Field("", description="the claimant's own wording, e.g. 'reportedly'")
    quote: str = Field(min_length=1, description=f"verbatim, at most {MAX_QUOTE_WORDS} words")
    note: str = ""

    @field_validator("value")
    @classmethod
    def _value(cls, v: Any) -> Value:
        return Value.parse(v)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: Any) -> PartialDate | None:
        return _partial_date(v)

    @field_validator("scope")
    @classmethod
    def _scope(cls, v: Any) -> str | Window:
        if v == "cumulative":
            return v
        if isinstance(v, dict):
            return Window.model_validate(v)
        raise ValueError("scope is 'cumulative' or {window: 'in the past week', days: 7}")

    @field_validator("claimant", mode="before")
    @classmethod
    def _claimants(cls, v: Any) -> list[str]:
        v = [v] if isinstance(v, str) else v
        if not isinstance(v, list):
            raise ValueError("a claimant id or a list of claimant ids")
        if not v:
            raise ValueError("at least one claimant")
        if len(set(v)) != len(v):
            raise ValueError("a claimant is listed twice")
        return v

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, v: str) -> str:
        words = len(v.split())
        if words > MAX_QUOTE_WORDS:
            raise ValueError(
                f"quote has {words} words; keep at most {MAX_QUOTE_WORDS} words around the number"
            )
        return v


class Ignored(Strict):
    """A numeric mention in the article that is not a figure about the deployment."""

    quote: str = Field(min_length=1, description="verbatim text around the mention")
    number: str | None = Field(
        None, description="the mention as written, when the quote has several"
    )
    reason: str = Field(min_length=3)
    figure: Slug | None = Field(None, description="when it restates a figure of this article")

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, v: str) -> str:
        return Figure._short_quote(v)


class FiguresFile(Strict):
    """data/figures/<article id>.yaml: every figure one article reports."""

    article: Slug
    figures: list[Figure] = Field(default_factory=list)
    ignored: list[Ignored] = Field(default_factory=list)


SCHEMAS = {
    "figures": FiguresFile,
    "articles": ArticlesFile,
    "claimants": ClaimantsFile,
    "contingents": ContingentsFile,
    "vocabulary": Vocabulary,
}
