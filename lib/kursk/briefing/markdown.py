"""briefing.md: the headline, each chart with its images and sources, and every figure shown
with every recorded field, sources by name."""

from __future__ import annotations

from ..analysis.wording import figure_lines
from ..charts import TITLES
from ..ledger import Dataset


def _names(data: Dataset, meta: dict) -> tuple[str, str]:
    """The claimants and sources a chart shows, by name."""
    claimants = data.claimants.set_index("claimant")["name"]
    sources = data.articles.set_index("article")["label"]
    who = [str(claimants.get(c, c)) for c in meta.get("claimants", [])]
    where = [str(sources.get(a, a)) for a in meta.get("articles", [])]
    return ", ".join(who) or "none", "; ".join(where) or "none"


def claimant_records(data: Dataset) -> list[str]:
    """Each claimant's figures by metric in time order, revisions marked, sources named."""
    out = []
    counts = data.figures["claimant"].str.split(";").explode().value_counts()
    for claimant in counts.index:
        record = data.claimant(claimant)
        out.append(f"**{data.short_name(claimant)}** ({len(record)} figures)")
        for metric, rows in record.groupby("metric", sort=False):
            steps = []
            for r in rows.itertuples():
                when = r.as_of if isinstance(r.as_of, str) else "undated"
                note = "" if r.current else " (revised)"
                steps.append(f"{r.worded}{note}, as of {when} ({r.source})")
            out.append(f"- {data.vocabulary.metrics[metric].label}: " + " → ".join(steps))
        out.append("")
    return out


def markdown(
    data: Dataset, figs: dict, lines: list[str], formats, filt: dict, changes: str = ""
) -> str:
    """changes: a "What changed" section (publish.report.markdown), after the headline."""
    shown = data.selection or "none (all figures)"
    out = ["# Kursk Figures briefing", "", f"Filter: {shown}", ""]
    out += [f"Data version: {data.version.label}", "", "## Headline", ""]
    out += [f"- {s}" for s in lines]
    if changes:
        out += ["", changes.rstrip("\n")]
    for name, fig in figs.items():
        title = TITLES.get(name, name)
        out += ["", f"## {title}", ""]
        if "png" in formats:
            out += [f"![{title}]({name}.png)", ""]
        links = [f"[{f.upper()}]({name}.{f})" for f in formats]
        if links:
            out += ["Files: " + " · ".join(links), ""]
        who, where = _names(data, fig.layout.meta or {})
        out += [f"Claimants: {who}", "", f"Sources: {where}"]
    out += ["", "## Each claimant's record", ""]
    out += claimant_records(data)
    out += ["", "## The figures and their sources", ""]
    cites = data.export()["cite"]
    for row, cite in zip(data.figures.itertuples(), cites, strict=True):
        first, *rest = figure_lines(row)
        out.append(f"- **{first}**: " + " · ".join([*rest, f"Cite: {cite}"]))
    return "\n".join(out) + "\n"
