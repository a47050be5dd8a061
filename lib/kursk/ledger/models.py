"""The YAML format, written once: pydantic models for the loader, the tests and editors.

`kursk schema` writes the JSON Schema that editors (yaml-language-server) use, and a test
checks that the committed data/schema/*.json match these models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .values import VALUE_FORMS, PartialDate, Value, partial_date

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80),
    Field(description="lower-case id: letters, digits, '.', '_' or '-'"),
]
MAX_QUOTE_WORDS = 15
CLAIMANT_KINDS = ("intelligence", "military", "government", "media", "analyst", "unattributed")
METRIC_GROUPS = ("deployment", "casualties", "payment", "distance")
TIERS = ("high", "medium", "low")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
        return partial_date(v)


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
        if len({repr(c) for c in v}) != len(v):
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
