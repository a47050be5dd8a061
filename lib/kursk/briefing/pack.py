"""The briefing pack: every chart as PNG/SVG/PDF, an offline page, markdown, CSV, manifest.

How it is written (folder.py): beside the target, swapped in whole when complete, one run at
a time; the manifest lists exactly the files of that run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from ..analysis.facts import headline
from ..charts import build_all
from ..chromium import ChromiumError
from ..ledger import Dataset, export_text
from ..paths import BUILD_DIR
from .folder import PackFolder
from .images import write_images
from .markdown import markdown
from .page import HEIGHT, WIDTH, page

SCALE = 2
FORMATS = ("png", "svg", "pdf")
TEXT_FILES = ("index.html", "briefing.md", "figures.csv")
VERSIONED = ("kursk", "plotly", "kaleido", "pandas")


@dataclass
class Manifest:
    """What a briefing was built from and what it wrote (sha256 per file)."""

    data_fingerprint: str
    filter: dict
    formats: list[str]
    created: str
    versions: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    image_error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _versions() -> dict[str, str]:
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def progress(total: int):
    """A callable(label) that reports each step: tqdm on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="file", file=sys.stderr)

        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)
            if bar.n >= total:
                bar.close()

        return step
    count = [0]

    def step(label: str) -> None:
        count[0] += 1
        print(f"[{count[0]}/{total}] {label}", file=sys.stderr, flush=True)

    return step


def build_briefing(
    data: Dataset,
    out_dir=None,
    formats=FORMATS,
    claimants=None,
    since=None,
    progress_step=None,
) -> Manifest:
    """Write the briefing pack for `data` (filtered by claimants/since) into out_dir.

    The pack is built in a folder beside out_dir and replaces it whole once complete; a run
    that fails or is interrupted leaves the previous pack as it was. Raises ChromiumError
    when the images could not be drawn (no Chromium, or one that fails or hangs): the pack
    then holds the text files, and its manifest says so. Raises folder.PackError when out_dir
    cannot take a pack (another run writing into it, or other files in it).
    """
    out = Path(out_dir) if out_dir is not None else BUILD_DIR / "briefing"
    formats = [f for f in formats if f]
    filt = {
        "claimants": sorted(claimants) if claimants else None,
        "since": str(since) if since else None,
    }
    shown = data.filter(claimants=list(claimants) if claimants else None, since=since)
    figs = build_all(shown)
    for name, fig in figs.items():
        # plotly names each trace's SVG group after a random uid unless one is set
        for i, trace in enumerate(fig.data):
            trace.uid = f"{name}-{i}"
    lines = headline(shown).lines()
    step = progress_step or progress(len(figs) * len(formats) + len(TEXT_FILES))
    fingerprint = data.fingerprint
    try:
        manifest, error = _write(out, figs, formats, lines, shown, filt, fingerprint, step)
    except OSError as exc:  # said of the pack's folder, not of the hidden one it was built in
        raise OSError(exc.errno, exc.strerror, str(out)) from exc
    if error:
        raise ChromiumError(error)
    return manifest


def _write(out: Path, figs, formats, lines, shown, filt, fingerprint, step):
    """Write the pack into a folder beside out and swap it in; returns (manifest, error)."""
    with PackFolder(out) as pack:
        written, error = [], None

        def text(name: str, content: str) -> None:
            (pack.staging / name).write_text(content, encoding="utf-8")
            written.append(pack.staging / name)
            step(name)

        text("index.html", page(figs, lines, shown.export(), filt))
        text("figures.csv", export_text(shown, "csv"))
        if formats:
            try:
                written += write_images(figs, pack.staging, formats, WIDTH, HEIGHT, SCALE, step)
            except ChromiumError as exc:
                error = str(exc)
                for image in {p for p in pack.staging.iterdir()} - set(written):
                    image.unlink()  # no half set of images
        drawn = [] if error else list(formats)
        text("briefing.md", markdown(figs, lines, drawn, filt))  # links only what exists
        manifest = Manifest(
            data_fingerprint=fingerprint,
            filter=filt,
            formats=drawn,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            versions=_versions(),
            files={p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written},
            image_error=error,
        )
        (pack.staging / "manifest.json").write_text(
            json.dumps(manifest.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        pack.commit()
    return manifest, error
