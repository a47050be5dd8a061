"""The loader's fast paths give exactly what the pydantic models and one process give."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

import kursk
from kursk import loader
from kursk.schema import Figure, FiguresFile, Value, fast_figures_file
from kursk.synth import write_dataset

FIGURE = {
    "id": "f-1",
    "metric": "deployed",
    "value": {"about": 3000},
    "claimant": "kr-military",
    "quote": "approximately 3,000 additional troops",
}
# (field, value): valid and invalid variations; the fast path must agree or give up
VARIATIONS = [
    ("value", 5),
    ("value", 5.5),
    ("value", -0.0),
    ("value", True),
    ("value", None),
    ("value", "5"),
    ("value", math.nan),
    ("value", math.inf),
    ("value", {"about": True}),
    ("value", {"up_to": 7}),
    ("value", {"over": 7}),
    ("value", {"at_least": 7}),
    ("value", {"nearly": 7}),
    ("value", {"exact": 7}),
    ("value", {"low": 1, "high": 2}),
    ("value", {"low": 2, "high": 1}),
    ("value", {"low": 1, "high": 2, "approx": True}),
    ("value", {"low": 1, "high": 2, "approx": 1}),
    ("value", {"low": 1, "high": True}),
    ("value", {"vague": " Thousands "}),
    ("value", {"vague": " "}),
    ("value", {"vague": 5}),
    ("value", {"bogus": 5}),
    ("quote", " padded "),
    ("quote", "tail\n"),
    ("quote", "word " * 15),
    ("quote", "word " * 16),
    ("quote", " "),
    ("quote", "x\x1c"),
    ("quote", "x\u00a0"),
    ("quote", 5),
    ("subject", "\u2003x"),
    ("subject", None),
    ("note", "a\nb\n"),
    ("confidence", ""),
    ("id", "Upper"),
    ("id", " f-2"),
    ("id", "a" * 81),
    ("id", 12),
    ("claim", None),
    ("claim", "-bad"),
    ("unit", "persons"),
    ("unit", None),
    ("claimant", ["kr-military", "us-intelligence"]),
    ("claimant", ["kr-military", "kr-military"]),
    ("claimant", ["kr-military", " kr-military"]),
    ("claimant", []),
    ("claimant", [5]),
    ("via", [" a ", "b"]),
    ("via", "a"),
    ("via", None),
    ("as_of", "2025-02"),
    ("as_of", 2025),
    ("as_of", "2025-02-30"),
    ("as_of", None),
    ("scope", "cumulative"),
    ("scope", {"window": "in the past week", "days": 7}),
    ("scope", "window"),
    ("bogus", 1),
]


def _model(raw: dict):
    try:
        return FiguresFile.model_validate(raw)
    except ValidationError:
        return None


@pytest.mark.parametrize(("key", "value"), VARIATIONS)
def test_fast_figures_file_agrees_with_the_model(key, value):
    raw = {"article": "a-1", "figures": [{**FIGURE, key: value}]}
    fast, model = fast_figures_file(raw), _model(raw)
    if fast is None:
        return  # the model decides; nothing to compare
    assert model is not None, "the fast path accepted what the model rejects"
    article, figures, ignored = fast
    assert article == model.article and ignored == model.ignored
    (got,), (want,) = figures, model.figures
    for name in Figure.model_fields:
        mine, theirs = getattr(got, name), getattr(want, name)
        assert mine == theirs and type(mine) is type(theirs), name


def test_value_forms_keep_their_meaning():
    assert Value.parse({"up_to": 5}) == Value("up_to", None, 5.0, False, None)
    assert Value.parse({"low": 1, "high": 2}) == Value("range", 1.0, 2.0, False, None)
    assert Value.parse({"vague": " lots "}) == Value("vague", None, None, True, "lots")
    with pytest.raises(ValueError, match="swap them"):
        Value.parse({"low": 2, "high": 1})


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "synth", 3000, per_file=100)


def _frames(data: kursk.Dataset) -> dict[str, pd.DataFrame]:
    names = ("articles", "claimants", "contingents", "figures", "claims", "ignored")
    return {name: getattr(data, name) for name in names}


def _helper_always(monkeypatch):
    monkeypatch.setattr(loader._Helper, "MIN_BYTES", 0)
    monkeypatch.setattr(loader._Helper, "may_fork", staticmethod(lambda: True))


def test_a_helper_process_reads_the_same(synthetic, monkeypatch):
    alone = _frames(kursk.load(synthetic))
    _helper_always(monkeypatch)
    started = []
    start = loader._Helper.start.__func__

    def spy(cls, paths):
        helper = start(cls, paths)
        started.append(helper)
        return helper

    monkeypatch.setattr(loader._Helper, "start", classmethod(spy))
    helped = _frames(kursk.load(synthetic))
    assert started and started[0] is not None
    for name, frame in alone.items():
        pd.testing.assert_frame_equal(helped[name], frame, check_exact=True)


def test_a_failing_helper_leaves_the_files_to_the_loader(synthetic, monkeypatch):
    alone = _frames(kursk.load(synthetic))
    _helper_always(monkeypatch)

    def broken(path):
        raise RuntimeError("helper failed")

    monkeypatch.setattr(loader, "_read_fast", broken)
    helped = _frames(kursk.load(synthetic))
    for name, frame in alone.items():
        pd.testing.assert_frame_equal(helped[name], frame, check_exact=True)


def test_errors_in_files_a_helper_would_read_are_reported_the_same(synthetic, monkeypatch):
    last = sorted((synthetic / "figures").glob("*.yaml"))[-1]
    text = last.read_text(encoding="utf-8")
    last.write_text(text.replace("metric: deployed", "metric: deploy", 1), encoding="utf-8")
    with pytest.raises(kursk.DataError) as alone:
        kursk.load(synthetic)
    _helper_always(monkeypatch)
    with pytest.raises(kursk.DataError) as helped:
        kursk.load(synthetic)
    assert [str(i) for i in helped.value.issues] == [str(i) for i in alone.value.issues]
    assert alone.value.issues and "unknown metric" in str(alone.value.issues[0])


def test_the_helper_can_be_switched_off(synthetic, monkeypatch):
    monkeypatch.setattr(loader._Helper, "MIN_BYTES", 0)
    monkeypatch.setenv("KURSK_LOADER_HELPER", "0")
    assert not loader._Helper.may_fork()
    assert loader._Helper.start(sorted((synthetic / "figures").glob("*.yaml"))) is None
