"""Notebooks: committed without outputs, and each one executes headless without errors."""

from __future__ import annotations

import functools
import json

import nbformat
import pytest
from nbclient import NotebookClient

from kursk.paths import DASHBOARDS_DIR, NOTEBOOKS_DIR, ROOT

NOTEBOOKS = sorted([*DASHBOARDS_DIR.glob("*.ipynb"), *NOTEBOOKS_DIR.glob("*.ipynb")])


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"overview.ipynb", "01-explore.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_clean(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{path.name}: strip outputs before committing"
        assert not cell.get("execution_count"), f"{path.name}: strip execution counts"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: strip widget state"


@functools.cache
def executed(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executes_headless(path):
    nb = executed(path)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    if path.name == "01-explore.ipynb":
        assert "my-own-figure" in text and "did you mean 'killed'" in text
        assert "in Kursk Figures, figure a003-us-kwia-1200, data " in text  # cite a figure
    if path.name == "overview.ipynb":
        assert "application/vnd.jupyter.widget-view+json" in text


def test_explore_charts_survive_an_html_export(tmp_path, browser):
    """An analyst's `jupyter nbconvert --to html` keeps every chart, drawn offline: plotly.js
    is in the notebook itself, nothing is fetched from the network."""
    from nbconvert import HTMLExporter

    nb = executed(NOTEBOOKS_DIR / "01-explore.ipynb")
    figures = sum(
        "application/vnd.plotly.v1+json" in o.get("data", {})
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert figures >= 2
    html, _ = HTMLExporter().from_notebook_node(nb)
    page_file = tmp_path / "explore.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page()
    page.route("http*://**", lambda route: route.abort())  # as if offline
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    page.wait_for_function(
        f"document.querySelectorAll('.plotly-graph-div .main-svg').length >= {figures}",
        timeout=20_000,
    )
    drawn = page.locator(".plotly-graph-div").count()
    page.close()
    assert drawn == figures and not errors
