"""Chart builders: every figure drawn, sources named, marks right, rows unique, what is counted
told apart, titles from the facts, filters respected, on any valid dataset."""

from __future__ import annotations

import dataclasses
import itertools

import pandas as pd
import plotly.graph_objects as go
import pytest

from kursk import charts
from kursk.analysis.facts import comparable, people_metrics, total_metric
from kursk.analysis.shares import casualty_share
from kursk.charts import common, spec
from kursk.charts.common import GLYPHS


def drawn_ids(fig: dict) -> set[str]:
    """Every figure id a chart's JSON carries (a mark may stand for several: 'a;b')."""
    out = set()
    for t in fig["data"]:
        for c in t.get("customdata") or ():
            for item in c if isinstance(c, list) else [c]:
                out |= set(str(item).split(";")) - {""}
    return out


def mark_traces(fig: dict) -> list[dict]:
    """The traces of a chart's figures (markers with labels), not its events."""
    return [
        t for t in fig["data"]
        if t.get("mode") == "markers+text" and t.get("legendgroup") != "events"
    ]  # fmt: skip


def source_text(fig: dict) -> str:
    notes = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "source"]
    return notes[0].replace("<br>", " ")


def specs(data) -> dict[str, dict]:
    return {name: charts.figure_json(c.spec(data)) for name, c in charts.CHARTS.items()}


def test_every_chart_draws_with_title_sources_and_meta(any_data):
    for name, fig in specs(any_data).items():
        layout = fig["layout"]
        assert layout["meta"]["chart"] == name
        assert set(layout["meta"]["articles"]) <= set(any_data.articles["article"])
        assert layout["title"]["text"].startswith("<b>")
        assert layout["template"]["layout"]["font"]["family"].startswith("DejaVu")
        source = source_text(fig)
        assert source.startswith("Claimants: ") and " Sources: " in source
        shown = layout["meta"]["claimants"]
        if shown and "more" not in source.split(" Sources: ")[0]:
            for claimant in shown:
                assert any_data.short_name(claimant) in source, (name, claimant)
        for article in layout["meta"]["articles"][:6]:
            label = any_data.articles.set_index("article").loc[article, "label"]
            assert label in source or "more" in source, (name, label)


def test_a_filtered_chart_names_only_what_it_shows_and_says_it_is_filtered(data):
    one = data.filter(claimants=["us-government"])
    fig = charts.figure_json(charts.CHARTS["casualties"].spec(one))
    assert fig["layout"]["meta"]["claimants"] == ["us-government"]
    source = source_text(fig)
    assert "US assessments" in source and "UK intel" not in source
    assert "Filtered: claimants: US assessments" in source


def test_the_casualty_chart_draws_every_dated_casualty_figure_once(any_data):
    f = any_data.figures
    counted = f["metric"].isin(people_metrics(any_data, "casualties")) & f["as_of_date"].notna()
    fig = charts.figure_json(charts.CHARTS["casualties"].spec(any_data))
    assert drawn_ids(fig) == set(f[counted]["figure_id"])
    marks = [c for t in mark_traces(fig) for c in t["customdata"]]
    assert sorted(i for c in marks for i in c.split(";")) == sorted(f[counted]["figure_id"])


def test_what_is_counted_and_how_it_is_worded_are_told_apart(any_data):
    """Shape: the metric (its key in the subtitle); hollow: approximate; dotted arrow: open
    bound; a lower panel for counts over a window."""
    f = any_data.figures.set_index("figure_id")
    fig = charts.figure_json(charts.CHARTS["casualties"].spec(any_data))
    shape_of = common.shapes(any_data, "casualties")
    subtitle = fig["layout"]["title"]["text"].replace("<br>", " ")
    for t in mark_traces(fig):
        for ids, sym in zip(t["customdata"], t["marker"]["symbol"], strict=True):
            row = f.loc[ids.split(";")[0]]
            assert sym.startswith(shape_of[row["metric"]])
            assert sym.endswith("-open") == bool(row["approximate"]), (ids, sym)
            label = any_data.vocabulary.metrics[row["metric"]].label.lower()
            assert f"{GLYPHS[shape_of[row['metric']]]} {label}" in subtitle
            assert (t.get("yaxis") == "y2") == (row["scope"] == "window")
    if (f["qualifier"].isin(["over", "at_least"]) & f["metric_group"].eq("casualties")).any():
        assert any(t.get("line", {}).get("dash") == "dot" for t in fig["data"])


