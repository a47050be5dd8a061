"""Hypothesis strategies for valid datasets of every shape the format allows.

`datasets()` draws a whole data folder as {file name: YAML content}: new claimants (with and
without a colour), new metrics in each group, new contingents, events, sources with and
without a held text, in English and not, and figures using every optional field and every
relation (parts that add up, breakdowns, revision chains, events reported differently,
progress toward a plan, denominators, windows, vague values and dates), or none of them.
`write(folder, files)` writes one to disk. Every dataset drawn is valid: the tests assert so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from hypothesis import strategies as st

from kursk.paths import DATA_DIR

SEED = {name: yaml.safe_load((DATA_DIR / name).read_text()) for name in (
    "vocabulary.yaml", "claimants.yaml", "contingents.yaml"
)}  # fmt: skip
NEW_METRICS = {
    "casualties": ("missing", "Missing", "persons"),
    "deployment": ("trained", "Troops trained", "persons"),
    "payment": ("bonus", "Bonus per soldier", "usd"),
    "distance": ("front_distance", "Distance to the front", "km"),
}
COLOURS = ["#5B2C6F", "#1B4F72", "#7E5109", "#186A3B", "#922B21"]  # legible, not in the seed
DATES = [
    "2024", "2024-10", "2024-11-03", "early 2025", "mid 2025-01", "late 2024~", "2025-Q2",
    "2025-H1", "2025-03~", "2025-06-17", "2025-09",
]  # fmt: skip
WORDS = ["troops", "about", "killed", "sent", "more", "wounded", "reported"]


def _quote(draw, n: float | None = None) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
    if n is not None:
        words.insert(draw(st.integers(0, len(words))), f"{n:,.0f}")
    return " ".join(words)


def _value(draw, unit: str):
    """A value form that fits the unit (whole people, shares of at most 100)."""
    top = 100 if unit == "percent" else 50_000
    n = draw(st.integers(0, top))
    m = draw(st.integers(n, top))
    form = draw(st.sampled_from(["exact", "about", "over", "at_least", "up_to", "range", "vague"]))
    if form == "vague":
        words = (
            "nearly half" if unit == "percent" else draw(st.sampled_from(["thousands", "dozens"]))
        )
        return {"vague": words}, None
    if form == "exact":
        return n, n
    if form == "range":
        return {"low": n, "high": m, "approx": draw(st.booleans())}, n
    return {form: n}, n


@st.composite
def datasets(draw) -> dict[str, object]:
    vocab = yaml.safe_load(yaml.safe_dump(SEED["vocabulary.yaml"]))
    metrics = dict(vocab["metrics"])
    for group in draw(st.sets(st.sampled_from(sorted(NEW_METRICS)))):
        mid, label, unit = NEW_METRICS[group]
        metrics[mid] = {"label": label, "unit": unit, "group": group}
    vocab["metrics"] = metrics
    claimants = [
        {k: v for k, v in c.items() if k != "colour" or draw(st.booleans())}
        for c in draw(
            st.lists(st.sampled_from(SEED["claimants.yaml"]["claimants"]), min_size=1,
                     max_size=5, unique_by=lambda c: c["id"])
        )
    ]  # fmt: skip
    for i in range(draw(st.integers(0, 3))):
        new = {"id": f"new-claimant-{i}", "name": f"New claimant {i}", "kind": "analyst"}
        if draw(st.booleans()):
            new["short_name"] = f"New {i}"
        if draw(st.booleans()) and i < len(COLOURS):
            new["colour"] = COLOURS[i]
        claimants.append(new)
    contingents = list(SEED["contingents.yaml"]["contingents"])
    if draw(st.booleans()):
        contingents.append({"id": "wave-new", "label": "A new wave", "start": "2025-09~"})
    contingent_ids = [None, *(c["id"] for c in contingents)]
    claimant_ids = [c["id"] for c in claimants]
    events = [
        {"id": f"event-{i}", "date": draw(st.sampled_from(DATES)), "label": f"Event {i}",
         "kind": draw(st.sampled_from(["milestone", "statement"]))}
        for i in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    articles, figure_files = [], {}
    for a in range(draw(st.integers(1, 5))):
        aid = f"{a:03d}_source"
        language = draw(st.sampled_from(["en", "en", "ko"]))
        article = {"id": aid, "title": f"Source {a}", "language": language}
        if draw(st.booleans()):
            article["sha256"] = hashlib.sha256(aid.encode()).hexdigest()
        else:
            article["kind"] = draw(st.sampled_from(["briefing", "statement", "report", "post"]))
            article["no_text"] = "known from its transcript page only"
        if draw(st.booleans()):
            article["published"] = draw(st.sampled_from(DATES))
        if draw(st.booleans()):
            article["outlet"] = f"Outlet {a}"
        articles.append(article)
        figures = []
        for f in range(draw(st.integers(0, 5))):
            metric = draw(st.sampled_from(sorted(metrics)))
            unit_id = metrics[metric]["unit"]
            value, n = _value(draw, unit_id)
            fig = {
                "id": f"f{a}-{f}",
                "metric": metric,
                "value": value,
                "claimant": draw(st.lists(st.sampled_from(claimant_ids), min_size=1, max_size=2,
                                          unique=True)),
                "quote": _quote(draw, n),
            }  # fmt: skip
            if unit_id == "percent":
                fig["share_of"] = "deployed"
            if unit_id in ("usd", "km") and isinstance(value, int) and draw(st.booleans()):
                fig["value"] = value + 0.5
                fig["quote"] = _quote(draw)
            optional = {
                "as_of": st.sampled_from(DATES),
                "contingent": st.sampled_from(contingent_ids[1:]),
                "subject": st.just("sappers"),
                "via": st.just(["A relay"]),
                "confidence": st.sampled_from(["reportedly", "highly likely", "our own words"]),
                "scope": st.just({"window": "in the past week", "days": 7}),
                "note": st.just("a note"),
            }
            for key, strategy in optional.items():
                if draw(st.booleans()):
                    fig[key] = draw(strategy)
            if events and draw(st.booleans()):
                fig["event"] = draw(st.sampled_from(events))["id"]
            if language != "en":
                fig["translation"] = fig["quote"]
            figures.append(fig)
        figures += _relations(draw, a, claimant_ids, language)
        figure_files[f"figures/{aid}.yaml"] = {"article": aid, "figures": figures}
    return {
        "vocabulary.yaml": vocab,
        "claimants.yaml": {"claimants": claimants},
        "contingents.yaml": {"contingents": contingents},
        "events.yaml": {"events": events},
        "articles.yaml": {"articles": articles},
        **figure_files,
    }


def _relations(draw, a: int, claimant_ids: list[str], language: str) -> list[dict]:
    """Figures linked to each other, each link valid by construction."""
    who = [draw(st.sampled_from(claimant_ids))]
    out: list[dict] = []

    def figure(name: str, metric: str, value, **more) -> dict:
        n = value if isinstance(value, int) else None
        fig = {"id": f"r{a}-{name}", "metric": metric, "value": value, "claimant": who,
               "quote": _quote(draw, n), **more}  # fmt: skip
        if language != "en":
            fig["translation"] = fig["quote"]
        out.append(fig)
        return fig

    if draw(st.booleans()):  # parts that add up to a stated total
        k, w = draw(st.integers(0, 900)), draw(st.integers(0, 900))
        figure("total", "killed_or_wounded", k + w)
        figure("killed", "killed", k, part_of=f"r{a}-total")
        figure("wounded", "wounded", w, part_of=f"r{a}-total")
    if draw(st.booleans()):  # a breakdown without a total
        figure("b-killed", "killed", {"at_least": draw(st.integers(0, 500))}, breakdown=f"b{a}")
        figure("b-wounded", "wounded", {"about": draw(st.integers(0, 500))}, breakdown=f"b{a}")
    if draw(st.booleans()):  # a revision chain
        length = draw(st.integers(2, 3))
        for i in range(length):
            more = {"as_of": f"2025-0{i + 1}"}
            if i:
                more["revises"] = f"r{a}-rev{i - 1}"
            figure(f"rev{i}", "deployed", draw(st.integers(0, 20_000)), **more)
    if draw(st.booleans()):  # progress toward a plan, and a figure with its own denominator
        figure("plan", "planned", draw(st.integers(1, 9_000)))
        figure(
            "arrived", "arrived", {"about": draw(st.integers(0, 9_000))}, progress_of=f"r{a}-plan"
        )
        figure("force", "deployed", draw(st.integers(1, 20_000)))
        figure("lost", "killed_or_wounded", draw(st.integers(0, 5_000)), denominator=f"r{a}-force")
    return out


def write(folder: Path, files: dict[str, object]) -> Path:
    """Write a drawn dataset as YAML files under folder."""
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return folder
