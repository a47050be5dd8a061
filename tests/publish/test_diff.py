"""`kursk diff`: invented changes of every kind (tests/support/changes.py) are reported exactly,
between data folders, git revisions of a temporary repository, briefings and packages, as
text, markdown and JSON, with diff's exit codes; bad sides get one line, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import kursk
from kursk.cli import main as cli
from kursk.paths import DATA_DIR
from kursk.publish.diff import compare
from kursk.publish.sides import Side, table_of
from tests.support import changes as invented
from tests.support.datasets import REALISTIC


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    """A copy of data/ with every invented change."""
    target = tmp_path_factory.mktemp("changed") / "data"
    shutil.copytree(DATA_DIR, target)
    return invented.apply(target)


def _kinds(doc: dict) -> dict[str, list[str]]:
    return {
        f["figure_id"]: f["kinds"]
        for source in doc["sources"]
        for claim in source["claims"]
        for f in claim["figures"]
    }


def _json(argv, capsys) -> tuple[int, dict]:
    code = cli(["diff", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _assert_exactly_the_invented_changes(doc: dict) -> None:
    assert _kinds(doc) == invented.EXPECTED_FIGURES
    details = {s["article"]: sorted(s["details"]) for s in doc["sources"] if s["details"]}
    assert details == invented.EXPECTED_SOURCES
    assert {c: (v["old"], v["new"]) for c, v in doc["claimants"].items()} == (
        invented.EXPECTED_CLAIMANTS
    )


def test_every_invented_change_is_reported_and_nothing_else(changed, capsys):
    code, doc = _json([str(DATA_DIR), str(changed)], capsys)
    assert code == 1 and doc["changed"]
    _assert_exactly_the_invented_changes(doc)
    figures = {
        f["figure_id"]: f for s in doc["sources"] for c in s["claims"] for f in c["figures"]
    }
    assert figures["a000-uk-kwia-7000"]["replaces"] == "a000-uk-kwia-6000"
    assert set(figures["a003-us-kwia-1200"]["fields"]) == {"low", "high", "worded"}
    assert figures["a004-arrived-10000"]["fields"]["qualifier"] == {"old": "exact", "new": "about"}
    assert figures["a004-distance-7000"]["fields"]["claimant"]["new"] == "kr-military"
    assert figures["a003-deployed-3000"]["article"] == "004_3bacaa49797df15f"  # grouped: now
    assert set(figures["a003-kwia-4000"]["fields"]) == {"note"}
    assert doc["counts"] == {k: 1 for k in ("added", "removed", "revised", "value", "qualifier",
                                            "claimant", "source", "details")}  # fmt: skip


def test_text_and_markdown_group_by_source_then_claim(changed, capsys):
    assert cli(["diff", str(DATA_DIR), str(changed)]) == 1
    text = capsys.readouterr().out
    usazine = text.index("USAZINE (as the text says), Jan 2025 (approx.) [004_3bacaa49797df15f]")
    assert text.index("~ a003-deployed-3000  source changed") > usazine  # under its new source
    assert "  claim kwia-4000\n    ~ a003-kwia-4000  details changed: note:" in text
    assert "~ a003-us-kwia-1200  value changed: about 1,200 → about 1,300" in text
    assert "~ a004-arrived-10000  qualifier changed: 10,000 → about 10,000" in text
    assert "- a004-share-over-40  removed:" in text
    assert "+ a002-invented-killed-500  added: South Korean military: Killed: about 500" in text
    assert "replaces about 6,000 (a000-uk-kwia-6000)" in text
    assert "us-government: US assessments → US government assessments" in text
    assert cli(["diff", str(DATA_DIR), str(changed), "--format", "markdown"]) == 1
    md = capsys.readouterr().out
    assert md.startswith("## What changed\n")
    assert "### USAZINE (as the text says), Jan 2025 (approx.)" in md
    assert "- Claim `kwia-4000`\n  - **Details changed** `a003-kwia-4000`" in md
    assert "- **Revised** `a000-uk-kwia-7000`" in md


def test_the_same_data_is_no_change_exit_0(capsys):
    assert cli(["diff", str(DATA_DIR), str(DATA_DIR)]) == 0
    assert "no changes in the figures" in capsys.readouterr().out


def test_seed_and_realistic_fixture_differ_in_every_figure(data, capsys):
    code, doc = _json([str(DATA_DIR), str(REALISTIC)], capsys)
    kinds = _kinds(doc)
    realistic = kursk.load(REALISTIC)
    assert code == 1
    assert {f for f, k in kinds.items() if k == ["removed"]} == set(data.figures["figure_id"])
    new = {f for f, k in kinds.items() if k in (["added"], ["revised"])}
    assert new == set(realistic.figures["figure_id"])


def test_an_assessment_change_is_its_own_kind_and_one_sided_columns_are_listed(
    data, tmp_path, capsys
):
    """A curator regrades a figure (its history keeps the old grade): one change, of kind
    assessment; a table without a column the other has lists that column, not a change."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    path = copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    path.write_text(
        path.read_text().replace(
            "      grade: weak\n      reason: one source, relayed; far below every other estimate\n"
            "      by: Kursk Figures curators\n      on: 2026-11-29\n",
            "      grade: contested\n      reason: UK and Ukraine give four times as many\n"
            "      by: Kursk Figures curators\n      on: 2026-12-01\n      history:\n"
            "        - grade: weak\n          reason: one source, relayed\n"
            "          by: Kursk Figures curators\n          on: 2026-11-29\n",
        )
    )
    code, doc = _json([str(DATA_DIR), str(copy)], capsys)
    assert code == 1 and _kinds(doc) == {"a003-us-kwia-1200": ["assessment"]}
    table = table_of(data)
    older = compare(
        Side("old", "test", {}, table.drop(columns=["assessed_by"])),
        Side("new", "test", {}, table),
    )
    assert not older.figures and older.only_new == ["assessed_by"]


