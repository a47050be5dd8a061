"""The sentences the product states are facts: every number comes from a figure its rule lets
it compare, worded as that figure words it, and drawn in the chart that states it."""

from __future__ import annotations

import dataclasses
import html
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import kursk
from kursk.analysis import facts
from kursk.analysis.shares import casualty_share, share_fact
from kursk.charts import CHARTS, figure_json
from kursk.charts.corroboration import corroboration_fact
from tests.support.strategies import datasets, write


def _figure_facts(data) -> dict[str, facts.Fact | None]:
    """chart name -> the fact its title states (None: its neutral title)."""
    return {
        "casualties": facts.casualty_fact(data),
        "troops": facts.troops_fact(data),
        "share": share_fact(data),
        "corroboration": corroboration_fact(data) if len(data.figures) else None,
    }


def title_text(title: str) -> str:
    """A chart title's bold lines as one sentence (titles wrap at 80 characters)."""
    return html.unescape(" ".join(re.findall(r"<b>(.*?)</b>", title)))


def _drawn(spec: dict) -> set[str]:
    ids = set()
    for t in spec["data"]:
        for c in t.get("customdata") or ():
            for item in c if isinstance(c, list) else [c]:
                ids |= set(str(item).split(";"))
    return ids


def check_comparable(data, fact: facts.Fact) -> None:
    """Rule `comparable`, checked from the frames: one metric, running totals, current, whole,
    stated; and the stated ends are the lowest and highest numbers of that pool."""
    f = data.figures.set_index("figure_id")
    pool = f.loc[fact.pool]
    assert pool["metric"].nunique() == 1
    assert (pool["scope"] == "cumulative").all() and pool["current"].all()
    for key in ("part_of", "breakdown", "progress_of"):
        assert pool[key].isna().all(), key
    assert not pool["vague"].any()
    if "one wave" in fact.rule:
        assert pool["contingent"].nunique(dropna=False) == 1
    lower = pool["low"].fillna(pool["high"])
    upper = pool["high"].fillna(pool["low"])
    values = [f.loc[s.figure_id] for s in fact.stated]
    assert lower.min() == (values[0]["low"] if pd.notna(values[0]["low"]) else values[0]["high"])
    last = values[-1]
    assert upper.max() == (last["high"] if pd.notna(last["high"]) else last["low"])


def check_fact(data, fact: facts.Fact) -> None:
    """Each number the fact states is its figure's wording, qualifier and all, in the text."""
    f = data.figures.set_index("figure_id")
    for s in fact.stated:
        assert s.worded in fact.text, (s, fact.text)
        if fact.rule != "share":
            assert s.figure_id in fact.pool
            assert f.loc[s.figure_id, "worded"] == s.worded
    if fact.rule.startswith("comparable"):
        check_comparable(data, fact)
    if fact.rule == "share":
        table = casualty_share(data).set_index("figure_id")
        for s in fact.stated:
            row = table.loc[s.figure_id]
            assert not row["over_100"] and re.search(r"\d", s.worded)
            # the share's qualifier follows its inputs: "over" for an open casualty figure
            assert s.worded.startswith("over") == (
                pd.isna(row["high"]) and s is fact.stated[-1]
            ) or (row["qualifier"] == "over")
    if data.selection:
        assert True  # filtered selections are said in the headline's last sentence


def _rule_comparable(data, metric, wave) -> set[str]:
    """Rule `comparable` restated from its docstring, straight from the figures frame."""
    f = data.figures
    keep = (
        (f["scope"] == "cumulative") & f["current"] & f["part_of"].isna() & f["breakdown"].isna()
        & f["progress_of"].isna() & ~f["vague"] & (f["low"].notna() | f["high"].notna())
        & (f["metric"] == metric)
    )  # fmt: skip
    if wave is None:
        keep &= f["contingent"].isna()
    elif wave is not facts.ANY:
        keep &= f["contingent"] == wave
    return set(f[keep.fillna(False).astype(bool)]["figure_id"])


