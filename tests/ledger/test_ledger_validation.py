"""Bad input gets a clear error naming file, line, key path and bad value; all errors at once."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kursk
from kursk import DataError

ARTICLE = "003_1a8f1fbcddf06ff0"

GOOD_FIGURE = """\
  - id: t-figure
    metric: deployed
    value: {about: 3000}
    claimant: kr-military
    contingent: reinforcement-2025-03
    as_of: 2025-03
    quote: North Korea had dispatched approximately 3,000 additional troops
"""


def write_figures(data_dir: Path, body: str, name: str = ARTICLE) -> Path:
    """Replace one article's figures file with body (after the article: line)."""
    path = data_dir / "figures" / f"{name}.yaml"
    path.write_text(f"article: {name}\nfigures:\n{body}", encoding="utf-8")
    return path


def problems(data_dir: Path) -> list[kursk.Issue]:
    with pytest.raises(DataError) as info:
        kursk.load(data_dir)
    return info.value.issues


def only(issues, code=None, field_part=None):
    found = [
        i
        for i in issues
        if (code is None or i.code == code) and (field_part is None or field_part in i.field)
    ]
    assert found, f"no issue with code={code} field~{field_part} in:\n" + "\n".join(
        map(str, issues)
    )
    return found[0]


def test_yaml_syntax_error_names_file_and_line(data_copy):
    write_figures(data_copy, GOOD_FIGURE + "  - id: broken\n    value: [1, 2\n    metric: x\n")
    issue = only(problems(data_copy), "syntax")
    assert issue.file.endswith(f"figures/{ARTICLE}.yaml")
    # the bracket opens on line 11; the parser notices on line 12 and the hint names both
    assert issue.line in (11, 12)
    assert "YAML error" in str(issue) and "line or the one above" in issue.hint


def test_wrong_type_names_key_path_line_and_value(data_copy):
    write_figures(data_copy, GOOD_FIGURE.replace("value: {about: 3000}", "value: {about: lots}"))
    issue = only(problems(data_copy), field_part="figures[0].value")
    assert issue.line == 5
    assert "must be a number" in issue.message and "lots" in issue.message


def test_unknown_key_suggests_the_right_one(data_copy):
    write_figures(data_copy, GOOD_FIGURE + "    contingnet: initial-2024\n")
    issue = only(problems(data_copy), "unknown_key")
    assert issue.field == "figures[0].contingnet"
    assert issue.line == 10
    assert "did you mean 'contingent'" in issue.hint


@pytest.mark.parametrize(
    ("replace", "code", "field", "line", "bad"),
    [
        (
            ("metric: deployed", "metric: deploid"),
            "unknown_metric",
            "figures[0].metric",
            4,
            "deploid",
        ),
        (
            ("claimant: kr-military", "claimant: kr-militry"),
            "unknown_claimant",
            "figures[0].claimant",
            6,
            "kr-militry",
        ),
        (
            ("contingent: reinforcement-2025-03", "contingent: wave-9"),
            "unknown_contingent",
            "figures[0].contingent",
            7,
            "wave-9",
        ),
        (
            ("value: {about: 3000}", "value: {about: 3000}\n    unit: metres"),
            "unknown_unit",
            "figures[0].unit",
            6,
            "metres",
        ),
    ],
)
def test_unknown_references(data_copy, replace, code, field, line, bad):
    write_figures(data_copy, GOOD_FIGURE.replace(*replace))
    issue = only(problems(data_copy), code)
    assert (issue.field, issue.line, issue.value) == (field, line, bad)
    assert issue.file.endswith(f"{ARTICLE}.yaml")


def test_unknown_article(data_copy):
    path = write_figures(data_copy, GOOD_FIGURE)
    path.write_text(path.read_text().replace(f"article: {ARTICLE}", "article: 999_nosuch"))
    issue = only(problems(data_copy), field_part="article")
    assert issue.line == 1 and issue.value == "999_nosuch"


def test_duplicate_figure_id_across_files_points_at_both(data_copy):
    write_figures(data_copy, GOOD_FIGURE.replace("t-figure", "a000-planned-6000"))
    issue = only(problems(data_copy), "duplicate")
    assert issue.file.endswith(f"{ARTICLE}.yaml") and issue.line == 3
    assert "000_139921d5406b05f8.yaml:4" in issue.hint


def test_duplicate_claimant_id(data_copy):
    path = data_copy / "claimants.yaml"
    path.write_text(
        path.read_text() + "  - id: kr-military\n    name: Twice\n    kind: military\n"
    )
    issue = only(problems(data_copy), "duplicate")
    assert issue.file.endswith("claimants.yaml") and issue.value == "kr-military"
    assert issue.line == path.read_text().count("\n") - 2


@pytest.mark.parametrize(
    ("value", "expect"),
    [
        ("{low: 12000, high: 10000}", "greater than high"),
        ("-5", "negative"),
        ("{about: 2.5}", "whole"),
    ],
)
def test_bad_values(data_copy, value, expect):
    write_figures(data_copy, GOOD_FIGURE.replace("{about: 3000}", value))
    issue = only(problems(data_copy), field_part="figures[0].value")
    assert expect in str(issue) and issue.line == 5


