"""Nothing the image drawer started may outlive a briefing run (CI, stop 22).

Before: kill_tree read /proc once and then killed what it had found; kaleido retrying a
browser that exits at once (BROWSER_PATH=/bin/false) forked a new browser wrapper between
the read and the kill, and that wrapper outlived the run.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

from kursk.chromium import kill_tree

# A parent that starts a new sleeping child as fast as it can, each in its own session
# (as kaleido's wrapper does), so a child forked after one look at /proc escapes a kill.
FORKER = """
import subprocess, sys
while True:
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", sys.argv[1]],
                     start_new_session=True)
"""


def _alive(marker: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return found.stdout.split()


def test_a_family_that_keeps_forking_is_killed_whole():
    marker = f"kill-tree-{uuid.uuid4().hex}"
    parent = subprocess.Popen([sys.executable, "-c", FORKER, marker])
    try:
        deadline = time.monotonic() + 30
        while len(_alive(marker)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_alive(marker)) >= 5  # it is forking
        for _ in range(20):  # each round gives a late fork a chance to escape
            kill_tree(parent.pid)
            parent.wait(timeout=10)
            time.sleep(0.2)
            assert _alive(marker) == []
            parent = subprocess.Popen([sys.executable, "-c", FORKER, marker])
            while len(_alive(marker)) < 3 and time.monotonic() < deadline + 60:
                time.sleep(0.02)
    finally:
        kill_tree(parent.pid)
        parent.wait(timeout=10)
        subprocess.run(["pkill", "-9", "-f", marker])
