"""Chart builders: pure functions, Dataset in, plotly Figure out, each with its sources on it."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from . import theme
from .loader import Dataset
from .summary import PEOPLE_CASUALTIES, PEOPLE_DEPLOYMENT, casualty_share, fmt

EMPTY = "No figures match the current filters"
TITLES = {
    "casualties": "Casualty estimates by claimant",
    "troops": "Troop counts by source",
    "timeline": "Deployment timeline",
    "split": "The 6,000 split",
    "share": "Casualty share of the force",
    "corroboration": "Corroboration: which article reports which claim",
}
MARK_SYMBOLS = {
    "exact": "circle",
    "approximate": "circle-open",
    "open": "triangle-up",
    "upto": "triangle-down",
    "vague": "diamond-open",
}


# --- shared pieces ------------------------------------------------------------------------------


def _short(article: str) -> str:
    return str(article).split("_")[0]


def _finish(
    fig: go.Figure, name: str, title: str, subtitle: str, shown: pd.DataFrame
) -> go.Figure:
    """House template, title, the source line and meta naming claimants and articles."""
    claimant_ids = (
        sorted({c for s in shown["claimant"] for c in str(s).split(";")}) if len(shown) else []
    )
    names = (
        sorted({n for s in shown["claimant_name"] for n in str(s).split("; ")})
        if len(shown)
        else []
    )
    articles = sorted(set(shown["article"])) if len(shown) else []
    source = (
        "<br>".join(textwrap.wrap("Sources: " + "; ".join(names), 95))
        + ("<br>Articles: " + ", ".join(_short(a) for a in articles) + " (data/articles.yaml)")
        if names
        else "Sources: none in the current selection"
    )
    fig.update_layout(
        template="kursk",
        title={
            "text": f"<b>{html.escape(title)}</b><br><span style='font-size:13px;color:"
            f"{theme.MUTED}'>{html.escape(subtitle)}</span>"
        },
        meta={"chart": name, "claimants": claimant_ids, "articles": articles},
    )
    # right-aligned: wide axis labels on the left cannot push it off the figure
    fig.add_annotation(
        text=source,
        xref="paper",
        yref="paper",
        x=1,
        y=0,
        yshift=-62,
        xanchor="right",
        yanchor="top",
        showarrow=False,
        align="right",
        font={"size": 11, "color": theme.MUTED},
        name="source",
    )
    return fig


def _empty(name: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=EMPTY,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"size": 16, "color": theme.MUTED},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, name, TITLES[name], EMPTY, pd.DataFrame(columns=["claimant"]))


def _mark(row) -> str:
    if row.vague:
        return "vague"
    if row.qualifier in ("over", "at_least"):
        return "open"
    if row.qualifier == "up_to":
        return "upto"
    return "approximate" if row.approximate else "exact"


def _hover(row) -> str:
    date = "" if pd.isna(row.as_of_date) else f"{row.as_of} ({row.as_of_precision})"
    conf = (
        f"<br>Wording: {html.escape(str(row.confidence))}"
        if isinstance(row.confidence, str)
        else ""
    )
    return (
        f"<b>{html.escape(row.claimant_name)}</b><br>{html.escape(str(row.metric_label))}: "
        f"<b>{html.escape(row.worded)}</b><br>As of: {date}{conf}<br>"
        f"“{html.escape(row.quote)}”<br>Article {row.article}"
    )


def _y(row) -> float:
    return float(row.high) if row.qualifier == "up_to" else float(row.low)


MARK_KEY = {
    "exact": "● exact",
    "approximate": "○ about/nearly",
    "open": "▲┆ over (open bound)",
    "upto": "▼ up to",
    "vague": "◇ vague (bar = reading)",
}


def _marks_key(marks: set[str]) -> str:
    """The legend of the marks, as a line of text (keeps the legend for claimants)."""
    return "   ".join(MARK_KEY[m] for m in MARK_KEY if m in marks) + "   ▮ range"


def _points(fig: go.Figure, rows: pd.DataFrame, x, show_claimant_legend=True) -> set[str]:
    """One trace per claimant: markers by kind of value, ranges as bars, open bounds as arrows."""
    marks: set[str] = set()
    for claimant, g in rows.groupby("claimant", sort=False):
        color = theme.claimant_color(claimant)
        xs = [x(r) for r in g.itertuples()]
        kinds = [_mark(r) for r in g.itertuples()]
        marks |= set(kinds)
        # ranges and vague readings: vertical bars low..high
        seg_x, seg_y = [], []
        arrow_x, arrow_y = [], []
        for xv, r, k in zip(xs, g.itertuples(), kinds, strict=True):
            if r.qualifier in ("range", "vague") and pd.notna(r.low) and pd.notna(r.high):
                seg_x += [xv, xv, None]
                seg_y += [float(r.low), float(r.high), None]
            if k == "open":
                seg_top = float(r.low) * 1.18
                arrow_x += [xv, xv, None]
                arrow_y += [float(r.low), seg_top, None]
        if seg_x:
            fig.add_trace(
                go.Scatter(
                    x=seg_x,
                    y=seg_y,
                    mode="lines",
                    hoverinfo="skip",
                    line={"color": color, "width": 7},
                    opacity=0.45,
                    showlegend=False,
                    legendgroup=claimant,
                )
            )
        if arrow_x:
            fig.add_trace(
                go.Scatter(
                    x=arrow_x,
                    y=arrow_y,
                    mode="lines",
                    hoverinfo="skip",
                    line={"color": color, "width": 2, "dash": "dot"},
                    showlegend=False,
                    legendgroup=claimant,
                )
            )
        ys = []
        for r, k in zip(g.itertuples(), kinds, strict=True):
            if k in ("vague", "exact", "approximate") and r.qualifier in ("range", "vague"):
                ys.append((float(r.low) + float(r.high)) / 2)
            elif k == "open":
                ys.append(float(r.low) * 1.18)  # the arrow head, above the bound
            else:
                ys.append(_y(r))
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name=theme.short_name(claimant, g["claimant_name"].iloc[0]),
                legendgroup=claimant,
                showlegend=show_claimant_legend,
                marker={
                    "color": color,
                    "size": 13,
                    "line": {"width": 2, "color": color},
                    "symbol": [MARK_SYMBOLS[k] for k in kinds],
                },
                hovertext=[_hover(r) for r in g.itertuples()],
                hoverinfo="text",
                customdata=list(g["figure_id"]),
            )
        )
    return marks


# --- the six charts ----------------------------------------------------------------------


def casualties(data: Dataset) -> go.Figure:
    """Every casualty count placed by as-of date and claimant, ranges as bars, bounds as arrows."""
    f = data.figures
    rows = f[f["metric"].isin(PEOPLE_CASUALTIES) & f["as_of_date"].notna()]
    if rows.empty:
        return _empty("casualties")
    fig = go.Figure()
    order = {c: i for i, c in enumerate(dict.fromkeys(rows["claimant"]))}
    spread = len(order) - 1

    def when(r):  # same-date reports side by side: a day apart per claimant
        return r.as_of_date + pd.Timedelta(days=2 * order[r.claimant] - spread)

    marks = _points(fig, rows, x=when)
    title = TITLES["casualties"]
    if rows["low"].notna().any():
        lo = rows.loc[rows["low"].idxmin()]
        top = rows[rows["low"] == rows["low"].max()]
        hi = top[top["qualifier"].isin(["over", "at_least"])]
        hi = (hi if len(hi) else top).iloc[0]
        title = (
            f"Casualty estimates range from {lo['worded'].removeprefix('about ')} to "
            f"{hi['worded']}"
        )
    fig.update_layout(
        xaxis_title="as of (date the number holds)",
        yaxis_title="killed or wounded",
        yaxis_rangemode="tozero",
        legend={"y": 1.0},
    )
    return _finish(
        fig, "casualties", title, f"{len(rows)} estimates by claimant.  {_marks_key(marks)}", rows
    )


def troops(data: Dataset) -> go.Figure:
    """Each claimant's deployment figures side by side, by wave, with ranges."""
    f = data.figures
    rows = f[f["metric"].isin(PEOPLE_DEPLOYMENT)].copy()
    if rows.empty:
        return _empty("troops")
    labels = data.contingents.set_index("contingent")["label"].to_dict()
    order = data.contingents.sort_values("start_date")["contingent"].tolist()
    rows["wave"] = rows["contingent"].map(lambda c: labels.get(c, "no wave given"))
    rows["order"] = rows["contingent"].map(lambda c: order.index(c) if c in order else 99)
    rows = rows.sort_values(["order", "claimant_name", "article"])
    rows["label"] = [
        f"{theme.short_name(r.claimant, r.claimant_name)} · {_short(r.article)} · {r.metric}"
        + (f" · {r.subject}" if isinstance(r.subject, str) and len(r.subject) < 22 else "")
        for r in rows.itertuples()
    ]
    labels_in_order = list(rows["label"])
    fig = go.Figure()
    marks: set[str] = set()
    legend_shown: set[str] = set()
    for _, g in rows.groupby("order", sort=True):
        for claimant, h in g.groupby("claimant", sort=False):
            color = theme.claimant_color(claimant)
            yy = list(h["label"])
            kinds = [_mark(r) for r in h.itertuples()]
            marks |= set(kinds)
            base = [float(r.low) if pd.notna(r.low) else 0.0 for r in h.itertuples()]
            top = [
                float(r.high) if pd.notna(r.high) else float(r.low) * 1.15 for r in h.itertuples()
            ]
            fig.add_trace(
                go.Bar(
                    y=yy,
                    x=[t - b if t > b else 0 for b, t in zip(base, top, strict=True)],
                    base=base,
                    orientation="h",
                    marker={
                        "color": color,
                        "opacity": 0.35,
                        "pattern": {"shape": ["/" if k == "open" else "" for k in kinds]},
                    },
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=claimant,
                    width=0.55,
                )
            )
            fig.add_trace(
                go.Scatter(
                    y=yy,
                    x=[
                        (float(r.low) + float(r.high)) / 2
                        if r.qualifier in ("range", "vague")
                        else (float(r.low) * 1.15 if k == "open" else _y(r))
                        for r, k in zip(h.itertuples(), kinds, strict=True)
                    ],
                    mode="markers+text",
                    text=list(h["worded"]),
                    textposition="middle right",
                    textfont={"size": 11},
                    legendgroup=claimant,
                    name=theme.short_name(claimant, h["claimant_name"].iloc[0]),
                    showlegend=claimant not in legend_shown,
                    marker={
                        "color": color,
                        "size": 12,
                        "line": {"width": 2, "color": color},
                        "symbol": [MARK_SYMBOLS[k] for k in kinds],
                    },
                    hovertext=[_hover(r) for r in h.itertuples()],
                    hoverinfo="text",
                    customdata=list(h["figure_id"]),
                )
            )
            legend_shown.add(claimant)
    # waves: a muted label and a rule above each group (one axis level keeps labels short)
    for i, (_, g) in enumerate(rows.groupby("order", sort=True)):
        first = labels_in_order.index(g["label"].iloc[0])
        fig.add_annotation(
            x=1,
            xref="paper",
            y=first,
            yref="y",
            yshift=12,
            xanchor="right",
            text=f"<i>{html.escape(g['wave'].iloc[0])}</i>",
            showarrow=False,
            font={"size": 11, "color": theme.MUTED},
        )
        if i:
            fig.add_shape(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=first - 0.5,
                y1=first - 0.5,
                line={"color": "#9aa5b1", "width": 1},
            )
    initial = rows[
        (rows["contingent"] == "initial-2024") & (rows["metric"] == "deployed") & ~rows["vague"]
    ]
    if len(initial):
        hi = pd.concat([initial["high"], initial["low"]]).max()
        title = (
            f"Sources put the 2024 deployment at {fmt(initial['low'].min())} to {fmt(hi)} troops"
        )
    else:
        title = f"{len(rows)} troop counts from {rows['claimant'].nunique()} sources"
    top = float(pd.concat([rows["high"], rows["low"]]).max())
    fig.update_layout(
        barmode="overlay",
        xaxis_title="people",
        margin={"l": 20},
        yaxis={
            "autorange": "reversed",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels_in_order,
        },
        xaxis_range=[0, top * 1.3],
        showlegend=False,
    )
    fig.update_xaxes(separatethousands=True)
    return _finish(fig, "troops", title, f"by wave and source.  {_marks_key(marks)}", rows)


