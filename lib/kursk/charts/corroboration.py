"""The corroboration chart: which article reports which claim."""

from __future__ import annotations

import pandas as pd

from ..analysis.wording import wordings
from ..ledger import Dataset
from .common import (
    MAX_COLUMNS,
    MAX_ROWS,
    empty,
    finish,
    left_margin,
    short_article,
)
from .spec import Spec, trace

NAME = "corroboration"
TITLE = "Corroboration: which article reports which claim"


def build(data: Dataset) -> Spec:
    """Which article reports which claim (claims reported by several articles first)."""
    f = data.figures
    if f.empty:
        return empty(NAME, TITLE, data)
    marks = pd.crosstab(f["claim_id"], f["article"]).clip(upper=1)
    first_seen = {c: i for i, c in enumerate(dict.fromkeys(f["claim_id"]))}
    n = marks.sum(axis=1)
    order = sorted(marks.index, key=lambda c: (-n[c], first_seen[c]))
    kept = order[:MAX_ROWS]
    marks = marks.loc[kept]
    marks = marks.loc[:, marks.sum(axis=0) > 0]
    articles = sorted(marks.columns, key=lambda a: -int(marks[a].sum()))[:MAX_COLUMNS]
    articles = sorted(articles)
    marks = marks[articles]
    shown = f[f["claim_id"].isin(set(kept)) & f["article"].isin(set(articles))]
    by_claim = shown.groupby("claim_id", sort=False)
    metric = by_claim["metric_label"].first()
    worded = by_claim["worded"].agg(wordings)
    subject = by_claim["subject"].first()
    ylabels = [
        f"{metric[c]}: {worded[c]}"
        + (f" {subject[c]}" if isinstance(subject[c], str) and len(subject[c]) < 24 else "")
        + f" ({n[c]})"
        for c in kept
    ]
    published = data.articles.set_index("article")["published_date"]
    xlabels = [
        f"{short_article(a)}<br>{published[a]:%b %Y}"
        if a in published.index and pd.notna(published[a])
        else short_article(a)
        for a in articles
    ]
    z = marks.to_numpy().tolist()
    fig = Spec(
        trace(
            "heatmap",
            z=z,
            x=xlabels,
            y=ylabels,
            text=[["✓" if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            textfont={"size": 13},
            colorscale=[[0, "#f3f4f6"], [1, "#3e4c59"]],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>article %{x}: %{text}<extra></extra>",
            zmin=0,
            zmax=1,
        )
    )
    multi = int((n >= 2).sum())
    subtitle = "claim (number of articles reporting it) × article"
    if len(order) > len(kept) or len(articles) < len(set(f["article"])):
        subtitle += f"; the {len(kept)} most-reported of {len(order):,} claims"
    fig.update_layout(
        xaxis={"side": "top", "type": "category", "showgrid": False},
        yaxis={"autorange": "reversed", "type": "category", "showgrid": False},
        margin={"l": left_margin(ylabels, 25)},
    )
    return finish(
        fig,
        NAME,
        f"{multi:,} of {len(order):,} claims are reported by two or more articles",
        subtitle,
        shown,
        legend=False,
        axis_space=12,
    )
