"""Claimant colours: given in claimants.yaml, or assigned here, distinct and legible on white.

Every output (charts, dashboard, briefing) takes a claimant's colour from the claimants
frame, so that one claimant has one colour everywhere. A colour must reach 3:1 contrast on
white (WCAG's minimum for graphics). Claimants without a colour of their own get the first
free colour of PALETTE from a place their id picks (so that a new claimant seldom shifts
the others' colours), and beyond the palette, colours spread around the hue circle.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Iterable

MIN_CONTRAST = 3.0
# Colour-blind-minded (Okabe-Ito, Paul Tol), each at least 3:1 on white, hues far apart.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#997700", "#332288", "#882255", "#117733",
    "#AA4499", "#009988", "#8C564B", "#EE3377", "#666633", "#4477AA", "#2F4F4F", "#C44E52",
)  # fmt: skip


def luminance(colour: str) -> float:
    """WCAG relative luminance of #RRGGBB."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_on_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def _generated(i: int) -> str:
    """The i-th colour beyond the palette: golden-angle hues, darkened until legible."""
    hue = (i * 0.381966) % 1.0
    lightness, saturation = (0.38, 0.65) if i % 2 else (0.30, 0.55)
    while True:
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        colour = "#" + "".join(f"{round(c * 255):02X}" for c in (r, g, b))
        if contrast_on_white(colour) >= MIN_CONTRAST or lightness < 0.1:
            return colour
        lightness -= 0.04


def assign(claimants: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Claimant id -> colour, for (id, own colour or None) pairs; deterministic."""
    pairs = list(claimants)
    out = {cid: own.upper() for cid, own in pairs if own}
    taken = set(out.values())
    extra = 0
    for cid, _ in sorted(p for p in pairs if not p[1]):
        start = int(hashlib.sha256(cid.encode()).hexdigest(), 16) % len(PALETTE)
        free = [c for c in PALETTE[start:] + PALETTE[:start] if c not in taken]
        if free:
            colour = free[0]
        else:
            colour = _generated(extra)
            while colour in taken:
                extra += 1
                colour = _generated(extra)
            extra += 1
        out[cid] = colour
        taken.add(colour)
    return out
