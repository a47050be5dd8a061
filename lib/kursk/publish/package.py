"""The data package: the figures and what they refer to as CSV, described by a Frictionless
datapackage.json (name, version, licence, contributors, sources, and a Table Schema per
resource with every column's type, meaning and keys), a README with how to cite and the
caveats, and CITATION.cff. `kursk publish` writes it; `package_zip` is the same as one zip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..ledger import Dataset, frames
from ..ledger.cite import PROJECT
from ..ledger.dataset import plain_numbers
from . import readme
from .citation import CONTRIBUTORS, DESCRIPTION, KEYWORDS, LICENCE, TITLE, citation_cff

NAME = "kursk-figures"
FIGURE_CLAIMANT_COLUMNS: dict[str, tuple[object, str]] = {
    "figure_id": (frames.S, "the figure's id (figures.csv)"),
    "claimant": (frames.S, "one of the claimants asserting it (claimants.csv)"),
    "position": (frames.N, "its place in the figure's list of claimants, from 1"),
}
# Figure columns naming another figure: each must be a figure of the package.
FIGURE_LINKS = ("part_of", "revises", "revised_by", "progress_of", "denominator")


@dataclass
class Table:
    """One resource: its rows, its columns' (dtype, meaning), and its keys."""

    name: str
    description: str
    frame: pd.DataFrame
    columns: dict[str, tuple[object, str]]
    primary_key: list[str]
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)  # field, table, field


def export_columns() -> dict[str, tuple[object, str]]:
    """The export's columns with their (dtype, meaning): as the figures frame declares them,
    except those the export writes differently (ISO dates, the version, the citation)."""
    out = {}
    for name in frames.EXPORT_COLUMNS:
        dtype, meaning = frames.EXPORT_ONLY_COLUMNS.get(name) or frames.FIGURE_COLUMNS[name]
        out[name] = (frames.D if name == "as_of_end" else dtype, meaning)
    return out


def figure_claimants(data: Dataset) -> pd.DataFrame:
    """One row per (figure, claimant): the figures' joined claimant ids as a link table, so
    that every claimant is a key of claimants.csv."""
    rows = [
        (figure, claimant, i)
        for figure, joined in zip(data.figures["figure_id"], data.figures["claimant"], strict=True)
        for i, claimant in enumerate(str(joined).split(";"), start=1)
    ]
    return pd.DataFrame(rows, columns=list(FIGURE_CLAIMANT_COLUMNS))


def tables(data: Dataset) -> list[Table]:
    """The package's resources, figures first."""
    links = [(name, "", "figure_id") for name in FIGURE_LINKS]
    return [
        Table(
            "figures",
            "One row per figure: one number as one source reports it, with its claimant, "
            "source, value as worded and as bounds, dates, relations, evidence and citation "
            "(what `kursk export` writes).",
            data.export(),
            export_columns(),
            ["figure_id"],
            [
                ("claim_id", "claims", "claim_id"),
                ("article", "sources", "article"),
                ("contingent", "contingents", "contingent"),
                ("event", "events", "event"),
                *links,
            ],
        ),
        Table(
            "claims",
            "The figures of one claim (reported by several sources) grouped.",
            data.claims,
            frames.CLAIM_COLUMNS,
            ["claim_id"],
        ),
        Table(
            "sources",
            "The sources: articles, briefings, statements, reports and posts (articles.yaml).",
            data.articles,
            frames.ARTICLE_COLUMNS,
            ["article"],
        ),
        Table(
            "claimants",
            "Who asserts the numbers (claimants.yaml).",
            data.claimants,
            frames.CLAIMANT_COLUMNS,
            ["claimant"],
        ),
        Table(
            "figure_claimants",
            "Each figure's claimants, one row each (a figure may have several).",
            figure_claimants(data),
            FIGURE_CLAIMANT_COLUMNS,
            ["figure_id", "claimant"],
            [("figure_id", "figures", "figure_id"), ("claimant", "claimants", "claimant")],
        ),
        Table(
            "contingents",
            "The deployment waves (contingents.yaml).",
            data.contingents,
            frames.CONTINGENT_COLUMNS,
            ["contingent"],
            [("part_of", "", "contingent")],
        ),
        Table(
            "events",
            "Milestones and statements several sources report (events.yaml).",
            data.events,
            frames.EVENT_COLUMNS,
            ["event"],
            [("claimant", "claimants", "claimant"), ("source", "sources", "article")],
        ),
    ]