def _wave_ranges(data: Dataset) -> pd.DataFrame:
    """Per top-level wave: low and high across sources (a part's figures if the whole has none)."""
    f = data.figures
    people = f[f["metric"].isin(PEOPLE_DEPLOYMENT) & ~f["vague"] & f["part_of"].isna()]
    c = data.contingents
    out = []
    for wave in c[c["part_of"].isna()].sort_values("start_date").itertuples():
        own = people[people["contingent"] == wave.contingent]
        how = "as reported"
        if own.empty:
            parts = c[c["part_of"] == wave.contingent]["contingent"]
            sub = people[people["contingent"].isin(parts)]
            if sub.empty:
                continue
            lows = sub.groupby("contingent")["low"].min()
            highs = sub.groupby("contingent").apply(
                lambda g: pd.concat([g["high"], g["low"]]).max()
            )
            own, how = sub, "sum of its parts"
            low, high = float(lows.sum()), float(highs.sum())
        else:
            low = float(own["low"].min())
            high = float(pd.concat([own["high"], own["low"]]).max())
        out.append(
            {
                "contingent": wave.contingent,
                "label": wave.label,
                "start": wave.start_date,
                "low": low,
                "high": high,
                "n": len(own),
                "how": how,
                "numbers": ", ".join(dict.fromkeys(own["worded"])),
                "figures": own,
            }
        )
    return pd.DataFrame(out)


