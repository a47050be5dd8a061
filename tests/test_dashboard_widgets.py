"""The dashboard's widget wiring, driven in Python without a browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from traitlets import TraitError

from kursk import charts
from kursk.cli import export_text
from kursk.dashboard import Dashboard


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
    assert "Showing 24 of 24 figures" in app.status.value
    assert app.table.value.count("<tr>") == len(data.figures) + 1


def test_claimant_filter_updates_charts_table_headline_and_csv(app):
    before = n_points(app.figure_json()["casualties"])
    app.claimant.value = ("kr-military",)
    assert 0 < n_points(app.figure_json()["casualties"]) < before
    assert app.table.value.count("<tr>") == 3 + 1
    assert "Showing 3 of 24" in app.status.value
    assert app.csv_text() == export_text(app.data.filter(claimants=["kr-military"]), "csv")
    assert "base64," in app.download.value and "Download these 3 figures" in app.download.value


def test_corroborated_filter_keeps_claims_reported_twice(app):
    app.corroborated.value = True
    kept = app.filtered.figures["n_articles"]
    assert len(kept) == (app.data.figures["n_articles"] >= 2).sum() and kept.min() >= 2
    assert f"Showing {len(kept)} of 24" in app.status.value
    title = app.figure_json()["corroboration"]["layout"]["title"]["text"]
    assert title.startswith("<b>6 of 6 claims")


def test_metric_and_date_filters(app):
    app.metric.value = ("casualties",)
    assert set(app.filtered.figures["metric_group"]) == {"casualties"}
    app.set_filters(since=dt.date(2025, 4, 1), until=dt.date(2025, 12, 31))
    assert (app.filtered.figures["as_of_date"] >= "2025-04-01").all()
    assert "Casualty estimates range" in app.headline.value or "Casualty" in app.headline.value


def test_reset_restores_everything(app):
    app.set_filters(claimants=["kr-military"], corroborated=True)
    app.reset.click()
    assert "Showing 24 of 24" in app.status.value


def test_forged_values_are_rejected_and_the_dashboard_still_works(app):
    before = app.filters
    with pytest.raises(TraitError):
        app.claimant.value = ("not-offered",)
    with pytest.raises(TraitError):
        app.corroborated.value = "x" * 100_000
    # What a forged comm message does: set_state with values the browser never offers.
    forged = [
        (app.claimant, {"index": [999]}),
        (app.metric, {"index": "zz"}),
        (app.since, {"value": "x" * 100_000}),
        (app.until, {"value": {"year": "a", "month": 0, "date": 1}}),
        (app.corroborated, {"value": "x" * 1000}),
    ]
    for widget, state in forged:
        with pytest.raises((TraitError, TypeError)):
            widget.set_state(state)
        assert app.filters == before
    app.metric.value = ("casualties",)
    assert "Showing 9 of 24" in app.status.value


def test_a_value_failing_validation_is_put_back(app):
    before = app.filters
    app.claimant_options = app.claimant_options[1:]  # the first claimant is no longer offered
    app.claimant.value = (app.claimant.options[0][1],)
    assert app.filters == before and "not available" in app.status.value


def test_a_failing_chart_shows_a_plain_message(data):
    def broken(_):
        raise ValueError("boom")

    app = Dashboard(data, builders={**charts.CHARTS})
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
    assert "Showing 24 of 24" in app.status.value and app.table.value.count("<tr>") == 25


def test_served_charts_are_widgets_that_carry_figure_json_only(data):
    """Under kursk.serve each chart is a Chart widget: its state is the figure's JSON (small),
    never plotly.js itself, and a redraw of an unchanged chart sends nothing."""
    import json

    from kursk.chartwidget import Chart

    app = Dashboard(data, live=True)
    sent = []
    for name, chart in app._outputs.items():
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
    assert app._outputs["casualties"].figure["layout"]["meta"]["chart"] == "casualties"


def test_from_data_dir_serves_live_charts_only_under_the_server(monkeypatch):
    from kursk.chartwidget import Chart

    monkeypatch.delenv("KURSK_PLOTLY_URL", raising=False)
    assert not Dashboard.from_data_dir().live  # JupyterLab: output areas its plotly draws
    monkeypatch.setenv("KURSK_PLOTLY_URL", "/voila/kursk/plotly-cartesian.min.js")
    app = Dashboard.from_data_dir()
    assert app.live and isinstance(app._outputs["split"], Chart)
    assert app._outputs["split"].plotly_src == "/voila/kursk/plotly-cartesian.min.js"


def test_vendored_plotly_bundle_matches_the_plotly_package():
    """Figures built by the installed plotly must be drawn by the same plotly.js version."""
    import re
    from pathlib import Path

    import plotly

    from kursk import chartwidget

    def version(path: Path) -> str:
        return re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", path.read_text()[:300]).group(1)

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    vendored = Path(chartwidget.__file__).parent / "static" / "plotly-cartesian.min.js"
    assert version(vendored) == version(bundled), "update lib/kursk/static (see its README)"


def in_own_thread(fn):
    """Run fn in a thread of its own: no event loop of the test session's (Playwright's sync API
    keeps one running in the main thread) is seen there, only what fn starts itself."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def test_the_views_built_ahead_are_one_step_from_what_the_viewer_sees(app):
    default = app.filters
    states = app.warm_ahead_states()
    assert default not in states
    assert len({tuple(s.items()) for s in states}) == len(states)  # no selection twice
    assert {("kr-military",), ("uk-intelligence",)} <= {s["claimants"] for s in states}
    assert {**default, "corroborated": True} in states
    order = [v for _, v in app.claimant_options]
    one = {**default, "claimants": ("kr-military",)}
    after = app.warm_ahead_states(one)
    assert one not in after and default in after  # Reset
    added = tuple(v for v in order if v in {"kr-military", "uk-intelligence"})
    assert {**one, "claimants": added} in after  # Ctrl-click another claimant
    assert {**one, "claimants": ()} in after  # Ctrl-click it away
    assert {**one, "claimants": ("uk-intelligence",)} in after  # click another
    assert {**one, "corroborated": True} in after
    assert after.index({**one, "claimants": added}) < after.index(default)


