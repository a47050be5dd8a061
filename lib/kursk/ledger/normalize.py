"""Models to frames: a ledger that passed every check becomes the typed frames of a Dataset."""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd

from ..paths import display_path
from . import frames
from .claims import group_claims
from .models import Article, Claimant
from .palette import assign
from .read import Ledger
from .values import PartialDate, overlap, worded

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def date_words(d: PartialDate | None) -> str:
    """A partial date for a reader: '3 May 2025', 'May 2025', 'early 2025', '2025', with
    '(approx.)' when it is approximate."""
    if d is None:
        return "date unknown"
    text = d.text.rstrip("~").strip()
    if d.precision == "day":
        shown = f"{d.start.day} {_MONTHS[d.start.month - 1]} {d.start.year}"
    elif d.precision == "month":
        shown = f"{_MONTHS[d.start.month - 1]} {d.start.year}"
    elif d.precision == "part_of_month":
        shown = f"{text.split()[0]} {_MONTHS[d.start.month - 1]} {d.start.year}"
    else:
        shown = text.replace("-", " ", 1) if text[:1].isalpha() else text
    return shown + (" (approx.)" if d.approximate else "")


def source_label(a: Article) -> str:
    """A source by name: 'Yonhap, 3 May 2025' (the title when no outlet is known)."""
    who = a.outlet or a.title
    return f"{who}, {date_words(a.published)}" if a.published else who


def short_names(ids: list[str], short: dict[str, str]) -> str:
    """Several claimants' short names: 'US, S. Korean, Ukrainian intel' when they share a last
    word, else joined with ' + '."""
    names = [short[i] for i in ids]
    last = {n.rsplit(" ", 1)[-1] for n in names}
    if len(names) > 2 and len(last) == 1 and all(" " in n for n in names):
        return ", ".join(n.rsplit(" ", 1)[0] for n in names) + " " + last.pop()
    return " + ".join(names)


def _claimant_columns(figs, claimants: dict[str, Claimant]) -> dict[str, list]:
    short = {cid: c.short_name or c.name for cid, c in claimants.items()}
    ids = [";".join(f.claimant) for f in figs]  # claimant ids hold no ';'
    who = {}
    for key in dict.fromkeys(ids):
        cl = [claimants[c] for c in key.split(";")]
        who[key] = (
            "; ".join(c.name for c in cl),
            short_names([c.id for c in cl], short),
            ";".join(dict.fromkeys(c.kind for c in cl)),
            ";".join(dict.fromkeys(c.country for c in cl if c.country)) or None,
            len(cl),
        )
    rows = [who[k] for k in ids]
    names = ("claimant_name", "claimant_short", "claimant_kind", "claimant_country", "n_claimants")
    return {"claimant": ids, **{n: [r[i] for r in rows] for i, n in enumerate(names)}}


def origins(articles: dict[str, Article]) -> dict[str, str]:
    """Each source's origin: the source it reposts (followed to the first), that source's
    `original` outlet when it names one, else that source itself."""
    out = {}
    for a in articles.values():
        root, seen = a, {a.id}
        while root.reposts and root.reposts in articles and root.reposts not in seen:
            seen.add(root.reposts)
            root = articles[root.reposts]
        out[a.id] = (
            f"outlet: {root.original.casefold()}" if root.original else f"source: {root.id}"
        )
    return out


def origin(fig, article: Article, article_origin: str) -> str:
    """Rule `independent`: where a report comes from. A source that reposts another, or names
    the outlet it reproduces, shares that origin; a report relayed to its source (`via`)
    comes from the last relay; otherwise the source is its own origin. Reports of one claim
    with the same origin count once."""
    if article.reposts or article.original or not fig.via:
        return article_origin
    return f"outlet: {fig.via[-1].casefold()}"


def _assessment_columns(figs) -> dict[str, list]:
    def history(a) -> str | None:
        parts = [f"{p.grade} ({p.on.text}, by {p.by})" for p in a.history]
        return "; ".join(parts) or None

    got = [f.assessment for f in figs]
    return {
        "assessment": [a.grade if a else None for a in got],
        "assessment_reason": [a.reason if a else None for a in got],
        "assessed_by": [a.by if a else None for a in got],
        "assessed_on": [a.on.text if a else None for a in got],
        "assessment_history": [history(a) if a else None for a in got],
        "initial_assessment": [
            (a.history[0].grade if a.history else a.grade) if a else None for a in got
        ],
    }


