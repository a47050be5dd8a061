"""`make chaos`: every abuse and fault case against real servers on loopback, in one table.

    python -m bench.chaos [--out build/chaos.json]

Starts a dashboard server on a copy of the data, takes its memory baseline, and runs the
server cases of bench/cases.py while a real reader comes every `--reader-every` seconds (each
must be served); then waits for memory to return to the baseline (two minutes at most).
A second server, its open-files limit lowered to 256, takes the descriptor cases. Then the
data-file and briefing-pack faults (bench/chaos_files.py). Writes the table (attack,
expected, observed, verdict) to build/chaos.json and prints it; exits 1 unless all held.
Everything is bounded: counts are fixed and every wait has a timeout (about three minutes
in all on two cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kursk import serve
from kursk.paths import BUILD_DIR, DATA_DIR

from . import cases, chaos_files
from .abuse import Server
from .loadtest import settle, wait_baseline

CAP = 6


async def _readers(srv: Server, every: float, stop: asyncio.Event, log: list) -> None:
    """A real reader every `every` seconds until stop; each result appended to log."""
    n = 100
    while not stop.is_set():
        served, seconds = await cases.viewer(srv, n, timeout=60)
        log.append((served, round(seconds, 1)))
        n += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def server_cases(data: Path, every: float, progress) -> list[dict]:
    proc, url = serve.start(
        data_dir=data,
        extra=[
            "--KurskVoila.snapshots=False",
            f"--KurskVoila.max_viewers={CAP}",
            "--KurskVoila.connect_grace=10",
            "--KurskVoila.leave_grace=30",
            "--KurskVoila.data_watch=1",
            "--MappingKernelManager.cull_idle_timeout=100",
            "--MappingKernelManager.cull_interval=5",
        ],
    )
    srv, rows = Server(proc, url), []
    try:
        baseline = await settle(srv.pid, 1, 120)
        readers, stop = [], asyncio.Event()
        reading = asyncio.create_task(_readers(srv, every, stop, readers))
        steps = [(lambda name=name: cases.frame(srv, name)) for name in cases.FRAMES]
        steps += [
            lambda: cases.big_frame(srv),
            lambda: cases.widget_flood(srv, 20_000),
            lambda: cases.message_rate(srv),
            lambda: cases.sockets_per_kernel(srv, 200),
            lambda: cases.query_cache(srv),
            lambda: cases.quiet_errors(srv),
            lambda: cases.forged_value(srv),
            lambda: cases.versions(srv),
            lambda: cases.dead_kernel(srv),
            lambda: cases.stale_pool(srv, data),
            lambda: cases.bare_pages(srv, 100, 20, 2 * CAP),
        ]
        for step in steps:
            rows.append(await _run(step, progress))
        stop.set()
        await reading
        served = [r for r in readers if r[0]]
        rows.append(
            cases.row(
                f"a real reader every {every:.0f} s during all of the above",
                "every one served (the busy page retried, as the page does)",
                f"{len(served)} of {len(readers)} served, slowest {max((s for _, s in readers), default=0)} s",
                readers and len(served) == len(readers),
            )
        )
        ended = time.monotonic()
        await asyncio.sleep(10)  # the pool's refill starts a second after a kernel is taken
        await srv.quiet(timeout=60)
        back, _, after = await wait_baseline(srv.pid, baseline, 120 - (time.monotonic() - ended))
        waited = time.monotonic() - ended
        back = back and after["kernel_count"] == baseline["kernel_count"] and waited <= 120
        rows.append(
            cases.row(
                "memory after the attacks",
                "back to the baseline (the pre-heated kernel again, total PSS) within two minutes",
                f"baseline {baseline['total_mib']:.0f} MiB, {after['total_mib']:.0f} MiB "
                f"after {waited:.0f} s ({after['kernel_count']} kernels)",
                back,
            )
        )
    finally:
        serve.stop(proc)
    return rows


async def fd_cases(progress) -> list[dict]:
    proc, url = serve.start(extra=["--KurskVoila.snapshots=False", "--KurskVoila.idle_timeout=5"])
    srv = Server(proc, url)
    try:
        srv.fd_limit(256)
        steps = [
            lambda: cases.idle_dropped(srv, 100, 8),
            lambda: cases.sockets_per_kernel(srv, 200),
            lambda: cases.fds_low(srv),
            lambda: cases.fds_exhausted(srv),
        ]
        return [await _run(step, progress) for step in steps]
    finally:
        serve.stop(proc)


async def _run(step, progress) -> dict:
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(step(), 300)
    except Exception as exc:  # noqa: BLE001 - a case that breaks is a case that failed
        result = cases.row(getattr(step, "__name__", "case"), "", f"{exc!r}"[:200], False)
    result["seconds"] = round(time.monotonic() - started, 1)
    progress(result)
    return result


def table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        verdict = "held" if r["held"] else "FAILED"
        lines.append(f"{verdict:6}  {r['attack']}\n        {r['observed']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.chaos", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "chaos.json")
    parser.add_argument("--reader-every", type=float, default=20.0)
    args = parser.parse_args(argv)

    def progress(r: dict) -> None:
        print(
            f"{'held' if r['held'] else 'FAILED':6}  {r['attack']} ({r['seconds']} s)", flush=True
        )

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="kursk-chaos-") as tmp:
        tmp = Path(tmp)
        shutil.copytree(DATA_DIR, tmp / "served")
        rows = asyncio.run(server_cases(tmp / "served", args.reader_every, progress))
        rows += asyncio.run(fd_cases(progress))
        for name in chaos_files.DATA_FAULTS:
            rows.append(_timed(lambda name=name: chaos_files.data_fault(name, tmp), progress))
        for r in chaos_files.pack_faults(tmp / "packs"):
            r["seconds"] = None
            progress(r)
            rows.append(r)
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started),
        "all_held": all(r["held"] for r in rows),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{table(rows)}\n\n{sum(r['held'] for r in rows)} of {len(rows)} held; {args.out}")
    return 0 if report["all_held"] else 1


def _timed(case, progress) -> dict:
    started = time.monotonic()
    result = case()
    result["seconds"] = round(time.monotonic() - started, 1)
    progress(result)
    return result


if __name__ == "__main__":
    sys.exit(main())
