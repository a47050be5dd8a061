"""Chart builders: data drawn, sources named, marks right, titles from data, filters respected."""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import plotly.graph_objects as go
import pytest

from kursk import charts
from kursk.analysis.facts import PEOPLE_CASUALTIES, PEOPLE_DEPLOYMENT
from kursk.analysis.shares import casualty_share
from kursk.charts import common, spec, theme

SEVERAL = "a003-kwia-4000"  # "about 4,000", from South Korea's military and Zelensky together


def points(fig) -> int:
    """Markers drawn (legend-only entries carry no x)."""
    return sum(
        len([x for x in (t.x or ()) if x is not None])
        for t in fig.data
        if t.type == "scatter" and "markers" in (t.mode or "")
    )


def figure_ids(fig) -> list[str]:
    return [i for t in fig.data if t.type == "scatter" for i in (t.customdata or ())]


def source_text(fig) -> str:
    return [a.text for a in fig.layout.annotations if a.name == "source"][0].replace("<br>", " ")


def edited(data, figure_id: str, **values):
    """A copy of the dataset with one figure's columns changed (the loader would refuse some)."""
    f = data.figures.copy()
    for column, value in values.items():
        f.loc[f["figure_id"] == figure_id, column] = value
    return dataclasses.replace(data, figures=f)


def test_every_chart_draws_data_with_title_source_and_meta(data):
    figs = charts.build_all(data)
    assert list(figs) == list(charts.CHARTS) == list(charts.TITLES)
    names = data.claimants.set_index("claimant")["name"]
    for name, fig in figs.items():
        assert fig.data, name
        assert fig.layout.meta["chart"] == name
        assert fig.layout.meta["articles"] and set(fig.layout.meta["articles"]) <= set(
            data.articles["article"]
        )
        source = source_text(fig)
        assert source.startswith("Sources: ")
        for claimant in fig.layout.meta["claimants"]:
            assert names[claimant] in source, (name, claimant)
        for article in fig.layout.meta["articles"]:
            assert article.split("_")[0] in source.split("Articles: ")[1]
        assert fig.layout.template.layout.font.family.startswith("DejaVu")
        assert fig.layout.title.text.startswith("<b>")


def test_source_line_names_only_the_claimants_shown(data):
    fig = charts.casualties(data.filter(claimants=["us-government"]))
    assert fig.layout.meta["claimants"] == ["us-government"]
    assert fig.layout.meta["articles"] == ["003_1a8f1fbcddf06ff0"]
    source = source_text(fig)
    assert "US assessments" in source and "UK intelligence" not in source
    assert "Articles: 003 " in source


def test_casualty_chart_has_one_marker_per_casualty_figure(data):
    f = data.figures
    expected = f[f["metric"].isin(PEOPLE_CASUALTIES)]
    fig = charts.casualties(data)
    assert points(fig) == len(expected)
    assert sorted(figure_ids(fig)) == sorted(expected["figure_id"])
    assert "8 estimates, 5 claimants" in fig.layout.title.text


def test_hover_gives_claimant_wording_quote_article_and_date(data):
    fig = charts.casualties(data)
    hover = {
        i: h
        for t in fig.data
        if t.hovertext
        for i, h in zip(t.customdata, t.hovertext, strict=True)
    }
    us = hover["a003-us-kwia-1200"]
    for expected in (
        "US assessments",
        "about 1,200",
        "estimating around 1,200 casualties",
        "003_1a8f1fbcddf06ff0",
        "2025-04~ (approximate)",
    ):
        assert expected in us
    assert "South Korean military" in hover[SEVERAL] and "Zelensky" in hover[SEVERAL]
    troops = charts.troops(data)
    hover = " ".join(h for t in troops.data if t.hovertext for h in t.hovertext)
    row = data.figures.set_index("figure_id").loc["a002-deployed-10000-12000"]
    assert row["quote"] in hover and row["article"] in hover


