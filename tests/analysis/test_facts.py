"""Headline numbers and the derived casualty share, on the seed data and edited copies."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kursk.analysis.facts import headline, span
from kursk.analysis.shares import casualty_share
from kursk.analysis.wording import wordings


def edited(data, figure_id: str, **values):
    f = data.figures.copy()
    for column, value in values.items():
        f.loc[f["figure_id"] == figure_id, column] = value
    return dataclasses.replace(data, figures=f)


def test_headline_numbers_for_the_seed_data(data):
    h = headline(data)
    # 2024 deployment: 10,000-12,000 (articles 002, 003) and the 6,000 of article 000
    assert (h.troops_low, h.troops_high) == (6000, 12000)
    assert h.troops_by_number == [
        ("10,000–12,000", ["North Korea", "US, S. Korean, Ukrainian intel"]),
        ("6,000", ["an unattributed estimate"]),
    ]
    assert "North Korea's leadership and state media" in h.troops_sources
    assert (h.casualties_low, h.casualties_high, h.casualties_open) == (1200, 6000, True)
    assert "US assessments" in h.casualty_sources and "UK intelligence" in h.casualty_sources
    assert h.latest_wave == "Sappers and builders (2025)"
    assert h.latest_wave_total == 6000
    assert sorted(h.latest_wave_parts) == [("construction workers", 5000.0), ("sappers", 1000.0)]
    assert (h.n_figures, h.n_articles, h.n_claimants) == (24, 5, 11)


def test_headline_sentences(data):
    lines = headline(data).lines()
    assert lines[0].startswith("Sources put the 2024 deployment at 6,000 to 12,000 troops")
    assert "10,000–12,000 per North Korea" in lines[0]
    assert lines[1] == (
        "Casualty estimates range from 1,200 to over 6,000 killed or wounded (5 sources)."
    )
    assert lines[2] == (
        "Latest wave: Sappers and builders (2025), 6,000 people "
        "(1,000 sappers + 5,000 construction workers)."
    )
    assert lines[3] == "24 figures from 5 articles, 11 claimants."
    assert headline(data).as_dict()["casualties_high"] == 6000


def test_headline_follows_the_filters(data):
    h = headline(data.filter(metric_groups=["casualties"]))
    assert h.troops_low is None and h.latest_wave is None and h.casualties_low == 1200
    assert len(h.lines()) == 2
    h = headline(data.filter(claimants=["kr-military"]))
    assert (h.casualties_low, h.casualties_high, h.casualties_open) == (4000, 4000, False)
    assert h.latest_wave == "Reinforcement (early 2025)" and h.latest_wave_total == 3000
    assert headline(data.filter(claimants=[])).lines() == ["No figures match the current filters."]


def test_headline_numbers_come_from_the_frames(data):
    h = headline(edited(data, "a003-us-kwia-1200", low=800.0, high=800.0))
    assert h.casualties_low == 800
    h = headline(edited(data, "a000-kwia-over-6000", low=7000.0))  # over 7,000 now tops
    assert (h.casualties_high, h.casualties_open) == (7000, True)
    # both "over 6,000" reports made exact: the top is no longer open
    h = headline(
        edited(
            edited(data, "a001-kwia-over-6000", qualifier="exact", high=6000.0),
            "a000-kwia-over-6000",
            qualifier="exact",
            high=6000.0,
        )
    )
    assert (h.casualties_high, h.casualties_open) == (6000, False)


def test_span_handles_open_and_up_to_bounds(data):
    f = data.figures
    assert span(f[f["metric"] == "payment_per_soldier"]) == (2000, 2000, False)  # up to $2,000
    assert span(f.iloc[:0]) == (None, None, False)
    assert span(f[f["figure_id"] == "a001-deployed-thousands"]) == (None, None, False)  # vague


def test_casualty_share_interval_arithmetic(data):
    table = casualty_share(data).set_index("claim_id")
    # the 2024 deployment spans 6,000 (article 000) to 12,000 (articles 002 and 003)
    us = table.loc["a003-us-kwia-1200"]  # about 1,200 -> 1,200/12,000 .. 1,200/6,000
    assert (us["low"], us["high"]) == (pytest.approx(10.0), pytest.approx(20.0))
    assert us["kind"] == "derived" and us["claimants"] == "US assessments"
    kwia = table.loc["kwia-4000"]  # 3,800-4,000 and about 4,000 (three articles)
    assert kwia["low"] == pytest.approx(100 * 3800 / 12000)
    assert kwia["high"] == pytest.approx(100 * 4000 / 6000)
    assert kwia["n_articles"] == 3 and kwia["worded"] == "about 4,000 / 3,800–4,000"
    assert kwia["claimant_ids"] == "kr-military;ua-president;unattributed"
    open_ = table.loc["kwia-6000"]  # "over 6,000" leaves the top open
    assert open_["low"] == pytest.approx(50.0) and pd.isna(open_["high"])
    stated = table.loc["a004-share-over-40"]
    assert stated["kind"] == "stated" and stated["low"] == 40 and pd.isna(stated["high"])
    assert list(table["kind"]) == ["derived"] * 3 + ["stated"]


def test_casualty_share_hand_computed_case(data):
    # deployment: one figure of 8,000-10,000; casualties: "up to 2,000" and exactly 500
    f = data.figures
    keep = f[f["figure_id"].isin(["a002-deployed-10000-12000", "a003-us-kwia-1200"])].copy()
    keep.loc[keep["metric"] == "deployed", ["low", "high"]] = [8000.0, 10000.0]
    up_to = keep[keep["metric"] == "killed_or_wounded"].assign(
        figure_id="up-to", claim_id="up-to", qualifier="up_to", low=pd.NA, high=2000.0
    )
    keep.loc[keep["metric"] == "killed_or_wounded", ["low", "high"]] = [500.0, 500.0]
    frame = pd.concat([keep, up_to], ignore_index=True).astype({"low": "Float64"})
    table = casualty_share(dataclasses.replace(data, figures=frame)).set_index("claim_id")
    assert table.loc["a003-us-kwia-1200", "low"] == pytest.approx(5.0)  # 500 / 10,000
    assert table.loc["a003-us-kwia-1200", "high"] == pytest.approx(6.25)  # 500 / 8,000
    assert table.loc["up-to", "low"] == 0  # no lower bound
    assert table.loc["up-to", "high"] == pytest.approx(25.0)  # 2,000 / 8,000


def test_casualty_share_without_a_deployment_keeps_the_stated_share(data):
    table = casualty_share(data.filter(metric_groups=["casualties"]))
    assert list(table["kind"]) == ["stated"]
    assert casualty_share(data.filter(claimants=[])).empty


def test_wordings_most_common_first():
    assert wordings(["3,800–4,000", "about 4,000", "about 4,000"]) == "about 4,000 / 3,800–4,000"
    assert wordings(["about 6,000", "over 6,000"]) == "about 6,000 / over 6,000"


def test_casualty_share_pools_the_reports_of_one_claim(data):
    # deployment narrowed to 8,000-10,000; one claim reported as 2,000-3,000 and 2,500-2,800
    d = data.filter(claimants=["kp-state", "kr-military"])
    d = edited(d, "a002-deployed-10000-12000", low=8000.0, high=10000.0)
    d = edited(d, "a002-kwia-4000", qualifier="range", low=2000.0, high=3000.0)
    d = edited(d, "a003-kwia-4000", qualifier="range", low=2500.0, high=2800.0)
    row = casualty_share(d).set_index("claim_id").loc["kwia-4000"]
    assert row["low"] == pytest.approx(20.0)  # 2,000 / 10,000
    assert row["high"] == pytest.approx(37.5)  # 3,000 / 8,000
    assert "8,000–10,000" in row["label"] and row["n_articles"] == 2
