"""The curated data, and any a curator's valid work can produce: valid, complete, traceable
to its sources, exported as documented. Invariants here; facts about the seed sources come
from tests/fixtures/seed.yaml."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kursk
from kursk.cli import main as cli
from kursk.ledger.claims import group_claims
from kursk.ledger.frames import EXPORT_COLUMNS
from kursk.ledger.values import Value, overlap

SEED = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "seed.yaml").read_text())


@pytest.fixture(scope="module", params=["data", "grown"])
def with_seed(request, dataset_dirs) -> kursk.Dataset:
    """The datasets that hold the seed sources: data/, and data/ grown by additions."""
    return kursk.load(dataset_dirs[request.param][0])


def test_every_data_file_is_checked_and_every_source_has_its_figures_file(any_data_dir):
    folder = any_data_dir[0]
    data = kursk.load(folder)
    yaml_files = sorted(p for p in folder.rglob("*.yaml") if "texts" not in p.parts)
    assert len(yaml_files) > 0 and sorted(data.files) == yaml_files
    figure_files = {p.stem for p in (folder / "figures").glob("*.yaml")}
    assert figure_files == set(data.articles["article"])
    assert len(data.figures) > 0


def test_every_yaml_figure_is_a_row_exactly_once(any_data_dir):
    folder = any_data_dir[0]
    data = kursk.load(folder)
    ids = []
    for path in sorted((folder / "figures").glob("*.yaml")):
        ids += [f["id"] for f in yaml.safe_load(path.read_text())["figures"] or []]
    assert sorted(ids) == sorted(data.figures["figure_id"])
    assert data.figures["article"].notna().all() and data.figures["claimant"].notna().all()
    assert data.figures["quote"].str.split().str.len().max() <= 15


def _value(row) -> Value:
    return Value(
        row.qualifier,
        None if row.low != row.low else row.low,
        None if row.high != row.high else row.high,
        bool(row.approximate),
    )


def test_every_claims_figures_agree_and_parts_add_up(any_data):
    f = any_data.figures.astype(object).where(any_data.figures.notna(), None)
    for _, group in f.groupby("claim_id"):
        assert group["metric"].nunique() == 1
        values = [_value(r) for r in group.itertuples()]
        assert all(overlap(values[0], v) for v in values[1:])
    by_id = f.set_index("figure_id")
    for whole, parts in f[f["part_of"].notna()].groupby("part_of"):
        low, high = parts["low"].sum(), parts["high"].sum()
        stated = by_id.loc[whole]
        slack = 1.05 if parts["approximate"].any() or stated["approximate"] else 1.0
        top = stated["high"] if stated["high"] is not None else float("inf")
        assert low <= top * slack and high * slack >= stated["low"], whole


def test_relations_round_trip_into_the_frames(any_data_dir):
    """Every relation written in the YAML is in the frames, and revisions leave one current."""
    folder = any_data_dir[0]
    data = kursk.load(folder)
    f = data.figures.set_index("figure_id")
    keys = ("part_of", "breakdown", "revises", "event", "progress_of", "denominator")
    for path in (folder / "figures").glob("*.yaml"):
        for raw in yaml.safe_load(path.read_text())["figures"] or []:
            for key in keys:
                got = f.loc[raw["id"], key]
                assert (None if pd.isna(got) else got) == raw.get(key), (raw, key)
            if "translation" in raw:
                assert f.loc[raw["id"], "translation"] == raw["translation"]
    revised = f[f["revises"].notna()]
    superseded = set(f.loc[list(revised["revises"]), "claim_id"])
    for fid, row in revised.iterrows():
        assert f.loc[row["revises"], "revised_by"] == fid
    # every source's report of a revised claim is superseded; the rest is current
    assert (~f["current"]).sum() == f["claim_id"].isin(superseded).sum()
    assert not f[f["claim_id"].isin(superseded)]["current"].any()


def test_a_filtered_copy_regroups_its_claims_from_the_figures_it_keeps(any_data):
    claimant = any_data.figures["claimant"].iloc[0].split(";")[0]
    kept = any_data.filter(claimants=[claimant])
    assert kept.claims.equals(group_claims(kept.figures))
    assert set(kept.claims["claim_id"]) == set(kept.figures["claim_id"])
    assert kept.filter().claims.equals(kept.claims)  # read later, regrouped all the same


def test_export_csv_and_json_carry_every_figure_with_plain_numbers(any_data_dir, tmp_path):
    folder = any_data_dir[0]
    data = kursk.load(folder)
    out = tmp_path / "figures.csv"
    assert cli(["export", "--format", "csv", "--data", str(folder), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0]) == EXPORT_COLUMNS and len(rows) == len(data.figures)
    for row in rows:
        for col in ("low", "high"):
            assert re.fullmatch(r"|-?\d+|-?\d+\.\d+", row[col]) and not row[col].endswith(".0")
        for col in ("as_of", "as_of_end"):
            assert re.fullmatch(r"|\d{4}-\d{2}-\d{2}", row[col])  # ISO, for spreadsheets
    assert cli(["export", "--format", "json", "--data", str(folder), "--out", str(out)]) == 0
    records = json.loads(out.read_text())
    assert list(records[0]) == EXPORT_COLUMNS and len(records) == len(data.figures)
    assert all(isinstance(r["low"], int | float | None) for r in records)


def test_verify_and_coverage_pass_on_every_source_with_a_text(any_data_dir, capsys):
    folder, texts = any_data_dir
    if not texts.is_dir():
        pytest.skip(f"texts not found at {texts} (they are never committed)")
    assert cli(["verify", "--data", str(folder), "--articles", str(texts)]) == 0
    assert cli(["coverage", "--data", str(folder), "--articles", str(texts)]) == 0
    out = capsys.readouterr().out
    assert "uncurated:" not in out
    data = kursk.load(folder)
    held, not_held = data.articles["text_held"].sum(), (~data.articles["text_held"]).sum()
    assert f"{held} source(s) with a held text checked" in out
    if not_held:
        assert f"{not_held} source(s) and" in out and "not checkable (no text held)" in out


# --- facts about the seed sources (tests/fixtures/seed.yaml) --------------------------------


def test_the_seed_wholes_are_split_as_their_sources_say(with_seed):
    f = with_seed.figures.set_index("figure_id")
    for whole, fact in SEED["wholes"].items():
        parts = f[f["part_of"] == whole]
        assert sorted(parts["subject"]) == fact["subjects"]
        assert parts["low"].sum() == f.loc[whole, "low"] == fact["total"]


def test_the_seed_claims_keep_their_sources_and_contradictions(with_seed):
    claims = with_seed.claims.set_index("claim_id")
    for claim, sources in SEED["claims"].items():
        assert set(sources) <= set(claims.loc[claim, "articles"].split(";"))
    f = with_seed.figures
    for apart in SEED["kept_apart"]:
        kept = f[(f["contingent"] == apart["contingent"]) & (f["metric"] == apart["metric"])]
        assert set(apart["worded"]) <= set(kept["worded"])


def test_the_seed_figures_export_as_written(with_seed, capsys):
    assert cli(["export", "--format", "csv", "--data", str(with_seed.data_dir)]) == 0
    rows = {r["figure_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    for figure, cells in SEED["export"].items():
        for column, value in cells.items():
            assert rows[figure][column] == value, (figure, column)


# --- checks against the texts fail when they should ----------------------------------------


@pytest.fixture
def articles_copy(articles_dir, tmp_path):
    target = tmp_path / "articles"
    shutil.copytree(articles_dir, target)
    return target


def test_verify_fails_on_a_changed_text(articles_copy, capsys):
    path = articles_copy / "004_3bacaa49797df15f.txt"
    path.write_text(path.read_text().replace("over 40%", "over 45%"))
    assert cli(["verify", "--articles", str(articles_copy)]) == 1
    out = capsys.readouterr().out
    assert "004_3bacaa49797df15f.sha256" in out
    assert "a004-share-over-40.quote: quote not found" in out
    assert "004_3bacaa49797df15f: failed" in out


def test_verify_fails_on_a_number_not_in_its_quote(data_copy, articles_dir, capsys):
    path = data_copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    path.write_text(path.read_text().replace("value: {about: 1200}", "value: {about: 1300}"))
    assert cli(["verify", "--articles", str(articles_dir), "--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "a003-us-kwia-1200.value.low: number does not occur in the quote; got 1300.0" in out


def test_a_source_without_text_is_not_checkable_and_needs_no_texts_folder(data_copy, capsys):
    """A press briefing known from its transcript page: verify reports it, counts only what it
    checked, and passes without a texts folder when no other source holds a text."""
    for path in (data_copy / "figures").glob("*.yaml"):
        path.unlink()
    (data_copy / "events.yaml").unlink()  # its events name the seed sources
    (data_copy / "articles.yaml").write_text(
        "articles:\n  - id: nis-briefing\n    kind: briefing\n    title: NIS briefing\n"
        "    no_text: known from the ministry's transcript page\n"
    )
    (data_copy / "figures" / "nis-briefing.yaml").write_text(
        "article: nis-briefing\nfigures:\n  - id: nis-1\n    metric: deployed\n"
        "    value: {about: 11000}\n    claimant: kr-intelligence\n"
        "    quote: about 11,000 troops\n"
    )
    assert cli(["verify", "--data", str(data_copy), "--articles", "/nonexistent"]) == 0
    out = capsys.readouterr().out
    assert "nis-briefing: not checkable (known from the ministry's transcript page)" in out
    assert "0 source(s) with a held text checked (0 quotes)" in out
    assert "1 source(s) and 1 quote(s) not checkable" in out


def test_coverage_lists_an_uncurated_mention_with_context(data_copy, articles_dir, capsys):
    path = data_copy / "figures" / "004_3bacaa49797df15f.yaml"
    path.write_text(
        path.read_text().replace(
            "  - quote: have not seen combat in over 70 years\n"
            "    reason: years since North Korea's army last "
            "fought; not about the deployment\n",
            "",
        )
    )
    assert cli(["coverage", "--articles", str(articles_dir), "--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "uncurated: ...ined, many have not seen combat in over [70] years, being" in out


def test_cli_help_lists_every_command_and_validate_takes_data_both_ways(data_copy):
    run = subprocess.run(
        [sys.executable, "-m", "kursk.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    for command in ("validate", "export", "verify", "coverage", "schema", "briefing"):
        assert command in run.stdout
    assert cli(["validate", str(data_copy)]) == cli(["validate", "--data", str(data_copy)]) == 0
