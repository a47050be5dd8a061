"""`kursk add-source` and `kursk add-figure`: nothing computed by hand, nothing lost on failure."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import kursk
from kursk.analysis.provenance import verify
from kursk.cli import main
from kursk.ledger import curate, edit, quotes
from kursk.ledger.issues import DataError, Issue
from kursk.ledger.values import Value
from kursk.paths import DATA_DIR
from tests.support.datasets import REALISTIC

# An invented source text (a few sentences), with one wording per value form.
TEXT = (
    "SEOUL, 3 May 2025. South Korea's spy agency told lawmakers that about 1,200 North Korean\n"
    "soldiers were killed or wounded in the past ten days, and that more than 15,000 troops\n"
    "have been sent since October. Between 2,000 and 3,000 more are expected, and thousands\n"
    "of labourers may follow, officials said.\n"
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    return folder


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "new-report.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def add_source(capsys, data: Path, texts: Path, *extra) -> tuple[int, str, str]:
    return run(capsys, "add-source", "--data", data, "--articles", texts, *extra)


@pytest.fixture
def source(capsys, data_copy: Path, texts: Path, text_file: Path) -> str:
    """A new source added from TEXT; its id."""
    code, out, err = add_source(
        capsys, data_copy, texts, "--text", text_file, "--title", "Spy agency on losses",
        "--url", "https://news.example.org/a",
    )  # fmt: skip
    assert code == 0, err
    return re.search(r"added (\S+) to", out).group(1)


# --- add-source -------------------------------------------------------------------------------


def next_number(folder: Path) -> str:
    """The number after the highest NNN_ of the folder's source ids, as add-source counts."""
    ids = kursk.load(folder).articles["article"]
    return f"{1 + max(int(i.split('_')[0]) for i in ids if i.split('_')[0].isdigit()):03d}"


