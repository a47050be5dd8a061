"""Property: any valid generated dataset loads with every figure a row, once, values intact."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kursk
from kursk.ledger import frames
from kursk.paths import DATA_DIR

CLAIMANTS = ["uk-intelligence", "kr-military", "us-intelligence", "ua-president", "unattributed"]
CONTINGENTS = ["initial-2024", "reinforcement-2025-03", "reconstruction-2025", None]
METRICS = ["deployed", "arrived", "planned", "killed", "wounded", "captured", "killed_or_wounded"]

n = st.integers(min_value=0, max_value=50_000)
values = st.one_of(
    n.map(lambda v: (v, ("exact", v, v))),
    n.map(lambda v: ({"about": v}, ("about", v, v))),
    n.map(lambda v: ({"nearly": v}, ("nearly", v, v))),
    n.map(lambda v: ({"over": v}, ("over", v, None))),
    n.map(lambda v: ({"at_least": v}, ("at_least", v, None))),
    n.map(lambda v: ({"up_to": v}, ("up_to", None, v))),
    st.tuples(n, n).map(lambda t: ({"low": min(t), "high": max(t)}, ("range", min(t), max(t)))),
    st.sampled_from(["thousands", "hundreds", "dozens"]).map(
        lambda w: ({"vague": w}, ("vague", None, None))
    ),
)
figure = st.fixed_dictionaries(
    {
        "metric": st.sampled_from(METRICS),
        "value": values,
        "claimant": st.lists(st.sampled_from(CLAIMANTS), min_size=1, max_size=3, unique=True),
        "contingent": st.sampled_from(CONTINGENTS),
        "as_of": st.one_of(st.none(), st.sampled_from(["2024", "2024-10", "2025-01-15~"])),
        "window": st.booleans(),
        "quote": st.lists(
            st.sampled_from(["troops", "about", "killed", "sent", "more"]), min_size=1, max_size=15
        ).map(" ".join),
    }
)
dataset = st.lists(st.lists(figure, max_size=6), min_size=1, max_size=4)


def write(tmp: Path, articles: list[list[dict]], shared: bool, split: bool) -> dict:
    """Write the generated dataset as YAML; returns what each figure id must load as."""
    for name in ("vocabulary.yaml", "claimants.yaml", "contingents.yaml"):
        shutil.copy(DATA_DIR / name, tmp / name)
    (tmp / "figures").mkdir()
    expected, article_rows = {}, []
    for a, figs in enumerate(articles):
        aid = f"art-{a}"
        article_rows.append(
            {"id": aid, "title": f"Article {a}", "published": "2025-04~", "sha256": f"{a:064x}"}
        )
        out = []
        for i, f in enumerate(figs):
            raw, (qualifier, low, high) = f["value"]
            fid = f"f{a}-{i}"
            entry = {
                "id": fid,
                "metric": f["metric"],
                "value": raw,
                "claimant": f["claimant"],
                "quote": f["quote"],
            }
            if f["contingent"]:
                entry["contingent"] = f["contingent"]
            if f["as_of"]:
                entry["as_of"] = f["as_of"]
            if f["window"]:
                entry["scope"] = {"window": "in the past week", "days": 7}
            out.append(entry)
            expected[fid] = (aid, qualifier, low, high, ";".join(f["claimant"]), fid)
        if shared:  # the same claim reported by every article
            out.append(
                {
                    "id": f"shared-{a}",
                    "claim": "shared",
                    "metric": "deployed",
                    "value": {"about": 5000},
                    "claimant": "kr-military",
                    "quote": "about 5000",
                }
            )
            expected[f"shared-{a}"] = (aid, "about", 5000, 5000, "kr-military", "shared")
        if split:  # a whole and parts that sum to it
            out.append(
                {
                    "id": f"whole-{a}",
                    "metric": "planned",
                    "value": 6000,
                    "claimant": "unattributed",
                    "quote": "6000",
                }
            )
            expected[f"whole-{a}"] = (aid, "exact", 6000, 6000, "unattributed", f"whole-{a}")
            for part, v in (("sappers", 1000), ("builders", 5000)):
                out.append(
                    {
                        "id": f"{part}-{a}",
                        "metric": "planned",
                        "value": v,
                        "part_of": f"whole-{a}",
                        "claimant": "unattributed",
                        "quote": str(v),
                    }
                )
                expected[f"{part}-{a}"] = (aid, "exact", v, v, "unattributed", f"{part}-{a}")
        doc = {"article": aid, "figures": out}
        (tmp / "figures" / f"{aid}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    (tmp / "articles.yaml").write_text(yaml.safe_dump({"articles": article_rows}, sort_keys=False))
    return expected


def _plain(value):
    return None if pd.isna(value) else value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles=dataset, shared=st.booleans(), split=st.booleans())
def test_generated_datasets_round_trip(articles, shared, split):
    with tempfile.TemporaryDirectory() as tmp:
        expected = write(Path(tmp), articles, shared, split)
        data = kursk.load(tmp)
    f = data.figures
    assert sorted(f["figure_id"]) == sorted(expected)  # every figure once, none invented
    frames.check(f, frames.figures_schema(data.vocabulary.metrics, data.vocabulary.units))
    for row in f.itertuples():
        article, qualifier, low, high, claimant, claim = expected[row.figure_id]
        assert (row.article, row.qualifier, row.claimant, row.claim_id) == (
            article,
            qualifier,
            claimant,
            claim,
        )
        if qualifier == "vague":
            reading = data.vocabulary.vague[row.worded]
            assert (row.low, row.high) == (reading.low, reading.high) and row.vague
        else:
            assert _plain(row.low) == low and _plain(row.high) == high
    if shared:
        claim = data.claims.set_index("claim_id").loc["shared"]
        assert claim["n_articles"] == len(articles)
        assert set(f[f["claim_id"] == "shared"]["n_articles"]) == {len(articles)}
    assert len(data.claims) == f["claim_id"].nunique()
