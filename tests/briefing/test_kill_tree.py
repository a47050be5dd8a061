"""Nothing the image drawer started may outlive a briefing run (CI, stops 22 and 23).

Stop 22: kill_tree read /proc once and then killed what it had found; kaleido retrying a
browser that exits at once (BROWSER_PATH=/bin/false) forked a new browser wrapper between
the read and the kill, and that wrapper outlived the run.
Stop 23: the family was stopped and looked for again, but a look taken while a parent was
still inside fork() (SIGSTOP lands only when the fork returns) missed the child it was
making. A parent holding a lot of memory takes long to fork, which widens that window:
10 of 40 rounds leaked a child before the fix.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

from kursk.chromium import kill_tree

# A parent that starts a new sleeping child as fast as it can, each in its own session (as
# kaleido's wrapper does). Its ballast makes each fork slow to copy.
FORKER = """
import os, sys
ballast = bytearray(200 * 1024 * 1024)
for i in range(0, len(ballast), 4096):
    ballast[i] = 1
print("ready", flush=True)
while True:
    if os.fork() == 0:
        os.setsid()
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", sys.argv[1]])
"""


def _alive(marker: str) -> str:
    found = subprocess.run(["pgrep", "-a", "-f", marker], capture_output=True, text=True)
    return found.stdout


def _forker(marker: str) -> subprocess.Popen:
    parent = subprocess.Popen([sys.executable, "-c", FORKER, marker], stdout=subprocess.PIPE)
    assert parent.stdout.readline() == b"ready\n"
    deadline = time.monotonic() + 30
    while _alive(marker).count("\n") < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _alive(marker).count("\n") >= 3  # it is forking
    return parent


def test_a_family_that_keeps_forking_is_killed_whole():
    for _ in range(20):  # each round gives a fork in progress a chance to escape
        marker = f"kill-tree-{uuid.uuid4().hex}"
        parent = _forker(marker)
        try:
            kill_tree(parent.pid)
            parent.wait(timeout=10)
            time.sleep(0.1)  # an escaped child has exec'd by now
            assert _alive(marker) == ""
        finally:
            parent.kill()
            parent.wait(timeout=10)
            subprocess.run(["pkill", "-9", "-f", marker])