def test_add_source_from_a_text_computes_sha256_and_id(capsys, data_copy, texts, text_file):
    before = (data_copy / "articles.yaml").read_text(encoding="utf-8")
    number = next_number(data_copy)
    code, out, err = add_source(
        capsys,
        data_copy,
        texts,
        "--text",
        text_file,
        "--title",
        "Spy agency: losses mount",  # a colon: the entry must quote it
        "--outlet",
        "Harbour Wire",
        "--url",
        "https://news.example.org/a",
        "--published",
        "early 2025-05",
        "--accessed",
        "2025-05-04",
    )
    assert code == 0, err
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    sid = f"{number}_{digest[:16]}"
    assert f"added {sid} to " in out
    after = (data_copy / "articles.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # comments and every existing byte kept; appended
    figures = (data_copy / "figures" / f"{sid}.yaml").read_text(encoding="utf-8")
    assert figures.startswith("# yaml-language-server: $schema=../schema/figures.json\n")
    assert f"article: {sid}\nfigures: []\n" in figures
    assert (texts / f"{sid}.txt").read_bytes() == TEXT.encode()
    data = kursk.load(data_copy)
    row = data.articles.set_index("article").loc[sid]
    assert row["sha256"] == digest and bool(row["text_held"])
    assert row["title"] == "Spy agency: losses mount"
    assert row["published_precision"] == "part_of_month"
    checked = {s.article: s.status for s in verify(data, texts).sources}
    assert checked[sid] == "checked"  # the copied text matches its sha256


def test_add_source_without_a_text(capsys, data_copy, texts):
    number = next_number(data_copy)
    code, out, err = add_source(
        capsys,
        data_copy,
        texts,
        "--no-text",
        "televised; no transcript published",
        "--kind",
        "briefing",
        "--title",
        "JCS briefing, 14 August 2025",
        "--language",
        "ko",
        "--archive-url",
        "https://web.archive.org/web/2025/https://jcs.example.org/b",
    )
    assert code == 0, err
    sid = re.search(r"added (\S+) to", out).group(1)
    assert re.fullmatch(rf"{number}_[0-9a-f]{{16}}", sid)
    row = kursk.load(data_copy).articles.set_index("article").loc[sid]
    assert row["kind"] == "briefing" and row["language"] == "ko" and not row["text_held"]
    assert row["no_text"] == "televised; no transcript published"
    assert list(texts.iterdir()) == []


@pytest.mark.parametrize("duplicate", ["id", "sha256", "url"])
def test_duplicates_are_refused_and_nothing_changes(
    capsys, data_copy, texts, text_file, source, duplicate
):
    before = snapshot(data_copy)
    other = text_file.with_name("other.txt")
    other.write_text("Another invented report of 9,000 troops.\n", encoding="utf-8")
    args = {
        "id": ["--text", other, "--id", source],
        "sha256": ["--text", text_file],
        "url": ["--no-text", "paywalled", "--url", "https://news.example.org/a/"],
    }[duplicate]
    code, out, err = add_source(capsys, data_copy, texts, *args, "--title", "Again")
    assert code == 2 and out == ""
    assert "already listed" in err and "fix:" in err
    assert snapshot(data_copy) == before


def test_a_failing_write_is_restored_exactly(capsys, monkeypatch, data_copy, texts, text_file):
    before = snapshot(data_copy)
    real_write = edit.atomic_write

    def disk_full(path: Path, raw: bytes) -> None:
        if path.parent.name == "figures":  # articles.yaml was written already
            raise OSError(28, "No space left on device")
        real_write(path, raw)

    monkeypatch.setattr(edit, "atomic_write", disk_full)
    code, out, err = add_source(capsys, data_copy, texts, "--text", text_file, "--title", "T")
    assert code == 2 and "every file is as it was" in err
    assert snapshot(data_copy) == before and list(texts.iterdir()) == []


def test_an_addition_that_fails_validation_is_restored(
    capsys, monkeypatch, data_copy, texts, text_file
):
    before = snapshot(data_copy)
    real_load, calls = curate.load, []

    def load_then_fail(folder):
        calls.append(folder)
        if len(calls) == 1:
            return real_load(folder)  # the data as it was: valid
        raise DataError([Issue("data/articles.yaml", 7, "articles[5]", "invented problem")])

    monkeypatch.setattr(curate, "load", load_then_fail)
    code, out, err = add_source(capsys, data_copy, texts, "--text", text_file, "--title", "T")
    assert code == 2 and "invented problem" in err and "every file is as it was" in err
    assert snapshot(data_copy) == before and list(texts.iterdir()) == []


def test_bad_options_name_the_option_and_change_nothing(capsys, data_copy, texts):
    before = snapshot(data_copy)
    code, _, err = add_source(
        capsys, data_copy, texts, "--no-text", "gone", "--title", "T", "--published", "2025-13"
    )
    assert code == 2 and "--published" in err and "month 13 does not exist" in err
    code, _, err = add_source(capsys, data_copy, texts, "--no-text", "gone", "--title", "T",
                              "--url", "ftp://x")  # fmt: skip
    assert code == 2 and "--url" in err and "http(s) URL" in err
    assert snapshot(data_copy) == before


def test_a_hand_written_entry_works_equally(capsys, data_copy, texts, text_file, tmp_path):
    """The documented alternative: the same entry written by hand loads as the same source."""
    code, out, err = add_source(
        capsys, data_copy, texts, "--text", text_file, "--title", "Spy agency on losses",
        "--published", "2025-05-03",
    )  # fmt: skip
    assert code == 0, err
    sid = re.search(r"added (\S+) to", out).group(1)
    by_hand = tmp_path / "by-hand"
    by_hand.mkdir()
    shutil.copytree(DATA_DIR, by_hand, dirs_exist_ok=True)
    digest = hashlib.sha256(text_file.read_bytes()).hexdigest()  # what sha256sum prints
    with (by_hand / "articles.yaml").open("a", encoding="utf-8") as f:
        f.write(
            f"  - id: {sid}\n    title: Spy agency on losses\n    published: 2025-05-03\n"
            f"    sha256: {digest}\n"
        )
    (by_hand / "figures" / f"{sid}.yaml").write_text(f"article: {sid}\n", encoding="utf-8")
    tool = kursk.load(data_copy).articles.set_index("article").loc[sid]
    hand = kursk.load(by_hand).articles.set_index("article").loc[sid]
    assert tool.equals(hand)


# --- add-figure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote, metric, value, extra",
    [
        (
            "about 1,200 North Korean\nsoldiers were killed or wounded in the past ten days",
            "killed_or_wounded",
            {"about": 1200},
            {"scope": {"window": "in the past ten days", "days": 10}},
        ),
        ("more than 15,000 troops", "deployed", {"over": 15000}, {}),
        ("Between 2,000 and 3,000 more are expected", "planned", {"low": 2000, "high": 3000}, {}),
        ("thousands of labourers may follow", "planned", {"vague": "thousands"}, {}),
    ],
)
def test_add_figure_reads_the_value_form_from_the_quote(
    capsys, data_copy, texts, source, quote, metric, value, extra
):
    quote = " ".join(quote.split())  # the text breaks lines; verify forgives whitespace
    code, out, err = run(
        capsys, "add-figure", source, "--data", data_copy, "--articles", texts,
        "--quote", quote, "--metric", metric, "--claimant", "kr-intelligence",
        "--via", "lawmakers",
    )  # fmt: skip
    assert code == 0, err
    fid = re.search(r"added (\S+) to (\S+):(\d+):", out)
    path, line = Path(fid.group(2)), int(fid.group(3))
    written = (data_copy / "figures" / f"{source}.yaml").read_text(encoding="utf-8")
    assert written.splitlines()[line - 1].strip() == f"- id: {fid.group(1)}"
    assert path.name == f"{source}.yaml"
    data = kursk.load(data_copy)
    row = data.figures.set_index("figure_id").loc[fid.group(1)]
    expected = Value.parse(value)
    assert row["qualifier"] == expected.qualifier and row["metric"] == metric
    if expected.qualifier != "vague":
        assert [None if pd.isna(row[b]) else row[b] for b in ("low", "high")] == [
            expected.low,
            expected.high,
        ]
    assert row["via"] == "lawmakers" and row["quote"] == quote
    if extra:
        assert row["window"] == "in the past ten days" and row["window_days"] == 10
    result = verify(data, texts)
    assert next(s for s in result.sources if s.article == source).status == "checked"


