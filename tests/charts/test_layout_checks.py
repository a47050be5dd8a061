"""The layout checker (bench.layout) catches each kind of violation on small hand-made figures,
drawn by the vendored plotly.js in Debian's Chromium, and passes a clean one."""

from __future__ import annotations

import pytest

from bench.layout import KINDS, check_figures

pytestmark = pytest.mark.browser

FONT = {"family": "DejaVu Sans", "size": 13}


def figure(data=None, **layout) -> dict:
    """A small figure: plain white layout, fixed margins (no automargin surprises)."""
    base = {
        "font": FONT,
        "margin": {"l": 80, "r": 40, "t": 60, "b": 60},
        "showlegend": False,
        "plot_bgcolor": "white",
    }
    return {"data": data or [], "layout": {**base, **layout}}


def bars(categories, values=None, orientation="v", **props) -> dict:
    values = values or list(range(1, len(categories) + 1))
    xy = {"x": categories, "y": values} if orientation == "v" else {"x": values, "y": categories}
    return {"type": "bar", "orientation": orientation, **xy, **props}


def note(text, x, y, **props) -> dict:
    return {"text": text, "xref": "paper", "yref": "paper", "x": x, "y": y, "showarrow": False}


def kinds(found: list[str]) -> set[str]:
    return {line.split(":", 1)[0] for line in found}


def cases() -> dict[str, dict]:
    """One small figure per case."""
    return {
        "clean": figure(
            [bars(["alpha", "beta", "gamma"], text=["1", "2", "3"], textposition="inside")],
            title={"text": "A clean chart", "x": 0.02},
            xaxis={"title": {"text": "group"}},
            yaxis={"title": {"text": "count"}},
            annotations=[
                note("a note inside", 0.5, 0.8),
                # on data axes, in the plot
                {"text": "on beta", "xref": "x", "yref": "y", "x": "beta", "y": 2.6},
                # anchored on the plot's bottom edge and drawn under it, as the charts' source
                # line is: held to the figure, not the plot area
                {**note("Sources: a source line", 1, 0), "yshift": -30, "yanchor": "top"},
            ],
            margin={"l": 80, "r": 40, "t": 60, "b": 90},
        ),
        "overlapping annotations": figure(
            [bars(["a", "b"])],
            annotations=[note("first note here", 0.5, 0.6), note("second note here", 0.52, 0.61)],
        ),
        "duplicate categories": figure(
            [bars(["a", "b", "c"])],
            xaxis={"tickmode": "array", "tickvals": ["a", "b", "c"], "ticktext": ["A", "B", "A"]},
        ),
        "duplicate rows": figure(
            [bars(["r1", "r2"], orientation="h")],
            yaxis={"tickmode": "array", "tickvals": ["r1", "r2"], "ticktext": ["Same", "Same"]},
        ),
        "rounded row labels": figure(
            # ticks every 0.4 written as whole numbers: 0, 0, 1, 1, 2, 2 (as "1k", "1k" would)
            [bars(["a", "b"], [1, 2])],
            yaxis={"range": [0, 2], "dtick": 0.4, "tickformat": ".0f"},
        ),
        "annotation outside paper": figure(
            [bars(["a", "b"])], annotations=[note("pushed past the right edge", 1.3, 0.5)]
        ),
        "annotation leaves plot": figure(
            [bars(["a", "b"])],
            # anchored inside the plot (x=0.97), drawn rightwards into the wide right margin
            annotations=[{**note("a note leaving the plot", 0.97, 0.5), "xanchor": "left"}],
            margin={"l": 80, "r": 240, "t": 60, "b": 60},
        ),
        "annotation off axis": figure(
            [bars(["a", "b"], [1, 2], orientation="h")],
            xaxis={"range": [0, 3]},
            annotations=[
                {"text": "<b>past the end</b>", "x": 5, "y": "a", "showarrow": False},
                {"text": "within", "x": 1, "y": "b", "showarrow": False},
            ],
        ),
        "data label leaves plot": figure(
            [
                {
                    "type": "scatter",
                    "x": [0, 1],
                    "y": [0, 10],
                    "mode": "markers+text",
                    "text": ["", "top label"],
                    "textposition": "top center",
                    "cliponaxis": False,
                }
            ],
            yaxis={"range": [0, 10]},
        ),
        "thinned categories": figure(
            [bars([f"category {i:02d}" for i in range(60)], orientation="h")],
            margin={"l": 120, "r": 20, "t": 20, "b": 40},
        ),
        "legend outside": figure(
            # plotly moves a legend in and widens margins to fit it, but not past the figure
            [bars(["a"], name="a series name far wider than the whole figure " * 3)],
            showlegend=True,
        ),
        "legend cut": figure(
            [bars(["a"], name=f"series {i}") for i in range(40)], showlegend=True
        ),
        "title outside": figure(
            [bars(["a", "b"])],
            # plotly keeps a title within the figure's height, not its width
            title={"text": "A title far too long for the figure, " * 4, "x": 0.5},
        ),
        "hidden and empty texts": figure(
            [bars(["a", "b"])],
            annotations=[
                note("the one visible note", 0.5, 0.5),
                note("", 0.5, 0.5),
                {**note("a hidden note on top", 0.5, 0.5), "visible": False},
                # drawn, but transparent: not on the picture
                {**note("a transparent note on top", 0.5, 0.5), "opacity": 0},
            ],
        ),
        # two lines stacked 6 px closer than their line boxes allow: the boxes overlap, the
        # glyphs (no capitals, ascenders or descenders) stay apart; 16 px closer, they touch
        **{
            f"stacked lines {shift} px closer": figure(
                [bars(["a", "b"])],
                annotations=[
                    {**note("over", 0.5, 0.5), "yanchor": "bottom", "font": {"size": 20}},
                    {
                        **note("main", 0.5, 0.5),
                        "yanchor": "top",
                        "yshift": shift,
                        "font": {"size": 20},
                    },
                ],
            )
            for shift in (6, 16)
        },
        "rotated labels apart": figure(
            [bars([f"a long category name {i}" for i in range(6)])],
            # 45° labels about 100 px apart: their axis-aligned hulls overlap, the glyphs do not
            xaxis={"tickangle": -45},
            margin={"l": 200, "r": 60, "t": 20, "b": 200},
        ),
    }


