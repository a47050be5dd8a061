"""Reading the data folder: every file parsed and validated against its model.

The result is a `Ledger`: the models of every file that could be read, the problems found so
far, and the means to locate a problem (file and line) for the checks that follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..paths import display_path
from .issues import Issue, IssueCode, dotted, pydantic_issues
from .models import (
    Article,
    ArticlesFile,
    Claimant,
    ClaimantsFile,
    Contingent,
    ContingentsFile,
    Event,
    EventsFile,
    Figure,
    FiguresFile,
    Ignored,
    Vocabulary,
)
from .yamlio import MAX_DEPTH, LineFinder, read_yaml_text

# name -> (file, model, required)
REFERENCE_FILES: dict[str, tuple[str, type[BaseModel], bool]] = {
    "vocabulary": ("vocabulary.yaml", Vocabulary, True),
    "articles": ("articles.yaml", ArticlesFile, True),
    "claimants": ("claimants.yaml", ClaimantsFile, True),
    "contingents": ("contingents.yaml", ContingentsFile, True),
    "events": ("events.yaml", EventsFile, False),
}
FIGURES_GLOB = "figures/*.yaml"
# "- id: <id>" opening a list item: the line a figure's row points at
_ID_LINE = re.compile(r"^[ \t]*-[ \t]+id:[ \t]*[\"']?([A-Za-z0-9._-]+)", re.MULTILINE)


@dataclass
class FigureFile:
    """One figures file: its valid figures (with their index in the file) and the rest."""

    path: Path
    article: str
    figures: list[tuple[int, Figure]]
    ignored: list[Ignored]
    # figures that failed their model: their references are still checked, so that one run
    # reports every problem
    invalid: list[tuple[int, dict]] = field(default_factory=list)
    id_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Ledger:
    """Every data file read and validated by its model, and the problems found doing so."""

    data_dir: Path
    vocabulary: Vocabulary | None = None
    articles: list[Article] | None = None
    claimants: list[Claimant] | None = None
    contingents: list[Contingent] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    figure_files: list[FigureFile] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    _finders: dict[Path, LineFinder] = field(default_factory=dict, repr=False)

    def known_on(self, day) -> Ledger:
        """The ledger as it was on a day: sources published by then (their period ended),
        their figures files, and the events that had happened."""
        known = [a for a in self.articles or [] if a.published and a.published.end <= day]
        ids = {a.id for a in known}
        return Ledger(
            self.data_dir,
            self.vocabulary,
            known,
            self.claimants,
            self.contingents,
            [e for e in self.events if e.date.end <= day],
            [ff for ff in self.figure_files if ff.article in ids],
            self.files,
        )

    def path(self, name: str) -> Path:
        """A reference file's path by its name in REFERENCE_FILES."""
        return self.data_dir / REFERENCE_FILES[name][0]

    def line(self, path: Path, loc: tuple) -> int | None:
        """The line of a key path in a file (the file is composed again only when asked)."""
        return self._finder(path).line(loc)

    def _finder(self, path: Path) -> LineFinder:
        if path not in self._finders:
            self._finders[path] = LineFinder(path, self.data_dir)
        return self._finders[path]

    def where(self, path: Path, loc: tuple) -> str:
        """'file:line' of a key path, for hints that point at another place."""
        return f"{display_path(path)}:{self.line(path, loc)}"

    def issue(self, path: Path, loc: tuple, message: str, **kw: Any) -> Issue:
        """An Issue located at a key path of a file."""
        if kw.pop("raw_scalar", False):  # YAML typed a scalar the model wants as text
            raw = self._finder(path).raw(loc)
            shown = raw or kw["value"]
            message = f"YAML read {shown!r} as a {type(kw['value']).__name__}"
            kw.update(expected="text", hint=f'put it in quotes: "{shown}"')
        return Issue(display_path(path), self.line(path, loc), dotted(loc), message, **kw)

    def model_issues(self, path: Path, exc: ValidationError, model: type[BaseModel], base=()):
        self.issues += pydantic_issues(
            exc, model, base, lambda loc, message, **kw: self.issue(path, loc, message, **kw)
        )


