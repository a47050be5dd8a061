"""A served kernel, once its dashboard is built, keeps what it built out of the garbage
collector's full passes: such a pass over that heap took 60-130 ms in the middle of a filter
change, about one change in five (make bench: dashboard redraws; docs/performance.md)."""

from __future__ import annotations

import os
import subprocess
import sys

# as the served notebook (serve/dashboard/overview.ipynb) runs: build, then ask for the request
KERNEL = """
import gc
from kursk.dashboard import Dashboard
from kursk.serve.request import request_query
app = Dashboard.from_data_dir()
query = request_query()
print("RESULT", repr(query), gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_what_the_kernel_built_is_left_out_of_full_collections():
    env = {**os.environ, "QUERY_STRING": "claimant=nobody"}
    env.pop("VOILA_PREHEAT", None)
    run = subprocess.run(
        [sys.executable, "-c", KERNEL], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    line = next(ln for ln in run.stdout.splitlines() if ln.startswith("RESULT"))
    _, query, frozen, tracked = line.split()
    assert query == "'claimant=nobody'"  # the request is read as before
    # nearly all of it: a full pass now only visits what the kernel makes from here on
    assert int(frozen) > 100_000 and int(frozen) > 20 * int(tracked), line
