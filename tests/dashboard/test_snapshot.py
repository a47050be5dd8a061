"""Static chart snapshots: drawn by kaleido in Debian's Chromium, keyed by the exact figure."""

from __future__ import annotations

import base64
import html

import pytest

from kursk.analysis import facts
from kursk.charts import CHARTS
from kursk.dashboard import Dashboard
from kursk.serve import snapshots as snapshot

pytestmark = pytest.mark.browser  # kaleido draws in Debian's Chromium


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "snapshots"
    monkeypatch.setenv("KURSK_SNAPSHOT_DIR", str(folder))
    return folder


def test_a_served_page_gets_a_snapshot_of_every_chart_once_they_are_drawn(data, cache):
    app = Dashboard(data, live=True)
    assert app.snapshot_html() is None  # nothing drawn yet: the page just waits for live charts
    assert set(app._repr_mimebundle_()) == {
        "text/plain",
        "application/vnd.jupyter.widget-view+json",
    }

    how = snapshot.render(app.figure_json())
    assert how == {name: "drawn" for name in app.figures}
    assert snapshot.render(app.figure_json()) == {name: "cached" for name in app.figures}

    snap = app.snapshot_html()
    assert snap.count("<img alt=") == len(app.figures)
    title = facts.casualty_fact(data).text
    assert title in snap  # an image's alt text
    assert facts.headline(data).lines()[1] in html.unescape(snap)  # the headline, as text
    data_, meta = app._repr_mimebundle_()
    assert data_["text/html"] == snap and meta == {"kursk": {"snapshot": True}}
    # each image is the SVG of that very figure, with its title in it
    first = snap.split("base64,", 1)[1].split("'", 1)[0]
    svg = base64.b64decode(first).decode()
    assert svg.startswith("<svg") and title.split(":")[0] in svg


def test_a_snapshot_never_shows_other_numbers_than_its_chart(data, cache):
    app = Dashboard(data, live=True)
    snapshot.render(app.figure_json())
    app.claimant.value = ("kr-military",)  # other figures: no snapshot of them exists
    assert app.snapshot_html() is None
    app.reset_filters()  # back to the drawn figures
    assert app.snapshot_html() is not None


def test_jupyterlab_gets_no_snapshot(data, cache):
    app = Dashboard(data, live=True)
    snapshot.render(app.figure_json())
    assert "text/html" not in Dashboard(data)._repr_mimebundle_()  # not served: widget only


def test_the_server_step_reports_and_never_fails(data_copy, cache, capsys):
    assert snapshot.main(["--data", str(data_copy)]) == 0
    n = len(CHARTS)
    assert f"snapshots: {n} charts ({n} drawn, 0 cached)" in capsys.readouterr().out
    (data_copy / "claimants.yaml").write_text("claimants: [")  # broken data
    assert snapshot.main(["--data", str(data_copy)]) == 0
    assert "snapshots: none (the data has errors" in capsys.readouterr().out