@pytest.mark.parametrize(
    "wording, expected",
    [
        ("around 1,200 casualties", {"about": 1200}),
        ("approximately 3,000 additional troops", {"about": 3000}),
        ("nearly 7,000 kilometers", {"nearly": 7000}),
        ("almost 500 soldiers", {"nearly": 500}),
        ("over 6,000 killed or wounded", {"over": 6000}),
        ("losses already exceed 4,100 killed and wounded", {"over": 4100}),
        ("more than 40% of those deployed", {"over": 40}),
        ("at least 40 killed", {"at_least": 40}),
        ("up to 2,000 more", {"up_to": 2000}),
        ("as high as $2,000 per soldier", {"up_to": 2000}),
        ("3,800 to 4,000 troops", {"low": 3800, "high": 4000}),
        ("3,800-4,000 troops", {"low": 3800, "high": 4000}),
        ("between 10,000 and 12,000", {"low": 10000, "high": 12000}),
        ("approximately 10,000 to 12,000 troops", {"low": 10000, "high": 12000, "approx": True}),
        ("6,000 personnel", 6000),
        ("several hundred were captured", {"vague": "several hundred"}),
        ("nearly half of them", {"vague": "nearly half"}),
        ("by 10 May about 7,500 had been killed", {"about": 7500}),  # the date set aside
        ("in 2024 some 3,000 troops", {"about": 3000}),  # the year set aside
    ],
)
def test_value_forms_from_wording(wording, expected):
    vague = list(kursk.load().vocabulary.vague)
    assert quotes.propose_value(wording, vague).value == expected