def timeline(data: Dataset) -> go.Figure:
    """The waves over time, cumulative, with the spread between sources as a band."""
    waves = _wave_ranges(data)
    if waves.empty:
        return _empty("timeline")
    waves["cum_low"] = waves["low"].cumsum()
    waves["cum_high"] = waves["high"].cumsum()
    x = list(waves["start"])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=list(waves["cum_low"]),
            mode="lines+markers",
            name="lowest sources",
            line={"shape": "hv", "color": theme.PALETTE[0], "width": 2},
            hovertemplate="%{x|%b %Y}: at least %{y:,.0f} (cumulative)<extra>lowest</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=list(waves["cum_high"]),
            mode="lines+markers",
            name="highest sources",
            fill="tonexty",
            fillcolor="rgba(0,114,178,0.15)",
            line={"shape": "hv", "color": theme.PALETTE[1], "width": 2},
            hovertemplate="%{x|%b %Y}: up to %{y:,.0f} (cumulative)<extra>highest</extra>",
        )
    )
    for w in waves.itertuples():
        fig.add_annotation(
            x=w.start,
            y=w.cum_high,
            text=f"<b>{html.escape(w.label)}</b><br>"
            f"{html.escape(w.numbers)} ({w.n} report{'s' if w.n != 1 else ''})",
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-38,
            font={"size": 11},
            align="center",
            bgcolor="rgba(255,255,255,0.85)",
        )
    last = waves.iloc[-1]
    title = (
        f"Reported waves add up to {fmt(last.cum_low)}–{fmt(last.cum_high)} people by "
        f"{last.start:%B %Y}"
    )
    fig.update_layout(
        yaxis_title="people sent (cumulative)",
        yaxis_rangemode="tozero",
        xaxis_title="wave start",
        hovermode="x unified",
    )
    shown = pd.concat(list(waves["figures"]))
    return _finish(
        fig,
        "timeline",
        title,
        "band = spread between the lowest and the highest source for each wave",
        shown,
    )


