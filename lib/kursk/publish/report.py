"""A changelog (publish.diff) written out: text for the terminal, markdown, HTML for the
briefing's page, and JSON; each grouped by source, then by claim."""

from __future__ import annotations

import html
import json

from .diff import KINDS, Changelog, FigureChange

ARROW = "→"


def _short(value: str, width: int = 70) -> str:
    value = value.replace("\n", " ")
    return "(none)" if value == "" else value if len(value) <= width else value[: width - 1] + "…"


def what(row: dict) -> str:
    """'UK intelligence: killed or wounded, sappers: about 6,000 (as of 2025-06~)'."""
    metric = row.get("metric_label") or row.get("metric", "")
    if row.get("subject"):
        metric += f", {row['subject']}"
    when = f" (as of {row['as_of_written']})" if row.get("as_of_written") else ""
    return f"{row.get('claimant_name') or row.get('claimant', '')}: {metric}: {row.get('worded', '')}{when}"


def details(change: FigureChange) -> list[str]:
    """The change in words: one phrase per thing that changed."""
    if change.status in ("added", "removed"):
        return [what(change.row)]
    if change.status == "revised":
        was = change.replaces
        before = f"{was.get('worded', '')} ({was.get('figure_id', '')})" if was else "?"
        return [f"{what(change.new)}; replaces {before}"]
    # phrases in the order of the change's kinds (value, qualifier, claimant, source, ...)
    old, new, out = change.old, change.new, []
    shown = set()
    if set(change.fields) & {"low", "high", "qualifier", "worded"}:
        out.append(f"{old.get('worded', '')} {ARROW} {new.get('worded', '')}")
        if "qualifier" in change.fields:
            out[-1] += f" (worded {old['qualifier']} {ARROW} {new['qualifier']})"
        shown |= {"low", "high", "qualifier", "worded"}
    if set(change.fields) & {"claimant", "via"}:
        out.append(f"{_who(old)} {ARROW} {_who(new)}")
        shown |= {"claimant", "via"}
    if "article" in change.fields:
        out.append(
            f"{old.get('source') or old['article']} {ARROW} {new.get('source') or new['article']}"
        )
        shown.add("article")
    for name, (a, b) in change.fields.items():
        if name not in shown:
            out.append(f"{name}: {_short(a)} {ARROW} {_short(b)}")
    return out


def _who(row: dict) -> str:
    """'South Korean intelligence (via Express & Star)'."""
    via = f" (via {row['via']})" if row.get("via") else ""
    return f"{row.get('claimant_name') or row.get('claimant', '')}{via}"


def summary(log: Changelog) -> str:
    """'5 figures changed: 1 added, 1 removed, 2 value changed' (or 'no changes')."""
    counts = log.counts()
    n = len(log.figures)
    if not log:
        return "no changes in the figures"
    head = f"{n} figure{'s' if n != 1 else ''} changed" if n else "no figure changed"
    parts = [f"{count} {KINDS[kind]}" for kind, count in counts.items()]
    extra = []
    if log.sources:
        extra.append(f"{len(log.sources)} source(s) with changed details")
    if log.claimants:
        extra.append(f"{len(log.claimants)} claimant(s) renamed")
    return (
        head
        + (": " + ", ".join(parts) if parts else "")
        + ("; " + "; ".join(extra) if extra else "")
    )


def _notes(log: Changelog) -> list[str]:
    out = []
    if log.only_old:
        out.append(f"Columns only the old side has, not compared: {', '.join(log.only_old)}.")
    if log.only_new:
        out.append(f"Columns only the new side has, not compared: {', '.join(log.only_new)}.")
    if _filter(log.old.filter) != _filter(log.new.filter):
        out.append(
            f"The two sides show different selections (old: {_filter(log.old.filter)}; new: "
            f"{_filter(log.new.filter)}): figures outside one of them count as added or removed."
        )
    return out


def _filter(filt: dict | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (filt or {}).items() if v) or "all figures"


def _source_line(log: Changelog, article: str) -> str | None:
    moved = log.sources.get(article)
    if not moved:
        return None
    return "source details changed: " + "; ".join(
        f"{name} {_short(a)} {ARROW} {_short(b)}" for name, (a, b) in moved.items()
    )


MARKERS = {"added": "+", "revised": "+", "removed": "-", "changed": "~"}


def headed(claim: str, changes: list[FigureChange]) -> bool:
    """A claim gets its own heading unless it is one figure's own (its id is the figure's)."""
    return not (len(changes) == 1 and changes[0].figure_id == claim)