def counting_builds(app: Dashboard) -> list[str]:
    """The names of the charts the app builds from now on."""
    built: list[str] = []
    for name, build in list(app.builders.items()):
        app.builders[name] = lambda d, b=build, n=name: built.append(n) or b(d)
    return built


def built_ahead(app: Dashboard, *states: dict) -> bool:
    """Every part of these selections' views is in the app's cache."""
    views = [app._cache.get(tuple(s.items())) for s in states]
    return all(v and len(v["figures"]) == len(app.builders) and "status" in v for v in views)


def change_then_read(app: Dashboard, change, *states: dict) -> bool:
    """In a running event loop (as in a kernel): make a change, then let idle time pass until
    the given selections are built ahead (False after 10 s)."""
    import asyncio

    async def read():
        change()
        for _ in range(1000):
            await asyncio.sleep(0.01)
            if built_ahead(app, *states):
                return True
        return False

    return in_own_thread(lambda: asyncio.run(read()))


def shows_what_a_fresh_build_shows(app: Dashboard, data, claimants: tuple) -> None:
    fresh = Dashboard(data, live=True)
    fresh.claimant.value = claimants
    assert app.figure_json() == fresh.figure_json()
    assert app.status.value.split("<span")[0] == fresh.status.value.split("<span")[0]
    assert app.table.value == fresh.table.value


def test_after_a_first_change_idle_time_builds_the_views_one_step_away(data, monkeypatch):
    """In a kernel, after a viewer's first filter change the views one step from the default
    are built while the viewer reads; picking one of them then builds nothing, and it shows
    exactly what a fresh build would."""
    monkeypatch.setattr(Dashboard, "WARM_MIN_SPARE", -float("inf"))  # however busy the tests
    monkeypatch.setattr(Dashboard, "WARM_STATES", 3)  # from the first change's view: 3 only
    app = Dashboard(data, live=True)
    built = counting_builds(app)

    def check_the_box():  # the first change starts building ahead
        app.corroborated.value = True

    assert change_then_read(app, check_the_box, *app.warm_ahead_states())
    built.clear()
    app.corroborated.value = False
    app.claimant.value = ("uk-intelligence",)
    assert built == []
    shows_what_a_fresh_build_shows(app, data, ("uk-intelligence",))


