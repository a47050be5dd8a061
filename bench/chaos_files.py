"""The fault cases of `make chaos` that need no server: data files and briefing packs.

Each runs the real `kursk` command in its own process, bounded in time (and in memory, so a
reader gone wrong fails here instead of taking the machine), and returns a row like the
server cases (bench/cases.py). The tests of the same faults are tests/ledger/test_data_files.py
and tests/briefing/test_pack_whole.py.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from kursk.paths import DATA_DIR

from .cases import row

CLI = "import sys; from kursk.cli import main; sys.exit(main(sys.argv[1:]))"
PEAK = "import resource, atexit; atexit.register(lambda: print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
MEMORY_CAP = 6 << 30


def kursk(
    *args, env=None, preexec_fn=None, timeout=120, capped=False
) -> tuple[subprocess.CompletedProcess, float]:
    """`kursk ARGS` in its own process; (result, seconds). capped: its address space limited,
    so a reader gone wrong fails here (not for briefings: Chromium reserves far more)."""

    def limits():
        if capped:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
        if preexec_fn:
            preexec_fn()

    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", PEAK + CLI, *map(str, args)],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            preexec_fn=limits,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        done = subprocess.CompletedProcess(exc.cmd, -1, "", f"timed out after {timeout} s")
    return done, time.monotonic() - started


def _peak_mib(done) -> float:
    for line in done.stdout.splitlines():
        if line.startswith("PEAK"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


DATA_FAULTS = {
    "a link out of the data folder": (lambda p, tmp: p.symlink_to(tmp / "secret.yaml"), "outside"),
    "a link to /dev/zero": (lambda p, tmp: p.symlink_to("/dev/zero"), "outside"),
    "a FIFO": (lambda p, tmp: os.mkfifo(p), "FIFO"),
    "a sparse 1 GiB file": (lambda p, tmp: os.truncate(_touch(p), 1 << 30), "at most 64 MiB"),
    "a NUL byte in a figures file": (
        lambda p, tmp: p.write_bytes(b"article: x\nfigures:\n\0  - id: lost\n"),
        "NUL",
    ),
    "lists nested 1,000 deep": (
        lambda p, tmp: p.write_text("a:\n" + "".join("  " * i + "-\n" for i in range(1000))),
        "nested more than",
    ),
}


def data_fault(name: str, tmp: Path) -> dict:
    make, words = DATA_FAULTS[name]
    data = tmp / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(DATA_DIR, data)
    (tmp / "secret.yaml").write_text("secret: [TOP-SECRET\n")
    make(data / "figures" / "zz.yaml", tmp)
    done, seconds = kursk("validate", data, timeout=60, capped=True)
    peak = _peak_mib(done)
    said = done.stderr
    ok = (
        done.returncode == 2
        and words in said
        and "zz.yaml" in said
        and "internal error" not in said
        and "TOP-SECRET" not in said
        and seconds < 20
        and peak < 400
    )
    return row(
        f"data/: {name}",
        "validate exits 2 naming the file and the problem, in seconds, in bounded memory, "
        "never showing another file's content",
        f"exit {done.returncode} in {seconds:.1f} s, peak {peak:.0f} MiB: "
        f"{(said.splitlines() or [''])[0].split('<file>: ', 1)[-1][:110]}",
        ok,
    )


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _whole(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    files = _files(folder)
    files.pop("manifest.json")
    return manifest["files"] == files


def pack_faults(tmp: Path) -> list[dict]:
    """An older complete pack, then each fault over it; the pack stays whole every time."""
    out = tmp / "briefing"
    done, _ = kursk("briefing", "--out", out, "--formats", "png", "--claimant", "kr-military")
    if done.returncode != 0:
        return [row("briefing packs", "an older pack to begin with", done.stderr[-200:], False)]
    older = _files(out)
    rows = []

    with open(tmp / ".briefing.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done, _ = kursk("briefing", "--out", out, "--formats", "")
    rows.append(
        row(
            "a second briefing into a folder being written",
            "refused with a clear message; the pack untouched",
            f"exit {done.returncode}: {done.stderr.strip()[-90:]}",
            done.returncode == 1 and _files(out) == older,
        )
    )

    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, "briefing", "--out", str(out), "--formats", "png,svg"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline, line = time.monotonic() + 120, ""
    while "[2/" not in line and time.monotonic() < deadline and proc.poll() is None:
        line = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=60)
    rows.append(
        row(
            "Ctrl-C while a briefing replaces an older one",
            "the older pack exactly as it was, no partial folder",
            f"exit {code}; pack unchanged: {_files(out) == older}",
            _files(out) == older and not list(tmp.glob(".briefing.partial-*")),
        )
    )

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    done, _ = kursk("briefing", "--out", out, "--formats", "png", preexec_fn=small_disk)
    rows.append(
        row(
            "a full disk (files limited to 1 MB) during a briefing",
            "a clear message naming the folder; the older pack untouched",
            f"exit {done.returncode}: {done.stderr.strip()[-90:]}",
            done.returncode == 1 and "Traceback" not in done.stderr and _files(out) == older,
        )
    )

    env = {"BROWSER_PATH": "/bin/false", "KURSK_IMAGE_TIMEOUT": "10"}
    done, seconds = kursk("briefing", "--out", out, "--formats", "png", env=env)
    images = [p.name for p in out.glob("*.png")]
    rows.append(
        row(
            "BROWSER_PATH=/bin/false (a Chromium that exits at once)",
            "a clear message within the timeout; the text files written, no stale images",
            f"exit {done.returncode} in {seconds:.0f} s; images {len(images)}; "
            f"{done.stderr.strip().splitlines()[-2][-80:] if done.stderr.strip() else ''}",
            done.returncode == 3 and seconds < 60 and not images and _whole(out),
        )
    )
    return rows
