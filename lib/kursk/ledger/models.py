"""The YAML format, written once: pydantic models for the loader, the tests and editors.

`kursk schema` writes the JSON Schema that editors (yaml-language-server) use, and a test
checks that the committed data/schema/*.json match these models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from .values import DATE_FORMS, VALUE_FORMS, PartialDate, Value, partial_date

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80),
    Field(description="lower-case id: letters, digits, '.', '_' or '-'"),
]
MAX_QUOTE_WORDS = 15
MAX_QUOTE_CHARS = 200  # a quote is a fragment around a number, never a paragraph
MAX_TRANSLATION_WORDS = 30  # a translation may need more words than its original
CLAIMANT_KINDS = ("intelligence", "military", "government", "media", "analyst", "unattributed")
METRIC_GROUPS = ("deployment", "casualties", "payment", "distance")
TIERS = ("high", "medium", "low")
SOURCE_KINDS = ("article", "briefing", "statement", "report", "post")
EVENT_KINDS = ("milestone", "statement")
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


DateField = Annotated[
    Any,
    Field(
        description=f"partial date: {DATE_FORMS}",
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
    total: bool = Field(
        False,
        description="counts the group's whole (deployed; killed_or_wounded): titles and the "
        "headline state this metric's range; at most one per group",
    )
    description: str = ""


class VagueReading(Strict):
    low: float = Field(ge=0)
    high: float = Field(ge=0)
    note: str = ""


class Grade(Strict):
    """One grade of our own assessment scale (vocabulary.yaml)."""

    label: str = Field(min_length=1)
    definition: str = Field(min_length=10, description="what a figure needs to earn it")


class Vocabulary(Strict):
    """data/vocabulary.yaml: units, metrics, numeric readings of vague words, confidence tiers."""

    units: dict[Slug, Unit]
    metrics: dict[Slug, Metric]
    vague: dict[str, VagueReading] = {}
    confidence: dict[str, Literal[TIERS]] = {}  # type: ignore[valid-type]
    assessments: dict[Slug, Grade] = Field(
        default_factory=dict,
        description="the scale of our own assessments, best first: grade -> its definition",
    )


# --- reference entities -----------------------------------------------------------------------


class Article(Strict):
    """A source: an article whose text is held (sha256), or a briefing, statement, report or
    post known without a saved text (no_text says why)."""

    id: Slug
    kind: Literal[SOURCE_KINDS] = Field("article", description="what the source is")  # type: ignore[valid-type]
    title: str = Field(min_length=1)
    outlet: str | None = Field(None, description="who published it (a ministry, a newspaper)")
    url: Url | None = None
    published: DateField = None
    published_note: str = ""
    accessed: DateField = Field(None, description="when the curator read it online")
    archive_url: Url | None = Field(None, description="an archived copy, e.g. web.archive.org")
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")] = Field(
        "en", description="ISO 639 code of the text the quotes come from"
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None, description="sha256 of the text the figures were read from (when it is held)"
    )
    no_text: str | None = Field(
        None, min_length=3, description="why no text is held (e.g. 'transcript page only')"
    )
    reposts: Slug | None = Field(
        None, description="the source (articles.yaml) this one reproduces: not independent of it"
    )
    original: str | None = Field(
        None, description="the outlet this one reproduces when that is not in articles.yaml"
    )
    notes: str = ""

    @field_validator("published", "accessed")
    @classmethod
    def _dates(cls, v: Any) -> PartialDate | None:
        return partial_date(v)

    @model_validator(mode="after")
    def _text_or_reason(self) -> Article:
        if (self.sha256 is None) == (self.no_text is None):
            raise ValueError(
                "a source either holds its text (sha256: <sha256sum of the text>) or says why "
                "it does not (no_text: <reason>), not both"
                if self.sha256
                else "a source needs sha256: <sha256sum of its text> when its text is held, or "
                "no_text: <why no text is held> (a briefing known from its transcript page)"
            )
        return self

    @property
    def text_held(self) -> bool:
        return self.sha256 is not None


class ArticlesFile(Strict):
    articles: list[Article] = Field(min_length=1)


class Claimant(Strict):
    id: Slug
    name: str = Field(min_length=1)
    short_name: str | None = Field(
        None, min_length=1, max_length=24, description="for legends and labels (default: name)"
    )
    colour: Colour | None = Field(
        None, description="#RRGGBB, at least 3:1 contrast on white (default: from the palette)"
    )
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


class Window(Strict):
    window: str = Field(min_length=1, description="the window as worded, e.g. 'in the past week'")
    days: int | None = Field(None, ge=1)


class PastAssessment(Strict):
    """An assessment of ours as it stood before it changed."""

    grade: Slug
    reason: str = Field(min_length=3)
    by: str = Field(min_length=1, description="who assessed it")
    on: DateField

    @field_validator("on")
    @classmethod
    def _on(cls, v: Any) -> PartialDate:
        return PartialDate.parse(v)


class Assessment(PastAssessment):
    """Our own assessment of a figure, on the scale in vocabulary.yaml, kept apart from the
    claimant's wording; `history` keeps the earlier grades, oldest first."""

    history: list[PastAssessment] = Field(default_factory=list)


