"""What analysts compare: what was known when, each claimant's record, independent reports,
our own assessments apart from the claimants' wording, and events on the time axis."""

from __future__ import annotations

import pydoc

import pytest

import kursk
from kursk import charts
from kursk.analysis.facts import casualty_fact, headline


def add(data_dir, text: str, article: str = "003_1a8f1fbcddf06ff0") -> None:
    path = data_dir / "figures" / f"{article}.yaml"
    path.write_text(path.read_text().replace("figures:\n", "figures:\n" + text, 1))


def add_source(data_dir, source_id: str, **fields) -> None:
    lines = [f"  - id: {source_id}", f"    title: {fields.pop('title', source_id)}"]
    lines += [f"    {k}: {v}" for k, v in fields.items()]
    with (data_dir / "articles.yaml").open("a") as out:
        out.write("\n".join(lines) + "\n")
    (data_dir / "figures" / f"{source_id}.yaml").write_text(f"article: {source_id}\nfigures:\n")


def test_as_known_on_a_day_between_two_reports_leaves_the_later_one_out(data_copy):
    add_source(
        data_copy, "b-early", kind="briefing", published="2025-07-01", no_text="transcript only"
    )
    add_source(
        data_copy, "b-late", kind="briefing", published="2025-09-01", no_text="transcript only"
    )
    add(
        data_copy,
        "  - id: early-7000\n    metric: killed_or_wounded\n    value: {about: 7000}\n"
        "    claimant: ua-intelligence\n    as_of: 2025-07-01\n    quote: about 7,000\n",
        "b-early",
    )
    add(data_copy, "  - id: late-9000\n    metric: killed_or_wounded\n    value: {about: 9000}\n"
        "    claimant: ua-intelligence\n    as_of: 2025-09-01\n    revises: early-7000\n"
        "    quote: about 9,000\n", "b-late")  # fmt: skip
    data = kursk.load(data_copy)
    then = data.as_known_on("2025-08-01")
    assert "late-9000" not in set(then.figures["figure_id"])
    early = then.figures.set_index("figure_id").loc["early-7000"]
    assert early["current"]  # its revision was not published yet
    assert casualty_fact(then).text.endswith("to about 7,000")
    assert casualty_fact(data).text.endswith("to about 9,000")
    assert "as known on 2025-08-01" in headline(then).lines()[-1]
    assert then.known_on.isoformat() == "2025-08-01"
    # a source dated to a month counts once that month is over
    june = data.as_known_on("2025-06-15")
    assert not june.figures["article"].eq("000_139921d5406b05f8").any()
    with pytest.raises(ValueError, match="no source was published by 2020-01-01"):
        data.as_known_on("2020-01-01")


def test_a_claimants_record_is_its_figures_in_time_order_with_their_sources(data):
    record = data.claimant("kr-military")
    assert set(record["figure_id"]) == set(
        data.figures[data.figures["claimant"].str.contains("kr-military")]["figure_id"]
    )
    for _, rows in record.groupby("metric"):
        assert rows["as_of_date"].is_monotonic_increasing
    kwia = record[record["claim_id"] == "kwia-4000"].iloc[0]
    assert kwia["sources"].count("; ") == 2  # the claim's three sources, by name
    with pytest.raises(ValueError, match="did you mean 'kr-military'"):
        data.claimant("kr-militry")


def test_a_wire_story_reposted_by_three_outlets_is_one_report(data_copy):
    add_source(data_copy, "wire", kind="article", published="2025-05-02", no_text="wire copy")
    for outlet in ("a", "b", "c"):
        add_source(data_copy, f"repost-{outlet}", published="2025-05-03", reposts="wire",
                   no_text="repost")  # fmt: skip
    add_source(data_copy, "own", published="2025-05-04", original="Express & Star",
               no_text="rewrite")  # fmt: skip
    add_source(data_copy, "other", published="2025-05-05", no_text="own reporting")
    for i, source in enumerate(("wire", "repost-a", "repost-b", "repost-c", "own", "other")):
        add(data_copy, f"  - id: w-{i}\n    claim: wire-claim\n    metric: killed\n"
            f"    value: 500\n    claimant: ua-intelligence\n    quote: 500 killed\n", source)  # fmt: skip
    data = kursk.load(data_copy)
    claim = data.claims.set_index("claim_id").loc["wire-claim"]
    assert claim["n_articles"] == 6
    assert claim["n_independent"] == 3  # the wire and its reposts; Express & Star; other
    origins = data.figures.set_index("figure_id")["origin"]
    assert origins["w-1"] == origins["w-0"] == "source: wire"
    assert origins["w-4"] == "outlet: express & star"
    title = charts.figure_json(charts.CHARTS["corroboration"].spec(data))["layout"]["title"]
    assert "independent sources" in title["text"]


def test_a_repost_of_an_unknown_source_is_an_error_with_a_hint(data_copy):
    add_source(data_copy, "lost", published="2025-05-03", reposts="wier", no_text="repost")
    with pytest.raises(kursk.DataError) as info:
        kursk.load(data_copy)
    assert any(
        i.field.endswith("reposts") and "unknown source" in i.message for i in info.value.issues
    )


def test_assessments_are_ours_dated_with_their_history_and_unassessed_says_so(data_copy):
    data = kursk.load(data_copy)
    f = data.figures.set_index("figure_id")
    contested = f.loc["a000-previously-sent-6000"]
    assert contested["assessment"] == "contested" and contested["initial_assessment"] == "weak"
    assert "weak (2026-11-23" in contested["assessment_history"]
    fig = charts.figure_json(charts.CHARTS["troops"].spec(data))
    hovers = " ".join(h for t in fig["data"] for h in t.get("hovertext") or [])
    assert "Our assessment: contested" in hovers and "Our assessment: unassessed" in hovers
    assert set(data.filter(assessments="unassessed").figures["assessment"].dropna()) == set()
    assert set(data.filter(assessments=["contested"]).figures["figure_id"]) == {
        "a000-previously-sent-6000"
    }
    with pytest.raises(ValueError, match="did you mean 'contested'"):
        data.filter(assessments=["contestd"])
    add(data_copy, "  - id: t-graded\n    metric: killed\n    value: 10\n    claimant: kr-military\n"
        "    quote: 10 killed\n    assessment: {grade: certain, reason: a guess, by: me, "
        "on: 2026-11-29}\n")  # fmt: skip
    with pytest.raises(kursk.DataError) as info:
        kursk.load(data_copy)
    assert any("unknown assessment grade" in i.message for i in info.value.issues)


def test_events_are_drawn_on_the_time_axis_charts_toggled_together(data):
    for name in ("casualties", "timeline"):
        fig = charts.figure_json(charts.CHARTS[name].spec(data))
        events = [t for t in fig["data"] if t.get("legendgroup") == "events"]
        assert len(events) == 2 and sum(bool(t.get("showlegend")) for t in events) == 1
        labels = [x for x in events[1]["text"] if x]
        drawn = set(data.events["label"].map(lambda s: s.replace("'", "&#x27;")))
        assert labels and set(labels) <= drawn | set(data.events["label"])


def test_a_dataset_says_what_it_holds_in_one_line_and_documents_its_columns(data):
    text = repr(data)
    assert len(text) < 200 and f"{len(data.figures)} figures" in text
    doc = pydoc.render_doc(kursk.Dataset, renderer=pydoc.plaintext)
    for column in ("n_independent", "assessment", "origin", "as_of_precision", "event_disagrees"):
        assert column in doc
