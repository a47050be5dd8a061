"""briefing.md: the headline and, for each chart, its images, files and sources."""

from __future__ import annotations

from ..charts import TITLES


def markdown(figs: dict, lines: list[str], formats, filt: dict) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in filt.items() if v) or "none (all figures)"
    out = ["# Kursk Figures briefing", "", f"Filter: {shown}", "", "## Headline", ""]
    out += [f"- {s}" for s in lines]
    for name, fig in figs.items():
        meta = fig.layout.meta or {}
        out += ["", f"## {TITLES.get(name, name)}", ""]
        if "png" in formats:
            out += [f"![{TITLES.get(name, name)}]({name}.png)", ""]
        links = [f"[{f.upper()}]({name}.{f})" for f in formats]
        if links:
            out += ["Files: " + " · ".join(links), ""]
        out.append("Claimants: " + (", ".join(meta.get("claimants", [])) or "none"))
        out.append("")
        out.append("Articles: " + (", ".join(meta.get("articles", [])) or "none"))
    return "\n".join(out) + "\n"
