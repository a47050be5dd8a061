"""The dashboard's widget wiring, driven in Python without a browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from traitlets import TraitError

from kursk import charts
from kursk.dashboard import Dashboard
from kursk.ledger import export_text


def n_points(fig: dict) -> int:
    """Points drawn as markers in a figure's JSON."""
    return sum(
        len([x for x in t.get("x") or () if x is not None])
        for t in fig["data"]
        if t["type"] == "scatter" and "markers" in t.get("mode", "")
    )


@pytest.fixture
def app(data):
    return Dashboard(data)


def test_every_chart_is_drawn_on_start(app, data):
    assert list(app.figures) == list(charts.CHARTS)
    for name, fig in app.figure_json().items():
        assert len(fig["data"]) > 0, name
    n = len(data.figures)
    assert f"Showing {n} of {n} figures" in app.status.value
    assert app.table.value.count("<tr>") == n + 1


def test_claimant_filter_updates_charts_table_headline_and_csv(app):
    before = n_points(app.figure_json()["casualties"])
    app.claimant.value = ("kr-military",)
    kept, n = len(app.data.filter(claimants=["kr-military"]).figures), len(app.data.figures)
    assert 0 < n_points(app.figure_json()["casualties"]) < before
    assert app.table.value.count("<tr>") == kept + 1
    assert f"Showing {kept} of {n}" in app.status.value
    assert app.csv_text() == export_text(app.data.filter(claimants=["kr-military"]), "csv")
    assert app.csv.label == f"Download these {kept} figures (CSV)" and not app.csv.disabled


def test_the_csv_is_made_on_demand_named_by_the_filter_with_its_record(app):
    """The button asks the kernel; the file's name says the filter, its first lines record
    the filter, the data version and the day; dates are ISO with a precision column."""
    import csv
    import io

    from kursk.dashboard.table import CSV_HEAD_LINES

    app.claimant.value = ("kr-military",)
    sent = []
    app.csv.send = lambda content, buffers=None: sent.append((content, buffers))
    app.csv._on_msg(app.csv, {"want": True}, [])
    ((meta, (body,)),) = sent
    assert meta["name"] == "kursk-figures_kr-military.csv" and meta["mime"] == "text/csv"
    lines = bytes(body).decode().splitlines()
    assert "Filter:" in lines[1] and "Data:" in lines[2] and "downloaded" in lines[0]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[CSV_HEAD_LINES:]))))
    assert len(rows) == len(app.filtered.figures)
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|", r["as_of"]) for r in rows)


def test_the_download_offers_the_whole_data_package_as_a_zip(app, tmp_path):
    """Beside the view's CSV: the package of every figure, README and citation included."""
    import io
    import zipfile

    app.claimant.value = ("kr-military",)  # a filtered view still offers the whole package
    sent = []
    app.package.send = lambda content, buffers=None: sent.append((content, buffers))
    app.package._on_msg(app.package, {"want": True}, [])
    ((meta, (body,)),) = sent
    assert meta["name"].endswith(".zip") and app.package.made == 1
    with zipfile.ZipFile(io.BytesIO(bytes(body))) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        figures = zf.read(next(n for n in zf.namelist() if n.endswith("/figures.csv")))
    assert {"datapackage.json", "README.md", "CITATION.cff", "figures.csv"} <= names
    assert figures.decode().count("\n") == len(app.data.figures) + 1


def test_independent_filter_keeps_claims_reported_by_two_independent_sources(app):
    app.independent.value = True
    kept = app.filtered.figures["n_independent"]
    assert len(kept) == (app.data.figures["n_independent"] >= 2).sum() and kept.min() >= 2
    assert f"Showing {len(kept)} of {len(app.data.figures)}" in app.status.value
    title = app.figure_json()["corroboration"]["layout"]["title"]["text"]
    k = len(app.filtered.claims)
    assert title.startswith(f"<b>{k} of {k} claims")


