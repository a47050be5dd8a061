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
from ..publish import report
from ..publish.since import changes_since, marked, previous_briefing, recorded
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
    data_version: dict
    filter: dict
    formats: list[str]
    created: str
    versions: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    image_error: str | None = None
    since_briefing: dict | None = None  # the previous briefing compared, and what changed

    def as_dict(self) -> dict:
        return asdict(self)


def stamp(fig, provenance: str) -> None:
    """Add what an image was built from, and when, to its source lines (the filter is there
    already when the data was filtered)."""
    for note in fig.layout.annotations:
        if note.name == "source":
            note.text = f"{note.text}<br>{provenance}"
            fig.layout.margin.b = (fig.layout.margin.b or 0) + 13


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
    since_briefing=None,
) -> Manifest:
    """Write the briefing pack for `data` (filtered by claimants/since) into out_dir.

    since_briefing: a previous briefing's folder or manifest.json; the pack then says what
    changed since it ("What changed" in briefing.md and index.html, marks in hover and table).
    Raises publish.sides.SideError, before writing anything, when it cannot be read.

    The pack is built in a folder beside out_dir and replaces it whole once complete; a run
    that fails or is interrupted leaves the previous pack as it was. Raises ChromiumError
    when the images could not be drawn (no Chromium, or one that fails or hangs): the pack
    then holds the text files, and its manifest says so. Raises folder.PackError when out_dir
    cannot take a pack (another run writing into it, or other files in it).
    """
    # read first: the new pack is often written over the previous one
    previous = previous_briefing(since_briefing) if since_briefing is not None else None
    out = Path(out_dir) if out_dir is not None else BUILD_DIR / "briefing"
    formats = [f for f in formats if f]
    filt = {
        "claimants": sorted(claimants) if claimants else None,
        "since": str(since) if since else None,
    }
    shown = data.filter(claimants=list(claimants) if claimants else None, since=since)
    changes = changes_since(previous, shown, filt) if previous is not None else None
    if changes is not None:
        shown = marked(shown, changes)
    figs = build_all(shown)
    built = dt.datetime.now(dt.UTC).date().isoformat()
    provenance = f"Built {built} · {data.version.label} · Kursk Figures"
    for name, fig in figs.items():
        # plotly names each trace's SVG group after a random uid unless one is set
        for i, trace in enumerate(fig.data):
            trace.uid = f"{name}-{i}"
        stamp(fig, provenance)
    lines = headline(shown).lines()
    step = progress_step or progress(len(figs) * len(formats) + len(TEXT_FILES))
    what_changed = ("", "")  # the "What changed" section: markdown, HTML
    if changes is not None:
        title = "What changed since the last briefing"
        what_changed = (report.markdown(changes, title), report.html_section(changes, title))
    texts = {
        "index.html": lambda: page(shown, figs, lines, provenance, what_changed[1]),
        "figures.csv": lambda: export_text(shown, "csv"),
        # written after the images: it links only those that exist
        "briefing.md": lambda drawn: markdown(shown, figs, lines, drawn, filt, what_changed[0]),
    }
    manifest = Manifest(
        data_fingerprint=data.fingerprint,
        data_version=data.version.as_dict(),
        filter=filt,
        formats=list(formats),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        versions=_versions(),
        since_briefing=recorded(since_briefing, changes) if changes is not None else None,
    )
    try:
        _write(out, manifest, figs, texts, step)
    except OSError as exc:  # said of the pack's folder, not of the hidden one it was built in
        raise OSError(exc.errno, exc.strerror, str(out)) from exc
    if manifest.image_error:
        raise ChromiumError(manifest.image_error)
    return manifest


def _write(out: Path, manifest: Manifest, figs, texts: dict, step) -> None:
    """Write the pack into a folder beside out and swap it in; completes the manifest."""
    with PackFolder(out) as pack:
        written = []

        def text(name: str, content: str) -> None:
            (pack.staging / name).write_text(content, encoding="utf-8")
            written.append(pack.staging / name)
            step(name)

        text("index.html", texts["index.html"]())
        text("figures.csv", texts["figures.csv"]())
        if manifest.formats:
            try:
                written += write_images(
                    figs, pack.staging, manifest.formats, WIDTH, HEIGHT, SCALE, step
                )
            except ChromiumError as exc:
                manifest.image_error, manifest.formats = str(exc), []
                for image in set(pack.staging.iterdir()) - set(written):
                    image.unlink()  # no half set of images
        text("briefing.md", texts["briefing.md"](manifest.formats))
        manifest.files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}
        (pack.staging / "manifest.json").write_text(
            json.dumps(manifest.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        pack.commit()
