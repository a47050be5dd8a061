"""Charts as PNG, SVG and PDF through one Chromium for a whole batch (kaleido's sync server).

The briefing and the dashboard's snapshots both draw through `ImageSession`: plotly.js is the
cartesian bundle the dashboard serves (never a CDN) and MathJax is off.

The briefing draws in a child process (`python -m kursk.briefing.images`, the job on stdin,
one line per file written on stdout), which is killed with its Chromium when a file takes
longer than the timeout: kaleido waits forever for a Chromium that exits at once or never
answers, and prints its traceback from a thread, so in-process it could neither time out nor
stay quiet.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from ..chromium import ChromiumError, find_chromium, kill_tree
from ..paths import PLOTLY_JS

# Seconds for Chromium to start and draw the first file, and for each file after it.
# KURSK_IMAGE_TIMEOUT overrides both (tests use a short one).
START_TIMEOUT, FILE_TIMEOUT = 90.0, 60.0


class ImageSession:
    """One kaleido/Chromium session: `with ImageSession() as images: images.draw(fig, ...)`."""

    def __enter__(self) -> ImageSession:
        import kaleido
        import plotly.io as pio

        os.environ["BROWSER_PATH"] = str(find_chromium())  # raises ChromiumNotFound, with a hint
        pio.defaults.mathjax = None
        # mathjax=False: kaleido's page would otherwise ask a CDN for MathJax
        kaleido.start_sync_server(mathjax=False, plotlyjs=str(PLOTLY_JS), silence_warnings=True)
        return self

    def __exit__(self, *exc) -> None:
        import kaleido

        kaleido.stop_sync_server(silence_warnings=True)

    def draw(
        self, fig, fmt: str, width: int, height: int, scale: float = 1, title: str = ""
    ) -> bytes:
        """The figure as image bytes in fmt (png, svg or pdf; a PDF's title metadata set)."""
        import plotly.io as pio

        with warnings.catch_warnings():  # plotly's "kopts ignored with a server": intended
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            data = pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)
        if fmt == "svg":
            return normalise_svg(data.decode("utf-8")).encode("utf-8")
        if fmt == "pdf":
            return normalise_pdf(retitle_pdf(data, title) if title else data)
        return data


def title_of(fig) -> str:
    """A chart's title as plain text (its bold lines)."""
    import html

    if hasattr(fig, "layout"):
        text = fig.layout.title.text
    else:  # the figure as JSON, as the image process gets it
        title = (fig.get("layout") or {}).get("title") or {}
        text = title.get("text") if isinstance(title, dict) else title
    return html.unescape(" ".join(re.findall(r"<b>(.*?)</b>", text or ""))) or "Kursk Figures"


def normalise_svg(text: str) -> str:
    """Replace plotly's random per-render ids (clip paths, gradients) with stable ones."""
    ids: dict[str, str] = {}
    for match in re.finditer(r'id="([^"]*?[0-9a-f]{6,}[^"]*)"', text):
        ids.setdefault(match.group(1), f"k{len(ids)}")
    for old, new in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text


_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")


def retitle_pdf(data: bytes, title: str) -> bytes:
    """The PDF with its title metadata set (Chromium's printer calls every page 'Kaleido-fier')."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    pinned = (
        "D:20000101000000+00'00'"  # as normalise_pdf pins them: a rebuild gives the same bytes
    )
    writer.add_metadata({"/Title": title, "/CreationDate": pinned, "/ModDate": pinned})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def normalise_pdf(data: bytes) -> bytes:
    """Pin Chromium's embedded creation/modification dates so a rebuild gives the same bytes."""
    return _PDF_DATES.sub(lambda m: b"/" + m.group(1) + b" (D:20000101000000+00'00')", data)


def write_images(
    figs: dict,
    out_dir: Path,
    formats,
    width: int,
    height: int,
    scale: float,
    step,
    timeout: float | None = None,
) -> list[Path]:
    """Every figure in every format through one Chromium (in a child process); returns the
    paths written. Raises ChromiumError when Chromium is missing, fails or does not answer
    within the timeout, and OSError (disk full, permissions) when a file cannot be written."""
    find_chromium()  # a missing Chromium is said at once, with the install hint
    import plotly.io as pio

    job = {
        "out": str(out_dir),
        "formats": list(formats),
        "size": [width, height, scale],
        "figures": {n: json.loads(pio.to_json(f, remove_uids=False)) for n, f in figs.items()},
    }
    limit = float(os.environ.get("KURSK_IMAGE_TIMEOUT") or 0) or None
    first, each = (timeout or limit or START_TIMEOUT), (timeout or limit or FILE_TIMEOUT)
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", "kursk.briefing.images"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,  # Ctrl-C reaches the parent, which cleans up
        )
        try:
            child.stdin.write(json.dumps(job).encode())
            child.stdin.close()
            return _follow(child, out_dir, step, first, each, errors)
        finally:
            kill_tree(child.pid)  # done or not: nothing of it may outlive the run
            child.wait()


def _follow(child, out_dir: Path, step, first: float, each: float, errors) -> list[Path]:
    """Read the child's reports until it is done; kill it when one takes too long."""
    written, buffer = [], b""
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + first
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not selector.select(left):
            what = "start and draw the first image" if not written else "draw the next image"
            raise ChromiumError(
                f"Chromium did not {what} within {first if not written else each:.0f} s "
                "(a broken or hanging browser; check BROWSER_PATH or `make chromium`)"
            )
        chunk = os.read(child.stdout.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            report = json.loads(line)
            if "wrote" in report:
                path = out_dir / report["wrote"]
                written.append(path)
                step(path.name)
                deadline = time.monotonic() + each
            elif "oserror" in report:
                raise OSError(report["oserror"], report["strerror"], report.get("filename"))
            elif "error" in report:
                raise ChromiumError(f"Chromium could not draw: {report['error']}")
    if child.wait() != 0:
        raise ChromiumError(
            f"the image process ended with code {child.returncode}: {_tail(errors)}"
        )
    return written


def _tail(errors) -> str:
    """The last line of the child's error output that names an error, cut short."""
    errors.seek(0)
    lines = [ln for ln in errors.read().decode(errors="replace").splitlines() if "Error" in ln]
    return (lines[-1].strip() if lines else "no message")[:200]


def _draw_job(job: dict) -> None:
    """The child's work: draw each figure in each format and write it, one report per file."""
    out = Path(job["out"])
    width, height, scale = job["size"]
    with ImageSession() as images:
        for fmt in job["formats"]:
            for name, fig in job["figures"].items():
                path = out / f"{name}.{fmt}"
                title = title_of(fig)
                path.write_bytes(images.draw(fig, fmt, width, height, scale, title=title))
                print(json.dumps({"wrote": path.name}), flush=True)


def main() -> int:
    """`python -m kursk.briefing.images`: draw the job read from stdin (write_images' child)."""
    try:
        _draw_job(json.load(sys.stdin))
    except OSError as exc:
        report = {"oserror": exc.errno, "strerror": exc.strerror, "filename": exc.filename}
        print(json.dumps(report, default=str), flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - reported to the parent in one line
        print(json.dumps({"error": f"{exc.__class__.__name__}: {exc}"[:300]}), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