def test_metric_and_date_filters(app):
    app.metric.value = ("casualties",)
    assert set(app.filtered.figures["metric_group"]) == {"casualties"}
    app.set_filters(since=dt.date(2025, 4, 1), until=dt.date(2025, 12, 31))
    assert app.since.value == "2025-04-01"
    assert (app.filtered.figures["as_of_date"] >= "2025-04-01").all()
    assert "Casualties" in app.headline.value


def test_a_reversed_date_range_asks_to_swap_and_keeps_the_view(app):
    n = len(app.data.figures)
    table, status, shown = app.table.value, app.status.value, app.shown
    app.until.value = "1990-01-01"  # before the first date: the range is reversed
    note = app.panel.date_note.value
    assert "swap them" in note and "previous view is kept" in note and "FilterError" not in note
    assert app.table.value == table and app.status.value == status and app.shown == shown
    app.until.value = "2030-01-01"
    assert f"Showing {n} of {n}" in app.status.value and app.panel.date_note.value == ""


def test_a_date_that_cannot_be_read_is_said_in_words_and_not_applied(app):
    shown = app.shown
    app.since.value = "2025-13"
    assert "not a date" in app.panel.date_note.value and app.shown == shown


def test_reset_restores_everything(app):
    app.set_filters(claimants=["kr-military"], independent=True)
    app.reset.click()
    n = len(app.data.figures)
    assert f"Showing {n} of {n}" in app.status.value


def test_forged_values_are_rejected_and_the_dashboard_still_works(app):
    before = app.filters
    with pytest.raises(TraitError):
        app.claimant.value = ("not-offered",)
    with pytest.raises(TraitError):
        app.independent.value = "x" * 100_000
    # What a forged comm message does: set_state with values the browser never offers.
    forged = [
        (app.claimant, {"value": ["not-offered"]}),
        (app.claimant, {"value": [999]}),
        (app.metric, {"value": "zz"}),
        (app.assessment, {"value": ["x"] * 2}),
        (app.independent, {"value": "x" * 1000}),
    ]
    for widget, state in forged:
        with pytest.raises((TraitError, TypeError)):
            widget.set_state(state)
        assert app.filters == before
    with pytest.raises(TraitError):  # a date field holds a short text only
        app.since.set_state({"value": "x" * 100_000})
    app.until.set_state({"value": "1990-02-30"})  # text is text: said in words, never applied
    assert app.shown == before and "not a date" in app.panel.date_note.value
    app.until.set_state({"value": before.until.isoformat()})
    app.metric.value = ("casualties",)
    kept = len(app.data.filter(metric_groups=["casualties"]).figures)
    assert f"Showing {kept} of {len(app.data.figures)}" in app.status.value


def test_a_value_failing_validation_is_put_back(app):
    before = app.filters
    app.claimant_options = app.claimant_options[1:]  # the first claimant is no longer offered
    app.claimant.value = (app.claimant.options[0][1],)
    assert app.filters == before and "not available" in app.status.value


def test_a_failing_chart_shows_a_plain_message(data):
    def broken(_):
        raise ValueError("boom")

    app = Dashboard(data, builders={n: c.figure for n, c in charts.CHARTS.items()})
    app.builders["casualties"] = broken
    app.claimant.value = ("kr-military",)
    assert "Could not update the dashboard" in app.status.value
    assert "Traceback" not in app.status.value and "boom" not in app.status.value


def test_bad_data_shows_the_error_box_with_file_and_line(data_copy):
    path = data_copy / "figures" / "003_1a8f1fbcddf06ff0.yaml"
    path.write_text(path.read_text().replace("metric: killed_or_wounded", "metric: kiled", 1))
    app = Dashboard.from_data_dir(data_copy)
    text = app.view.children[1].value
    assert "has problems" in text and "003_1a8f1fbcddf06ff0.yaml, line" in text
    assert "kiled" in text and "Traceback" not in text