def read(data_dir: Path) -> Ledger:
    """Read and validate every file under data_dir against its model."""
    ledger = Ledger(data_dir)
    for name, (filename, model, required) in REFERENCE_FILES.items():
        path = data_dir / filename
        if not (path.exists() or path.is_symlink()):  # a dangling link is not "missing"
            if required:
                ledger.issues.append(
                    Issue(
                        display_path(path),
                        None,
                        "",
                        "required file is missing",
                        hint=f"create {filename} (see data/README.md)",
                        code=IssueCode.MISSING_FILE,
                    )
                )
            continue
        ledger.files.append(path)
        parsed = _guarded(ledger, path, _read_model, model)
        if parsed is not None:
            setattr(ledger, name, getattr(parsed, name) if name != "vocabulary" else parsed)
    for path in sorted(data_dir.glob(FIGURES_GLOB)):
        ledger.files.append(path)
        figure_file = _guarded(ledger, path, _read_figures)
        if figure_file is not None:
            ledger.figure_files.append(figure_file)
    return ledger


def _guarded(ledger: Ledger, path: Path, read_file, *args):
    """read_file(ledger, path, *args), with a nesting too deep for Python as one issue.

    yamlio refuses deep nesting before this point; this is the net behind it, so that no
    file can turn into "internal error: RecursionError" for the curator or the public page.
    """
    try:
        return read_file(ledger, path, *args)
    except RecursionError:
        message = f"nested more than {MAX_DEPTH} levels deep"
        ledger.issues.append(Issue(display_path(path), None, "", message, code=IssueCode.TOO_DEEP))
        return None


def _top_level(ledger: Ledger, path: Path, model: type[BaseModel]) -> tuple[Any, str | None]:
    """A file's parsed YAML when it is a mapping (else None, with the problem recorded)."""
    data, problems, text = read_yaml_text(path, ledger.data_dir)
    ledger.issues += problems
    if problems:
        return None, None
    if not isinstance(data, dict):
        ledger.issues.append(
            ledger.issue(
                path,
                (),
                f"top level is a {type(data).__name__}",
                expected="a mapping with keys " + ", ".join(model.model_fields),
                code=IssueCode.TYPE,
            )
        )
        return None, None
    return data, text


def _read_model(ledger: Ledger, path: Path, model: type[BaseModel]):
    data, _ = _top_level(ledger, path, model)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        ledger.model_issues(path, exc, model)
        return None


def _read_figures(ledger: Ledger, path: Path) -> FigureFile | None:
    data, text = _top_level(ledger, path, FiguresFile)
    if data is None:
        return None
    id_lines = _id_lines(text or "")
    try:
        parsed = FiguresFile.model_validate(data)
        return FigureFile(
            path, parsed.article, list(enumerate(parsed.figures)), parsed.ignored, [], id_lines
        )
    except ValidationError as exc:
        ledger.model_issues(path, exc, FiguresFile)
    # Keep the valid figures so that the cross-file checks still report everything in one run.
    article = data.get("article")
    raw = data.get("figures") if isinstance(data.get("figures"), list) else []
    good, invalid = [], []
    for i, item in enumerate(raw):
        try:
            good.append((i, Figure.model_validate(item)))
        except (ValidationError, TypeError):
            if isinstance(item, dict):
                invalid.append((i, item))
    if not isinstance(article, str):
        return None
    return FigureFile(path, article, good, [], invalid, id_lines)


def _id_lines(text: str) -> dict[str, int]:
    """Each id's first line as "- id: <id>", for the figures frame's `line` column."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: dict[str, int] = {}
    line, pos = 1, 0
    for m in _ID_LINE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.setdefault(m.group(1), line)
    return out
