"""The realistic fixture and the seed grown by a curator's additions: both validate, verify and
cover their texts, and the realistic fixture holds every case the data model must express."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import kursk
from kursk.analysis.provenance import coverage, verify
from kursk.cli import main
from kursk.ledger.models import TIERS
from kursk.ledger.read import read
from tests.support.datasets import ADDITIONS, REALISTIC, grown_copy

TEXTS = REALISTIC / "texts"


@pytest.fixture(scope="module")
def realistic() -> kursk.Dataset:
    return kursk.load(REALISTIC)


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    return grown_copy(tmp_path_factory.mktemp("grown") / "data")


def test_realistic_fixture_is_large_and_spread_over_time(realistic):
    assert len(realistic.figures) >= 60
    assert len(realistic.articles) >= 20
    published = realistic.articles["published_date"]
    assert published.min() < pd.Timestamp("2024-11-01")
    assert published.max() >= pd.Timestamp("2025-11-01")


def test_realistic_fixture_says_it_is_invented():
    readme = (REALISTIC / "README.md").read_text(encoding="utf-8")
    assert "invented for testing" in readme.lower() and "not real figures" in readme.lower()


@pytest.mark.parametrize("command", ["validate", "verify", "coverage"])
def test_realistic_fixture_passes_the_commands(capsys, command):
    argv = [command, "--data", str(REALISTIC)]
    if command != "validate":
        argv += ["--articles", str(TEXTS)]
    assert main(argv) == 0, capsys.readouterr()


def test_realistic_texts_are_checked_and_fully_covered(realistic):
    result = verify(realistic, TEXTS)
    assert result.issues == []
    statuses = {s.status for s in result.sources}
    assert statuses == {"checked", "not checkable"}  # texts held and not
    covered, issues = coverage(realistic, TEXTS)
    assert issues == [] and len(covered) == realistic.articles["text_held"].sum()
    assert all(c.counts["uncurated"] == 0 for c in covered)
    assert sum(len(c.mentions) for c in covered) > 50


def _revision_chain(d) -> int:
    """The longest chain of revisions."""
    revises = dict(zip(d.figures["figure_id"], d.figures["revises"], strict=True))
    longest = 0
    for start in revises:
        n, current = 0, start
        while isinstance(revises.get(current), str):
            n, current = n + 1, revises[current]
        longest = max(longest, n)
    return longest


def _relayed(d, kind: str) -> bool:
    f = d.figures.merge(d.claimants, on="claimant", suffixes=("", "_c"))
    return bool((f["via"].notna() & (f["kind"] == kind)).any())


def _event_from_two_sources(d) -> bool:
    f = d.figures[d.figures["event_disagrees"]]
    return bool((f.groupby("event")["article"].nunique() >= 2).any())


def _own_colours() -> set[str]:
    return {c.id for c in read(REALISTIC).claimants if c.colour is None}


# Each case of /work/shared/design/data-model.md (both tables), as a property of the frames.
CASES: dict[str, Callable[[kursk.Dataset], bool]] = {
    "exact point": lambda d: (d.figures["qualifier"] == "exact").any(),
    "approximate point": lambda d: d.figures["qualifier"].isin(["about", "nearly"]).any(),
    "range": lambda d: (d.figures["qualifier"] == "range").any(),
    "hedged range": lambda d: (
        (d.figures["qualifier"] == "range") & d.figures["approximate"]
    ).any(),
    "open lower bound": lambda d: (
        d.figures["qualifier"].isin(["over", "at_least"]).any()
        and d.figures.loc[d.figures["qualifier"] == "over", "high"].isna().all()
    ),
    "open upper bound": lambda d: (d.figures["qualifier"] == "up_to").any(),
    "share of a denominator": lambda d: (
        (d.figures["unit"] == "percent") & d.figures["share_of"].notna()
    ).any(),
    "parts of a whole": lambda d: d.figures["part_of"].notna().sum() >= 2,
    "every metric counted": lambda d: set(d.vocabulary.metrics) <= set(d.figures["metric"]),
    "as-of precision: year": lambda d: (d.figures["as_of_precision"] == "year").any(),
    "as-of precision: month": lambda d: (d.figures["as_of_precision"] == "month").any(),
    "as-of precision: day": lambda d: (d.figures["as_of_precision"] == "day").any(),
    "as-of approximate": lambda d: d.figures["as_of_approximate"].fillna(False).any(),
    "as-of from publication": lambda d: (d.figures["as_of_basis"] == "published").any(),
    "window": lambda d: (d.figures["scope"] == "window").any(),
    "window with days": lambda d: d.figures["window_days"].notna().any(),
    "window without days": lambda d: (
        (d.figures["scope"] == "window") & d.figures["window_days"].isna()
    ).any(),
    "several claimants": lambda d: (d.figures["n_claimants"] > 1).any(),
    "attribution chain": lambda d: d.figures["via"].str.contains("->").fillna(False).any(),
    "vague quantity": lambda d: (d.figures["vague"] & (d.figures["unit"] == "persons")).any(),
    "vague share": lambda d: (d.figures["vague"] & (d.figures["unit"] == "percent")).any(),
    "confidence tiers": lambda d: set(d.figures["confidence_tier"].dropna()) == set(TIERS),
    "probability wording": lambda d: (
        d.figures["confidence"].isin(["likely", "almost certainly"])
        & d.figures["qualifier"].isin(["over", "about"])
    ).any(),
    "every wave": lambda d: set(d.contingents["contingent"]) <= set(d.figures["contingent"]),
    "troop count without a wave": lambda d: (
        (d.figures["metric_group"] == "deployment") & d.figures["contingent"].isna()
    ).any(),
    "evidence": lambda d: d.figures["quote"].str.split().str.len().max() <= 15,
    "same claim in several sources": lambda d: (d.figures["n_articles"] >= 2).any(),
    "wire story reposted by several outlets": lambda d: (d.figures["n_articles"] >= 3).any(),
    "contradictions kept with a note": lambda d: (
        d.figures["note"].str.contains("other reports|disagree", regex=True).fillna(False).any()
    ),
    "source without a text": lambda d: (
        (~d.articles["text_held"]).any()
        and d.articles.loc[~d.articles["text_held"], "no_text"].notna().all()
    ),
    "source kinds": lambda d: (
        set(d.articles["kind"]) == {"article", "briefing", "statement", "report", "post"}
    ),
    "accessed and archived": lambda d: (
        d.articles["accessed"].notna().any() and d.articles["archive_url"].notna().any()
    ),
    "quote in another language": lambda d: (
        (
            d.figures.merge(d.articles[["article", "language"]], on="article")
            .query("language != 'en'")["translation"]
            .notna()
            .all()
        )
        and (d.articles["language"] == "ko").any()
    ),
    "a claimant revising its count (chain of 3)": lambda d: _revision_chain(d) >= 2,
    "revised figures kept as history": lambda d: (
        (~d.figures["current"]).any() and d.figures["revised_by"].notna().any()
    ),
    "one event, outlets disagree": _event_from_two_sources,
    "progress toward a plan": lambda d: d.figures["progress_of"].notna().any(),
    "breakdown without a total": lambda d: (
        (d.figures["breakdown"].notna() & d.figures["part_of"].isna()).sum() >= 2
    ),
    "breakdown with a total": lambda d: d.figures["part_of"].notna().any(),
    "own denominator": lambda d: d.figures["denominator"].notna().any(),
    "second-hand claim (relay is not the claimant)": lambda d: _relayed(d, "media"),
    "reports relayed by lawmakers": lambda d: (
        d.figures["via"].str.contains("National Assembly").fillna(False).any()
    ),
    "vague dates: part of a year": lambda d: (
        d.figures["as_of_precision"] == "part_of_year"
    ).any(),
    "vague dates: part of a month": lambda d: (
        d.figures["as_of_precision"] == "part_of_month"
    ).any(),
    "vague publication date": lambda d: d.articles["published_approximate"].fillna(False).any(),
    "new metric": lambda d: "missing" in set(d.figures["metric"]),
    "new contingent": lambda d: "medical-2025" in set(d.figures["contingent"].dropna()),
    "new claimants without a colour, coloured from the palette": lambda d: (
        len(_own_colours()) >= 2
        and d.claimants.set_index("claimant").loc[list(_own_colours()), "colour"].notna().all()
        and d.claimants["colour"].is_unique
    ),
    "events file": lambda d: set(d.events["kind"]) == {"milestone", "statement"},
}


@pytest.mark.parametrize("case", list(CASES))
def test_realistic_fixture_holds_every_data_model_case(realistic, case):
    assert CASES[case](realistic), f"no figure in tests/fixtures/realistic shows: {case}"


# --- the seed grown by the additions overlay ---------------------------------------------------


def test_grown_copy_validates_with_every_addition(grown):
    data = kursk.load(grown)
    seed = kursk.load()
    assert len(list((ADDITIONS / "figures").glob("*.yaml"))) >= 5
    assert len(data.figures) > len(seed.figures)
    assert set(seed.figures["figure_id"]) < set(data.figures["figure_id"])
    f = data.figures.set_index("figure_id")
    assert f.loc["a003-us-kwia-1200", "revised_by"] == "a900-us-kwia-2000"  # a seed claimant's
    assert f["event_disagrees"].sum() == 3 and "missing" in set(f["metric"])
    assert f["progress_of"].notna().any() and f["breakdown"].notna().any()
    assert f["denominator"].notna().any() and (f["scope"] == "window").any()
    assert ((f["metric"] == "deployed") & f["contingent"].isna()).any()
    assert "eastern-front-osint" in set(data.claimants["claimant"])


def test_grown_copy_verifies_the_seed_texts(grown, articles_dir):
    data = kursk.load(grown)
    result = verify(data, articles_dir)
    assert result.issues == []
    status = {s.article: s.status for s in result.sources}
    overlay = set(data.articles["article"]) - set(kursk.load().articles["article"])
    assert overlay and all(status[a] == "not checkable" for a in overlay)
    assert {status[a] for a in set(status) - overlay} == {"checked"}
    covered, issues = coverage(data, articles_dir)
    assert issues == [] and all(c.counts["uncurated"] == 0 for c in covered)


def test_grown_copy_passes_validate_on_the_command_line(capsys, grown):
    assert main(["validate", str(grown)]) == 0
    assert "ok:" in capsys.readouterr().out