def test_going_back_to_a_recent_selection_reuses_its_charts(app):
    first = dict(app.figures)
    app.claimant.value = ("kr-military",)
    assert app.figures["casualties"] is not first["casualties"]
    app.reset.click()
    assert all(app.figures[name] is first[name] for name in first)
    n = len(app.data.figures)
    assert f"Showing {n} of {n}" in app.status.value and app.table.value.count("<tr>") == n + 1


def test_served_charts_are_widgets_that_carry_figure_json_only(data):
    """Under kursk.serve each chart is a Chart widget: its state is the figure's JSON (small),
    never plotly.js itself, and a redraw of an unchanged chart sends nothing."""
    import json

    from kursk.dashboard.chart import Chart

    app = Dashboard(data, live=True)
    sent = []
    for name, chart in app.outputs.items():
        assert isinstance(chart, Chart)
        assert chart.figure["data"] and chart.figure["layout"]["meta"]["chart"] == name
        assert len(json.dumps(chart.figure)) < 100_000  # plotly.js alone is 1.5-4.8 MB
        chart.observe(lambda change, name=name: sent.append(name), names="figure")
    app.claimant.value = ("kr-military",)
    assert "casualties" in sent and "corroboration" in sent
    sent.clear()
    app.refresh()  # redrawing the same selection: every figure JSON is unchanged, nothing sent
    assert sent == []
    app.reset.click()  # back to everything: cached figures, their JSON is sent again as is
    assert app.outputs["casualties"].figure["layout"]["meta"]["chart"] == "casualties"


def test_from_data_dir_serves_live_charts_only_under_the_server(monkeypatch):
    from kursk.dashboard.chart import Chart

    monkeypatch.delenv("KURSK_PLOTLY_URL", raising=False)
    assert not Dashboard.from_data_dir().live  # JupyterLab: output areas its plotly draws
    monkeypatch.setenv("KURSK_PLOTLY_URL", "/voila/kursk/plotly-cartesian.min.js")
    app = Dashboard.from_data_dir()
    assert app.live and isinstance(app.outputs["split"], Chart)
    assert app.outputs["split"].plotly_src == "/voila/kursk/plotly-cartesian.min.js"


def test_vendored_plotly_bundle_matches_the_plotly_package():
    """Figures built by the installed plotly must be drawn by the same plotly.js version."""
    import re
    from pathlib import Path

    import plotly

    from kursk.paths import PLOTLY_JS

    def version(path: Path) -> str:
        return re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", path.read_text()[:300]).group(1)

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version(PLOTLY_JS) == version(bundled), "update serve/static (see its README)"


def in_own_thread(fn):
    """Run fn in a thread of its own: no event loop of the test session's (Playwright's sync API
    keeps one running in the main thread) is seen there, only what fn starts itself."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def shows_what_a_fresh_build_shows(app: Dashboard, data, claimants: tuple) -> None:
    fresh = Dashboard(data, live=True)
    fresh.claimant.value = claimants
    assert app.figure_json() == fresh.figure_json()
    assert app.status.value.split("<span")[0] == fresh.status.value.split("<span")[0]
    assert app.table.value == fresh.table.value


# --- a filter change, in a served page: the charts in view first -----------------------------

IN_VIEW = ("casualties", "troops")


def served_with_page(data) -> Dashboard:
    """A served dashboard whose page reported the first two charts in view."""
    app = Dashboard(data, live=True)
    for name, chart in app.outputs.items():
        chart.in_view = name in IN_VIEW
    return app


def page_drew(app: Dashboard, name: str, revision: int | None = None) -> None:
    """The message the page sends once it has drawn a chart's figure (dashboard/chart.js)."""
    chart = app.outputs[name]
    chart._handle_custom_msg({"drawn": chart.revision if revision is None else revision}, [])


