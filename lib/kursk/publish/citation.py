"""How the figures are cited and under which licence: CITATION.cff, the package README's
"how to cite" and caveats, a figure's citation by id, and the "last updated" line.

A figure has two authors to credit: the claimant and source that stated it, and Kursk Figures,
which compiled it (figure id, data version). The per-figure wording is ledger.cite's.
"""

from __future__ import annotations

import datetime as dt

import yaml

from ..ledger import Dataset
from ..ledger.cite import PROJECT
from ..ledger.version import DataVersion

TITLE = f"{PROJECT}: the contested numbers of North Korea's deployment to Russia's Kursk region"
DESCRIPTION = (
    "Every number reported about North Korea's deployment to Russia's Kursk region (troops "
    "sent, arrived and planned, killed, wounded, captured, payments), each with who said it, "
    "when, the source that reported it and a short verbatim quote as evidence. Numbers that "
    "disagree are all kept; none is corrected or averaged."
)
CONTRIBUTORS = [f"{PROJECT} curators"]
KEYWORDS = ["North Korea", "Russia", "Kursk", "casualties", "troop deployment", "claims"]
# The curated data (the selection, readings, ids, relations and notes) is licensed CC BY 4.0.
# The code's licence is the repository's, stated separately; quotes stay their authors' words.
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
CAVEATS = [
    "The figures are claims, not verified facts: each is what its claimant said, as its source "
    "reported it. Kursk Figures checks that each number and quote occur in the source's text, "
    "not that the number is true.",
    "Sources disagree, and every disagreement is kept: the same wave of troops or the same "
    "losses carry several numbers from several claimants. Do not add up or average figures of "
    "different claimants; `claim_id` groups reports of one claim, `n_articles` counts them.",
    "Numbers are stored as worded: 'about', 'over' (`high` empty: an open upper end), 'up to', "
    "ranges, and vague words ('thousands') read by the vocabulary's documented ranges. `low` "
    "and `high` bound what the wording can mean; `worded` is what to print.",
    "`as_of` is when a number holds; when the source gave no date, it is the source's "
    "publication date (`as_of_basis`: published), which may be inferred ('~').",
    "A revised figure stays in the data: `revised_by` names its replacement and `current` is "
    "false. Use the current figures for 'the latest estimate' and all of them for history.",
    "Quotes are short verbatim excerpts (at most 15 words) from the sources, cited as evidence; "
    "they remain the words of their authors and are not covered by this package's licence.",
]


def date_released(version: DataVersion) -> str:
    """The data's date: its commit's date in a git checkout, else today (UTC)."""
    return version.date or dt.datetime.now(dt.UTC).date().isoformat()


def last_updated(data: Dataset) -> str:
    """'Last updated 29 Nov 2026 · data 1a2b3c4d5e6f (git 9f9b645, 2026-11-29)': the dashboard's
    "last updated" line. Without git, the data files' newest change gives the date."""
    version = data.version
    if version.date:
        day = dt.date.fromisoformat(version.date)
    else:
        newest = max((p.stat().st_mtime for p in data.files), default=None)
        day = dt.datetime.fromtimestamp(newest, dt.UTC).date() if newest else None
    when = f"Last updated {day:%-d %b %Y} · " if day else ""
    return f"{when}{version.label}"


def cite(data: Dataset, figure_id: str) -> str:
    """The citation of one figure, as the export's `cite` column words it."""
    rows = data.export()
    match = rows[rows["figure_id"] == figure_id]
    if match.empty:
        raise KeyError(f"no figure {figure_id!r} in this data")
    return str(match["cite"].iloc[0])


def how_to_cite(data: Dataset, url: str | None = None) -> str:
    """The package as a whole, cited: 'Kursk Figures curators (2026). Kursk Figures: ...'."""
    version = data.version
    year = date_released(version)[:4]
    where = f" {url}" if url else ""
    return (
        f"{', '.join(CONTRIBUTORS)} ({year}). {TITLE}. {LICENCE['name']}. {version.label}.{where}"
    )


def citation_cff(data: Dataset, url: str | None = None) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the project, at this data version."""
    version = data.version
    doc = {
        "cff-version": "1.2.0",
        "message": (
            "If you use these figures, cite Kursk Figures at this data version and, for each "
            "figure, its original source (the `cite` column of figures.csv gives both)."
        ),
        "type": "dataset",
        "title": TITLE,
        "abstract": DESCRIPTION,
        "authors": [{"name": name} for name in CONTRIBUTORS],
        "version": version.fingerprint[:12],
        "date-released": date_released(version),
        "license": LICENCE["name"],
        "keywords": KEYWORDS,
    }
    if version.revision and not version.revision.endswith("+"):  # '+': not a commit as is
        doc["commit"] = version.revision
    if url:
        doc["url"] = url
    head = f"# {version.label}; written by `kursk publish`\n"
    # dates must stay YAML dates and ids strings: safe_dump quotes what needs quoting
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=90)