def test_revisions_are_joined_in_time_and_the_revised_faded(any_data):
    f = any_data.figures.set_index("figure_id")
    fig = charts.figure_json(charts.CHARTS["casualties"].spec(any_data))
    for t in mark_traces(fig):
        if True:
            for ids, opacity in zip(t["customdata"], t["marker"]["opacity"], strict=True):
                assert (opacity < 1) == (not f.loc[ids.split(";")[0], "current"])
    revised = f[
        f["revises"].notna() & f["metric_group"].eq("casualties") & f["as_of_date"].notna()
    ]
    revised = revised[revised["revises"].map(lambda r: pd.notna(f.loc[r, "as_of_date"]))]
    lines = [t for t in fig["data"] if t.get("mode") == "lines" and t["line"].get("width") == 1.5]
    assert bool(lines) == bool(len(revised))


def test_one_colour_per_claimant_everywhere(any_data):
    for name, fig in specs(any_data).items():
        for t in fig["data"]:
            if t.get("x") == [None] and t.get("legendgroup") in set(
                any_data.claimants["claimant"]
            ):
                assert t["marker"]["color"] == any_data.colour(t["legendgroup"]), name
    colours = list(any_data.claimants["colour"])
    assert len(set(colours)) == len(colours)


def test_troop_rows_are_unique_by_wave_and_capped_with_a_note(any_data):
    fig = charts.figure_json(charts.CHARTS["troops"].spec(any_data))
    f = any_data.figures
    counts = f[f["metric"].isin(people_metrics(any_data, "deployment")) & f["part_of"].isna()]
    if counts.empty:
        return
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert len(labels) == len(set(labels)) == len(fig["layout"]["yaxis"]["tickvals"])
    drawn = drawn_ids(fig)
    assert drawn <= set(counts["figure_id"])
    if len(counts) > len(drawn):
        assert f"{len(counts) - len(drawn):,} more counts" in fig["layout"]["title"]["text"]
    heading = [label for label in labels if label.startswith("<b>")]
    assert heading and labels[0].startswith("<b>")


def test_the_timeline_adds_up_current_counts_never_plans(any_data):
    fig = charts.figure_json(charts.CHARTS["timeline"].spec(any_data))
    metric = total_metric(any_data, "deployment")
    if metric is None or not fig["data"]:
        return
    c = any_data.contingents
    expected = 0.0
    for wave in c[c["part_of"].isna()].itertuples():
        own = comparable(any_data, metric, wave.contingent)
        if len(own):
            expected += float(own["high"].fillna(own["low"]).max())
        else:
            parts = [
                comparable(any_data, metric, k)
                for k in c[c["part_of"] == wave.contingent]["contingent"]
            ]
            expected += sum(float(p["high"].fillna(p["low"]).max()) for p in parts if len(p))
    high = next(t for t in fig["data"] if t["name"].startswith("highest"))
    assert high["y"][-1] == pytest.approx(expected)


def test_the_split_chart_checks_each_stated_total(data):
    fig = charts.figure_json(charts.CHARTS["split"].spec(data))
    assert "the parts add up in every one" in fig["layout"]["title"]["text"]
    f = data.figures.copy()
    f.loc[f["figure_id"] == "a001-builders-5000", ["low", "high"]] = 4000.0
    broken = charts.figure_json(charts.CHARTS["split"].spec(dataclasses.replace(data, figures=f)))
    notes = " ".join(a["text"] for a in broken["layout"]["annotations"])
    assert "parts do NOT add up" in notes and "in 1 of them" in broken["layout"]["title"]["text"]


