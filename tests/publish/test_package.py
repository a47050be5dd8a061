"""The data package: `kursk publish` writes a package frictionless's own validator accepts
(types, enums, keys, hashes), every column described as the frames declare it, a README and
CITATION.cff that cite both the source and the data version, and the same package as a zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import frictionless
import pytest
import yaml

import kursk
from kursk.cli import main as cli
from kursk.ledger import frames
from kursk.publish.citation import cite, last_updated
from kursk.publish.package import package_zip, tables, write_package


def _errors(report) -> list[str]:
    return [f"{task.name}: {e.type}: {e.note}" for task in report.tasks for e in task.errors]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    assert cli(["publish", "--out", str(out), "--url", "https://figures.example.org/"]) == 0
    return out


def test_publish_writes_a_package_frictionless_validates(published, data):
    names = {p.name for p in published.iterdir()}
    assert {"datapackage.json", "README.md", "CITATION.cff", "figures.csv", "claims.csv",
            "sources.csv", "claimants.csv"} <= names  # fmt: skip
    report = frictionless.validate(published / "datapackage.json")
    assert report.valid, _errors(report)
    rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}
    assert rows["figures"] == len(data.figures) and rows["sources"] == len(data.articles)
    assert rows["claims"] == len(data.claims) and rows["claimants"] == len(data.claimants)


def test_every_dataset_publishes_a_valid_package(any_data, tmp_path):
    write_package(any_data, tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, _errors(report)[:10]


def test_publish_into_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "taken").write_text("x")
    assert cli(["publish", "--out", str(tmp_path / "taken")]) == 2
    assert capsys.readouterr().err.strip().endswith("is a file; --out names a folder")


def test_the_descriptor_names_licence_version_contributors_sources_and_keys(published, data):
    package = json.loads((published / "datapackage.json").read_text())
    assert package["name"] == "kursk-figures" and package["title"] and package["created"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["contributors"] == [{"title": "Kursk Figures curators", "role": "author"}]
    assert package["version"] == data.version.fingerprint[:12]
    assert package["data_version"]["label"] == data.version.label
    assert package["homepage"] == "https://figures.example.org/"
    urls = {u for u in data.articles["url"].dropna()}
    assert len(package["sources"]) == len(data.articles)
    assert urls <= {s.get("path") for s in package["sources"]}
    by_name = {r["name"]: r["schema"] for r in package["resources"]}
    figures = by_name["figures"]
    assert figures["primaryKey"] == ["figure_id"]
    references = {fk["fields"]: fk["reference"]["resource"] for fk in figures["foreignKeys"]}
    assert references["claim_id"] == "claims" and references["article"] == "sources"
    assert references["revises"] == ""  # a figure of the same table
    assert by_name["figure_claimants"]["primaryKey"] == ["figure_id", "claimant"]
    # every column typed and described as the frames declare it: one wording
    fields = {f["name"]: f for f in figures["fields"]}
    assert list(fields) == frames.EXPORT_COLUMNS
    for name, field in fields.items():
        declared = frames.EXPORT_ONLY_COLUMNS.get(name) or frames.FIGURE_COLUMNS[name]
        assert field["description"] == declared[1], name
    assert fields["low"]["type"] == "number" and fields["as_of"]["type"] == "date"
    assert fields["current"]["type"] == "boolean" and fields["n_articles"]["type"] == "integer"
    assert set(fields["metric"]["constraints"]["enum"]) == set(data.vocabulary.metrics)
    claims = {f["name"]: f["description"] for f in by_name["claims"]["fields"]}
    assert claims == {k: v[1] for k, v in frames.CLAIM_COLUMNS.items()}


def test_a_broken_package_fails_frictionless(published, tmp_path):
    """The validation above can fail: a claim gone, a metric unknown, a byte changed."""
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(published, broken)
    claims = (broken / "claims.csv").read_text().splitlines(keepends=True)
    (broken / "claims.csv").write_text("".join(claims[:1] + claims[2:]))
    report = frictionless.validate(broken / "datapackage.json")
    kinds = {e.type for task in report.tasks for e in task.errors}
    assert not report.valid and {"foreign-key", "hash-count"} <= kinds
    shutil.copyfile(published / "claims.csv", broken / "claims.csv")
    text = (broken / "figures.csv").read_text()
    (broken / "figures.csv").write_text(text.replace(",killed_or_wounded,", ",killed_or_hurt,"))
    kinds = {
        e.type for t in frictionless.validate(broken / "datapackage.json").tasks for e in t.errors
    }
    assert "constraint-error" in kinds


def test_readme_and_citation_cite_source_and_data_version(published, data):
    readme = (published / "README.md").read_text()
    assert data.version.label in readme and "CC-BY-4.0" in readme
    assert "## How to cite" in readme and "## Caveats" in readme
    assert "claims, not verified facts" in readme
    assert "remain the words of their authors" in readme
    first = data.export().iloc[0]
    assert first["cite"] in readme  # the example is a real figure's citation
    for table in tables(data):  # every file and column listed for spreadsheet users
        assert f"### {table.name}.csv" in readme
        assert all(f"| `{c}` |" in readme for c in table.columns)
    cff = yaml.safe_load((published / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["authors"] == [{"name": "Kursk Figures curators"}]
    assert cff["version"] == data.version.fingerprint[:12] and cff["license"] == "CC-BY-4.0"
    assert cff["url"] == "https://figures.example.org/"
    assert str(cff["date-released"]) == (data.version.date or str(cff["date-released"]))


def test_the_figures_carry_their_citation_and_data_version(published, data):
    rows = list(csv.DictReader(io.StringIO((published / "figures.csv").read_text())))
    assert {r["data_version"] for r in rows} == {data.version.label}
    row = next(r for r in rows if r["figure_id"] == "a003-us-kwia-1200")
    assert row["cite"] == (
        "US assessments, via Express & Star, reported by unnamed aggregator site, Apr 2025 "
        f"(approx.); in Kursk Figures, figure a003-us-kwia-1200, {data.version.label}"
    )
    assert cite(data, "a003-us-kwia-1200") == row["cite"]
    with pytest.raises(KeyError, match="no figure"):
        cite(data, "no-such-figure")


def test_the_zip_holds_the_whole_package_in_one_versioned_folder(data, tmp_path):
    body = package_zip(data)
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = zf.namelist()
        folder = f"kursk-figures-{data.version.fingerprint[:12]}/"
        assert all(n.startswith(folder) for n in names)
        assert {f"{folder}README.md", f"{folder}CITATION.cff", f"{folder}datapackage.json"} <= set(
            names
        )
        zf.extractall(tmp_path)
    report = frictionless.validate(tmp_path / folder / "datapackage.json")
    assert report.valid, _errors(report)


def test_last_updated_names_the_date_and_the_version(data, tmp_path):
    line = last_updated(data)
    assert line.startswith("Last updated ") and line.endswith(data.version.label)
    if data.version.date:
        import datetime as dt

        assert f"{dt.date.fromisoformat(data.version.date):%-d %b %Y}" in line
    import shutil

    copy = kursk.load(shutil.copytree(data.data_dir, tmp_path / "data"))  # no git: file dates
    assert last_updated(copy).startswith("Last updated ")
