"""environment.yml (conda-forge) and pyproject.toml list the same packages; the lock pins them."""

from __future__ import annotations

import re
import tomllib

import yaml

from kursk.paths import ROOT

# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"python-kaleido": "kaleido"}
NOT_PACKAGES = {"python", "pip", "-e ."}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [
        r for rs in project["optional-dependencies"].values() for r in rs
    ]
    return {_name(r) for r in reqs}


def conda_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        for item in dep["pip"] if isinstance(dep, dict) else [dep]:
            name = item.strip() if item.strip() == "-e ." else _name(item)
            if name not in NOT_PACKAGES:
                names.add(CONDA_TO_PYPI.get(name, name))
    return names


def test_environment_yml_matches_pyproject():
    missing_in_conda = pyproject_packages() - conda_packages()
    missing_in_pyproject = conda_packages() - pyproject_packages()
    assert not missing_in_conda, f"add to environment.yml: {sorted(missing_in_conda)}"
    assert not missing_in_pyproject, f"add to pyproject.toml: {sorted(missing_in_pyproject)}"


def test_lock_files_pin_every_dependency():
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for lock, names in (
        ("requirements.lock", {_name(r) for r in runtime}),
        ("requirements-test.lock", pyproject_packages()),
    ):
        pinned = {
            _name(line)
            for line in (ROOT / lock).read_text().splitlines()
            if re.match(r"^[A-Za-z0-9]", line) and "==" in line
        }
        assert names <= pinned, f"{lock} lacks {sorted(names - pinned)}: run make lock"


def test_axe_core_is_installed_from_npm_not_a_cdn():
    """make test installs axe-core from the npm registry at the locked version."""
    import json

    from tests.support import axe

    locked = json.loads((axe.AXE_JS.parents[2] / "package-lock.json").read_text())
    version = locked["packages"]["node_modules/axe-core"]["version"]
    assert axe.AXE_JS.exists(), "run make test: it installs axe-core with npm ci"
    assert f"axe v{version}" in axe.AXE_JS.read_text(encoding="utf-8")[:300]