def test_derived_columns_are_not_changes_of_their_own(data):
    """A source's new date moves its figures' as_of: reported once, at the source."""
    table = table_of(data)
    after = table.copy()
    after["n_articles"] = "9"
    after["cite"] = "another citation"
    log = compare(Side("old", "t", {}, table), Side("new", "t", {}, after))
    assert not log


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
         *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository whose data/ has two commits: the seed, then the invented changes."""
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q")
    shutil.copytree(DATA_DIR, root / "data")
    _git(root, "add", "data")
    _git(root, "commit", "-qm", "seed")
    _git(root, "tag", "seed")
    invented.apply(root / "data")
    _git(root, "commit", "-qam", "invented changes")
    return root


def test_two_git_revisions_differ_by_exactly_the_invented_changes(repo, capsys):
    code, doc = _json(["HEAD~1", "HEAD", "--data", str(repo / "data")], capsys)
    assert code == 1
    _assert_exactly_the_invented_changes(doc)
    first, second = (
        _git(repo, "rev-parse", "--short", "HEAD~1"),
        _git(repo, "rev-parse", "--short", "HEAD"),
    )
    assert (
        doc["old"]["version"]["revision"] == first and doc["new"]["version"]["revision"] == second
    )
    assert doc["old"]["version"]["fingerprint"] == kursk.load(DATA_DIR).fingerprint
    # a tag and the working folder (NEW left out) are sides too
    code, doc = _json(["seed", "--data", str(repo / "data")], capsys)
    assert code == 1
    _assert_exactly_the_invented_changes(doc)
    assert cli(["diff", "HEAD", "--data", str(repo / "data")]) == 0


def test_bad_sides_get_one_line_with_the_fix(repo, tmp_path, capsys):
    assert cli(["diff", "no-such-rev", "--data", str(repo / "data")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "'no-such-rev' is neither a folder nor a revision" in err and "git log" in err
    assert cli(["diff", str(repo), "--data", str(repo / "data")]) == 2  # a folder, not data
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a data folder (no vocabulary.yaml)" in err
    (tmp_path / "notes.txt").write_text("x")
    assert cli(["diff", str(tmp_path / "notes.txt")]) == 2
    assert "neither a briefing's manifest.json nor a datapackage.json" in capsys.readouterr().err
    elsewhere = tmp_path / "nogit"
    shutil.copytree(DATA_DIR, elsewhere)
    assert cli(["diff", "HEAD", "--data", str(elsewhere)]) == 2
    assert "is not in a git checkout" in capsys.readouterr().err
    empty = _git(repo, "hash-object", "-w", "-t", "tree", "/dev/null")  # a commit without data/
    _git(repo, "tag", "before-data", _git(repo, "commit-tree", empty, "-m", "empty"))
    assert cli(["diff", "before-data", "--data", str(repo / "data")]) == 2
    assert "has no data/ folder" in capsys.readouterr().err


def test_a_briefing_and_a_package_are_sides(changed, tmp_path, capsys):
    briefing, package = tmp_path / "briefing", tmp_path / "package"
    assert cli(["briefing", "--out", str(briefing), "--formats", ""]) == 0
    assert cli(["publish", "--out", str(package)]) == 0
    capsys.readouterr()
    for old in (briefing, briefing / "manifest.json", package, package / "datapackage.json"):
        code, doc = _json([str(old), str(changed)], capsys)
        assert code == 1, old
        _assert_exactly_the_invented_changes(doc)
    assert cli(["diff", str(briefing), str(DATA_DIR)]) == 0  # unfiltered: no selection note
    assert "different selections" not in capsys.readouterr().out
    filtered = tmp_path / "filtered"
    assert (
        cli(["briefing", "--out", str(filtered), "--formats", "", "--claimant", "kr-military"])
        == 0
    )
    capsys.readouterr()
    assert cli(["diff", str(filtered), str(DATA_DIR)]) == 1  # the others show as added
    assert "different selections (old: claimants=['kr-military']" in capsys.readouterr().out
    # a briefing's figures.csv edited after it was built is refused, not trusted
    csv = briefing / "figures.csv"
    csv.write_text(csv.read_text().replace("about 1,200", "about 1,250"))
    assert cli(["diff", str(briefing), str(changed)]) == 2
    assert "was changed after the briefing was built" in capsys.readouterr().err


def test_figures_keep_their_order_of_kinds():
    row = {"figure_id": "x", "claim_id": "x", "article": "a", "low": "1", "high": "1",
           "qualifier": "exact", "worded": "1", "claimant": "c", "note": ""}  # fmt: skip
    after = dict(row, low="2", high="2", worded="2", claimant="d", note="n")
    log = compare(
        Side("old", "t", {}, pd.DataFrame([row])), Side("new", "t", {}, pd.DataFrame([after]))
    )
    assert log.figures[0].kinds == ["value", "claimant", "details"]
