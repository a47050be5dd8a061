"""Value and figure forms: the model accepts exactly the documented ones, and refuses the rest
with a ValidationError (which the loader turns into a located issue), never a crash."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from kursk.ledger.models import FiguresFile
from kursk.ledger.values import Value

FIGURE = {
    "id": "f-1",
    "metric": "deployed",
    "value": {"about": 3000},
    "claimant": "kr-military",
    "quote": "approximately 3,000 additional troops",
}
# (field, value, valid): variations of one figure, and whether the model accepts each
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


ACCEPTED = [
    ("value", 5), ("value", 5.5), ("value", -0.0), ("value", {"up_to": 7}), ("value", {"over": 7}),
    ("value", {"at_least": 7}), ("value", {"nearly": 7}), ("value", {"exact": 7}),
    ("value", {"low": 1, "high": 2}), ("value", {"low": 1, "high": 2, "approx": True}),
    ("value", {"vague": " Thousands "}), ("quote", " padded "), ("quote", "tail\n"),
    ("quote", "word " * 15), ("quote", "x\x1c"), ("quote", "x\u00a0"), ("subject", "\u2003x"),
    ("note", "a\nb\n"), ("confidence", ""), ("claim", None), ("unit", "persons"), ("unit", None),
    ("claimant", ["kr-military", "us-intelligence"]), ("via", [" a ", "b"]),
    ("as_of", "2025-02"), ("as_of", 2025), ("as_of", None), ("scope", "cumulative"),
    ("scope", {"window": "in the past week", "days": 7}), ("id", " f-2"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value"), VARIATIONS)
def test_the_model_accepts_exactly_the_documented_forms(key, value):
    raw = {"article": "a-1", "figures": [{**FIGURE, key: value}]}
    try:
        FiguresFile.model_validate(raw)
        accepted = True
    except ValidationError:
        accepted = False
    # by repr: True == 1 in Python, but the model tells them apart
    assert accepted == (repr((key, value)) in {repr(a) for a in ACCEPTED}), (key, value)


def test_value_forms_keep_their_meaning():
    assert Value.parse({"up_to": 5}) == Value("up_to", None, 5.0, False, None)
    assert Value.parse({"low": 1, "high": 2}) == Value("range", 1.0, 2.0, False, None)
    assert Value.parse({"vague": " lots "}) == Value("vague", None, None, True, "lots")
    with pytest.raises(ValueError, match="swap them"):
        Value.parse({"low": 2, "high": 1})
