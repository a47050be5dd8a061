"""Models to frames: a ledger that passed every check becomes the typed frames of a Dataset."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..paths import display_path
from . import frames
from .claims import group_claims
from .read import Ledger
from .values import PartialDate, worded


def precision(d: PartialDate | None) -> str | None:
    if d is None:
        return None
    return "approximate" if d.approximate else d.precision


def figures_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per figure as reported, in file order (built column by column)."""
    vocab = ledger.vocabulary
    articles = {a.id: a for a in ledger.articles}
    claimants = {c.id: c for c in ledger.claimants}
    figs, article_ids, published, shown, lines = [], [], [], [], []
    for ff in ledger.figure_files:
        n = len(ff.figures)
        figs += [fig for _, fig in ff.figures]
        article_ids += [ff.article] * n
        published += [articles[ff.article].published] * n
        shown += [display_path(ff.path)] * n
        lines += [ff.id_lines.get(fig.id) for _, fig in ff.figures]
    claim_ids = [f.claim or f.id for f in figs]
    articles_of: dict[str, set] = {}
    for claim_id, article_id in zip(claim_ids, article_ids, strict=True):
        articles_of.setdefault(claim_id, set()).add(article_id)
    who_ids = [";".join(f.claimant) for f in figs]  # claimant ids hold no ';'
    who = {}
    for key in dict.fromkeys(who_ids):
        cl = [claimants[c] for c in key.split(";")]
        who[key] = (
            "; ".join(c.name for c in cl),
            ";".join(dict.fromkeys(c.kind for c in cl)),
            ";".join(dict.fromkeys(c.country for c in cl if c.country)) or None,
            len(cl),
        )
    who_rows = [who[k] for k in who_ids]
    metric_of = [vocab.metrics[f.metric] for f in figs]
    units = [f.unit or m.unit for f, m in zip(figs, metric_of, strict=True)]
    values = [f.value for f in figs]
    readings = [vocab.vague[v.vague.lower()] if v.qualifier == "vague" else v for v in values]
    as_of = [f.as_of or date for f, date in zip(figs, published, strict=True)]
    windows = [f.scope.window if f.scope != "cumulative" else None for f in figs]
    tiers = vocab.confidence
    cols: dict[str, list] = {
        "figure_id": [f.id for f in figs],
        "claim_id": claim_ids,
        "article": article_ids,
        "claimant": who_ids,
        "claimant_name": [w[0] for w in who_rows],
        "claimant_kind": [w[1] for w in who_rows],
        "claimant_country": [w[2] for w in who_rows],
        "n_claimants": [w[3] for w in who_rows],
        "metric": [f.metric for f in figs],
        "metric_label": [m.label for m in metric_of],
        "metric_group": [m.group for m in metric_of],
        "unit": units,
        "qualifier": [v.qualifier for v in values],
        "low": [r.low for r in readings],
        "high": [r.high for r in readings],
        "approximate": [v.approximate for v in values],
        "vague": [v.qualifier == "vague" for v in values],
        "worded": list(map(worded, values, units)),
        "as_of": [a.text if a else None for a in as_of],
        "as_of_date": [a.start if a else None for a in as_of],
        "as_of_precision": list(map(precision, as_of)),
        "as_of_basis": [
            "stated" if f.as_of else "published" if date else "unknown"
            for f, date in zip(figs, published, strict=True)
        ],
        "scope": ["cumulative" if w is None else "window" for w in windows],
        "window": windows,
        "contingent": [f.contingent for f in figs],
        "subject": [f.subject or None for f in figs],
        "part_of": [f.part_of for f in figs],
        "share_of": [f.share_of for f in figs],
        "via": [" -> ".join(f.via) or None for f in figs],
        "confidence": [f.confidence or None for f in figs],
        "confidence_tier": [
            tiers.get(f.confidence.lower()) if f.confidence else None for f in figs
        ],
        "quote": [f.quote for f in figs],
        "note": [f.note or None for f in figs],
        "n_articles": [len(articles_of[c]) for c in claim_ids],
        "file": shown,
        "line": lines,
    }
    return frames.build(cols, frames.figures_schema(vocab.metrics, vocab.units))


def articles_frame(ledger: Ledger, figures: pd.DataFrame) -> pd.DataFrame:
    n_by_article = Counter(figures["article"].tolist())
    return frames.build(
        [
            {
                "article": a.id,
                "title": a.title,
                "outlet": a.outlet,
                "url": a.url,
                "published": a.published.text if a.published else None,
                "published_date": pd.Timestamp(a.published.start) if a.published else None,
                "published_precision": precision(a.published),
                "sha256": a.sha256,
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
    return frames.build(
        [
            {
                "claimant": c.id,
                "name": c.name,
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
                "start_date": pd.Timestamp(c.start.start),
                "part_of": c.part_of,
                "description": c.description or None,
            }
            for c in ledger.contingents
        ],
        frames.CONTINGENTS_SCHEMA,
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
        "figures": figures,
        "claims": group_claims(figures),
        "ignored": ignored_frame(ledger),
    }
