"""What validates, renders: any valid dataset builds every output (property-based)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import kursk
from kursk.analysis.facts import headline, people_metrics
from kursk.briefing import build_briefing
from kursk.charts import CHARTS, figure_json
from kursk.dashboard import Dashboard
from kursk.ledger import export_text
from tests.support.strategies import datasets, write


@pytest.mark.timeout(900)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=datasets())
def test_every_valid_dataset_builds_every_output(files):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "data", files)
        data = kursk.load(folder)  # valid by construction: a DataError here is a bug in either
        n = sum(len(f["figures"]) for name, f in files.items() if name.startswith("figures/"))
        assert len(data.figures) == n
        for fmt in ("csv", "json"):
            assert export_text(data, fmt)
        for name, chart in CHARTS.items():
            assert figure_json(chart.spec(data))["layout"]["meta"]["chart"] == name
            chart.figure(data)
        # a metric added to a group is drawn wherever the group is
        drawn = {
            i
            for t in figure_json(CHARTS["casualties"].spec(data))["data"]
            for c in t.get("customdata") or ()
            for i in str(c).split(";")
        }  # fmt: skip  (figures at one point share a marker: "id;id")
        f = data.figures
        counted = f["metric"].isin(people_metrics(data, "casualties")) & f["as_of_date"].notna()
        assert set(f[counted]["figure_id"]) <= drawn
        assert headline(data).lines()
        manifest = build_briefing(
            data, Path(tmp) / "briefing", formats=[], progress_step=lambda _: None
        )
        assert {"index.html", "briefing.md", "figures.csv"} <= set(manifest.files)
        app = Dashboard(data, live=True)
        # no figures: one sentence, not empty chart boxes
        assert set(app.figures) == (set(CHARTS) if n else set())
        assert n or "kursk-empty" in app.headline.value
        for claimant in app.offered.claimant_ids[:3]:
            app.claimant.value = (claimant,)
            assert "Could not update" not in app.status.value, app.status.value
        app.reset_filters()
        app.independent.value = True
        assert "Could not update" not in app.status.value, app.status.value
