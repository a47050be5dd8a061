"""The briefing pack: charts as images, an offline page, markdown, CSV and a manifest."""

from .pack import FORMATS, Manifest, build_briefing

__all__ = ["FORMATS", "Manifest", "build_briefing"]
