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
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

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


class Value(NamedTuple):
    """One way a number is worded; the YAML writes exactly one form (see data/README.md).

    A named tuple (immutable, compared by value) because it is built once per figure and is
    several times cheaper to build than a frozen dataclass.
    """

    qualifier: str  # one of QUALIFIERS
    low: float | None = None
    high: float | None = None
    approximate: bool = False
    vague: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Value:
        # The common forms first (a plain number, {form: number}); the rest below.
        kind = type(raw)
        if kind is int or kind is float:
            if raw - raw == 0:  # finite (inf - inf and nan - nan are nan)
                n = float(raw)
                return _new(cls, ("exact", n, n, False, None))
        elif kind is dict:
            size = len(raw)
            if size == 1:
                ((form, n),) = raw.items()
                kind = type(n)
                if (kind is int or kind is float) and form in _POINT_FORMS and n - n == 0:
                    n = float(n)
                    return _new(
                        cls,
                        (
                            form,
                            None if form == "up_to" else n,
                            None if form == "over" or form == "at_least" else n,
                            form == "about" or form == "nearly",
                            None,
                        ),
                    )
                if form == "vague" and kind is str:
                    words = n.strip()
                    if words:
                        return _new(cls, ("vague", None, None, True, words))
            elif size == 2:
                low, high = raw.get("low"), raw.get("high")
                if (
                    type(low) in _NUMBER_TYPES
                    and type(high) in _NUMBER_TYPES
                    and low - low == 0
                    and high - high == 0
                    and low <= high
                ):
                    return _new(cls, ("range", float(low), float(high), False, None))
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
_new = tuple.__new__  # a named tuple from its values, without the keyword-handling __new__
_NUMBER_TYPES = (int, float)  # exactly these: bool is an int, and is no number here
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


# --- fast path --------------------------------------------------------------------------------
# Validating 100,000 figures through pydantic costs seconds. Most files are plainly valid, so
# the loader first tries `fast_figures_file`: a strict, cheap re-statement of FiguresFile for
# the common shapes. It gives up (returns None) on anything it is not sure about, and the
# loader then validates that file with the models above, so every error still comes from them.


class FastFigure(NamedTuple):
    """A Figure that passed the fast check: same attributes, same values as the model's."""

    id: str
    claim: str | None
    metric: str
    unit: str | None
    value: Value
    subject: str
    claimant: list[str]
    via: list[str]
    as_of: PartialDate | None
    scope: str | Window
    contingent: str | None
    part_of: str | None
    share_of: str | None
    confidence: str
    quote: str
    note: str


_FIGURE_KEYS = frozenset(Figure.model_fields)
_FILE_KEYS = frozenset(FiguresFile.model_fields)
_SLUG_MATCH = re.compile(r"[a-z0-9][a-z0-9._-]*").fullmatch
# pydantic strips Unicode White_Space; Python's str.strip() also strips \x1c-\x1f. Only ASCII
# whitespace is stripped here; text with any other whitespace at an end takes the slow path.
_ASCII_SPACE = " \t\n\r\x0b\x0c"
_NOT_SURE = object()
_KNOWN_SLUGS: set[str] = set()  # metric, unit, claimant and contingent ids seen to be valid


def _is_slug(v: Any) -> bool:
    return type(v) is str and len(v) <= 80 and _SLUG_MATCH(v) is not None


def _known_slug(v: Any) -> bool:
    """_is_slug, remembered: metric, unit, claimant and contingent ids repeat a lot."""
    if type(v) is not str:
        return False
    if v in _KNOWN_SLUGS:
        return True
    if len(v) <= 80 and _SLUG_MATCH(v):
        if len(_KNOWN_SLUGS) < 10_000:
            _KNOWN_SLUGS.add(v)
        return True
    return False


def _text(v: Any) -> str | None:
    """A str field's value as pydantic strips it, or None when not sure."""
    if type(v) is not str:
        return None
    t = v.strip()
    if t is v:  # CPython returns the string itself when there is nothing to strip
        return v
    t = v.strip(_ASCII_SPACE)
    return t if t.strip() == t else None


def fast_figures_file(data: dict) -> tuple[str, list[FastFigure], list[Ignored]] | None:
    """FiguresFile's (article, figures, ignored) for data, or None when not sure.

    Whatever this accepts, FiguresFile accepts with the same values; it may give up on valid
    input (e.g. scope windows), never accept invalid input.
    """
    if not _FILE_KEYS.issuperset(data):
        return None
    article = data.get("article")
    figures = data.get("figures", [])
    ignored = data.get("ignored", [])
    if not _is_slug(article) or type(figures) is not list or type(ignored) is not list:
        return None
    known, slug, keys_ok, text = _KNOWN_SLUGS, _SLUG_MATCH, _FIGURE_KEYS.issuperset, _text
    parse_value, parse_date, new = Value.parse, PartialDate.parse, tuple.__new__
    out: list[FastFigure] = []
    append = out.append
    for raw in figures:
        if type(raw) is not dict or not keys_ok(raw):
            return None
        get = raw.get
        fid, metric, claimant = get("id"), get("metric"), get("claimant")
        if type(fid) is not str or len(fid) > 80 or not slug(fid):
            return None
        if type(metric) is not str or (metric not in known and not _known_slug(metric)):
            return None
        if type(claimant) is str:
            if claimant not in known and not _known_slug(claimant):
                return None
            claimant = [claimant]
        elif type(claimant) is list and claimant:
            if not all(map(_known_slug, claimant)) or len(set(claimant)) != len(claimant):
                return None
            claimant = list(claimant)
        else:
            return None
        quote = text(get("quote"))
        if not quote or len(quote.split()) > MAX_QUOTE_WORDS:
            return None
        try:
            value = parse_value(raw["value"])  # KeyError: value is missing
            as_of = get("as_of")
            if as_of is not None:
                as_of = parse_date(as_of)
        except (KeyError, ValueError, TypeError, OverflowError):
            return None
        scope = get("scope", "cumulative")
        if type(scope) is not str or scope != "cumulative":
            return None  # windows are left to the model
        via = get("via", _NOT_SURE)
        if via is _NOT_SURE:
            via = []
        elif type(via) is list:
            via = [text(v) for v in via]
            if None in via:
                return None
        else:
            return None
        subject, confidence, note = (
            text(get("subject", "")),
            text(get("confidence", "")),
            text(get("note", "")),
        )
        if subject is None or confidence is None or note is None:
            return None
        claim, part_of = get("claim"), get("part_of")
        unit, contingent, share_of = get("unit"), get("contingent"), get("share_of")
        if (
            (claim is not None and not _is_slug(claim))
            or (part_of is not None and not _is_slug(part_of))
            or (unit is not None and not _known_slug(unit))
            or (contingent is not None and not _known_slug(contingent))
            or (share_of is not None and not _known_slug(share_of))
        ):
            return None
        append(
            new(
                FastFigure,
                (
                    fid,
                    claim,
                    metric,
                    unit,
                    value,
                    subject,
                    claimant,
                    via,
                    as_of,
                    "cumulative",
                    contingent,
                    part_of,
                    share_of,
                    confidence,
                    quote,
                    note,
                ),
            )
        )
    try:
        ignored = [Ignored.model_validate(item) for item in ignored]
    except ValidationError:
        return None
    return article, out, ignored
