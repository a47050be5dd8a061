"""axe-core in the browser tests: the accessibility rules run on a live page.

axe-core comes from the npm registry (tests/a11y/package.json, installed by `make test`); it
is injected from that file, never from a CDN. `violations(page)` returns axe's violations of
the given impacts (default: critical and serious) as short lines, so a failing assertion
names the rule, the element and the fix axe suggests.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")


def run(page, context: str | None = None) -> list[dict]:
    """Every axe violation on the page (or within the CSS selector `context`)."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make test` (it installs axe-core from npm)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's CSP (no inline scripts) allows it
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (ctx) => await axe.run(ctx || document, {resultTypes: ['violations']})", context
    )
    return result["violations"]


def violations(page, impacts=BLOCKING, context: str | None = None) -> list[str]:
    """'impact rule: help (selector; how to fix)' for each violation of those impacts."""
    lines = []
    for v in run(page, context):
        if v["impact"] not in impacts:
            continue
        for node in v["nodes"]:
            target = " ".join(map(str, node["target"]))
            fix = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"{v['impact']} {v['id']}: {v['help']} ({target}; {fix})")
    return lines
