"""Charts as PNG, SVG and PDF through one Chromium for a whole batch (kaleido's sync server).

The briefing and the dashboard's snapshots both draw through `ImageSession`: plotly.js is the
cartesian bundle the dashboard serves (never a CDN) and MathJax is off.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from ..chromium import find_chromium
from ..paths import PLOTLY_JS


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

    text = fig.layout.title.text if hasattr(fig, "layout") else fig["layout"]["title"]["text"]
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


def write_images(figs: dict, out_dir: Path, formats, width: int, height: int, scale: float, step):
    """Every figure in every format through one Chromium; returns the paths written."""
    written = []
    with ImageSession() as images:
        for fmt in formats:
            for name, fig in figs.items():
                path = out_dir / f"{name}.{fmt}"
                title = title_of(fig)
                path.write_bytes(images.draw(fig, fmt, width, height, scale, title=title))
                written.append(path)
                step(path.name)
    return written
