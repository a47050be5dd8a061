"""Files in data/ are read only when they are regular files inside the folder, whole and clean.

Each case was a fault (issue 18): a link out of the folder printed the target's lines in
`validate` and on the public error page, /dev/zero grew the reader without bound, a FIFO hung
it, a 1 GiB file was read whole before the size limit, a NUL silently cut a file short, and
deep nesting ended in "internal error: RecursionError".
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kursk
from kursk import DataError

ARTICLE = "003_1a8f1fbcddf06ff0"
SECRET = "TOP-SECRET-LINE-9f1c"


def issues_of(data_dir: Path) -> list[kursk.Issue]:
    with pytest.raises(DataError) as info:
        kursk.load(data_dir)
    return info.value.issues


def one(issues, code: str, name: str) -> kursk.Issue:
    found = [i for i in issues if i.code == code and i.file.endswith(name)]
    assert found, "\n".join(map(str, issues))
    return found[0]


def validate(data_dir: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """`kursk validate` in its own process, with its peak memory (KiB) on the last line."""
    code = (
        "import resource, sys\nfrom kursk.cli import main\n"
        "rc = main(['validate', sys.argv[1]])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(rc)\n"
    )

    def cap_memory():  # a reader gone wrong must fail here, not take the shared machine
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    return subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap_memory,
    )


def test_a_link_out_of_the_data_folder_is_refused_and_its_target_never_shown(data_copy, tmp_path):
    (tmp_path / "private").mkdir()
    target = tmp_path / "private" / "elsewhere.yaml"
    target.write_text(f"article: x\nfigures: [{SECRET}\n")  # a syntax error quoting the line
    (data_copy / "figures" / "zz.yaml").symlink_to(target)
    issue = one(issues_of(data_copy), "not_regular", "figures/zz.yaml")
    assert "outside the data folder" in issue.message
    run = validate(data_copy)
    assert run.returncode == 2
    assert SECRET not in run.stdout + run.stderr
    assert "private" not in run.stdout + run.stderr  # not even where it points
    # the public page shows the same words, and nothing of the target either
    from kursk.dashboard import Dashboard

    page = "".join(child.value for child in Dashboard.from_data_dir(data_copy).view.children)
    assert "zz.yaml" in page and "outside the data folder" in page
    assert SECRET not in page and "private" not in page


def test_a_link_inside_the_data_folder_is_still_read(data_copy):
    name = f"{ARTICLE}.yaml"
    real = data_copy / "figures" / name
    kept = data_copy / "kept.yaml.txt"
    real.rename(kept)
    (data_copy / "figures" / name).symlink_to(Path("..") / kept.name)
    assert len(kursk.load(data_copy).figures) == len(kursk.load().figures)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.symlink_to("/dev/zero"), "outside the data folder"),
        (lambda p: os.mkfifo(p), "FIFO"),
    ],
    ids=["dev-zero", "fifo"],
)
def test_devices_and_fifos_are_refused_at_once(data_copy, make, words):
    make(data_copy / "figures" / "zz.yaml")
    started = time.monotonic()
    run = validate(data_copy, timeout=30)  # before: a FIFO hung, /dev/zero reached 21 GiB
    assert time.monotonic() - started < 20
    assert run.returncode == 2, run.stderr
    assert words in run.stderr and "zz.yaml" in run.stderr
    assert int(run.stdout.split()[-1]) < 400 * 1024  # peak KiB of the whole process


def test_a_huge_file_is_refused_by_its_size_without_reading_it(data_copy):
    huge = data_copy / "figures" / "zz.yaml"
    with huge.open("wb") as fh:
        fh.truncate(1 << 30)  # sparse: 1 GiB of NULs that cost no disk
    run = validate(data_copy, timeout=30)
    assert run.returncode == 2
    assert "zz.yaml" in run.stderr and "1024 MiB" in run.stderr and "at most 64 MiB" in run.stderr
    assert int(run.stdout.split()[-1]) < 400 * 1024  # not read whole into memory


@pytest.mark.parametrize(
    "char, shown", [("\x00", "NUL U+0000"), ("\x1b", "U+001B"), ("\u202e", "U+202E")]
)
def test_control_characters_are_errors_with_file_and_line(data_copy, char, shown):
    path = data_copy / "figures" / f"{ARTICLE}.yaml"
    lines = path.read_text().splitlines(keepends=True)
    second = [n for n, line in enumerate(lines) if line.startswith("  - id:")][1]
    lines[second] = char + lines[second]
    path.write_text("".join(lines))
    issue = one(issues_of(data_copy), "control", f"{ARTICLE}.yaml")
    assert issue.line == second + 1
    assert shown in issue.message  # before: a NUL cut the file short and validate said ok


@pytest.mark.parametrize(
    "body",
    [
        "".join("  " * i + "-\n" for i in range(1000)),  # block lists, one per line
        "  - id: x\n    note:\n" + "".join(" " * (6 + i) + "a:\n" for i in range(1000)),
        "  - " + "- " * 40 + "1\n",  # compact nested lists on one line
        "  - " + "{a: " * 40 + "1" + "}" * 40 + "\n",  # flow mappings
    ],
    ids=["block-lists", "block-mappings", "compact", "flow"],
)
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(data_copy, body):
    path = data_copy / "figures" / f"{ARTICLE}.yaml"
    path.write_text(f"article: {ARTICLE}\nfigures:\n{body}")
    issue = one(issues_of(data_copy), "too_deep", f"{ARTICLE}.yaml")
    assert re.search(r"nested more than \d+ levels deep", issue.message)
    assert issue.line is not None and issue.line > 2
    run = validate(data_copy)
    assert run.returncode == 2
    assert "internal error" not in run.stderr and "RecursionError" not in run.stderr


def test_the_seed_data_nests_well_within_the_limit():
    assert len(kursk.load().figures) > 0  # no false alarm on the real data


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("article: x\nfigures:\n  - !!python/object:os.system x\n", 3, "Invalid tag"),
        ("article: x\nfigures: []\narticle: y\n", 3, "duplicate"),
        (
            "article: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: [" + ",".join(["*b"] * 12) + "]\n",
            2,
            "alias",
        ),
    ],
    ids=["tag", "duplicate-key", "alias"],
)
def test_tag_duplicate_and_alias_errors_name_their_line(data_copy, text, line, words):
    (data_copy / "figures" / "zz.yaml").write_text(text)
    issue = one(issues_of(data_copy), "syntax", "zz.yaml")
    assert words in issue.message
    assert issue.line == line, str(issue)  # before: line "?"


def test_control_characters_in_file_names_are_printed_escaped(data_copy):
    name = "a\x1b[31mred\x07.yaml"
    (data_copy / "figures" / name).write_text("article: [\n")
    run = validate(data_copy)
    assert run.returncode == 2
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr
    assert "a\\x1b[31mred\\x07.yaml" in run.stderr
