"""Serve the read-only dashboard with Voila: `make dashboard` / `python -m kursk.serve`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from .process import command, environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kursk.serve", description="Serve the read-only dashboard with Voila"
    )
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
