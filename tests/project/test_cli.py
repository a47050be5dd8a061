"""First contact with the `kursk` command: help, version, and wrong inputs that are the user's
to fix (one line naming the value, a did-you-mean hint, exit 2, nothing written)."""

from __future__ import annotations

import csv
import io

import pytest

import kursk
from kursk.cli import main
from kursk.ledger import FilterError


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kursk_alone_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    assert "usage: kursk" in out and "briefing" in out and "export" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert kursk.__version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["export", "--claimant", "kr-militry"], "did you mean 'kr-military'"),
        (["export", "--claimant", "nobody"], "unknown claimant 'nobody'; one of:"),
        (["export", "--since", "2025-13"], "since: '2025-13' is not a date; write YYYY-MM-DD"),
        (["export", "--since", "2025-06-01", "--until", "2025-01-01"], "swap them"),
        (["export", "--as-known-on", "1999-01-01"], "no source was published by 1999-01-01"),
        (["briefing", "--claimant", "nobody"], "unknown claimant 'nobody'"),
        (["briefing", "--since", "2025-13"], "is not a date"),
    ],
)
def test_wrong_inputs_are_one_clear_line(capsys, tmp_path, argv, said):
    out_dir = tmp_path / "out"
    if argv[0] == "briefing":
        argv = [*argv, "--out", str(out_dir)]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert said in err
    assert "internal error" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_export_filters_keep_only_matching_rows(capsys):
    code, out, _ = run(
        capsys, "export", "--claimant", "kr-military", "--since", "2025-01-01",
        "--until", "2025-12-31",
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    everything = kursk.load().filter(
        claimants="kr-military", since="2025-01-01", until="2025-12-31"
    )
    assert len(rows) == len(everything.figures) > 0
    for row in rows:
        assert "kr-military" in row["claimant"].split(";")
        assert "2025-01-01" <= row["as_of"][:10] <= "2025-12-31"


def test_filter_refuses_what_it_cannot_answer():
    data = kursk.load()
    assert len(data.filter(claimants="kr-military").figures) == len(
        data.filter(claimants=["kr-military"]).figures
    )
    with pytest.raises(FilterError, match="did you mean 'casualties'"):
        data.filter(metric_groups=["casualtys"])
    with pytest.raises(FilterError, match="a name or a list of names"):
        data.filter(claimants=3)
    with pytest.raises(FilterError, match="not a date"):
        data.filter(until="soon")
    assert issubclass(FilterError, ValueError)  # callers catching ValueError still do
