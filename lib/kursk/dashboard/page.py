"""The page's own HTML: the header and the plain-language error box (CSS in dashboard.css)."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from ..ledger import DataError

HERE = Path(__file__).parent


@cache
def asset(name: str) -> str:
    """A CSS or JavaScript file of this folder, as text."""
    return (HERE / name).read_text(encoding="utf-8")


def style() -> str:
    return f"<style>{asset('dashboard.css')}</style>"


def header_html() -> str:
    return (
        "<h1>Kursk Figures</h1><p class='sub'>North Korea's deployment to Russia's "
        "Kursk region: every number with who said it, when, and where it was reported.</p>"
    )


def error_html(error: DataError | None, limit: int = 20) -> str:
    """What a reader sees when the data has problems: each in words, with file, line and fix."""
    issues = error.issues if error else []
    items = "".join(f"<li>{html.escape(i.sentence())}</li>" for i in issues[:limit])
    more = len(issues) - limit
    return (
        style() + "<div class='kursk-error'><b>The figures data has problems, so the dashboard "
        "cannot show charts yet.</b><p>Whoever maintains the data can fix these and reload "
        f"this page:</p><ul>{items}</ul>"
        + (f"<p>…and {more} more.</p>" if more > 0 else "")
        + "</div>"
    )