def split(data: Dataset) -> go.Figure:
    """Parts of a whole (the 6,000 = sappers + construction workers), checked against the whole."""
    f = data.figures
    parts = f[f["part_of"].notna()]
    wholes = f[f["figure_id"].isin(set(parts["part_of"]))]
    if wholes.empty:
        return _empty("split")
    fig = go.Figure()
    subjects = list(dict.fromkeys(parts["subject"].fillna("part")))
    colors = {s: theme.PALETTE[(i + 4) % len(theme.PALETTE)] for i, s in enumerate(subjects)}
    x = [f"{_short(w.article)}: {w.claimant_name}" for w in wholes.itertuples()]
    for subject in subjects:
        ys, hovers = [], []
        for w in wholes.itertuples():
            p = parts[
                (parts["part_of"] == w.figure_id) & (parts["subject"].fillna("part") == subject)
            ]
            ys.append(float(p["low"].sum()) if len(p) else 0)
            hovers.append("<br>".join(_hover(r) for r in p.itertuples()))
        fig.add_trace(
            go.Bar(
                x=x,
                y=ys,
                name=subject,
                marker_color=colors[subject],
                text=[fmt(y) for y in ys],
                textposition="inside",
                hovertext=hovers,
                hoverinfo="text",
            )
        )
    ok_all = True
    for xv, w in zip(x, wholes.itertuples(), strict=True):
        total = parts[parts["part_of"] == w.figure_id]["low"].sum()
        ok = abs(float(total) - float(w.low)) < 0.5
        ok_all &= ok
        sign = "=" if ok else "≠"
        verdict = "✓ parts sum to the whole" if ok else "✗ parts do NOT sum to the whole"
        pieces = " + ".join(fmt(v) for v in parts[parts["part_of"] == w.figure_id]["low"])
        fig.add_trace(
            go.Scatter(
                x=[xv],
                y=[float(w.low)],
                mode="markers",
                showlegend=False,
                marker={
                    "symbol": "line-ew",
                    "size": 60,
                    "line": {"width": 3, "color": theme.INK if ok else "#D55E00"},
                },
                hovertext=[_hover(w)],
                hoverinfo="text",
                name="whole",
            )
        )
        fig.add_annotation(
            x=xv,
            y=max(float(w.low), float(total)),
            yshift=22,
            showarrow=False,
            text=f"{pieces} {sign} {fmt(w.low)}<br>{verdict}",
            font={"size": 12, "color": theme.INK if ok else "#D55E00"},
        )
    w0 = wholes.iloc[0]
    if ok_all:
        mine = parts[parts["part_of"] == w0["figure_id"]]
        title = f"The {fmt(w0['low'])} of {str(w0['as_of'])[:4]}: " + " and ".join(
            f"{fmt(mine[mine['subject'] == s]['low'].sum())} {s}" for s in subjects
        )
    else:
        title = "Reported parts do not add up to their whole"
    fig.update_layout(
        barmode="stack",
        yaxis_title="people",
        bargap=0.45,
        yaxis_range=[0, float(max(wholes["low"].max(), 1)) * 1.3],
    )
    shown = pd.concat([wholes, parts])
    return _finish(
        fig,
        "split",
        title,
        f"parts as each article reports them; {len(wholes)} reports of the whole",
        shown,
    )


