"""Invented changes of every kind a curator makes, applied to a copy of data/, and the
changelog `kursk diff` must report for them: exactly these, nothing else."""

from __future__ import annotations

from pathlib import Path

# figure id -> what the diff must call it (status, or the kinds of a changed figure)
EXPECTED_FIGURES = {
    "a003-us-kwia-1200": ["value"],  # about 1,200 -> about 1,300
    "a004-arrived-10000": ["qualifier"],  # 10,000 -> about 10,000
    "a004-distance-7000": ["claimant"],  # kr-intelligence -> kr-military
    "a003-deployed-3000": ["source"],  # moved from source 003 to source 004
    "a003-kwia-4000": ["details"],  # its note rewritten
    "a002-invented-killed-500": ["added"],
    "a004-share-over-40": ["removed"],
    "a000-uk-kwia-7000": ["revised"],  # a new figure revising a000-uk-kwia-6000
}
EXPECTED_SOURCES = {"004_3bacaa49797df15f": ["source_url"]}  # the source got its address
EXPECTED_CLAIMANTS = {"us-government": ("US assessments", "US government assessments")}
URL = "https://usazine.example.com/2025/01/north-korea-gamble"

ADDED = """
  - id: a002-invented-killed-500
    metric: killed
    value: {about: 500}
    claimant: kr-military
    contingent: initial-2024
    quote: an invented figure, for the changelog tests
"""
REVISION = """
  - id: a000-uk-kwia-7000
    revises: a000-uk-kwia-6000
    metric: killed_or_wounded
    value: {about: 7000}
    claimant: uk-intelligence
    as_of: 2025-07
    contingent: initial-2024
    quote: an invented revision, for the changelog tests
"""
MOVED = """
  - id: a003-deployed-3000
    metric: deployed
    value: {about: 3000}
    subject: additional troops
    claimant: kr-military
    via: [Express & Star]
    as_of: 2025-03
    contingent: reinforcement-2025-03
    quote: North Korea had dispatched approximately 3,000 additional troops to Russia this year
"""
REMOVED = """
  - id: a004-share-over-40
    metric: casualty_share
    value: {over: 40}
    share_of: deployed
    claimant: unattributed
    via: [USAZINE]
    as_of: 2025-01-15~
    confidence: reports suggest
    contingent: initial-2024
    quote: by mid-January, over 40% of the North Korean soldiers deployed had suffered casualties
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path.name, old)  # the seed changed: update the invention
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append_figure(path: Path, entry: str) -> None:
    _edit(path, "figures:\n", "figures:" + entry + "\n")


def apply(data: Path) -> Path:
    """Make every invented change in the data folder `data` (a copy); returns it."""
    figures = data / "figures"
    f000, f002 = figures / "000_139921d5406b05f8.yaml", figures / "002_66707f0fb5c14e10.yaml"
    f003, f004 = figures / "003_1a8f1fbcddf06ff0.yaml", figures / "004_3bacaa49797df15f.yaml"
    _edit(f003, "value: {about: 1200}", "value: {about: 1300}")
    _edit(f004, "value: 10000\n", "value: {about: 10000}\n")
    _edit(
        f004,
        "value: {nearly: 7000}\n    claimant: kr-intelligence",
        "value: {nearly: 7000}\n    claimant: kr-military",
    )
    _edit(f003, MOVED.lstrip("\n") + "\n", "")
    _append_figure(f004, MOVED)
    _edit(
        f003,
        'note: Zelensky "echoed similar casualty estimates"; the article gives no number of his own',
        "note: Zelensky echoed the estimate (invented rewording)",
    )
    _append_figure(f002, ADDED)
    _edit(f004, REMOVED.rstrip("\n"), "")
    _append_figure(f000, REVISION)
    _edit(
        data / "articles.yaml",
        "  - id: 004_3bacaa49797df15f\n",
        f"  - id: 004_3bacaa49797df15f\n    url: {URL}\n",
    )
    _edit(
        data / "claimants.yaml", "  name: US assessments\n", "  name: US government assessments\n"
    )
    return data