def released(app: Dashboard) -> str | None:
    found = re.search(r"data-rest='(\w+)'", app.status.value)
    return found and found.group(1)


def in_a_kernel_loop(steps):
    """Run `steps` (an async function) in an event loop of its own, as in a kernel."""
    import asyncio

    return in_own_thread(lambda: asyncio.run(steps()))


def test_a_change_sends_the_charts_in_view_first_and_the_rest_once_the_page_drew_them(data):
    """The charts out of view, the table and the status wait until the page says it drew the
    charts in view (so that building them does not take CPU from that drawing)."""
    app = served_with_page(data)
    before = app.figure_json()
    status, table = app.status.value, app.table.value
    seen = {}

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        seen["first"] = app.figure_json()
        seen["held"] = (app.status.value, app.table.value)
        page_drew(app, "casualties")
        page_drew(app, "troops", revision=app.outputs["troops"].revision - 1)  # an older one
        seen["one drawn"] = (app.status.value, app.figure_json())
        page_drew(app, "troops")

    in_a_kernel_loop(steps)
    first = seen["first"]
    assert all(first[name] != before[name] for name in IN_VIEW)
    assert all(first[name] == before[name] for name in before if name not in IN_VIEW)
    assert seen["held"] == (status, table)
    assert seen["one drawn"] == (status, first)
    assert released(app) == "drawn"
    shows_what_a_fresh_build_shows(app, data, ("uk-intelligence",))


def test_the_headline_is_sent_after_the_first_chart_in_view_not_after_all_of_them(data):
    """Sent after every chart in view, the headline's message waited in the page behind all
    their drawing; sent after the first, it is drawn while the second is built."""
    app = served_with_page(data)
    sent = []
    for name in IN_VIEW:
        app.outputs[name].observe(lambda _, name=name: sent.append(name), "figure")
    app.headline.observe(lambda _: sent.append("headline"), "value")
    for claimant in app.offered.claimant_ids:
        sent.clear()
        app.claimant.value = (claimant,)
        charts = [name for name in sent if name != "headline"]
        if len(charts) == len(IN_VIEW) and "headline" in sent:  # both charts and it changed
            assert sent == [IN_VIEW[0], "headline", *IN_VIEW[1:]]
            return
    raise AssertionError("no claimant changes both charts in view and the headline")


def test_the_rest_comes_anyway_when_the_page_does_not_answer(data, monkeypatch):
    """A hidden tab draws nothing (and a chart can fail to draw): DRAWN_TIMEOUT at most."""
    import asyncio

    monkeypatch.setattr(Dashboard, "DRAWN_TIMEOUT", 0.05)
    app = served_with_page(data)
    status = app.status.value

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        held = app.status.value
        await asyncio.sleep(0.3)
        return held

    assert in_a_kernel_loop(steps) == status
    assert released(app) == "timeout"
    shows_what_a_fresh_build_shows(app, data, ("uk-intelligence",))


def test_a_second_change_before_the_page_answers_ends_on_the_second(data, monkeypatch):
    import asyncio

    monkeypatch.setattr(Dashboard, "DRAWN_TIMEOUT", 0.05)
    app = served_with_page(data)
    generation = app.redraws
    claimants = ("kr-military",)

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        app.claimant.value = claimants
        page_drew(app, "casualties", revision=app.outputs["casualties"].revision - 1)
        page_drew(app, "troops", revision=app.outputs["troops"].revision - 1)
        await asyncio.sleep(0.3)

    in_a_kernel_loop(steps)
    assert app.redraws == generation + 1  # the first change's rest was never sent
    assert released(app) == "timeout"
    shows_what_a_fresh_build_shows(app, data, claimants)


def test_without_a_page_in_view_nothing_waits(data):
    """In JupyterLab, in tests, or when the reader has scrolled past every chart: a change
    sends every part at once, also in a kernel's event loop."""
    app = Dashboard(data, live=True)

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        return released(app)

    assert in_a_kernel_loop(steps) == "now"
    shows_what_a_fresh_build_shows(app, data, ("uk-intelligence",))


