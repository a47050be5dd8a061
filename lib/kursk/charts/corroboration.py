"""The corroboration chart: which source reports which claim.

Rows are claims, most-reported first, then the newest; every row is labelled, and labels are
made unique so that no two claims share a row. Columns are the sources, oldest first, labelled
by name and date under the grid. Where the chart caps its rows or columns it says how many it
left out.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.facts import Fact
from ..analysis.wording import wordings
from ..ledger import Dataset
from . import theme
from .common import MAX_COLUMNS, date_text, empty, esc, finish, left_margin, not_shown, unique
from .spec import Spec, trace

NAME = "corroboration"
TITLE = "Which source reports which claim"
MAX_CLAIMS = 16  # a line of 11 px type each, at the chart's height


def corroboration_fact(data: Dataset) -> Fact:
    """How many claims two or more independent sources report (rule `independent` in
    ledger/normalize.py: a repost, or a report of the same original, counts once), of all
    claims selected."""
    claims = data.claims
    multi = int((claims["n_independent"] >= 2).sum())
    return Fact(
        f"{multi:,} of {len(claims):,} claims are reported by two or more independent sources",
        [],
        list(data.figures["figure_id"]),
        "claims",
    )


def build(data: Dataset) -> Spec:
    """A grid of claims × sources, a ✓ where a source reports a claim."""
    f = data.figures
    if f.empty:
        return empty(NAME, TITLE, data)
    claims = data.claims.sort_values(
        ["n_independent", "n_articles", "last_as_of", "claim_id"],
        ascending=[False, False, False, True],
        kind="stable",
    )
    kept = list(claims["claim_id"][:MAX_CLAIMS])
    shown = f[f["claim_id"].isin(set(kept))]
    labels = data.articles.set_index("article")
    marks = pd.crosstab(shown["claim_id"], shown["article"]).clip(upper=1)
    columns = sorted(marks.columns, key=lambda a: -int(marks[a].sum()))[:MAX_COLUMNS]
    published = labels["published_date"]
    columns = sorted(columns, key=lambda a: (pd.isna(published.get(a)), published.get(a), a))
    marks = marks.loc[kept, columns]
    shown = shown[shown["article"].isin(set(columns))]
    by_claim = shown.groupby("claim_id", sort=False)
    metric, worded = by_claim["metric_label"].first(), by_claim["worded"].agg(wordings)
    who = by_claim["claimant"].first()
    independent = claims.set_index("claim_id")["n_independent"]
    rows = unique(
        [
            f"{metric.get(c, '')}: {worded.get(c, '')} · {data.short_name(who[c]) if c in who else ''}"
            f" ({independent[c]}/{int(marks.loc[c].sum())})"
            for c in kept
        ]
    )

    def column(a: str) -> str:
        outlet = labels.loc[a, "outlet"]
        name = outlet if isinstance(outlet, str) else labels.loc[a, "title"]
        return f"{esc(name[:16])}<br>{date_text(labels.loc[a, 'published'])}"

    cols = unique([column(a) for a in columns])
    z = marks.to_numpy().tolist()
    fig = Spec(
        trace(
            "heatmap", z=z, x=list(range(len(cols))), y=list(range(len(rows))),
            text=[["✓" if v else "" for v in row] for row in z], texttemplate="%{text}",
            textfont={"size": 12}, colorscale=[[0, "#f3f4f6"], [1, "#3e4c59"]], showscale=False,
            xgap=2, ygap=2, zmin=0, zmax=1, customdata=[[c] * len(cols) for c in kept],
            hovertext=[[f"{esc(r)}<br>{esc(labels.loc[a, 'label'])}: {'reports it' if v else 'does not'}"
                        for a, v in zip(columns, row, strict=True)] for r, row in zip(rows, z, strict=True)],
            hoverinfo="text",
        )
    )  # fmt: skip
    fig.update_layout(
        xaxis={"tickmode": "array", "tickvals": list(range(len(cols))), "ticktext": cols,
               "tickangle": -40 if len(cols) > 6 else 0, "showgrid": False, "tickfont": {"size": 10}},
        yaxis={"tickmode": "array", "tickvals": list(range(len(rows))), "ticktext": [esc(r) for r in rows],
               "autorange": "reversed", "showgrid": False, "tickfont": {"size": 11}},
        margin={"l": left_margin(rows, 20, size=11)},
    )  # fmt: skip
    subtitle = (
        "claim (independent reports / sources reporting it) × source, most independently "
        "reported first; a repost or a report of the same original counts once"
    )
    more = [
        not_shown(len(claims) - len(kept), "claims"),
        not_shown(marks.shape[1] and len(set(f["article"])) - len(columns), "sources"),
    ]
    if any(more):
        subtitle += "; " + "; ".join(m for m in more if m)
    fact = corroboration_fact(data)
    # rotated two-line labels: the longer line's width, turned by 40 degrees, plus a line
    widest = max((theme.text_width(line, 10) for c in cols for line in c.split("<br>")), default=0)
    axis_space = 30 + (int(widest * 0.65) + 12 if len(cols) > 6 else 24)
    return finish(fig, data, NAME, fact.text, subtitle, shown, axis_space=axis_space, right=20)
