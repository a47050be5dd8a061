"""Serve the read-only dashboard with Voila: `make dashboard` / `python -m kursk.serve`.

Settings live in the committed dashboards/voila.json: tracebacks hidden, sources stripped,
no file access, no URL template/theme overrides, idle kernels culled, one pre-heated kernel.
The `kursk` Voila template (lib/kursk/jupyter/...) is the lab template without its CDN fonts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .paths import DASHBOARDS_DIR

NOTEBOOK = DASHBOARDS_DIR / "overview.ipynb"
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"


def command(port: int = 8866, host: str = "127.0.0.1", extra: list[str] | None = None) -> list[str]:
    """The argv that serves the dashboard; tests start exactly this."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        f"--Voila.config_file_paths=['{DASHBOARDS_DIR}']",
        *(extra or []),
    ]


def environment(data_dir: str | Path | None = None) -> dict[str, str]:
    """Environment for the server: our template on JUPYTER_PATH; optional data folder."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(JUPYTER_DATA), env.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if data_dir is not None:
        env["KURSK_DATA_DIR"] = str(data_dir)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kursk.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8866)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", default=None, help="serve this data folder instead of data/")
    args, extra = parser.parse_known_args(argv)
    print(f"Kursk Figures dashboard: http://{args.host}:{args.port}/  (Ctrl-C stops)", flush=True)
    try:
        return subprocess.call(command(args.port, args.host, extra), env=environment(args.data))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