def test_several_numbers_ask_which_one():
    quote = "about 250 killed, 1,750 wounded, 2,000 in all"
    with pytest.raises(curate.CurateError) as info:
        quotes.propose_value(quote, [])
    assert "250, 1,750, 2,000" in str(info.value) and "--number" in str(info.value)
    assert quotes.propose_value(quote, [], "1,750").value == 1750
    assert quotes.propose_value(quote, [], "250").value == {"about": 250}


def test_add_figure_refuses_bad_input_and_changes_nothing(capsys, data_copy, texts, source):
    before = snapshot(data_copy)

    def refused(*argv) -> str:
        code, out, err = run(
            capsys, "add-figure", source, "--data", data_copy, "--articles", texts, *argv
        )
        assert code == 2 and out == "", out
        return err

    base = ["--claimant", "kr-intelligence"]
    assert "did you mean 'deployed'" in refused("--quote", "more than 15,000 troops",
                                                "--metric", "deploied", *base)  # fmt: skip
    assert "does not occur in the text" in refused(
        "--quote", "more than 16,000 troops", "--metric", "deployed", *base
    )
    assert "several numbers" in refused(
        "--quote", "SEOUL, 3 May 2025.", "--metric", "deployed", *base
    )
    assert "did you mean 'kr-intelligence'" in refused(
        "--quote", "more than 15,000 troops", "--metric", "deployed", "--claimant", "kr-intel"
    )
    assert "unknown source" in run(
        capsys, "add-figure", "005_nope", "--data", data_copy, "--quote", "x 1", "--metric",
        "deployed", *base,
    )[2]  # fmt: skip
    assert snapshot(data_copy) == before


def test_a_source_in_another_language_needs_a_translation(capsys, data_copy, texts):
    code, out, _ = add_source(
        capsys, data_copy, texts, "--no-text", "televised", "--kind", "briefing",
        "--title", "JCS", "--language", "ko",
    )  # fmt: skip
    sid = re.search(r"added (\S+) to", out).group(1)
    argv = ["add-figure", sid, "--data", data_copy, "--quote", "북한군 사상자는 약 4,700명",
            "--metric", "killed_or_wounded", "--claimant", "kr-military"]  # fmt: skip
    code, _, err = run(capsys, *argv)
    assert code == 2 and "needs its translation" in err
    code, out, err = run(capsys, *argv, "--translation", "North Korean casualties: about 4,700")
    assert code == 0, err
    row = kursk.load(data_copy).figures.set_index("figure_id").loc[re.search(
        r"added (\S+) to", out).group(1)]  # fmt: skip
    assert row["qualifier"] == "about" and row["low"] == 4700 and row["translation"]


def test_parts_of_a_stated_total_are_added_together(capsys, data_copy, texts, tmp_path):
    """One at a time, a part would not add up to its whole; --part adds them in one step."""
    report = tmp_path / "report.txt"
    report.write_text("About 250 killed, 1,750 wounded, 2,000 in all, officials said.\n")
    code, out, err = add_source(capsys, data_copy, texts, "--text", report, "--title", "T")
    sid = re.search(r"added (\S+) to", out).group(1)
    quote = "About 250 killed, 1,750 wounded, 2,000 in all"
    common = ["add-figure", sid, "--data", data_copy, "--articles", texts, "--quote", quote,
              "--claimant", "kr-military"]  # fmt: skip
    code, out, err = run(capsys, *common, "--metric", "killed_or_wounded", "--number", "2,000")
    assert code == 0, err
    whole = re.search(r"added (\S+) to", out).group(1)
    code, _, err = run(capsys, *common, "--part", "killed=250", "--part-of", whole)
    assert code == 2 and "parts do not sum to the whole" in err  # alone it cannot add up
    code, out, err = run(
        capsys, *common, "--part", "killed=250", "--part", "wounded=1,750", "--part-of", whole
    )
    assert code == 0, err
    f = kursk.load(data_copy).figures.set_index("figure_id")
    parts = f[f["part_of"] == whole]
    assert sorted(parts["metric"]) == ["killed", "wounded"]
    assert sorted(parts["qualifier"]) == ["about", "exact"]  # 'About 250', '1,750'
    assert sorted(parts["low"]) == [250, 1750]