def share(data: Dataset) -> go.Figure:
    """Casualties as a share of the force: derived intervals next to the shares stated."""
    table = casualty_share(data)
    if table.empty:
        return _empty("share")
    fig = go.Figure()
    for kind, color, opacity in (
        ("derived", theme.PALETTE[5], 0.55),
        ("stated", theme.PALETTE[1], 1),
    ):
        t = table[table["kind"] == kind]
        if t.empty:
            continue
        lows = [float(v) for v in t["low"].fillna(0)]
        highs = [float(h) if pd.notna(h) else 100.0 for h in t["high"]]
        fig.add_trace(
            go.Bar(
                y=list(t["label"]),
                x=[h - lo for lo, h in zip(lows, highs, strict=True)],
                base=lows,
                orientation="h",
                name=f"{kind} share",
                marker={
                    "color": color,
                    "opacity": opacity,
                    "pattern": {
                        "shape": [
                            "/" if kind == "derived" else ("." if pd.isna(h) else "")
                            for h in t["high"]
                        ]
                    },
                },
                text=[
                    f"{lo:.0f}%"
                    + (
                        f"–{h:.0f}%"
                        if pd.notna(h) and round(h) != round(lo)
                        else ("+" if pd.isna(h) else "")
                    )
                    for lo, h in zip(lows, t["high"], strict=True)
                ],
                textposition="outside",
                hovertext=[
                    f"<b>{html.escape(r.label)}</b><br>{kind}: {r.low:.1f}%"
                    + (f" to {r.high:.1f}%" if pd.notna(r.high) else " or more (open bound)")
                    + f"<br>{html.escape(r.claimants)}<br>Articles {r.articles}"
                    for r in t.itertuples()
                ],
                hoverinfo="text",
            )
        )
    derived = table[table["kind"] == "derived"]
    if len(derived):
        hi = derived["high"].max()
        top = f"{hi:.0f}%" if pd.notna(hi) and not derived["high"].isna().any() else "over 50%"
        title = f"Casualties amount to {derived['low'].min():.0f}% to {top} of the 2024 force"
    else:
        title = "Casualty shares as stated"
    fig.update_layout(
        xaxis_title="% of the North Korean troops deployed in 2024",
        xaxis_range=[0, 105],
        barmode="overlay",
        yaxis={"autorange": "reversed"},
        margin={"l": 20},
    )
    claim_ids = set(table["claim_id"])
    f = data.figures
    shown = f[
        f["claim_id"].isin(claim_ids)
        | ((f["metric"] == "deployed") & (f["contingent"] == "initial-2024"))
    ]
    return _finish(
        fig,
        "share",
        title,
        "derived = casualties ÷ deployed, interval arithmetic over the ranges (hatched); "
        "stated = as the articles say",
        shown,
    )