def test_without_a_running_event_loop_nothing_is_built_ahead(data):
    app = Dashboard(data, live=True)

    def change():
        app.corroborated.value = True

    in_own_thread(change)
    assert not app._warm_running and len(app._cache) == 2


def test_nothing_is_built_ahead_while_the_machine_is_busy(data, monkeypatch):
    import asyncio

    monkeypatch.setattr(Dashboard, "WARM_MIN_SPARE", float("inf"))  # never that much to spare
    monkeypatch.setattr(Dashboard, "WARM_PAUSE", 0.0)
    app = Dashboard(data, live=True)

    async def change_then_wait():
        app.corroborated.value = True
        await asyncio.sleep(0.5)

    in_own_thread(lambda: asyncio.run(change_then_wait()))
    assert app._warm is not None and len(app._cache) == 2  # started, but nothing built


def test_building_ahead_yields_while_other_processes_use_every_core():
    """The spare-CPU meter that pauses building ahead: about a core or more to spare on an idle
    machine, next to nothing while other processes keep every core busy."""
    import os
    import subprocess
    import sys
    import time

    from kursk.dashboard import Dashboard, SpareCPU

    meter = SpareCPU()
    meter.cores()
    time.sleep(0.6)
    idle = meter.cores()
    spin = "import time\nend = time.time() + 5\nwhile time.time() < end: pass"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(os.cpu_count())]
    try:
        time.sleep(0.6)
        meter.cores()  # the window starts with every spinner running
        time.sleep(0.6)
        busy = meter.cores()
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    assert idle is not None and busy is not None
    assert busy < 0.5 < Dashboard.WARM_MIN_SPARE <= idle, (idle, busy)


def test_after_later_changes_the_views_one_step_from_there_are_built(data, monkeypatch):
    """A viewer who picked one claimant, then reads: adding a second claimant (Ctrl-click) or
    picking another builds nothing new."""
    monkeypatch.setattr(Dashboard, "WARM_MIN_SPARE", -float("inf"))
    monkeypatch.setattr(Dashboard, "WARM_PAUSE", 0.1)
    app = Dashboard(data, live=True)
    order = [v for _, v in app.claimant_options]
    pair = tuple(v for v in order if v in {"kr-military", "uk-intelligence"})
    built = counting_builds(app)
    one = {**app.filters, "claimants": ("kr-military",)}

    def pick_one():
        app.claimant.value = ("kr-military",)

    assert change_then_read(
        app, pick_one, {**one, "claimants": pair}, {**one, "claimants": ("uk-intelligence",)}
    )
    built.clear()
    app.claimant.value = pair
    app.claimant.value = ("uk-intelligence",)
    assert built == []
    shows_what_a_fresh_build_shows(app, data, ("uk-intelligence",))


# --- a filter change, in a served page: the charts in view first -----------------------------

IN_VIEW = ("casualties", "troops")


def served_with_page(data) -> Dashboard:
    """A served dashboard whose page reported the first two charts in view."""
    app = Dashboard(data, live=True)
    for name, chart in app._outputs.items():
        chart.in_view = name in IN_VIEW
    return app


def page_drew(app: Dashboard, name: str, revision: int | None = None) -> None:
    """The message the page sends once it has drawn a chart's figure (kursk.chartwidget)."""
    chart = app._outputs[name]
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
        page_drew(app, "troops", revision=app._outputs["troops"].revision - 1)  # an older one
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
    generation = app._generation
    claimants = ("kr-military",)

    async def steps():
        app.claimant.value = ("uk-intelligence",)
        app.claimant.value = claimants
        page_drew(app, "casualties", revision=app._outputs["casualties"].revision - 1)
        page_drew(app, "troops", revision=app._outputs["troops"].revision - 1)
        await asyncio.sleep(0.3)

    in_a_kernel_loop(steps)
    assert app._generation == generation + 1  # the first change's rest was never sent
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
                app._outputs[name]._handle_custom_msg(content, [])
        return app.status.value

    assert in_a_kernel_loop(steps) == status