def test_shares_use_a_figures_own_denominator_and_flag_over_100(data_copy):
    import kursk

    path = data_copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    path.write_text(
        path.read_text().replace(
            "figures:\n",
            "figures:\n"
            "  - id: t-force\n    metric: deployed\n    value: 2000\n    claimant: kr-military\n"
            "    quote: 2,000 troops\n"
            "  - id: t-lost\n    metric: killed_or_wounded\n    value: 3000\n"
            "    claimant: kr-military\n    denominator: t-force\n    quote: 3,000 casualties\n",
            1,
        )
    )
    data = kursk.load(data_copy)
    table = casualty_share(data).set_index("figure_id")
    assert table.loc["t-lost", "force_ids"] == "t-force"
    assert table.loc["t-lost", "low"] == 150 and table.loc["t-lost", "over_100"]
    fig = charts.figure_json(charts.CHARTS["share"].spec(data))
    notes = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "150% — over 100%: these figures cannot all be true" in notes
    assert fig["layout"]["xaxis"]["range"][1] > 150
    assert "150%" not in fig["layout"]["title"]["text"]  # never in the stated range


def test_the_corroboration_grid_labels_every_row_once(any_data):
    fig = charts.figure_json(charts.CHARTS["corroboration"].spec(any_data))
    heat = fig["data"][0]
    rows = fig["layout"]["yaxis"]["ticktext"]
    assert len(rows) == len(set(rows)) == len(heat["z"]) == len(fig["layout"]["yaxis"]["tickvals"])
    cols = fig["layout"]["xaxis"]["ticktext"]
    assert len(cols) == len(set(cols)) == len(heat["z"][0])
    for z_row, text_row in zip(heat["z"], heat["text"], strict=True):
        assert [bool(v) for v in z_row] == [t == "✓" for t in text_row]
    if len(any_data.claims) > len(rows):
        assert (
            f"{len(any_data.claims) - len(rows):,} more claims not shown"
            in fig["layout"]["title"]["text"]
        )


def test_an_empty_selection_says_so_in_every_chart(data):
    none = data.filter(claimants=[])
    for name, fig in specs(none).items():
        assert common.EMPTY in [a["text"] for a in fig["layout"]["annotations"]], name
        assert fig["layout"]["meta"] == {"chart": name, "claimants": [], "articles": []}


def test_generated_data_never_breaks_a_chart_and_builders_leave_the_input_alone(data, tmp_path):
    from bench.synth import write_dataset
    from kursk import load

    generated = load(write_dataset(tmp_path / "synth", 500, per_file=50, seed=3))
    before = generated.figures.copy()
    for name, fig in charts.build_all(generated).items():
        assert fig.layout.meta["chart"] == name
    pd.testing.assert_frame_equal(generated.figures, before)


def test_the_json_the_dashboard_sends_is_what_plotly_makes_of_the_figure(data):
    """Chart.spec writes plotly JSON directly; for every chart and a spread of selections it
    is exactly the JSON of the validated go.Figure that Chart.figure returns."""
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


def test_row_loops_see_the_rows_pandas_would_give_them(data):
    """common.plain gives the rows, values and dtypes of pandas' selection and astype, with
    missing text as None (so that row loops may compare it)."""
    f = data.figures
    keep = f["as_of_date"].notna()
    expected = f[keep][[c for c in f.columns if c not in common.UNUSED]]
    got = common.plain(f[keep])
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected)
    for column in ("contingent", "subject", "part_of"):
        assert [None if pd.isna(v) else v for v in expected[column]] == list(got[column])
    assert got["low"].dtype == "float64"