@pytest.mark.parametrize(
    ("date", "expect"),
    [
        ("2025-02-30", "February 2025 has 28 days"),
        ("2025-13", "month 13"),
        ("March 2025", "partial date"),
    ],
)
def test_impossible_dates(data_copy, date, expect):
    write_figures(data_copy, GOOD_FIGURE.replace("as_of: 2025-03", f"as_of: {date}"))
    issue = only(problems(data_copy), field_part="as_of")
    assert expect in issue.message and issue.line == 8


def test_parts_that_do_not_sum(data_copy):
    path = data_copy / "figures" / "000_139921d5406b05f8.yaml"
    text = path.read_text()
    path.write_text(text.replace("    value: 5000\n", "    value: 4000\n", 1))
    issue = only(problems(data_copy), "parts_sum")
    assert issue.field == "figures[0].value" and issue.line == 7
    assert "a000-sappers-1000 (1,000) + a000-builders-5000 (4,000) = 5,000" in issue.message


def test_share_over_100_and_share_without_denominator(data_copy):
    figure = GOOD_FIGURE.replace("metric: deployed", "metric: casualty_share").replace(
        "{about: 3000}", "{over: 140}"
    )
    write_figures(data_copy, figure)
    issues = problems(data_copy)
    over = only(issues, "share_over_100")
    assert over.line == 5 and over.value == 140
    assert only(issues, "share_of").line == 3


def test_long_quote_is_rejected(data_copy):
    long = " ".join(["word"] * 20)
    write_figures(
        data_copy,
        GOOD_FIGURE.replace(
            "quote: North Korea had dispatched approximately 3,000 additional troops",
            f"quote: {long}",
        ),
    )
    issue = only(problems(data_copy), field_part="quote")
    assert "20 words" in issue.message and issue.line == 9


def test_empty_file(data_copy):
    (data_copy / "figures" / f"{ARTICLE}.yaml").write_text("# nothing yet\n")
    issue = only(problems(data_copy), "empty")
    assert issue.line == 1 and "empty" in issue.message


def test_non_utf8_bytes(data_copy):
    path = write_figures(data_copy, GOOD_FIGURE)
    path.write_bytes(path.read_bytes().replace(b"additional", b"addition\xe9l"))
    issue = only(problems(data_copy), "encoding")
    assert issue.line == 9 and "UTF-8" in issue.hint


def test_tab_indentation(data_copy):
    write_figures(data_copy, GOOD_FIGURE.replace("    claimant:", "\tclaimant:"))
    issue = only(problems(data_copy), "tab")
    assert issue.line == 6 and "spaces" in issue.hint


def test_number_like_id_asks_for_quotes(data_copy):
    write_figures(data_copy, GOOD_FIGURE.replace("  - id: t-figure", "  - id: 1e5"))
    issue = only(problems(data_copy), field_part="figures[0].id")
    assert '"1e5"' in issue.hint and issue.line == 3


def test_all_errors_of_a_run_are_reported_together(data_copy):
    write_figures(
        data_copy,
        GOOD_FIGURE.replace("metric: deployed", "metric: deploid")
        .replace("claimant: kr-military", "claimant: nobody")
        .replace("as_of: 2025-03", "as_of: 2025-02-30"),
    )
    path = data_copy / "claimants.yaml"
    path.write_text(
        path.read_text() + "  - id: kr-military\n    name: Twice\n    kind: military\n"
    )
    issues = problems(data_copy)
    codes = {i.code for i in issues}
    assert {"unknown_metric", "duplicate", "value"} <= codes
    files = {i.file.rsplit("/", 1)[-1] for i in issues}
    assert {f"{ARTICLE}.yaml", "claimants.yaml"} <= files


def test_alias_bomb_fails_fast_without_eating_memory(data_copy, tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (data_copy / "figures" / "bomb.yaml").write_text("\n".join(lines) + "\n")
    script = (
        "import resource, sys, time, kursk\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "try:\n    kursk.load(sys.argv[1])\nexcept kursk.DataError as e:\n"
        "    print([i.code for i in e.issues], str(e.issues[0]))\n"
        "print(time.perf_counter() - t, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(data_copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert "'syntax'" in out[0] and "alias" in out[0] and "bomb.yaml" in out[0]
    seconds, grew_mib = map(float, out[1].split())
    assert seconds < 2.0
    assert grew_mib < 100
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def test_cli_validate_prints_one_line_per_error_and_no_traceback(data_copy):
    write_figures(
        data_copy,
        GOOD_FIGURE.replace("metric: deployed", "metric: deploid").replace(
            "claimant: kr-military", "claimant: nobody"
        ),
    )
    run = subprocess.run(
        [sys.executable, "-m", "kursk.cli", "validate", str(data_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    errors = [ln for ln in run.stderr.splitlines() if ": figures[" in ln]
    assert len(errors) == 2
    assert any(
        ln.split(": ")[0].endswith(f"{ARTICLE}.yaml:4") and "deploid" in ln for ln in errors
    )
    assert any(ln.split(": ")[0].endswith(f"{ARTICLE}.yaml:6") and "nobody" in ln for ln in errors)


def test_cli_validate_seed_data_exits_zero():
    run = subprocess.run(
        [sys.executable, "-m", "kursk.cli", "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: ")


def test_failed_load_returns_nothing_half_loaded(data_copy):
    write_figures(data_copy, GOOD_FIGURE.replace("metric: deployed", "metric: deploid"))
    started = time.perf_counter()
    with pytest.raises(DataError):
        kursk.load(data_copy)
    assert time.perf_counter() - started < 10
