"""`make gallery` (bench.gallery): a contact sheet of every chart of the registry, with each
chart's layout check, and the same findings as JSON."""

from __future__ import annotations

import html
import json
import struct

import pytest

from bench.gallery import main
from kursk.charts import CHARTS

pytestmark = pytest.mark.browser


def test_the_sheet_shows_every_chart_with_its_check(browser, tmp_path, capsys):
    out = tmp_path / "gallery"
    argv = ["--out", str(out), "--only", "seed", "realistic", "--realistic", "absent"]
    assert main(argv, browser) == 0
    report = json.loads((out / "violations.json").read_text())
    assert list(report) == ["seed", "realistic"]
    assert list(report["seed"]["charts"]) == list(CHARTS)  # the registry, in its order
    assert report["realistic"] == {
        "title": "Realistic fixture",
        "note": "absent is absent (made on another branch): skipped",
        "charts": {},
    }
    page = (out / "index.html").read_text()
    for name, chart in CHARTS.items():
        png = (out / "seed" / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1100, 560)
        assert f"src='seed/{name}.png'" in page and html.escape(chart.title) in page
        verdict = "layout ok" if not report["seed"]["charts"][name] else "class='v'"
        assert verdict in page
    assert "absent is absent" in page
    printed = capsys.readouterr().out
    assert printed.startswith(f"{out / 'index.html'}: {len(CHARTS)} charts in 2 datasets, ")
