"""Serve the read-only dashboard with Voila: `make dashboard` / `python -m kursk.serve`."""

from __future__ import annotations

import argparse
import os
import sys

from .process import command, environment, run, stop_with_parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kursk.serve", description="Serve the read-only dashboard with Voila"
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8866)))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data", default=None, help="serve this data folder instead of data/")
    parser.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop when the process that started this one ends (make dashboard uses it)",
    )
    args, extra = parser.parse_known_args(argv)
    if args.stop_with_parent:
        stop_with_parent()
    print(f"Kursk Figures dashboard: http://{args.host}:{args.port}/  (Ctrl-C stops)", flush=True)
    return run(command(args.port, args.host, extra), environment(args.data))


if __name__ == "__main__":
    sys.exit(main())