def _disagreeing(figs) -> set[str]:
    """Figures of one event whose numbers (same metric and subject) cannot all be true."""
    groups = defaultdict(list)
    for f in figs:
        if f.event:
            groups[(f.event, f.metric, f.subject)].append(f)
    out = set()
    for members in groups.values():
        if any(not overlap(a.value, b.value) for a in members for b in members):
            out |= {f.id for f in members}
    return out


def figures_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per figure as reported, in file order (built column by column)."""
    vocab = ledger.vocabulary
    articles = {a.id: a for a in ledger.articles}
    figs, article_ids, shown, lines = [], [], [], []
    for ff in ledger.figure_files:
        figs += [fig for _, fig in ff.figures]
        article_ids += [ff.article] * len(ff.figures)
        shown += [display_path(ff.path)] * len(ff.figures)
        lines += [ff.id_lines.get(fig.id) for _, fig in ff.figures]
    sources = [articles[a] for a in article_ids]
    labels = {a.id: source_label(a) for a in ledger.articles}
    claim_ids = [f.claim or f.id for f in figs]
    article_origin = origins(articles)
    origin_of = [origin(f, s, article_origin[s.id]) for f, s in zip(figs, sources, strict=True)]
    origins_of: dict[str, set] = defaultdict(set)
    for claim_id, o in zip(claim_ids, origin_of, strict=True):
        origins_of[claim_id].add(o)
    articles_of: dict[str, set] = defaultdict(set)
    for claim_id, article_id in zip(claim_ids, article_ids, strict=True):
        articles_of[claim_id].add(article_id)
    metric_of = [vocab.metrics[f.metric] for f in figs]
    units = [f.unit or m.unit for f, m in zip(figs, metric_of, strict=True)]
    values = [f.value for f in figs]
    readings = [vocab.vague[v.vague.lower()] if v.qualifier == "vague" else v for v in values]
    as_of = [f.as_of or s.published for f, s in zip(figs, sources, strict=True)]
    windows = [None if f.scope == "cumulative" else f.scope for f in figs]
    revised_by = {f.revises: f.id for f in figs if f.revises}
    # a revision supersedes the claim it revises: every source's report of that old number
    claim_of = dict(zip((f.id for f in figs), claim_ids, strict=True))
    superseded = {claim_of[old] for old in revised_by}
    disagree = _disagreeing(figs)
    tiers = vocab.confidence
    cols: dict[str, list] = {
        "figure_id": [f.id for f in figs],
        "claim_id": claim_ids,
        "article": article_ids,
        "source": [labels[s.id] for s in sources],
        "source_kind": [s.kind for s in sources],
        "source_url": [s.url or s.archive_url for s in sources],
        **_claimant_columns(figs, {c.id: c for c in ledger.claimants}),
        "via": [" -> ".join(f.via) or None for f in figs],
        "metric": [f.metric for f in figs],
        "metric_label": [m.label for m in metric_of],
        "metric_group": [m.group for m in metric_of],
        "metric_total": [m.total for m in metric_of],
        "unit": units,
        "qualifier": [v.qualifier for v in values],
        "low": [r.low for r in readings],
        "high": [r.high for r in readings],
        "approximate": [v.approximate for v in values],
        "vague": [v.qualifier == "vague" for v in values],
        "worded": list(map(worded, values, units)),
        "as_of": [a.text if a else None for a in as_of],
        "as_of_date": [a.start if a else None for a in as_of],
        "as_of_end": [a.end if a else None for a in as_of],
        "as_of_precision": [a.precision if a else None for a in as_of],
        "as_of_approximate": [a.approximate if a else None for a in as_of],
        "as_of_basis": [
            "stated" if f.as_of else "published" if s.published else "unknown"
            for f, s in zip(figs, sources, strict=True)
        ],
        "scope": ["cumulative" if w is None else "window" for w in windows],
        "window": [w.window if w else None for w in windows],
        "window_days": [w.days if w else None for w in windows],
        "contingent": [f.contingent for f in figs],
        "subject": [f.subject or None for f in figs],
        "part_of": [f.part_of for f in figs],
        "breakdown": [f.breakdown for f in figs],
        "revises": [f.revises for f in figs],
        "revised_by": [revised_by.get(f.id) for f in figs],
        "current": [c not in superseded for c in claim_ids],
        "event": [f.event for f in figs],
        "event_disagrees": [f.id in disagree for f in figs],
        "progress_of": [f.progress_of for f in figs],
        "denominator": [f.denominator for f in figs],
        "share_of": [f.share_of for f in figs],
        "confidence": [f.confidence or None for f in figs],
        "confidence_tier": [
            tiers.get(f.confidence.lower()) if f.confidence else None for f in figs
        ],
        "quote": [f.quote for f in figs],
        "translation": [f.translation or None for f in figs],
        "note": [f.note or None for f in figs],
        **_assessment_columns(figs),
        "origin": origin_of,
        "n_articles": [len(articles_of[c]) for c in claim_ids],
        "n_independent": [len(origins_of[c]) for c in claim_ids],
        "file": shown,
        "line": lines,
    }
    return frames.build(cols, frames.figures_schema(vocab.metrics, vocab.units))


def _date(d: PartialDate | None, end: bool = False):
    return None if d is None else pd.Timestamp(d.end if end else d.start)


def articles_frame(ledger: Ledger, figures: pd.DataFrame) -> pd.DataFrame:
    n_by_article = Counter(figures["article"].tolist())
    return frames.build(
        [
            {
                "article": a.id,
                "kind": a.kind,
                "label": source_label(a),
                "title": a.title,
                "outlet": a.outlet,
                "url": a.url,
                "published": a.published.text if a.published else None,
                "published_date": _date(a.published),
                "published_precision": a.published.precision if a.published else None,
                "published_approximate": a.published.approximate if a.published else None,
                "accessed": a.accessed.text if a.accessed else None,
                "archive_url": a.archive_url,
                "language": a.language,
                "text_held": a.text_held,
                "sha256": a.sha256,
                "no_text": a.no_text,
                "reposts": a.reposts,
                "original": a.original,
                "notes": a.notes or None,
                "n_figures": int(n_by_article.get(a.id, 0)),
            }
            for a in ledger.articles
        ],
        frames.ARTICLES_SCHEMA,
    )


def claimants_frame(ledger: Ledger, figures: pd.DataFrame) -> pd.DataFrame:
    n_by_claimant: Counter = Counter()
    for key, n in Counter(figures["claimant"].tolist()).items():
        for c in key.split(";"):
            n_by_claimant[c] += n
    colours = assign((c.id, c.colour) for c in ledger.claimants)
    return frames.build(
        [
            {
                "claimant": c.id,
                "name": c.name,
                "short_name": c.short_name or c.name,
                "colour": colours[c.id],
                "kind": c.kind,
                "country": c.country,
                "note": c.note or None,
                "n_figures": int(n_by_claimant.get(c.id, 0)),
            }
            for c in ledger.claimants
        ],
        frames.CLAIMANTS_SCHEMA,
    )


def contingents_frame(ledger: Ledger) -> pd.DataFrame:
    return frames.build(
        [
            {
                "contingent": c.id,
                "label": c.label,
                "start": c.start.text,
                "start_date": _date(c.start),
                "part_of": c.part_of,
                "description": c.description or None,
            }
            for c in ledger.contingents
        ],
        frames.CONTINGENTS_SCHEMA,
    )


def events_frame(ledger: Ledger, figures: pd.DataFrame) -> pd.DataFrame:
    n_by_event = Counter(figures["event"].dropna().tolist())
    return frames.build(
        [
            {
                "event": e.id,
                "date": e.date.text,
                "date_start": _date(e.date),
                "date_end": _date(e.date, end=True),
                "label": e.label,
                "kind": e.kind,
                "claimant": e.claimant,
                "source": e.source,
                "url": e.url,
                "note": e.note or None,
                "n_figures": int(n_by_event.get(e.id, 0)),
            }
            for e in ledger.events
        ],
        frames.EVENTS_SCHEMA,
    )


def ignored_frame(ledger: Ledger) -> pd.DataFrame:
    return frames.build(
        [
            {
                "article": ff.article,
                "quote": ign.quote,
                "number": ign.number,
                "reason": ign.reason,
                "figure": ign.figure,
            }
            for ff in ledger.figure_files
            for ign in ff.ignored
        ],
        frames.IGNORED_SCHEMA,
    )


def frames_of(ledger: Ledger) -> dict[str, pd.DataFrame]:
    """Every frame of a Dataset, from a ledger with no issues."""
    figures = figures_frame(ledger)
    return {
        "articles": articles_frame(ledger, figures),
        "claimants": claimants_frame(ledger, figures),
        "contingents": contingents_frame(ledger),
        "events": events_frame(ledger, figures),
        "figures": figures,
        "claims": group_claims(figures),
        "ignored": ignored_frame(ledger),
    }
