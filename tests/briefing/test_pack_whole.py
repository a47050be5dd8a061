"""A briefing pack is written whole or not at all (issue 18).

Before: two runs into one folder mixed their files under a manifest that hashed whatever was on
disk; Ctrl-C over an older pack left its manifest beside new files; a run without Chromium
left an earlier filter's images that the new briefing.md linked; a full disk left a truncated
PNG; and a Chromium that exits at once (BROWSER_PATH=/bin/false) printed a traceback and hung.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CODE = "import sys; from kursk.cli import main; sys.exit(main(sys.argv[1:]))"


def briefing(out: Path, *extra, env=None, preexec_fn=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-c", CODE, "briefing", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
        timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def assert_whole(folder: Path) -> dict:
    """The manifest lists exactly the files beside it, with their hashes."""
    manifest = json.loads((folder / "manifest.json").read_text())
    present = {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert set(manifest["files"]) == present, (sorted(manifest["files"]), sorted(present))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return manifest


def no_leftovers(out: Path) -> None:
    assert [p.name for p in out.parent.glob(f".{out.name}.partial-*")] == []
    assert [p.name for p in out.parent.glob(f".{out.name}.old-*")] == []


@pytest.fixture(scope="module")
def older_pack(tmp_path_factory):
    """A complete pack with PNGs (one claimant), to be replaced or kept by the runs below."""
    out = tmp_path_factory.mktemp("older") / "pack"
    run = briefing(out, "--formats", "png", "--claimant", "kr-military")
    assert run.returncode == 0, run.stderr
    return snapshot(out)


def fresh_copy(older: dict, tmp_path: Path) -> Path:
    out = tmp_path / "pack"
    out.mkdir()
    for name, data in older.items():
        (out / name).write_bytes(data)
    return out


def test_a_second_run_into_the_same_folder_is_refused_while_one_writes(tmp_path, older_pack):
    out = fresh_copy(older_pack, tmp_path)
    with open(tmp_path / ".pack.lock", "w") as lock:  # a run in progress holds this
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = briefing(out, "--formats", "")
    assert run.returncode == 1
    assert "another briefing is being written into" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(out) == older_pack


def test_two_runs_at_once_never_mix_their_files(tmp_path):
    out = tmp_path / "pack"
    args = [sys.executable, "-c", CODE, "briefing", "--out", str(out), "--formats", "svg"]
    runs = [
        subprocess.Popen([*args, *claimant], stderr=subprocess.PIPE, text=True)
        for claimant in ([], ["--claimant", "kr-military"])
    ]
    results = [(r.wait(timeout=300), r.stderr.read()) for r in runs]
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert code == 0 or "another briefing is being written" in err, err
    manifest = assert_whole(out)
    csv = (out / "figures.csv").read_text()
    if manifest["filter"]["claimants"]:  # the files are those of the run the manifest names
        assert all("kr-military" in row for row in csv.splitlines()[1:])
    no_leftovers(out)


def test_ctrl_c_over_an_older_pack_leaves_it_untouched(tmp_path, older_pack):
    out = fresh_copy(older_pack, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE, "briefing", "--out", str(out), "--formats", "png,svg"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    line = ""
    while "[2/" not in line:  # the new run has written files of its own
        assert time.monotonic() < deadline and proc.poll() is None
        line = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert snapshot(out) == older_pack  # before: the old manifest beside new files
    no_leftovers(out)
    time.sleep(1)
    assert not [p for p in Path("/proc").glob("[0-9]*") if _child_of(p, proc.pid)]


def _child_of(proc_dir: Path, pid: int) -> bool:
    """Whether a live process was started by pid (its image drawer or Chromium)."""
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[1] == str(pid)


@pytest.mark.parametrize("browser", ["/bin/false", "hang"])
def test_a_broken_or_hanging_chromium_times_out_with_the_texts_written(
    tmp_path, older_pack, browser
):
    # A path of this test's own, so the check below finds only what this run started: CI's
    # own shell had "/bin/false" in its command line and was taken for a leftover browser.
    browser_path = tmp_path / "chromium"
    if browser == "hang":
        browser_path.write_text("#!/bin/sh\nexec sleep 600\n")
        browser_path.chmod(0o755)
    else:
        browser_path.symlink_to(browser)
    browser = browser_path
    out = fresh_copy(older_pack, tmp_path)
    started = time.monotonic()
    run = briefing(
        out,
        "--formats",
        "png",
        env={"BROWSER_PATH": str(browser), "KURSK_IMAGE_TIMEOUT": "8"},
        timeout=120,
    )
    assert time.monotonic() - started < 60  # before: hung forever
    assert run.returncode == 3
    assert "Chromium did not start and draw the first image within 8 s" in run.stderr
    assert "Traceback" not in run.stderr
    manifest = assert_whole(out)  # the texts, and no image of the older filter
    assert sorted(manifest["files"]) == ["briefing.md", "figures.csv", "index.html"]
    assert manifest["image_error"] and manifest["formats"] == []
    assert ".png" not in (out / "briefing.md").read_text()  # links only what exists
    no_leftovers(out)
    left = subprocess.run(["pgrep", "-a", "-f", str(browser)], capture_output=True, text=True)
    assert left.stdout == ""  # nothing it started outlives the run


def test_a_full_disk_leaves_the_older_pack_and_says_so(tmp_path, older_pack):
    out = fresh_copy(older_pack, tmp_path)

    def small_disk():  # every file this run writes may hold 1 MB: index.html fails
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    run = briefing(out, "--formats", "png", preexec_fn=small_disk)
    assert run.returncode == 1, run.stderr
    assert f"cannot use {out}" in run.stderr and "size allowed" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert snapshot(out) == older_pack  # before: a truncated PNG in the pack
    no_leftovers(out)


def test_a_folder_holding_other_files_is_refused_not_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    run = briefing(out, "--formats", "")
    assert run.returncode == 1
    assert "holds files that are not a briefing" in run.stderr
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_unwritable_folder_and_a_bad_date_are_user_errors(tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys/kursk-briefing")  # root may write anywhere but here
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        target = locked / "pack"
    run = briefing(target, "--formats", "")
    assert run.returncode == 1
    assert f"cannot use {target}" in run.stderr
    assert "permitted" in run.stderr or "permission denied" in run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    run = briefing(tmp_path / "p", "--since", "last spring")
    assert run.returncode == 2
    assert "'last spring' is not a date; use YYYY-MM-DD" in run.stderr
    assert "internal error" not in run.stderr
