"""Chart builders: data drawn, sources named, marks right, titles from data, filters respected."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from kursk import charts, theme
from kursk.summary import casualty_share, headline


def points(fig) -> int:
    return sum(
        len([x for x in (t.x or ()) if x is not None])
        for t in fig.data
        if t.type == "scatter" and "markers" in (t.mode or "")
    )


def test_every_chart_draws_data_with_title_source_and_meta(data):
    for name, fig in charts.build_all(data).items():
        assert fig.data, name
        assert fig.layout.meta["chart"] == name
        assert set(fig.layout.meta["articles"]) <= set(data.articles["article"])
        source = [a.text for a in fig.layout.annotations if a.name == "source"][0]
        for claimant in fig.layout.meta["claimants"]:
            full = data.claimants.set_index("claimant").loc[claimant, "name"]
            assert full in source.replace("<br>", " ") or full.split()[0] in source
        assert fig.layout.template.layout.font.family.startswith("DejaVu")


def test_casualty_chart_has_one_marker_per_casualty_figure(data):
    f = data.figures
    expected = f[f["metric"].isin(["killed", "wounded", "captured", "killed_or_wounded"])]
    fig = charts.casualties(data)
    assert points(fig) == len(expected)
    hover = " ".join(h for t in fig.data for h in (t.hovertext or ()))
    assert "estimating around 1,200 casualties" in hover and "003_1a8f1fbcddf06ff0" in hover


def test_open_bounds_are_arrows_and_approximate_values_hollow(data):
    fig = charts.casualties(data)
    symbols = [
        s
        for t in fig.data
        if t.marker and isinstance(t.marker.symbol, tuple)
        for s in t.marker.symbol
    ]
    n_over = int(
        (data.figures["qualifier"] == "over").sum()
        - (data.figures["metric"] == "casualty_share").sum()
    )
    assert symbols.count("triangle-up") == n_over
    assert "circle-open" in symbols
    assert any(t.line and t.line.dash == "dot" for t in fig.data)  # the arrow shaft


def test_titles_state_findings_computed_from_data(data):
    assert charts.casualties(data).layout.title.text.startswith(
        "<b>Casualty estimates range from 1,200 to over 6,000"
    )
    f = data.figures.copy()
    f.loc[f["figure_id"] == "a003-us-kwia-1200", "low"] = 900.0
    f.loc[f["figure_id"] == "a003-us-kwia-1200", "worded"] = "about 900"
    changed = dataclasses.replace(data, figures=f)
    assert "from 900 to over 6,000" in charts.casualties(changed).layout.title.text
    assert "6,000 to 12,000 troops" in charts.troops(data).layout.title.text


def test_one_colour_per_claimant_across_charts(data):
    seen: dict[str, set] = {}
    for fig in (charts.casualties(data), charts.troops(data)):
        for t in fig.data:
            if t.type == "scatter" and t.legendgroup and t.marker and t.marker.color:
                seen.setdefault(t.legendgroup, set()).add(t.marker.color)
    assert seen and all(len(c) == 1 for c in seen.values())
    assert seen["kr-military"] == {theme.claimant_color("kr-military")}


def test_filtered_data_draws_fewer_points_and_empty_selection_says_so(data):
    some = data.filter(claimants=["kr-military"])
    assert 0 < points(charts.casualties(some)) < points(charts.casualties(data))
    none = data.filter(claimants=[])
    for name, fig in charts.build_all(none).items():
        texts = [a.text for a in fig.layout.annotations]
        assert charts.EMPTY in texts, name


def test_split_chart_shows_parts_summing_and_flags_when_they_do_not(data):
    fig = charts.split(data)
    assert "1,000 sappers and 5,000 construction workers" in fig.layout.title.text
    assert any("1,000 + 5,000 = 6,000" in a.text for a in fig.layout.annotations)
    f = data.figures.copy()
    f.loc[f["figure_id"] == "a001-builders-5000", "low"] = 4000.0
    broken = charts.split(dataclasses.replace(data, figures=f))
    assert "do not add up" in broken.layout.title.text
    assert any("≠ 6,000" in a.text and "NOT" in a.text for a in broken.layout.annotations)


def test_casualty_share_interval_arithmetic(data):
    table = casualty_share(data).set_index("claim_id")
    # deployed 2024 spans 6,000 (article 000) to 12,000; 1,200 casualties -> 10% to 20%
    us = table.loc["a003-us-kwia-1200"]
    assert (us["low"], us["high"]) == (pytest.approx(10.0), pytest.approx(20.0))
    kwia = table.loc["kwia-4000"]  # 3,800-4,000 and about 4,000
    assert kwia["low"] == pytest.approx(100 * 3800 / 12000) and kwia["high"] == pytest.approx(
        100 * 4000 / 6000
    )
    assert pd.isna(table.loc["kwia-6000", "high"])  # "over 6,000" leaves it open
    assert table.loc["a004-share-over-40", "kind"] == "stated"
    assert (
        "derived" in charts.share(data).layout.title.text
        or "2024 force" in charts.share(data).layout.title.text
    )


def test_corroboration_matrix_marks_each_report(data):
    fig = charts.corroboration(data)
    z = fig.data[0].z
    assert sum(map(sum, z)) == data.claims["n_articles"].sum()
    assert fig.layout.title.text.startswith("<b>6 of 15 claims")


def test_headline_numbers(data):
    h = headline(data)
    assert (h.troops_low, h.troops_high) == (6000, 12000)
    assert (h.casualties_low, h.casualties_high, h.casualties_open) == (1200, 6000, True)
    assert h.latest_wave_total == 6000
    assert sorted(h.latest_wave_parts) == [("construction workers", 5000.0), ("sappers", 1000.0)]
    assert any("1,200 to over 6,000" in line for line in h.lines())
