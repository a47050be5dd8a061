"""The data package's README.md: what the package holds, its version, how to cite the figures
and the package, the licence, the caveats, and every file's columns."""

from __future__ import annotations

import pandas as pd

from ..ledger import Dataset
from ..ledger.cite import PROJECT
from .citation import CAVEATS, LICENCE, TITLE, how_to_cite


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def text(data: Dataset, package: dict, figures: pd.DataFrame, url: str | None = None) -> str:
    """The README for a package descriptor (datapackage.json, as a dict); figures: the export
    (its first figure's citation is the example)."""
    version = data.version
    example = figures.iloc[0] if len(figures) else None
    out = [
        f"# {TITLE}",
        "",
        package["description"],
        "",
        f"- Data version: **{version.label}** (the same on every row of figures.csv, column "
        "`data_version`; two packages with the same version hold the same figures)",
        f"- Created: {package['created']}",
        f"- Licence: [{LICENCE['title']}]({LICENCE['path']}) ({LICENCE['name']}) for the "
        "curated data; see the caveats for the quotes",
        f"- {len(data.figures)} figures, {len(data.claims)} claims, {len(data.articles)} "
        f"sources, {len(data.claimants)} claimants",
    ]
    if url:
        out.append(f"- Published at {url}")
    out += [
        "",
        "## How to cite",
        "",
        "Cite both: the original source that reported a figure (outlet, date, address), and "
        f"{PROJECT}, which compiled it (figure id and data version), so that a reader can find "
        "the source and the exact row you used. figures.csv has the citation of each figure in "
        "its `cite` column:",
        "",
    ]
    if example is not None:
        out += [f"> {example['cite']}", ""]
    out += [
        "The package as a whole (CITATION.cff has the same in Citation File Format):",
        "",
        f"> {how_to_cite(data, url)}",
        "",
        "Quote the number as worded (`worded`: 'over 6,000', 'about 1,200') and name its "
        "claimant: these are claims, not measurements.",
        "",
        "## Caveats",
        "",
        *[f"- {line}" for line in CAVEATS],
        "",
        "## Files",
        "",
        "datapackage.json describes every file: a Table Schema per CSV with each column's type "
        "and meaning, primary and foreign keys (validate it with `frictionless validate "
        "datapackage.json`). Lists inside a cell are joined with `;`; dates are ISO "
        "(YYYY-MM-DD); an empty cell is a missing value.",
        "",
    ]
    for resource in package["resources"]:
        keys = ", ".join(f"`{k}`" for k in resource["schema"]["primaryKey"])
        out += [
            f"### {resource['path']}",
            "",
            f"{resource['description']} Key: {keys}.",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for spec in resource["schema"]["fields"]:
            out.append(f"| `{spec['name']}` | {spec['type']} | {_cell(spec['description'])} |")
        out.append("")
    return "\n".join(out)