def test_open_bounds_are_arrows_approximate_hollow_vague_banded(data):
    fig = charts.casualties(data)
    f = data.figures
    symbols = {
        i: s
        for t in fig.data
        if t.customdata
        for i, s in zip(t.customdata, t.marker.symbol, strict=True)
    }
    over = f[f["metric"].isin(PEOPLE_CASUALTIES) & (f["qualifier"] == "over")]["figure_id"]
    assert len(over) == 2 and {symbols[i] for i in over} == {"triangle-up"}
    # the arrow's dotted shaft starts at the bound (6,000) and rises to the head
    shafts = [t for t in fig.data if t.mode == "lines" and t.line.dash == "dot"]
    assert shafts and 6000 in shafts[0].y and max(v for v in shafts[0].y if v) > 6000
    assert symbols["a003-us-kwia-1200"] == "circle-open"  # "about": hollow
    assert symbols["a000-kwia-3800-4000"] == "circle"  # a plain range: filled, with a bar
    assert any(t.mode == "lines" and t.line.width == 6 and 3800 in t.y for t in fig.data)
    troops = charts.troops(data)
    vague = {
        i: s
        for t in troops.data
        if t.type == "scatter"
        for i, s in zip(t.customdata, t.marker.symbol, strict=True)
    }
    assert vague["a001-deployed-thousands"] == "diamond-open"
    # the vague reading (2,000-9,000) is drawn as a band
    assert any(t.type == "bar" and 2000 in t.base and 7000 in t.x for t in troops.data)
    assert "vague" in troops.layout.title.text and "over (open bound)" in fig.layout.title.text


def test_one_colour_per_claimant_across_charts(data):
    seen: dict[str, set] = {}
    figs = charts.build_all(data)
    for name in ("casualties", "troops", "share"):
        for t in figs[name].data:
            if t.legendgroup and t.marker and isinstance(t.marker.color, str):
                seen.setdefault(t.legendgroup, set()).add(t.marker.color)
    assert len(seen) >= 8 and all(len(c) == 1 for c in seen.values()), seen
    for claimant, colors in seen.items():
        assert colors == {theme.claimant_color(claimant)}
    split = figs["split"]
    shoigu = theme.claimant_color("ru-security-council")
    assert split.data[0].marker.color[0] == shoigu  # the first part of Shoigu's report
    assert len(set(theme.CLAIMANT_COLORS.values())) == len(theme.CLAIMANT_COLORS)


def test_troops_chart_draws_every_whole_count_by_wave(data):
    f = data.figures
    expected = f[f["metric"].isin(PEOPLE_DEPLOYMENT) & f["part_of"].isna()]
    fig = charts.troops(data)
    assert points(fig) == len(expected)
    waves = [a.text for a in fig.layout.annotations if a.text.startswith("<i>")]
    assert waves == [
        f"<i>{label}</i>"
        for label in data.contingents.sort_values("start_date")["label"]
        if label in set(data.contingents.set_index("contingent").loc[expected["contingent"]].label)
    ]
    assert "US, S. Korean, Ukrainian intel (003)" in fig.layout.yaxis.ticktext


def test_timeline_accumulates_waves_with_the_spread_between_sources(data):
    fig = charts.timeline(data)
    low, high = fig.data[0], fig.data[1]
    # 2024: 6,000 (one article) to 12,000; March 2025: about 3,000; 2025: 6,000
    assert list(low.y) == [6000, 9000, 15000, 15000]
    assert list(high.y) == [12000, 15000, 21000, 21000]
    assert high.fill == "tonexty"
    arrivals = fig.data[2]  # the initial wave's parts: special forces, then the main body
    assert list(arrivals.y) == [1500, 11500]
    assert fig.layout.title.text.startswith("<b>Reported waves add up to 15,000–21,000 people")
    changed = charts.timeline(edited(data, "a003-deployed-3000", low=4000.0, high=4000.0))
    assert "15,000–22,000" not in changed.layout.title.text
    assert "16,000–22,000 people" in changed.layout.title.text


