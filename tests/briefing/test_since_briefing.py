"""`kursk briefing --since-briefing PREVIOUS`: a "What changed" section in briefing.md and
index.html listing exactly the invented changes, new and changed figures marked in the charts'
hover text and in the table, what was compared in the manifest; a bad PREVIOUS writes nothing."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

import kursk
from kursk.charts import build_all
from kursk.charts.common import esc
from kursk.cli import main as cli
from kursk.paths import DATA_DIR
from kursk.publish.since import changes_since, marked, previous_briefing
from tests.support import changes as invented

TITLE = "What changed since the last briefing"


@pytest.fixture(scope="module")
def briefings(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(previous briefing of data/, data/ with the invented changes, briefing of it since)."""
    base = tmp_path_factory.mktemp("since")
    previous, now = base / "previous", base / "now"
    changed = invented.apply(shutil.copytree(DATA_DIR, base / "data"))
    assert cli(["briefing", "--out", str(previous), "--formats", ""]) == 0
    argv = ["briefing", "--data", str(changed), "--out", str(now), "--formats", ""]
    assert cli([*argv, "--since-briefing", str(previous / "manifest.json")]) == 0
    return previous, changed, now


def test_briefing_md_says_what_changed_figure_by_figure(briefings):
    text = (briefings[2] / "briefing.md").read_text()
    section = text.split(f"## {TITLE}\n", 1)[1].split("\n## ", 1)[0]
    for figure in invented.EXPECTED_FIGURES:
        assert f"`{figure}`" in section, figure
    assert (
        "**Revised** `a000-uk-kwia-7000`" in section
        and "**Removed** `a004-share-over-40`" in section
    )
    assert "### USAZINE (as the text says), Jan 2025 (approx.)" in section
    assert "US assessments → US government assessments" in section
    assert text.index(f"## {TITLE}") < text.index("## The figures and their sources")
    # the figure list marks them too, and cites each figure
    listed = text.split("## The figures and their sources", 1)[1]
    assert (
        "New since the last briefing" in listed
        and "Changed since the last briefing: value" in listed
    )
    assert listed.count("Cite: ") == len(kursk.load(briefings[1]).figures)


def test_index_html_has_the_section_and_marks_the_table(briefings):
    page = html.unescape((briefings[2] / "index.html").read_text())
    assert f"<h2>{TITLE}</h2>" in page
    for figure in invented.EXPECTED_FIGURES:
        assert f"<code>{figure}</code>" in page, figure
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert head.index("Since the last briefing") < head.index("Claimant")  # the first column
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    marks = [r.split("</td>", 1)[0].removeprefix("<td>") for r in rows]
    new, changed = invented.EXPECTED_FIGURES, [m for m in marks if m.startswith("Changed")]
    assert marks.count("New since the last briefing") == sum(
        k in (["added"], ["revised"]) for k in new.values()
    )
    assert len(changed) == sum(
        k not in (["added"], ["revised"], ["removed"]) for k in new.values()
    )


def test_the_charts_hover_marks_exactly_the_new_and_changed_figures(briefings):
    previous, changed, _ = briefings
    shown = kursk.load(changed).filter()
    log = changes_since(previous_briefing(previous), shown, {"claimants": None, "since": None})
    shown = marked(shown, log)
    marks = log.marks()
    quotes = {
        esc(f"“{q}”"): marks.get(f)
        for f, q in zip(shown.figures["figure_id"], shown.figures["quote"], strict=True)
    }
    seen = set()
    for fig in build_all(shown).values():
        for trace in fig.data:
            for text in trace.hovertext or ():
                for one in str(text).split("<br><br>"):
                    found = [q for q in quotes if q in one]
                    if len(found) != 1:
                        continue
                    mark = quotes[found[0]]
                    seen.add(found[0])
                    if mark is None:
                        assert "since the last briefing" not in one
                    elif mark == "new":
                        assert "New since the last briefing" in one
                    else:
                        assert (
                            "Changed since the last briefing: " + mark.removeprefix("changed: ")
                            in one
                        )
    assert {q for q in seen if quotes[q]}  # some marked figure is charted


def test_the_manifest_records_what_was_compared(briefings):
    previous, _, now = briefings
    manifest = json.loads((now / "manifest.json").read_text())
    before = json.loads((previous / "manifest.json").read_text())
    since = manifest["since_briefing"]
    assert since["data_version"]["fingerprint"] == before["data_version"]["fingerprint"]
    assert since["counts"] == {k: 1 for k in ("added", "removed", "revised", "value", "qualifier",
                                              "claimant", "source", "details")}  # fmt: skip


def test_rebuilt_over_the_previous_briefing_and_without_changes(tmp_path):
    out = tmp_path / "briefing"
    assert cli(["briefing", "--out", str(out), "--formats", ""]) == 0
    assert "since_briefing" not in (out / "index.html").read_text()
    assert TITLE not in (out / "briefing.md").read_text()
    assert cli(["briefing", "--out", str(out), "--formats", "", "--since-briefing", str(out)]) == 0
    text = (out / "briefing.md").read_text()
    assert f"## {TITLE}" in text and "no changes in the figures" in text
    assert "since the last briefing" not in text.split(f"## {TITLE}", 1)[1].split("\n## ", 2)[-1]


def test_a_bad_previous_briefing_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["briefing", "--out", str(out), "--formats", "", "--since-briefing"]
    assert cli([*argv, str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no manifest.json" in err and not out.exists()