def test_forged_page_messages_change_nothing(data):
    app = served_with_page(data)
    status = app.status.value

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        for content in ({"drawn": "1"}, {"drawn": None}, ["drawn"], "drawn", {}):
            for name in IN_VIEW:
                app.outputs[name]._handle_custom_msg(content, [])
        return app.status.value

    assert in_a_kernel_loop(steps) == status


# --- building ahead while the reader reads (dashboard/ahead.py) ------------------------------


def test_after_a_pause_the_next_click_finds_its_charts_in_view_and_headline_built(
    data, monkeypatch
):
    """A reader who reads a one-claimant view and then ticks a second claimant gets charts the
    kernel built while they read; nothing is built while they keep clicking, and the parts
    out of view wait for the click (make bench: the next-step row)."""
    import asyncio

    from kursk.dashboard import ahead

    monkeypatch.setattr(ahead, "busy", lambda: False)  # this test's machine may be loaded
    app = served_with_page(data)
    app.ahead.pause = 0.2
    first, second = app.offered.claimant_ids[:2]
    pair = app._shown.with_(claimants=(first, second))

    async def steps():
        app.claimant.value = (first,)
        await asyncio.sleep(0.1)  # clicking on: nothing built yet
        assert app.ahead.built == 0 and pair not in app.views
        deadline = asyncio.get_running_loop().time() + 30
        while pair not in app.views or app.views.view(pair).headline is None:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        view = app.views.view(pair)
        assert set(view.figures) >= set(IN_VIEW)
        built = {name: view.figures[name] for name in IN_VIEW}
        assert "record" not in view.figures  # out of view: built on the click
        app.claimant.value = (first, second)  # the click: the parts built ahead are shown
        for name in IN_VIEW:
            assert app.figures[name] is built[name]
        return app.ahead.built

    assert in_a_kernel_loop(steps) > 0
    fresh = Dashboard(data, live=True)  # built ahead, the parts are what the click builds
    fresh.claimant.value = (first, second)
    for name in IN_VIEW:
        assert app.figure_json()[name] == fresh.figure_json()[name]
    assert app.headline.value == fresh.headline.value


def test_nothing_is_built_ahead_while_the_machine_is_busy_or_outside_a_server(data, monkeypatch):
    import asyncio

    from kursk.dashboard import ahead

    monkeypatch.setattr(ahead, "busy", lambda: True)
    app = served_with_page(data)
    app.ahead.pause = 0.05

    async def steps():
        app.claimant.value = (app.offered.claimant_ids[0],)
        await asyncio.sleep(0.5)
        return app.ahead.built

    assert in_a_kernel_loop(steps) == 0
    notebook = Dashboard(data)  # JupyterLab: nothing ahead, even in a running loop
    notebook.ahead.pause = 0.05

    async def notebook_steps():
        notebook.claimant.value = (notebook.offered.claimant_ids[0],)
        await asyncio.sleep(0.5)
        return notebook.ahead.built

    monkeypatch.setattr(ahead, "busy", lambda: False)
    assert in_a_kernel_loop(notebook_steps) == 0


def test_the_selections_one_click_away():
    from kursk.dashboard.ahead import one_claimant_away
    from kursk.dashboard.filters import Filters

    f = Filters(("a",), ("casualties",), None, None)
    got = [s.claimants for s in one_claimant_away(f, ("a", "b", "c"))]
    assert got == [("a", "b"), ("a", "c"), ("b",), ("c",)]  # never none, never f itself
    everything = f.with_(claimants=("a", "b", "c"))
    got = [s.claimants for s in one_claimant_away(everything, ("a", "b", "c"))]
    assert got == [("b", "c"), ("a", "c"), ("a", "b"), ("a",), ("b",), ("c",)]