def check_counts(data) -> None:
    """comparable() gives the rule's figures, and n_comparable (the headline's and the
    timeline's counts, made without taking rows) their number: for every metric and any wave,
    each wave, or none."""
    waves = [facts.ANY, None, *data.contingents["contingent"], "no-such-wave"]
    for metric in [*data.vocabulary.metrics, "no-such-metric"]:
        for wave in waves:
            expected = _rule_comparable(data, metric, wave)
            assert set(facts.comparable(data, metric, wave)["figure_id"]) == expected
            assert facts.n_comparable(data, metric, wave) == len(expected), (metric, wave)


def check_dataset(data) -> None:
    check_counts(data)
    for name, fact in _figure_facts(data).items():
        spec = CHARTS[name].spec(data)
        title = figure_json(spec)["layout"]["title"]["text"]
        if fact is None:
            assert f"<b>{CHARTS[name].title}</b>" in title
            continue
        check_fact(data, fact)
        assert title_text(title) == fact.text
        # no statement contradicts the figures drawn: its figures are in its chart
        assert {s.figure_id for s in fact.stated} <= _drawn(spec), name
    head = facts.headline(data)
    for fact in head.facts:
        check_fact(data, fact)
    if len(data.figures):
        assert head.lines()[-1].startswith(f"{len(data.figures)} figure")
        if data.selection:
            assert data.selection in head.lines()[-1]


@pytest.mark.parametrize("claimant", [None, "first"])
def test_titles_and_headline_state_only_comparable_figures(any_data, claimant):
    data = any_data
    if claimant:
        data = data.filter(claimants=[data.figures["claimant"].iloc[0].split(";")[0]])
    check_dataset(data)


def test_a_headline_line_says_one_value_once(any_data):
    """One value and who gave it, once: never 'X puts it at about 3,000 (about 3,000 per X)';
    the latest wave is not the troops line again."""
    for claimant in dict.fromkeys(c for s in any_data.figures["claimant"] for c in s.split(";")):
        head = facts.headline(any_data.filter(claimants=[claimant]))
        for fact in head.facts:
            if len(fact.stated) == 1:
                assert fact.text.count(fact.stated[0].worded) == 1, fact.text
        pools = [frozenset(f.pool) for f in head.facts if f.pool]
        assert len(pools) == len(set(pools)), head.lines()


@pytest.mark.timeout(900)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=datasets())
def test_every_generated_dataset_states_only_facts(files):
    with tempfile.TemporaryDirectory() as tmp:
        data = kursk.load(write(Path(tmp) / "data", files))
        check_dataset(data)
        first = data.figures["claimant"].iloc[0].split(";")[0] if len(data.figures) else None
        if first:
            check_dataset(data.filter(claimants=[first]))


def test_qualifiers_are_kept_and_non_comparable_figures_left_out(data_copy):
    """'at least' stays 'at least'; a window, a killed-only count, a revised figure and a part
    never end a casualty range."""
    path = data_copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    text = path.read_text().replace(
        "figures:\n",
        "figures:\n"
        "  - id: t-atleast\n    metric: killed_or_wounded\n    value: {at_least: 9000}\n"
        "    claimant: ua-intelligence\n    quote: at least 9,000 killed or wounded\n"
        "  - id: t-window\n    metric: killed_or_wounded\n    value: 50000\n"
        "    claimant: ua-intelligence\n    scope: {window: in the past week, days: 7}\n"
        "    quote: 50,000 in the past week\n"
        "  - id: t-killed\n    metric: killed\n    value: 100\n    claimant: ua-intelligence\n"
        "    quote: 100 killed\n",
        1,
    )
    path.write_text(text)
    data = kursk.load(data_copy)
    fact = facts.casualty_fact(data)
    assert fact.text.endswith("to at least 9,000"), fact.text
    assert "over 9,000" not in fact.text and "50,000" not in fact.text and " 100 " not in fact.text
    lines = facts.headline(data).lines()
    assert any("to at least 9,000" in line for line in lines)