def test_titles_state_findings_computed_from_data(data):
    assert charts.casualties(data).layout.title.text.startswith(
        "<b>Casualty estimates range from 1,200 to over 6,000"
    )
    changed = edited(data, "a003-us-kwia-1200", low=900.0, high=900.0, worded="about 900")
    assert "from 900 to over 6,000" in charts.casualties(changed).layout.title.text
    assert "6,000 to 12,000 troops" in charts.troops(data).layout.title.text
    changed = edited(data, "a002-deployed-10000-12000", high=13000.0)
    assert "6,000 to 13,000 troops" in charts.troops(changed).layout.title.text
    assert "10% to over 50%" in charts.share(data).layout.title.text


def test_filtered_data_draws_fewer_points_and_empty_selection_says_so(data):
    some = data.filter(claimants=["kr-military"])
    assert 0 < points(charts.casualties(some)) < points(charts.casualties(data))
    assert 0 < points(charts.troops(some)) < points(charts.troops(data))
    none = data.filter(claimants=[])
    for name, fig in charts.build_all(none).items():
        assert common.EMPTY in [a.text for a in fig.layout.annotations], name
        assert fig.layout.meta == {"chart": name, "claimants": [], "articles": []}
    # a selection without any casualty figure: still a message, never an exception
    payments = data.filter(metric_groups=["payment"])
    for name in (n for n in charts.NAMES if n != "corroboration"):  # that one shows payments
        text = " ".join(a.text for a in charts.CHARTS[name].figure(payments).layout.annotations)
        assert common.EMPTY in text and "among the 1 figure selected" in text, name


def test_split_chart_shows_parts_summing_and_flags_when_they_do_not(data):
    fig = charts.split(data)
    assert "1,000 sappers and 5,000 construction workers" in fig.layout.title.text
    wholes = data.figures[data.figures["figure_id"].isin(set(data.figures["part_of"].dropna()))]
    assert [list(t.customdata) for t in fig.data if t.type == "bar"] == [
        list(wholes["figure_id"])
    ] * 2
    assert sum(t.y[0] for t in fig.data if t.type == "bar") == 6000
    assert sum("1,000 + 5,000 = 6,000 ✓" in a.text for a in fig.layout.annotations) == 2
    broken = charts.split(edited(data, "a001-builders-5000", low=4000.0, high=4000.0))
    assert "do not add up" in broken.layout.title.text
    flags = [a.text for a in broken.layout.annotations if "≠" in a.text]
    assert flags == ["<b>1,000 + 4,000 = 5,000 ≠ 6,000<br>parts do NOT add up to the whole</b>"
                     "<br>whole as reported: 6,000"]  # fmt: skip
    assert sum("✓" in a.text for a in broken.layout.annotations) == 1  # the other report


def test_share_chart_draws_each_derived_interval_and_the_stated_share(data):
    table = casualty_share(data)
    fig = charts.share(data)
    bars = {t.customdata[0]: t for t in fig.data}
    assert set(bars) == set(table["claim_id"])
    us = bars["a003-us-kwia-1200"]
    assert (us.base[0], us.base[0] + us.x[0]) == (pytest.approx(10), pytest.approx(20))
    assert us.name == "derived" and us.marker.pattern.shape == "/"
    stated = bars["a004-share-over-40"]
    assert stated.name == "stated" and stated.marker.pattern.shape == ""
    assert stated.base[0] == 40
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>10%–20%</b>" in texts and "<b>50% or more</b>" in texts
    assert any("over 40%</b> stated" in t for t in texts)


def test_corroboration_matrix_marks_each_report(data):
    fig = charts.corroboration(data)
    z = fig.data[0].z
    assert sum(map(sum, z)) == data.claims["n_articles"].sum()
    assert len(z) == len(data.claims) and len(z[0]) == len(data.articles)
    assert fig.layout.title.text.startswith("<b>6 of 15 claims")
    label = "Casualties (killed or wounded): about 4,000 / 3,800–4,000 (3)"
    assert fig.data[0].y[0] == label
    assert "Personnel to be sent: 1,000 sappers (2)" in fig.data[0].y


def test_big_selections_stay_readable(data):
    """Category charts keep the most-reported rows and say so (synthetic-size selections)."""
    f = data.figures
    row = f[f["figure_id"] == "a003-deployed-3000"]
    many = row.loc[row.index.repeat(45)].reset_index(drop=True)
    many["figure_id"] = [f"copy-{i}" for i in range(45)]
    big = dataclasses.replace(data, figures=pd.concat([f, many], ignore_index=True))
    fig = charts.troops(big)
    assert points(fig) == common.MAX_ROWS
    assert "most-reported" in fig.layout.title.text


