"""Headline numbers and the derived casualty share, as a reader sees them."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from kursk.summary import casualty_share, fmt, headline


def _edit(data, figure_id: str, **values):
    """A copy of the dataset with one figure's columns changed (the loader is bypassed)."""
    f = data.figures.copy()
    for column, value in values.items():
        f.loc[f["figure_id"] == figure_id, column] = value
    return dataclasses.replace(data, figures=f)


def test_seed_headline_numbers_and_sentences(data):
    h = headline(data)
    dep = data.figures[
        (data.figures["metric"] == "deployed") & (data.figures["contingent"] == "initial-2024")
    ]
    assert (h.troops_low, h.troops_high) == (6000, 12000)
    assert "US intelligence" in h.troops_sources and len(h.troops_sources) == len(
        {n for s in dep["claimant_name"] for n in s.split("; ")}
    )
    assert (h.casualties_low, h.casualties_high, h.casualties_open) == (1200, 6000, True)
    assert h.latest_wave_total == 6000 and "2025" in h.latest_wave
    assert sorted(h.latest_wave_parts) == [("construction workers", 5000.0), ("sappers", 1000.0)]
    assert (h.n_figures, h.n_articles) == (len(data.figures), len(data.articles))
    text = " ".join(h.lines())
    assert "6,000–12,000 troops" in text and "1,200 to over 6,000" in text
    assert "1,000 sappers + 5,000 construction workers" in text
    assert h.as_dict()["troops_high"] == 12000


def test_headline_follows_the_filters_and_the_data(data):
    kr = headline(data.filter(claimants=["kr-military"]))
    assert kr.troops_low is None and kr.casualties_low == 4000 and not kr.casualties_open
    assert headline(_edit(data, "a003-us-kwia-1200", low=900.0, high=900.0)).casualties_low == 900
    empty = headline(data.filter(claimants=[]))
    assert empty.troops_low is None and empty.casualties_low is None and empty.n_figures == 0
    assert empty.lines() == ["0 figures from 0 articles, 0 claimants."]


def test_casualty_share_interval_arithmetic_hand_computed(data):
    # deployment 2024 narrowed to one range 8,000-10,000; casualties 2,000-3,000
    d = data.filter(claimants=["kp-state", "kr-military"])
    d = _edit(d, "a002-deployed-10000-12000", low=8000.0, high=10000.0)
    d = _edit(
        d, "a002-kwia-4000", qualifier="range", low=2000.0, high=3000.0, worded="2,000–3,000"
    )
    # the same claim reported again (article 003): the claim spans both reports
    d = _edit(d, "a003-kwia-4000", qualifier="range", low=2500.0, high=2800.0)
    table = casualty_share(d).set_index("claim_id")
    row = table.loc["kwia-4000"]
    assert row["kind"] == "derived"
    assert row["low"] == pytest.approx(20.0)  # 2,000 / 10,000
    assert row["high"] == pytest.approx(37.5)  # 3,000 / 8,000
    assert "8,000–10,000" in row["label"]


def test_open_and_missing_bounds_in_casualty_share(data):
    table = casualty_share(data).set_index("claim_id")
    assert pd.isna(table.loc["kwia-6000", "high"])  # "over 6,000": no upper bound
    assert table.loc["a004-share-over-40", "kind"] == "stated"
    assert table.loc["a004-share-over-40", "low"] == 40 and pd.isna(
        table.loc["a004-share-over-40", "high"]
    )
    # "up to 2,000" casualties has no lower bound: share runs from 0
    upto = _edit(data, "a003-us-kwia-1200", qualifier="up_to", low=pd.NA, high=2000.0)
    row = casualty_share(upto).set_index("claim_id").loc["a003-us-kwia-1200"]
    assert row["low"] == 0 and row["high"] == pytest.approx(100 * 2000 / 6000)
    # no deployment in the selection: nothing to divide by, only stated shares remain
    only_cas = casualty_share(data.filter(metric_groups=["casualties"]))
    assert set(only_cas["kind"]) == {"stated"}
    assert casualty_share(data.filter(claimants=[])).empty


def test_numbers_are_written_as_a_reader_writes_them():
    assert (fmt(6000), fmt(12000.0), fmt(37.5), fmt(None), fmt(pd.NA)) == (
        "6,000",
        "12,000",
        "37.5",
        "?",
        "?",
    )