HEIGHTS = {"thinned categories": 300, "legend cut": 300}  # the rest are 700x420


@pytest.fixture(scope="module")
def results(browser):
    """Every figure of this file checked, once, in batches (as the gallery does)."""
    figs, heights = cases(), HEIGHTS
    out = {}
    plain = {k: v for k, v in figs.items() if k not in heights}
    out.update(check_figures(browser, plain, width=700, height=420))
    for name, height in heights.items():
        out.update(check_figures(browser, {name: figs[name]}, width=700, height=height))
    return out


def test_a_clean_figure_passes(results):
    assert results["clean"] == []
    assert results["hidden and empty texts"] == []


def test_rotated_labels_are_measured_as_drawn_not_by_their_hulls(results):
    assert results["rotated labels apart"] == []


def test_texts_overlap_by_their_glyphs_not_their_line_boxes(results):
    assert results["stacked lines 6 px closer"] == []
    (found,) = results["stacked lines 16 px closer"]
    assert found.startswith('overlap: annotation "over" overlaps annotation "main" by ')


def test_overlapping_annotations_are_named(results):
    (found,) = results["overlapping annotations"]
    assert found.startswith("overlap: ")
    assert '"first note here"' in found and '"second note here"' in found


def test_duplicate_labels_on_a_category_x_axis_and_on_rows(results):
    assert results["duplicate categories"] == ['duplicate label: x axis shows "A" 2 times']
    assert results["duplicate rows"] == ['duplicate label: y axis shows "Same" 2 times']
    assert results["rounded row labels"] == [
        f'duplicate label: y axis shows "{n}" 2 times' for n in (0, 1, 2)
    ]


def test_an_annotation_outside_the_paper_is_cut(results):
    (found,) = results["annotation outside paper"]
    assert found.startswith('outside figure: annotation "pushed past the right edge"')
    assert "right by" in found


def test_an_annotation_anchored_in_the_plot_stays_in_it(results):
    (found,) = results["annotation leaves plot"]
    assert found.startswith('outside plot area: annotation "a note leaving the plot"')


def test_an_annotation_plotly_drops_off_its_axis_is_reported(results):
    assert results["annotation off axis"] == [
        'hidden annotation: annotation "past the end" is not drawn: its anchor (x=5, y=a) '
        "is outside the axis range"
    ]


def test_data_labels_stay_in_the_plot_area(results):
    (found,) = results["data label leaves plot"]
    assert found.startswith('outside plot area: data label "top label"')
    assert "top by" in found


def test_a_thinned_category_axis_is_caught(results):
    found = results["thinned categories"]
    (skipped,) = [line for line in found if line.startswith("skipped tick: ")]
    assert "of 60 categories" in skipped and '"category 01"' in skipped
    # plotly thins them rather than overlapping them: no overlapping rows, just missing ones
    assert not any(
        s.startswith('overlap: tick y "category') and "overlaps tick y" in s for s in found
    )


def test_a_legend_leaving_the_figure_or_cut_is_caught(results):
    assert any(
        s.startswith("outside figure: legend (1 entries)") for s in results["legend outside"]
    )
    # 40 entries in 300 px: the first few drawn, the rest clipped (not reported one by one)
    (cut,) = results["legend cut"]
    assert cut.startswith("legend cut: legend shows ")
    assert "of 40 entries" in cut and '"series 39"' not in cut


def test_a_title_outside_the_figure_is_caught(results):
    (found,) = results["title outside"]
    assert found.startswith('outside figure: title "A title far too long')
    assert "left by" in found and "right by" in found


def test_every_kind_has_a_case_here(results):
    seen = set().union(*(kinds(found) for found in results.values()))
    assert seen == set(KINDS)


def test_many_overlaps_are_summed_up(browser):
    crowded = figure(annotations=[note(f"note {i}", 0.5, 0.5) for i in range(12)])
    found = check_figures(browser, {"crowded": crowded}, width=500, height=300)["crowded"]
    # 12 notes at one spot: 66 pairs, the first 8 named and the rest counted
    assert len(found) == 9
    assert found[-1] == "overlap: … and 58 more"