def test_every_value_form_builds_and_the_input_is_left_alone(data, tmp_path):
    """Generated data (exact, about, over, up to, range, vague, many claimants) never breaks a
    chart, and builders do not modify the frames they are given."""
    from bench.synth import write_dataset
    from kursk import load

    generated = load(write_dataset(tmp_path / "synth", 400, per_file=50, seed=3))
    before = generated.figures.copy()
    for name, fig in charts.build_all(generated).items():
        assert fig.layout.meta["chart"] == name
        if name != "split":  # generated data has no parts of a whole
            assert fig.data, name
    pd.testing.assert_frame_equal(generated.figures, before)
    seed_before = data.figures.copy()
    charts.build_all(data)
    pd.testing.assert_frame_equal(data.figures, seed_before)


def test_row_loops_see_the_rows_pandas_would_give_them(data, tmp_path):
    """The builders' fast row access (common.plain, common.sorted_positions) gives exactly
    the rows, order (ties kept in place), values and dtypes of pandas' own boolean selection,
    stable sort and astype, on the seed data and on generated data with many ties."""
    from bench.synth import write_dataset
    from kursk import load

    generated = load(write_dataset(tmp_path / "synth", 300, per_file=50, seed=11))
    by = ("as_of_date", "claimant", "article")
    for f in (data.figures, generated.figures, data.filter(claimants=["kr-military"]).figures):
        keep = f["as_of_date"].notna() & f["metric_group"].isin(["casualties", "deployment"])
        expected = f[keep].sort_values(list(by), kind="stable")
        expected = expected[[c for c in f.columns if c not in common.UNUSED]]
        kinds = {c: "float64" for c in ("low", "high")}
        kinds |= {c: object for c, t in expected.dtypes.items() if isinstance(t, pd.StringDtype)}
        order = common.sorted_positions(keep.to_numpy(bool), *(f[c] for c in by))
        got = common.plain(f, order)
        pd.testing.assert_frame_equal(got, expected.astype(kinds))
        pd.testing.assert_frame_equal(common.plain(f[keep]), expected.sort_index().astype(kinds))


def test_the_json_the_dashboard_sends_is_what_plotly_makes_of_the_figure(data):
    """The builders write plotly JSON directly (Chart.spec, figure_json): for every chart and a
    spread of selections it is exactly the JSON of the validated go.Figure that the public
    builders return (template, titles, dates, unset properties and all)."""
    claimants = sorted(data.claimants["claimant"])
    selections = [
        data,
        data.filter(claimants=[]),
        data.filter(min_articles=2),
        *(data.filter(metric_groups=[g]) for g in ("deployment", "casualties", "payment")),
        *(data.filter(claimants=[a, b]) for a, b in itertools.pairwise(claimants)),
    ]
    for selection in selections:
        for name, chart in charts.CHARTS.items():
            built = chart.spec(selection)
            assert charts.figure_json(built) == charts.figure_json(go.Figure(built)), name
            assert chart.figure(selection) == go.Figure(built), name


def test_spec_follows_plotly_update_semantics():
    fig = spec.Spec()
    fig.update_layout(xaxis_title_text="a", margin={"l": 20}, legend={"y": 1.0})
    fig.update_layout(margin={"t": 80}, legend_y=None, title={"text": "t"})
    fig.update_xaxes(range=[0, 1])
    fig.add_annotation(text="n", font_size=10)
    assert fig["layout"] == {
        "xaxis": {"title": {"text": "a"}, "range": [0, 1]},
        "margin": {"l": 20, "t": 80},
        "legend": {},
        "title": {"text": "t"},
        "annotations": [{"text": "n", "font": {"size": 10}}],
    }
    assert spec.trace("scatter", x=[None], fill=None, marker_color="red") == {
        "type": "scatter",
        "x": [None],
        "marker": {"color": "red"},
    }