def text(log: Changelog) -> str:
    """For the terminal: one line per figure, indented under its source and claim."""
    out = [f"kursk diff: {log.old.describe()} {ARROW} {log.new.describe()}", summary(log)]
    out += _notes(log)
    for article, claims in log.groups().items():
        out += ["", f"{log.source_name(article)} [{article}]"]
        line = _source_line(log, article)
        if line:
            out.append(f"  {line}")
        for claim, changes in claims.items():
            indent = "    " if headed(claim, changes) else "  "
            if headed(claim, changes):
                out.append(f"  claim {claim}")
            for c in changes:
                kinds = ", ".join(KINDS[k] for k in c.kinds)
                out.append(
                    f"{indent}{MARKERS[c.status]} {c.figure_id}  {kinds}: {'; '.join(details(c))}"
                )
    if log.claimants:
        out += ["", "claimants renamed"]
        out += [f"  {c}: {a} {ARROW} {b}" for c, (a, b) in log.claimants.items()]
    return "\n".join(out) + "\n"


def markdown(log: Changelog, title: str = "What changed", level: int = 2) -> str:
    """A markdown section (heading at `level`), for briefing.md or a changelog file."""
    h = "#" * level
    out = [
        f"{h} {title}",
        "",
        f"From {log.old.describe()} to {log.new.describe()}: {summary(log)}.",
    ]
    out += ["", *[f"_{note}_" for note in _notes(log)]] if _notes(log) else []
    for article, claims in log.groups().items():
        out += ["", f"{h}# {log.source_name(article)}", ""]
        line = _source_line(log, article)
        if line:
            out += [line[0].upper() + line[1:], ""]
        for claim, changes in claims.items():
            indent = "  " if headed(claim, changes) else ""
            if headed(claim, changes):
                out.append(f"- Claim `{claim}`")
            for c in changes:
                kinds = ", ".join(KINDS[k] for k in c.kinds)
                out.append(
                    f"{indent}- **{kinds.capitalize()}** `{c.figure_id}`: {'; '.join(details(c))}"
                )
    if log.claimants:
        out += ["", f"{h}# Claimants renamed", ""]
        out += [f"- `{c}`: {a} {ARROW} {b}" for c, (a, b) in log.claimants.items()]
    return "\n".join(out) + "\n"


def html_section(log: Changelog, title: str = "What changed since the last briefing") -> str:
    """The same as markdown, as an HTML section for the briefing's page."""
    e = html.escape
    out = [
        f"<section class='changes' aria-label='{e(title, quote=True)}'><h2>{e(title)}</h2>",
        f"<p class='meta'>From {e(log.old.describe())} to {e(log.new.describe())}: "
        f"{e(summary(log))}.</p>",
        *[f"<p class='meta'>{e(note)}</p>" for note in _notes(log)],
    ]
    for article, claims in log.groups().items():
        out.append(f"<h3>{e(log.source_name(article))}</h3>")
        line = _source_line(log, article)
        if line:
            out.append(f"<p>{e(line[0].upper() + line[1:])}</p>")
        out.append("<ul>")
        for claim, changes in claims.items():
            items = "".join(
                f"<li><strong>{e(', '.join(KINDS[k] for k in c.kinds).capitalize())}</strong> "
                f"<code>{e(c.figure_id)}</code>: {e('; '.join(details(c)))}</li>"
                for c in changes
            )
            if headed(claim, changes):
                items = f"<li>Claim <code>{e(claim)}</code><ul>{items}</ul></li>"
            out.append(items)
        out.append("</ul>")
    if log.claimants:
        items = "".join(
            f"<li><code>{e(c)}</code>: {e(a)} {ARROW} {e(b)}</li>"
            for c, (a, b) in log.claimants.items()
        )
        out.append(f"<h3>Claimants renamed</h3><ul>{items}</ul>")
    return "".join(out) + "</section>"


def as_json(log: Changelog) -> str:
    """The changelog as JSON: both versions, counts, and changes grouped by source and claim."""
    sources = []
    for article, claims in log.groups().items():
        sources.append(
            {
                "article": article,
                "source": log.source_name(article),
                "details": {
                    k: {"old": a, "new": b} for k, (a, b) in log.sources.get(article, {}).items()
                },
                "claims": [
                    {"claim_id": claim, "figures": [c.as_dict() for c in changes]}
                    for claim, changes in claims.items()
                ],
            }
        )
    doc = {
        "old": {
            "name": log.old.name,
            "kind": log.old.kind,
            "version": log.old.version,
            "filter": log.old.filter,
        },
        "new": {
            "name": log.new.name,
            "kind": log.new.kind,
            "version": log.new.version,
            "filter": log.new.filter,
        },
        "changed": bool(log),
        "counts": log.counts(),
        "summary": summary(log),
        "sources": sources,
        "claimants": {c: {"old": a, "new": b} for c, (a, b) in log.claimants.items()},
        "columns_only_old": log.only_old,
        "columns_only_new": log.only_new,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