class Figure(Strict):
    id: Slug
    claim: Slug | None = Field(
        None, description="groups reports of the same claim across articles"
    )
    metric: Slug
    unit: Slug | None = Field(None, description="defaults to the metric's unit")
    value: Annotated[Any, Field(json_schema_extra={"description": VALUE_FORMS})]
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
    part_of: Slug | None = Field(
        None, description="a figure whose stated total this is part of (parts must add up)"
    )
    breakdown: Slug | None = Field(
        None,
        description="groups the parts of one breakdown with no stated total ('at least 40 "
        "killed and about 700 wounded'); they need not add up to anything",
    )
    revises: Slug | None = Field(
        None, description="an earlier figure of the same claimant that this one replaces"
    )
    event: Slug | None = Field(
        None, description="the event (events.yaml) this reports, e.g. one briefing"
    )
    progress_of: Slug | None = Field(
        None, description="a planned figure this counts progress toward (arrived of planned)"
    )
    denominator: Slug | None = Field(
        None, description="the figure this is out of ('2,500 casualties of about 8,000 troops')"
    )
    share_of: Slug | None = Field(None, description="metric a percentage is a share of")
    confidence: str = Field("", description="the claimant's own wording, e.g. 'reportedly'")
    quote: str = Field(
        min_length=1,
        description=f"verbatim, at most {MAX_QUOTE_WORDS} words ({MAX_QUOTE_CHARS} characters)",
    )
    translation: str = Field(
        "", description="the quote in English, when the source is in another language"
    )
    assessment: Assessment | None = Field(
        None, description="our own grade of the figure (vocabulary.yaml assessments), dated"
    )
    note: str = ""

    @field_validator("value")
    @classmethod
    def _value(cls, v: Any) -> Value:
        return Value.parse(v)

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: Any) -> PartialDate | None:
        return partial_date(v)

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
        v = [c.strip() if isinstance(c, str) else c for c in v]
        if len(v) > 1 and len({repr(c) for c in v}) != len(v):  # True == 1: compare reprs
            raise ValueError("a claimant is listed twice")
        return v

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, v: str) -> str:
        if len(v) > MAX_QUOTE_CHARS:
            raise ValueError(f"quote has {len(v)} characters; keep at most {MAX_QUOTE_CHARS}")
        words = len(v.split())
        if words > MAX_QUOTE_WORDS:
            raise ValueError(
                f"quote has {words} words; keep at most {MAX_QUOTE_WORDS} words around the number"
            )
        return v

    @field_validator("translation")
    @classmethod
    def _short_translation(cls, v: str) -> str:
        if len(v) > 2 * MAX_QUOTE_CHARS:
            raise ValueError(f"translation has {len(v)} characters; translate the quote only")
        words = len(v.split())
        if words > MAX_TRANSLATION_WORDS:
            raise ValueError(
                f"translation has {words} words; translate the quote only "
                f"(at most {MAX_TRANSLATION_WORDS} words)"
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


class Event(Strict):
    """Something that happened on a date: a milestone drawn on the timelines (the incursion
    into Kursk), or a statement or briefing that several sources report (figures link to it)."""

    id: Slug
    date: DateField
    label: str = Field(min_length=1, max_length=60, description="short, for a chart annotation")
    kind: Literal[EVENT_KINDS] = "milestone"  # type: ignore[valid-type]
    claimant: Slug | None = Field(None, description="who made the statement (statements)")
    source: Slug | None = Field(None, description="a source (articles.yaml) that reports it")
    url: Url | None = None
    note: str = ""

    @field_validator("date")
    @classmethod
    def _date(cls, v: Any) -> PartialDate:
        return PartialDate.parse(v)


class EventsFile(Strict):
    """data/events.yaml (optional): events for the timelines and for reports of one event."""

    events: list[Event] = Field(default_factory=list)


SCHEMAS = {
    "figures": FiguresFile,
    "articles": ArticlesFile,
    "claimants": ClaimantsFile,
    "contingents": ContingentsFile,
    "events": EventsFile,
    "vocabulary": Vocabulary,
}


def schema_texts() -> dict[str, str]:
    """File name -> JSON Schema text for each kind of data file."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schemas editors use into folder (data/schema/)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