def corroboration(data: Dataset) -> go.Figure:
    """Which article reports which claim (claims reported by several articles first)."""
    f = data.figures
    if f.empty:
        return _empty("corroboration")
    claims = (
        f.groupby("claim_id", sort=False)
        .agg(
            label=("worded", "first"), metric=("metric_label", "first"), n=("n_articles", "first")
        )
        .reset_index()
    )
    claims = claims.sort_values("n", ascending=False, kind="stable")
    articles = sorted(set(f["article"]))
    # one pass over the figures (a per-claim filter is quadratic: 70 s at 10k figures)
    grid = (pd.crosstab(f["claim_id"], f["article"]) > 0).reindex(
        index=list(claims["claim_id"]), columns=articles, fill_value=False
    )
    z = grid.astype(int).to_numpy().tolist()
    text = [["✓" if v else "" for v in row] for row in grid.to_numpy()]
    ylabels = [f"{c.metric}: {c.label} ({c.n})" for c in claims.itertuples()]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_short(a) for a in articles],
            y=ylabels,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#f3f4f6"], [1, theme.PALETTE[0]]],
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>article %{x}: %{text}<extra></extra>",
            zmin=0,
            zmax=1,
        )
    )
    multi = int((claims["n"] >= 2).sum())
    fig.update_layout(
        xaxis={"title": "article", "side": "top", "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
        margin={"l": 20},
    )
    return _finish(
        fig,
        "corroboration",
        f"{multi} of {len(claims)} claims are reported by two or more articles",
        "claim (number of articles reporting it) × article",
        f,
    )


CHARTS: dict[str, Callable[[Dataset], go.Figure]] = {
    "casualties": casualties,
    "troops": troops,
    "timeline": timeline,
    "split": split,
    "share": share,
    "corroboration": corroboration,
}


def build_all(data: Dataset) -> dict[str, go.Figure]:
    """Every chart for a (possibly filtered) dataset, in dashboard order."""
    return {name: build(data) for name, build in CHARTS.items()}