def _type(dtype, data: Dataset) -> dict:
    """A frame dtype as a Table Schema type (and its allowed values, for categories)."""
    if dtype == frames.METRIC:
        return {"type": "string", "constraints": {"enum": list(data.vocabulary.metrics)}}
    if dtype == frames.UNIT:
        return {"type": "string", "constraints": {"enum": list(data.vocabulary.units)}}
    if isinstance(dtype, pd.CategoricalDtype):
        return {"type": "string", "constraints": {"enum": [str(c) for c in dtype.categories]}}
    kind = {"Float64": "number", "Int64": "integer", "boolean": "boolean"}.get(str(dtype))
    if kind is None:
        kind = "date" if str(dtype).startswith("datetime64") else "string"
    return {"type": kind}


def schema(table: Table, data: Dataset) -> dict:
    """The table's Table Schema: every column's name, type, meaning; its keys."""
    fields = []
    for name, (dtype, meaning) in table.columns.items():
        spec = {"name": name, **_type(dtype, data), "description": meaning}
        if name in table.primary_key:
            spec.setdefault("constraints", {})["required"] = True
        fields.append(spec)
    out: dict = {"fields": fields, "missingValues": [""], "primaryKey": table.primary_key}
    if table.foreign_keys:
        out["foreignKeys"] = [
            {"fields": here, "reference": {"resource": there, "fields": key}}
            for here, there, key in table.foreign_keys
        ]
    return out


def csv_text(table: Table) -> str:
    """The table's rows as CSV: its declared columns in order, dates ISO, numbers plain."""
    frame = table.frame[list(table.columns)].copy()
    for name in table.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):  # the export's are ISO text
            frame[name] = frame[name].dt.strftime("%Y-%m-%d").astype("string")
    if {"low", "high"} <= set(frame.columns):
        frame = plain_numbers(frame)  # 6000, not 6000.0
    return frame.to_csv(index=False, lineterminator="\n")


def descriptor(
    data: Dataset, tables_: list[Table], texts: dict[str, str], created: str, url: str | None
) -> dict:
    """datapackage.json for the tables and their CSV texts (name -> text), in table order."""
    version = data.version
    resources = []
    for table in tables_:
        body = texts[f"{table.name}.csv"].encode("utf-8")
        resources.append(
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "title": table.name.replace("_", " ").capitalize(),
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(body),
                "hash": hashlib.md5(body).hexdigest(),  # the spec's default algorithm
                "sha256": hashlib.sha256(body).hexdigest(),
                "schema": schema(table, data),
            }
        )
    out = {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version.fingerprint[:12],
        "data_version": {"label": version.label, **version.as_dict()},
        "created": created,
        "keywords": KEYWORDS,
        "licenses": [LICENCE],
        "contributors": [{"title": name, "role": "author"} for name in CONTRIBUTORS],
        "sources": sources(data),
        "resources": resources,
    }
    if url:
        out["homepage"] = url
    return out


def sources(data: Dataset) -> list[dict]:
    """Each source as the package's `sources` lists it: title, and its address when known."""
    out = []
    for row in data.articles.itertuples():
        outlet = row.outlet if isinstance(row.outlet, str) else None
        title = f"{outlet}: {row.title}" if outlet else str(row.title)
        entry = {
            "title": f"{title} ({row.published})" if isinstance(row.published, str) else title
        }
        url = row.url if isinstance(row.url, str) else row.archive_url
        if isinstance(url, str):
            entry["path"] = url
        out.append(entry)
    return out


def package_files(data: Dataset, url: str | None = None, created: str | None = None) -> dict:
    """File name -> bytes of the whole package."""
    created = created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    made = tables(data)  # each frame made once: the export cites every figure
    texts = {f"{t.name}.csv": csv_text(t) for t in made}
    package = descriptor(data, made, texts, created, url)
    files = {"datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n"}
    files |= texts
    files["README.md"] = readme.text(data, package, made[0].frame, url)
    files["CITATION.cff"] = citation_cff(data, url)
    return {name: text.encode("utf-8") for name, text in files.items()}


def write_package(data: Dataset, out_dir: Path, url: str | None = None) -> list[Path]:
    """Write the package into out_dir (created when missing); returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in package_files(data, url).items():
        (out_dir / name).write_bytes(body)
        written.append(out_dir / name)
    return written


def zip_name(data: Dataset) -> str:
    """'kursk-figures-1a2b3c4d5e6f': the zip's name and its one folder, by data version."""
    return f"{NAME}-{data.version.fingerprint[:12]}"


def package_zip(data: Dataset, url: str | None = None) -> bytes:
    """The whole data package (README and CITATION.cff included) as one zip: one folder,
    named by data version, so that unpacking two versions keeps both. The dashboard's
    download offers it."""
    folder = zip_name(data)
    files = package_files(data, url)
    created = json.loads(files["datapackage.json"])["created"]
    stamp = dt.datetime.fromisoformat(created).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, body)
    return buffer.getvalue()


__all__ = ["NAME", "PROJECT", "package_files", "package_zip", "tables", "write_package"]