def test_edge_cases_are_worded_as_such(data):
    one = data.filter(claimants=["us-government"])
    fact = facts.casualty_fact(one)
    assert fact.text == "Casualties (killed or wounded): US assessments puts it at about 1,200"
    assert facts.troops_fact(one) is None
    nothing = data.filter(claimants=[])
    assert facts.headline(nothing).lines() == ["No figures match the current filters."]
    filtered = facts.headline(one).lines()[-1]
    assert "claimants: US assessments" in filtered


def _same(a, b) -> bool:
    return (
        (a is pd.NA and b is pd.NA)
        or (a is not pd.NA and b is not pd.NA and a == b)
        or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)
    )


def test_rows_read_fast_are_the_rows_pandas_gives(any_data):
    """records() (used by the facts and charts for speed) yields what itertuples() does."""
    from kursk.ledger.frames import records

    d = any_data
    for frame in (d.figures, d.claims, d.articles, d.contingents, d.figures.iloc[:0]):
        slow, fast = list(frame.itertuples()), list(records(frame))
        assert [r._fields for r in fast] == [r._fields for r in slow]
        for s, f in zip(slow, fast, strict=True):
            assert all(_same(a, b) for a, b in zip(s, f, strict=True)), (s, f)


def test_chart_rows_from_the_converted_figures_are_the_rows_converted_each_time(any_data):
    """plain_rows (each view's figures converted once) gives what plain() of the selected rows
    gives, for the masks the charts use."""
    from kursk.charts.common import plain, plain_rows

    for d in (any_data, any_data.filter(claimants=[any_data.claimants["claimant"].iloc[0]])):
        f = d.figures
        masks = [f["as_of_date"].notna(), f["part_of"].isna(), f["low"].isna(), f["low"] < 0]
        for metric in f["metric"].dropna().unique():
            masks.append(facts.comparable_mask(d, metric))
        for mask in masks:
            mask = pd.Series(mask, index=f.index).fillna(False).to_numpy(dtype=bool)
            pd.testing.assert_frame_equal(plain_rows(d, mask), plain(f[mask]))


def test_the_headline_adds_to_its_own_copy_of_a_fact_never_to_a_title(any_data):
    """The chart titles and the headline share each fact, made once per dataset; the headline
    adds who gave which number to its own copy, whichever is built first."""
    for claimants in (None, [any_data.claimants["claimant"].iloc[0]]):
        first, fresh = (any_data.filter(claimants=claimants) for _ in range(2))
        lines = facts.headline(first).lines()
        for name in ("casualties", "troops"):
            title = figure_json(CHARTS[name].spec(first))["layout"]["title"]["text"]
            assert title == figure_json(CHARTS[name].spec(fresh))["layout"]["title"]["text"]
        assert facts.headline(first).lines() == lines == facts.headline(fresh).lines()


def test_comparable_counts_are_the_rows_counted(any_data):
    check_counts(any_data)
    for claimant in any_data.claimants["claimant"]:
        check_counts(any_data.filter(claimants=[claimant]))


def test_comparable_follows_the_dataset_it_is_asked_of(any_data):
    """Rule `comparable`'s selections are made once per dataset and never carried over to
    another (a filtered copy, or figures replaced in place)."""
    d = any_data
    for metric in d.figures["metric"].dropna().unique():
        once = facts.comparable(d, metric)
        assert facts.comparable(d, metric) is once
        for claimant in d.claimants["claimant"]:
            sub = d.filter(claimants=[claimant])
            mine = facts.comparable(sub, metric)
            assert set(mine["figure_id"]) == set(once["figure_id"]) & set(sub.figures["figure_id"])
    metric = d.figures["metric"].iloc[0]
    copy = dataclasses.replace(d)
    assert len(facts.comparable(copy, metric))
    copy.figures = d.figures.iloc[:0]
    assert facts.comparable(copy, metric).empty
    assert len(facts.comparable(d, metric))  # the original is unchanged