def test_parts_name_metric_subject_and_number():
    assert quotes.parse_part("planned:construction workers=3,200") == (
        "planned",
        "construction workers",
        "3,200",
    )
    with pytest.raises(curate.CurateError, match="METRIC=NUMBER"):
        quotes.parse_part("killed 400")


def test_curating_a_folder_of_real_reporting(capsys, tmp_path, texts):
    """Sources without a text, other languages, events and revisions: the realistic fixture."""
    folder = tmp_path / "data"
    shutil.copytree(REALISTIC, folder, ignore=shutil.ignore_patterns("texts"))
    report = tmp_path / "report.txt"
    report.write_text("About 700 North Korean engineers arrived in Kursk this week.\n")
    code, out, err = add_source(capsys, folder, texts, "--text", report, "--title", "T")
    assert code == 0, err
    sid = re.search(r"added (\S+) to", out).group(1)
    assert sid.startswith("027_")  # after 026_...
    code, out, err = run(
        capsys, "add-figure", sid, "--data", folder, "--articles", texts, "--quote",
        "About 700 North Korean engineers arrived in Kursk", "--metric", "arrived",
        "--claimant", "kr-nis", "--contingent", "reconstruction-2025",
    )  # fmt: skip
    assert code == 0, err
    assert len(kursk.load(folder).figures) == len(kursk.load(REALISTIC).figures) + 1


def test_a_text_not_copied_says_where_it_goes(capsys, data_copy, tmp_path, text_file):
    missing = tmp_path / "no-such-folder"
    code, out, err = add_source(capsys, data_copy, missing, "--text", text_file, "--title", "T")
    assert code == 0, err
    sid = re.search(r"added (\S+) to", out).group(1)
    assert (
        "NOT copied" in out
        and "does not exist" in out
        and f"cp {text_file} {missing / (sid + '.txt')}" in out
    )


NEW = "  - id: new\n    metric: k\n"


@pytest.mark.parametrize(
    "before, after",
    [
        (  # an empty list before another key
            "article: a\nfigures: []\nignored:\n  - quote: q\n",
            "article: a\nfigures:\n" + NEW + "ignored:\n  - quote: q\n",
        ),
        (  # no list yet, a comment on the key's line
            "article: a\nfigures:  # none yet\nignored: []\n",
            "article: a\nfigures:  # none yet\n" + NEW + "ignored: []\n",
        ),
        (  # after a folded note, before a comment and the next key; blank lines kept
            "figures:\n  - id: x\n    note: >-\n      long\n\n  - id: y\n    note: >-\n"
            "      text\n\n# not figures\nignored: []\n",
            "figures:\n  - id: x\n    note: >-\n      long\n\n  - id: y\n    note: >-\n"
            "      text\n\n" + NEW + "\n# not figures\nignored: []\n",
        ),
        (  # entries at the key's indentation, no blank lines between them
            "figures:\n- id: x\n- id: y\n",
            "figures:\n- id: x\n- id: y\n- id: new\n  metric: k\n",
        ),
        (  # no final line end
            "figures:\n  - id: x\n  - id: y",
            "figures:\n  - id: x\n  - id: y\n" + NEW,
        ),
        (  # Windows line ends
            "figures:\r\n  - id: x\r\n  - id: y\r\n",
            "figures:\r\n  - id: x\r\n  - id: y\r\n" + NEW.replace("\n", "\r\n"),
        ),
        (  # no figures key yet
            "# a comment\narticle: a\n",
            "# a comment\narticle: a\nfigures:\n" + NEW,
        ),
    ],
)
def test_an_entry_is_appended_keeping_every_other_byte(before, after):
    written, line = edit.insert_item(
        before, "figures", [("id", "new"), ("metric", "k")], Path("f")
    )
    assert written == after
    assert written.splitlines()[line - 1].strip() == "- id: new"
