"""The curated seed data: valid, complete, traceable to its articles, exported as documented."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

import kursk
from kursk.cli import main as cli
from kursk.ledger.frames import EXPORT_COLUMNS
from kursk.paths import DATA_DIR

EXPECTED_COLUMNS = [
    "figure_id",
    "claim_id",
    "article",
    "claimant",
    "claimant_name",
    "claimant_kind",
    "claimant_country",
    "metric",
    "unit",
    "qualifier",
    "low",
    "high",
    "as_of",
    "as_of_precision",
    "scope",
    "contingent",
    "part_of",
    "quote",
    "n_articles",
]


def test_every_data_file_is_checked(data):
    yaml_files = sorted(DATA_DIR.rglob("*.yaml"))
    assert len(yaml_files) > 0 and sorted(data.files) == yaml_files
    figure_files = list((DATA_DIR / "figures").glob("*.yaml"))
    assert len(figure_files) == len(data.articles) == 5
    assert len(data.figures) > 0


def test_every_yaml_figure_is_a_row_exactly_once(data):
    import yaml

    ids = []
    for path in sorted((DATA_DIR / "figures").glob("*.yaml")):
        ids += [f["id"] for f in yaml.safe_load(path.read_text())["figures"]]
    assert sorted(ids) == sorted(data.figures["figure_id"])
    assert data.figures["article"].notna().all() and data.figures["claimant"].notna().all()
    assert data.figures["quote"].str.split().str.len().max() <= 15


def test_the_6000_split_is_two_parts_in_two_articles(data):
    f = data.figures.set_index("figure_id")
    for whole in ("a000-planned-6000", "a001-planned-6000"):
        parts = f[f["part_of"] == whole]
        assert sorted(parts["subject"]) == ["construction workers", "sappers"]
        assert parts["low"].sum() == f.loc[whole, "low"] == 6000
    claim = data.claims.set_index("claim_id").loc["reconstruction-2025-total"]
    assert claim["n_articles"] == 2


def test_a_filtered_copy_regroups_its_claims_from_the_figures_it_keeps(data):
    kept = data.filter(claimants=["kr-military"])
    claims = kept.claims.set_index("claim_id")
    assert sorted(claims.index) == sorted(set(kept.figures["claim_id"]))
    # about 4,000 killed or wounded: three articles in all, two of them quote kr-military
    assert data.claims.set_index("claim_id").loc["kwia-4000", "articles"].count(";") == 2
    assert claims.loc["kwia-4000", "articles"] == "002_66707f0fb5c14e10;003_1a8f1fbcddf06ff0"
    assert kept.filter().claims.equals(kept.claims)  # read later, regrouped all the same


def test_contradictions_are_kept(data):
    initial = data.figures[
        (data.figures["contingent"] == "initial-2024") & (data.figures["metric"] == "deployed")
    ]
    assert set(initial["worded"]) >= {"6,000", "10,000–12,000"}
    casualties = data.figures[data.figures["metric"] == "killed_or_wounded"]
    assert casualties["low"].min() == 1200 and casualties["low"].max() == 6000


def test_export_csv_columns_and_plain_numbers(capsys):
    assert cli(["export", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == EXPECTED_COLUMNS == EXPORT_COLUMNS
    by_id = {r["figure_id"]: r for r in rows}
    assert (
        by_id["a000-planned-6000"]["low"] == "6000"
        and by_id["a000-planned-6000"]["high"] == "6000"
    )
    assert by_id["a000-kwia-over-6000"]["high"] == "" and by_id["a000-payment-2000"]["low"] == ""
    assert (
        by_id["a004-share-over-40"]["low"] == "40"
        and by_id["a004-share-over-40"]["unit"] == "percent"
    )
    assert (
        by_id["a003-deployed-10000-12000"]["claimant"]
        == "us-intelligence;kr-intelligence;ua-intelligence"
    )
    assert by_id["a003-kwia-4000"]["n_articles"] == "3"


def test_export_json_to_file(tmp_path):
    out = tmp_path / "figures.json"
    assert cli(["export", "--format", "json", "--out", str(out)]) == 0
    records = json.loads(out.read_text())
    assert list(records[0]) == EXPECTED_COLUMNS
    assert records[0]["low"] == 6000 and isinstance(records[0]["low"], int)
    assert len(records) == len(kursk.load().figures)


def test_verify_and_coverage_pass_on_the_articles(articles_dir, capsys):
    assert cli(["verify", "--articles", str(articles_dir)]) == 0
    assert cli(["coverage", "--articles", str(articles_dir)]) == 0
    out = capsys.readouterr().out
    assert "all" in out and "100.0%" in out.splitlines()[6]
    assert "uncurated:" not in out


@pytest.fixture
def articles_copy(articles_dir, tmp_path):
    target = tmp_path / "articles"
    shutil.copytree(articles_dir, target)
    return target


def test_verify_fails_on_a_changed_article(articles_copy, capsys):
    path = articles_copy / "004_3bacaa49797df15f.txt"
    path.write_text(path.read_text().replace("over 40%", "over 45%"))
    assert cli(["verify", "--articles", str(articles_copy)]) == 1
    out = capsys.readouterr().out
    assert "004_3bacaa49797df15f.sha256" in out
    assert "a004-share-over-40.quote: quote not found" in out


def test_verify_fails_on_a_number_not_in_its_quote(data_copy, articles_dir, capsys):
    path = data_copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    path.write_text(path.read_text().replace("value: {about: 1200}", "value: {about: 1300}"))
    assert cli(["verify", "--articles", str(articles_dir), "--data", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "a003-us-kwia-1200.value.low: number does not occur in the quote; got 1300.0" in out


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


def test_cli_help_lists_every_command():
    run = subprocess.run(
        [sys.executable, "-m", "kursk.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    for command in ("validate", "export", "verify", "coverage", "schema"):
        assert command in run.stdout
