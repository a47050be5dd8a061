"""Every chart of the registry passes the layout checks (bench.layout) as Chromium draws it at
1100x560: on the seed data, its most prolific claimant alone, the realistic fixture (and its
most prolific claimant), and 500 synthetic figures. `make gallery` shows the same on one page."""

from __future__ import annotations

import pytest

from bench.gallery import cases, keys
from bench.layout import LayoutChecker, summarise
from kursk.charts import CHARTS, NAMES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict:
    return {case.key: case for case in cases(build=tmp_path_factory.mktemp("synthetic"))}


@pytest.fixture(scope="module")
def checker(browser):
    with LayoutChecker(browser) as checker:
        yield checker


@pytest.mark.parametrize("key", keys())
@pytest.mark.parametrize("name", NAMES)
def test_every_chart_passes_the_layout_checks(datasets, checker, key, name):
    case = datasets[key]
    if case.data is None:
        pytest.skip(case.note)
    found = summarise(checker.check(CHARTS[name].spec(case.data)))
    assert found == [], f"{name} on {case.title}:\n" + "\n".join(found)
