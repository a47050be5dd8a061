"""The package's layout: documented, small modules, no cycles, one list of charts, a wheel that
serves on its own."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kursk.charts import NAMES
from kursk.paths import ROOT

PACKAGE = ROOT / "lib" / "kursk"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
# Half of the largest module and class before the package was split by concern (issue 15).
MAX_MODULE_LINES, MAX_CLASS_LINES = 652, 370


def test_the_readme_maps_every_module_of_the_package():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## The package, module by module", 1)[1]
    listed = set(re.findall(r"^\| `kursk/([\w.]+?)/?` \|", table, re.MULTILINE))
    present = {
        p.name
        for p in PACKAGE.iterdir()
        if not p.name.startswith(("_", ".")) or p.name == "__init__.py"
    } - {"py.typed"}
    assert listed == present
    for sub in (p for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")):
        row = next(
            line for line in table.splitlines() if line.startswith(f"| `kursk/{sub.name}/`")
        )
        for module in sub.glob("*.py"):
            if module.stem != "__init__" or "`__init__`" in row:
                assert f"`{module.stem}`" in row, f"{module} is not in the README's map"
        # and the map names no module that is gone: "`name` (what it does)"
        here = {p.stem for p in sub.iterdir()}
        for name in re.findall(r"`([a-z_]\w*)` \(", row):
            assert name in here, f"the README's map names kursk/{sub.name}/{name}, which is gone"


def test_no_module_or_class_is_large():
    for path in MODULES:
        text = path.read_text()
        assert text.count("\n") <= MAX_MODULE_LINES, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno - node.lineno < MAX_CLASS_LINES, (path, node.name)


def _imports(path: Path) -> set[str]:
    """The kursk modules a module imports (anywhere in it, lazy imports too)."""
    here = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                out.add(f"{base}.{node.module}" if node.module else base)
            elif node.module and node.module.startswith("kursk"):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("kursk")}
    return out


def test_subpackages_depend_one_way():
    """ledger <- analysis <- charts <- dashboard/briefing <- serve <- cli: no cycles."""

    def unit(name: str) -> str:
        parts = name.split(".")
        return parts[1] if len(parts) > 1 else "kursk"

    edges: dict[str, set[str]] = {}
    for path in MODULES:
        here = unit(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        if here == "__init__":
            continue
        for target in _imports(path):
            there = unit(target)
            if there not in (here, "kursk"):
                edges.setdefault(here, set()).add(there)

    def reaches(a: str, b: str, seen=()) -> bool:
        return any(
            n == b or (n not in seen and reaches(n, b, (*seen, n))) for n in edges.get(a, ())
        )

    cycles = [(a, b) for a in edges for b in edges[a] if reaches(b, a)]
    assert cycles == []


def test_chart_names_are_spelled_only_in_the_registry():
    """A seventh chart means one new module and one registry line: nothing else lists them."""
    listing = re.compile(r"""["']casualties["'],\s*["']troops["'],\s*["']timeline["']""")
    places = [ROOT / "lib", ROOT / "bench", ROOT / "tests"]
    found = [
        p
        for folder in places
        for p in folder.rglob("*.py")
        if listing.search(p.read_text()) and "__pycache__" not in p.parts
    ]
    assert found == []
    assert len(NAMES) == len(set(NAMES)) > 0


@pytest.mark.timeout(600)
def test_the_wheel_carries_what_serving_needs_and_works_outside_a_checkout(tmp_path):
    uv = Path(sys.executable).with_name("uv")
    subprocess.run(
        [str(uv), "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("kursk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "kursk/serve/jupyter/voila/templates/kursk/index.html.j2",
        "kursk/serve/jupyter/voila/templates/kursk/conf.json",
        "kursk/serve/jupyter/voila/templates/kursk/static/notice.js",
        "kursk/serve/jupyter/kernels/python3/kernel.json",
        "kursk/serve/static/plotly-cartesian.min.js",
        "kursk/serve/dashboard/overview.ipynb",
        "kursk/serve/dashboard/voila.json",
        "kursk/dashboard/chart.js",
        "kursk/dashboard/dashboard.css",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("bench/", "tests/")) for n in names)
    # installed beside the test environment's libraries, run from a folder that is no checkout
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    data = tmp_path / "elsewhere" / "data"
    import shutil

    shutil.copytree(ROOT / "data", data)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("KURSK_DATA_DIR", None)
    code = (
        "import kursk, kursk.paths as p, sys; from kursk.cli import main; "
        "assert not p.IN_CHECKOUT and p.PLOTLY_JS.is_file() and p.DASHBOARD_NOTEBOOK.is_file(), "
        "p.PACKAGE_DIR; sys.exit(main(['validate', 'data']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=data.parent, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok:")
    # and the dashboard served from it: the page renders the notebook with the wheel's assets
    serve = (
        "import urllib.request; from kursk.serve import start, stop\n"
        "proc, url = start('data', extra=['--KurskVoila.snapshots=False'])\n"
        "try:\n"
        "    page = urllib.request.urlopen(url, timeout=120).read().decode()\n"
        "    js = urllib.request.urlopen(url + 'voila/kursk/plotly-cartesian.min.js').read()\n"
        "    assert 'widget-view+json' in page and 'kernelId' in page and len(js) > 1e6, page[-500:]\n"
        "finally:\n"
        "    stop(proc)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", serve], cwd=data.parent, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]
