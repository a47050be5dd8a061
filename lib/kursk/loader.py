"""Load the curated YAML under data/, validate it all, and normalize it into pandas frames."""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import re
import signal
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args, get_origin

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from . import frames
from .errors import DataError, Issue, did_you_mean, one_of
from .paths import DATA_DIR, display_path
from .schema import (
    ArticlesFile,
    ClaimantsFile,
    ContingentsFile,
    FastFigure,
    Figure,
    FiguresFile,
    Ignored,
    PartialDate,
    Value,
    Vocabulary,
    fast_figures_file,
)
from .yamlio import LineFinder, read_yaml, read_yaml_text

REFERENCE_FILES = {
    "vocabulary": ("vocabulary.yaml", Vocabulary),
    "articles": ("articles.yaml", ArticlesFile),
    "claimants": ("claimants.yaml", ClaimantsFile),
    "contingents": ("contingents.yaml", ContingentsFile),
}
FIGURES_GLOB = "figures/*.yaml"
# "- id: <id>" opening a list item: the line a figure's row points at
_ID_LINE = re.compile(r"[ \t]*-[ \t]+id:[ \t]*[\"']?([A-Za-z0-9._-]+)")
_NEXT_ID_LINE = re.compile(r"\n" + _ID_LINE.pattern)


class _Claims:
    """Dataset.claims, set to None by `filter`: regrouped from the figures when first read.
    Regrouping is most of a filter's cost (~8 of ~10 ms on the seed data), and the dashboard
    filters on every change but reads the claims only after the charts the reader sees."""

    def __get__(self, dataset, owner=None):
        if dataset is None:
            return self
        if dataset._claims is None:
            dataset._claims = _claims(dataset.figures)
        return dataset._claims

    def __set__(self, dataset, value) -> None:
        dataset._claims = value


@dataclass
class Dataset:
    """The validated figures and their references as typed pandas frames."""

    data_dir: Path
    vocabulary: Vocabulary
    articles: pd.DataFrame
    claimants: pd.DataFrame
    contingents: pd.DataFrame
    figures: pd.DataFrame
    claims: pd.DataFrame
    ignored: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def export(self) -> pd.DataFrame:
        """The figures table as `kursk export` writes it (columns named in the issue)."""
        return self.figures[frames.EXPORT_COLUMNS].copy()

    def filter(
        self,
        claimants: list[str] | None = None,
        metric_groups: list[str] | None = None,
        since=None,
        until=None,
        min_articles: int = 1,
    ) -> Dataset:
        """A copy holding only the figures that pass every filter (claims regrouped).

        claimants: keep figures with any of these claimant ids; metric_groups: deployment,
        casualties, payment, distance; since/until: as-of date bounds (figures without an
        as-of date drop out when either is set); min_articles: claims reported by at least
        this many articles (n_articles counts all articles, not only the filtered ones).
        """
        f = self.figures
        keep = pd.Series(True, index=f.index)
        if claimants is not None:
            wanted = set(claimants)
            keep &= f["claimant"].map(lambda s: bool(wanted & set(s.split(";")))).astype(bool)
        if metric_groups is not None:
            keep &= f["metric_group"].isin(list(metric_groups)).fillna(False).astype(bool)
        if since is not None:
            keep &= (f["as_of_date"] >= pd.Timestamp(since)).fillna(False).astype(bool)
        if until is not None:
            keep &= (f["as_of_date"] <= pd.Timestamp(until)).fillna(False).astype(bool)
        if min_articles > 1:
            keep &= (f["n_articles"] >= min_articles).fillna(False).astype(bool)
        figures = f[keep].reset_index(drop=True)
        return replace(self, figures=figures, claims=None)

    @property
    def fingerprint(self) -> str:
        """sha256 over the data files' paths and bytes: what a briefing was built from."""
        digest = hashlib.sha256()
        for path in sorted(self.files):
            digest.update(path.relative_to(self.data_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        return digest.hexdigest()


Dataset.claims = _Claims()  # the field, made lazy for filtered copies (after @dataclass)


def load(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate every YAML file under data_dir; raise DataError listing all problems."""
    # The loader allocates millions of small objects and frees none of them mid-way; the cyclic
    # GC would rescan them over and over (superlinear time), so it pauses for the load.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Loader(Path(data_dir) if data_dir else DATA_DIR).run()
    finally:
        if was_enabled:
            gc.enable()


def _read_fast(path: Path):
    """A file the fast path takes, packed in plain values for marshal; else None."""
    data, problems, text = read_yaml_text(path)
    if problems or not isinstance(data, dict):
        return None
    fast = fast_figures_file(data)
    if fast is None:
        return None
    article, figures, ignored = fast
    figures = [
        (*f[:4], tuple(f.value), *f[5:8], f.as_of.text if f.as_of else None, *f[9:])
        for f in figures
    ]
    ignored = [(i.quote, i.number, i.reason, i.figure) for i in ignored]
    return article, figures, ignored, _id_lines(text)


def _unpack(packed) -> tuple[str, list[FastFigure], list[Ignored], dict[str, int]]:
    """_read_fast's values as fast_figures_file gave them."""
    article, figures, ignored, id_lines = packed
    new, date = tuple.__new__, PartialDate.parse
    figures = [
        new(
            FastFigure,
            (*f[:4], new(Value, f[4]), *f[5:8], None if f[8] is None else date(f[8]), *f[9:]),
        )
        for f in figures
    ]
    ignored = [
        Ignored.model_construct(quote=q, number=n, reason=r, figure=fig)
        for q, n, r, fig in ignored
    ]
    return article, figures, ignored, id_lines


class _Helper:
    """A forked process that reads the last figures files by the fast path and sends back
    what it read (marshal: plain values); whatever it cannot take (errors, unusual shapes)
    the loader reads itself.

    Used only for large data (process start and sending cost ~10% of the work they move),
    on systems with fork, and from single-threaded processes (forking threads is unsafe).
    """

    MIN_BYTES = 2 * 2**20  # below this, one process is faster
    SHARE = 0.45  # of the bytes: the loader also unpickles what the helper sends

    def __init__(self, paths: list[Path], pid: int, fd: int):
        self.paths, self.pid, self.fd = paths, pid, fd

    @staticmethod
    def may_fork() -> bool:
        """A second CPU to use, fork to start a process cheaply, and no threads to break.
        ``KURSK_LOADER_HELPER=0`` in the environment keeps the loader in one process."""
        if os.environ.get("KURSK_LOADER_HELPER", "1") == "0":
            return False
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        return hasattr(os, "fork") and cpus >= 2 and threading.active_count() == 1

    @classmethod
    def start(cls, paths: list[Path]) -> _Helper | None:
        if len(paths) < 4 or not cls.may_fork():
            return None
        try:
            sizes = [p.stat().st_size for p in paths]
        except OSError:
            return None
        total = sum(sizes)
        if total < cls.MIN_BYTES:
            return None
        split, done = len(paths), 0
        while split > 1 and done + sizes[split - 1] <= total * cls.SHARE:
            split -= 1
            done += sizes[split]
        theirs = paths[split:]
        if not theirs:
            return None
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the helper: never returns
            os.close(read_fd)
            status = 0
            try:
                blob = marshal.dumps([_read_fast(p) for p in theirs])
                with os.fdopen(write_fd, "wb") as out:
                    out.write(blob)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(write_fd)
        return cls(theirs, pid, read_fd)

    def results(self) -> list:
        """What the helper read, one entry per path (None for each if it failed)."""
        try:
            with os.fdopen(self.fd, "rb") as pipe:
                self.fd = -1
                blob = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status == 0:
                results = marshal.loads(blob)
                if len(results) == len(self.paths):
                    return [None if r is None else _unpack(r) for r in results]
        except Exception:  # the loader reads the files itself
            pass
        return [None] * len(self.paths)

    def stop(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0


class _FigureFile:
    """A figures file that passed the fast check: FiguresFile's attributes, without pydantic."""

    __slots__ = ("article", "figures", "ignored")

    def __init__(self, article: str, figures: list, ignored: list):
        self.article, self.figures, self.ignored = article, figures, ignored


class _Loader:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.issues: list[Issue] = []
        self._finders: dict[Path, LineFinder] = {}
        # figures that failed schema validation: their references are still checked
        self._invalid: list[tuple[Path, int, dict]] = []
        self._id_lines: dict[Path, dict[str, int]] = {}

    # --- error helpers ------------------------------------------------------------------------

    def _finder(self, path: Path) -> LineFinder:
        if path not in self._finders:
            self._finders[path] = LineFinder(path)
        return self._finders[path]

    def line(self, path: Path, loc: tuple) -> int | None:
        return self._finder(path).line(loc)

    def issue(self, path: Path, loc: tuple, message: str, **kw: Any) -> None:
        self.issues.append(
            Issue(display_path(path), self.line(path, loc), _dotted(loc), message, **kw)
        )

    def _pydantic_issues(self, path: Path, exc: ValidationError, model: type[BaseModel], base=()):
        for err in exc.errors(include_url=False):
            loc = base + tuple(err["loc"])
            kind, value = err["type"], err.get("input")
            if kind == "extra_forbidden":
                allowed = _fields_at(model, tuple(err["loc"])[:-1])
                self.issue(
                    path,
                    loc,
                    f"unknown key {loc[-1]!r}",
                    expected=one_of(allowed),
                    hint=did_you_mean(loc[-1], allowed) or "remove it or move it under 'note'",
                    code="unknown_key",
                )
            elif kind == "missing":
                self.issue(
                    path,
                    loc,
                    f"required key {loc[-1]!r} is missing",
                    hint=f"add {loc[-1]}: ... to this entry",
                    code="missing",
                )
            elif kind == "value_error":
                self.issue(
                    path, loc, err["msg"].removeprefix("Value error, "), value=value, code="value"
                )
            elif kind == "string_pattern_mismatch":
                self.issue(
                    path,
                    loc,
                    "badly formed value",
                    value=value,
                    expected=_pattern_text(err["ctx"]["pattern"]),
                    code="format",
                )
            elif kind == "literal_error":
                self.issue(
                    path,
                    loc,
                    "value not allowed",
                    value=value,
                    expected=err["msg"].removeprefix("Input should be "),
                    hint=did_you_mean(value, _literal_choices(err)),
                    code="choice",
                )
            elif kind == "string_type" and isinstance(value, (int, float, bool)):
                raw = self._finder(path).raw(loc)
                self.issue(
                    path,
                    loc,
                    f"YAML read {raw or value!r} as a {type(value).__name__}",
                    expected="text",
                    hint=f'put it in quotes: "{raw or value}"',
                    code="type",
                )
            else:
                self.issue(path, loc, err["msg"], value=value, code=kind)

    # --- reading ------------------------------------------------------------------------------

    def _read_model(self, path: Path, model: type[BaseModel]):
        data, problems = read_yaml(path)
        self.issues.extend(problems)
        if problems:
            return None, None
        if not isinstance(data, dict):
            self.issue(
                path,
                (),
                f"top level is a {type(data).__name__}",
                expected="a mapping with keys " + ", ".join(model.model_fields),
                code="type",
            )
            return None, None
        try:
            return model.model_validate(data), data
        except ValidationError as exc:
            self._pydantic_issues(path, exc, model)
            return None, data

    def run(self) -> Dataset:
        if not self.data_dir.is_dir():
            raise DataError(
                [
                    Issue(
                        display_path(self.data_dir),
                        None,
                        "",
                        "data folder not found",
                        hint="pass the folder that holds vocabulary.yaml",
                    )
                ]
            )
        figure_paths = sorted(self.data_dir.glob(FIGURES_GLOB))
        # A second process reads the later figures files while this one reads the rest.
        helper = _Helper.start(figure_paths)
        try:
            return self._run(figure_paths, helper)
        finally:
            if helper:
                helper.stop()

    def _run(self, figure_paths: list[Path], helper: _Helper | None) -> Dataset:
        refs: dict[str, Any] = {}
        files: list[Path] = []
        for name, (filename, model) in REFERENCE_FILES.items():
            path = self.data_dir / filename
            if not path.exists():
                self.issues.append(
                    Issue(
                        display_path(path),
                        None,
                        "",
                        "required file is missing",
                        hint=f"create {filename} (see data/README.md)",
                    )
                )
                refs[name] = None
                continue
            files.append(path)
            refs[name], _ = self._read_model(path, model)
        files += figure_paths
        mine = figure_paths[: len(figure_paths) - len(helper.paths)] if helper else figure_paths
        figure_files = [self._read_figures(p) for p in mine]
        if helper:
            for path, done in zip(helper.paths, helper.results(), strict=True):
                if done is None:  # not fast-path material (or the helper failed): read it here
                    figure_files.append(self._read_figures(path))
                    continue
                article, figures, ignored, id_lines = done
                self._id_lines[path] = id_lines
                figure_files.append(
                    (path, _FigureFile(article, figures, ignored), range(len(figures)))
                )
        figure_files = [f for f in figure_files if f is not None]
        if refs["vocabulary"] is None or refs["articles"] is None or refs["claimants"] is None:
            # References are needed to check anything further; report what we have.
            raise DataError(self.issues)
        contingents = refs["contingents"].contingents if refs["contingents"] else []
        ctx = self._check_references(refs, contingents)
        self._check_figures(figure_files, ctx)
        if self.issues:
            raise DataError(self.issues)
        return self._build(refs, contingents, figure_files, ctx, files)

    def _read_figures(self, path: Path):
        data, problems, text = read_yaml_text(path)
        self.issues.extend(problems)
        if problems:
            return None
        if not isinstance(data, dict):
            self.issue(
                path,
                (),
                f"top level is a {type(data).__name__}",
                expected="a mapping with keys article, figures, ignored",
                code="type",
            )
            return None
        # the line of each figure's "- id:" for the figures frame, from the text read once
        self._id_lines[path] = _id_lines(text)
        fast = fast_figures_file(data)
        if fast is not None:
            article, figures, ignored = fast
            return path, _FigureFile(article, figures, ignored), range(len(figures))
        try:
            parsed = FiguresFile.model_validate(data)
            return path, parsed, range(len(parsed.figures))
        except ValidationError as exc:
            self._pydantic_issues(path, exc, FiguresFile)
        # Salvage the valid figures so cross-file checks still report everything in one run.
        article = data.get("article") if isinstance(data.get("article"), str) else None
        raw = data.get("figures") if isinstance(data.get("figures"), list) else []
        good, index = [], []
        for i, item in enumerate(raw):
            try:
                good.append(Figure.model_validate(item))
                index.append(i)
            except (ValidationError, TypeError):
                if isinstance(item, dict):
                    self._invalid.append((path, i, item))
        if article is None:
            return None
        return path, FiguresFile.model_construct(article=article, figures=good, ignored=[]), index

    # --- cross-reference checks ---------------------------------------------------------------

    def _unique(self, path: Path, items, key: str, what: str, seen: dict) -> None:
        for i, item in enumerate(items):
            ident = item.id
            if ident in seen:
                other_path, other_loc = seen[ident]
                where = f"{display_path(other_path)}:{self.line(other_path, other_loc)}"
                self.issue(
                    path,
                    (key, i, "id"),
                    f"duplicate {what} id {ident!r}",
                    value=ident,
                    expected="a unique id",
                    hint=f"already used at {where}; rename one",
                    code="duplicate",
                )
            else:
                seen[ident] = (path, (key, i, "id"))

    def _check_references(self, refs, contingents):
        vocab: Vocabulary = refs["vocabulary"]
        vpath = self.data_dir / "vocabulary.yaml"
        for mid, metric in vocab.metrics.items():
            if metric.unit not in vocab.units:
                self.issue(
                    vpath,
                    ("metrics", mid, "unit"),
                    f"unknown unit {metric.unit!r}",
                    expected=one_of(vocab.units),
                    hint=did_you_mean(metric.unit, vocab.units),
                )
        for word, reading in vocab.vague.items():
            if reading.low > reading.high:
                self.issue(
                    vpath,
                    ("vague", word),
                    "low is greater than high",
                    value=(reading.low, reading.high),
                    hint="swap them",
                )
        apath, cpath, kpath = (
            self.data_dir / f for f in ("articles.yaml", "claimants.yaml", "contingents.yaml")
        )
        articles, claimants = refs["articles"].articles, refs["claimants"].claimants
        self._unique(apath, articles, "articles", "article", {})
        self._unique(cpath, claimants, "claimants", "claimant", {})
        self._unique(kpath, contingents, "contingents", "contingent", {})
        contingent_ids = {c.id for c in contingents}
        for i, c in enumerate(contingents):
            if c.part_of and c.part_of not in contingent_ids:
                self.issue(
                    kpath,
                    ("contingents", i, "part_of"),
                    "unknown contingent",
                    value=c.part_of,
                    expected=one_of(contingent_ids),
                    hint=did_you_mean(c.part_of, contingent_ids),
                )
            elif c.part_of == c.id:
                self.issue(
                    kpath, ("contingents", i, "part_of"), "a contingent cannot be part of itself"
                )
        return {
            "vocab": vocab,
            "articles": {a.id: a for a in articles},
            "claimants": {c.id: c for c in claimants},
            "contingents": contingent_ids,
        }

    def _check_figures(self, figure_files, ctx) -> None:
        vocab: Vocabulary = ctx["vocab"]
        clean = _clean_check(ctx)
        seen_ids: dict[str, tuple] = {}
        seen_articles: dict[str, Path] = {}
        by_id: dict[str, tuple] = {}
        for path, ff, index in figure_files:
            if ff.article not in ctx["articles"]:
                self.issue(
                    path,
                    ("article",),
                    "unknown article",
                    value=ff.article,
                    expected="an id listed in articles.yaml",
                    hint=did_you_mean(ff.article, ctx["articles"]) or "add it to articles.yaml",
                )
            elif path.stem != ff.article:
                self.issue(
                    path,
                    ("article",),
                    f"file name does not match its article {ff.article!r}",
                    value=path.name,
                    expected=f"{ff.article}.yaml",
                    hint=f"rename the file to {ff.article}.yaml",
                    code="file_name",
                )
            if ff.article in seen_articles:
                self.issue(
                    path,
                    ("article",),
                    "article already has a figures file",
                    value=ff.article,
                    hint=f"merge into {display_path(seen_articles[ff.article])}",
                    code="duplicate",
                )
            seen_articles.setdefault(ff.article, path)
            for fig, i in zip(ff.figures, index, strict=True):
                loc = ("figures", i)
                if fig.id in seen_ids:
                    other_path, other_loc = seen_ids[fig.id]
                    where = (
                        f"{display_path(other_path)}:{self.line(other_path, other_loc + ('id',))}"
                    )
                    self.issue(
                        path,
                        loc + ("id",),
                        f"duplicate figure id {fig.id!r}",
                        value=fig.id,
                        expected="an id used once across data/figures",
                        hint=f"already used at {where}; rename one",
                        code="duplicate",
                    )
                    continue
                seen_ids[fig.id] = (path, loc)
                by_id[fig.id] = (path, loc, fig, ff.article)
                if not clean(fig):
                    self._check_figure(path, loc, fig, ctx)
            figure_ids = {f.id for f in ff.figures}
            for j, ign in enumerate(ff.ignored):
                if ign.figure and ign.figure not in figure_ids:
                    self.issue(
                        path,
                        ("ignored", j, "figure"),
                        "unknown figure in this article",
                        value=ign.figure,
                        expected=one_of(figure_ids),
                        hint=did_you_mean(ign.figure, figure_ids),
                    )
        for path, i, raw in self._invalid:
            claimants = raw.get("claimant")
            claimants = [claimants] if isinstance(claimants, str) else claimants
            self._check_refs(
                path,
                ("figures", i),
                raw.get("metric"),
                raw.get("unit"),
                claimants if isinstance(claimants, list) else [],
                raw.get("contingent"),
                ctx,
            )
        self._check_parts(by_id, vocab)
        self._check_claims(by_id, vocab)

    def _check_figure(self, path: Path, loc: tuple, fig: Figure, ctx) -> None:
        """Report a figure's bad references and values (see _clean_check for the quick pass)."""
        metric = self._check_refs(
            path, loc, fig.metric, fig.unit, fig.claimant, fig.contingent, ctx
        )
        self._check_value(path, loc, fig, metric, ctx)

    def _check_refs(self, path, loc, metric_id, unit, claimant_ids, contingent, ctx):
        """References of one figure (also run on figures that failed schema validation)."""
        vocab: Vocabulary = ctx["vocab"]
        metric = vocab.metrics.get(metric_id) if isinstance(metric_id, str) else None
        if isinstance(metric_id, str) and metric is None:
            self.issue(
                path,
                loc + ("metric",),
                "unknown metric",
                value=metric_id,
                expected=one_of(vocab.metrics),
                hint=did_you_mean(metric_id, vocab.metrics) or "add it to vocabulary.yaml",
                code="unknown_metric",
            )
        if isinstance(unit, str) and unit not in vocab.units:
            self.issue(
                path,
                loc + ("unit",),
                "unknown unit",
                value=unit,
                expected=one_of(vocab.units),
                hint=did_you_mean(unit, vocab.units),
                code="unknown_unit",
            )
        elif metric and isinstance(unit, str) and unit != metric.unit:
            self.issue(
                path,
                loc + ("unit",),
                f"metric {metric_id!r} is measured in {metric.unit}",
                value=unit,
                expected=metric.unit,
                hint="drop unit: (it defaults to the metric's) or pick another metric",
                code="unit_mismatch",
            )
        for j, cid in enumerate(claimant_ids):
            if isinstance(cid, str) and cid not in ctx["claimants"]:
                cloc = loc + ("claimant",) + ((j,) if len(claimant_ids) > 1 else ())
                self.issue(
                    path,
                    cloc,
                    "unknown claimant",
                    value=cid,
                    expected="an id listed in claimants.yaml",
                    hint=did_you_mean(cid, ctx["claimants"]) or "add it to claimants.yaml",
                    code="unknown_claimant",
                )
        if isinstance(contingent, str) and contingent not in ctx["contingents"]:
            self.issue(
                path,
                loc + ("contingent",),
                "unknown contingent",
                value=contingent,
                expected=one_of(ctx["contingents"]),
                hint=did_you_mean(contingent, ctx["contingents"]) or "add it to contingents.yaml",
                code="unknown_contingent",
            )
        return metric

    def _check_value(self, path: Path, loc: tuple, fig: Figure, metric, ctx) -> None:
        vocab: Vocabulary = ctx["vocab"]
        value: Value = fig.value
        unit = fig.unit or (metric.unit if metric else None)
        if value.qualifier == "vague" and value.vague.lower() not in vocab.vague:
            self.issue(
                path,
                loc + ("value", "vague"),
                "vague wording has no numeric reading",
                value=value.vague,
                expected=one_of(vocab.vague),
                hint="add a reading for it under vague: in vocabulary.yaml",
                code="unknown_vague",
            )
        for bound in ("low", "high"):
            n = getattr(value, bound)
            if n is None:
                continue
            if n < 0:
                self.issue(
                    path,
                    loc + ("value",),
                    f"negative {bound}",
                    value=n,
                    expected="a number >= 0",
                    hint="counts, shares and distances are never negative",
                    code="negative",
                )
            if unit == "percent" and n > 100:
                self.issue(
                    path,
                    loc + ("value",),
                    "a share over 100%",
                    value=n,
                    expected="0 to 100 (percent)",
                    hint="write 40 for 40%",
                    code="share_over_100",
                )
            if unit and unit in vocab.units and vocab.units[unit].count and n != int(n):
                self.issue(
                    path,
                    loc + ("value",),
                    "a count of people must be whole",
                    value=n,
                    expected="a whole number",
                    code="fraction",
                )
        if unit == "percent" and not fig.share_of:
            self.issue(
                path,
                loc,
                "a percentage needs share_of",
                expected="share_of: <metric>",
                hint="say what it is a share of, e.g. share_of: deployed",
                code="share_of",
            )
        if fig.share_of and fig.share_of not in vocab.metrics:
            self.issue(
                path,
                loc + ("share_of",),
                "unknown metric",
                value=fig.share_of,
                expected=one_of(vocab.metrics),
                hint=did_you_mean(fig.share_of, vocab.metrics),
            )

    def _check_parts(self, by_id, vocab) -> None:
        parts: dict[str, list[str]] = defaultdict(list)
        for fid, (path, loc, fig, _) in by_id.items():
            if not fig.part_of:
                continue
            if fig.part_of == fid:
                self.issue(
                    path, loc + ("part_of",), "a figure cannot be part of itself", value=fid
                )
            elif fig.part_of not in by_id:
                self.issue(
                    path,
                    loc + ("part_of",),
                    "unknown figure",
                    value=fig.part_of,
                    expected="the id of the whole's figure",
                    hint=did_you_mean(fig.part_of, by_id),
                    code="unknown_figure",
                )
            else:
                parts[fig.part_of].append(fid)
        for whole_id, part_ids in parts.items():
            wpath, wloc, whole, _ = by_id[whole_id]
            lows = [by_id[p][2].value.low for p in part_ids]
            highs = [by_id[p][2].value.high for p in part_ids]
            if any(v is None for v in lows + highs) or whole.value.low is None:
                continue  # open bounds cannot be summed; nothing to contradict
            lo, hi = sum(lows), sum(highs)
            wlo, whi = (
                whole.value.low,
                whole.value.high if whole.value.high is not None else float("inf"),
            )
            if hi < wlo or lo > whi:
                shown = " + ".join(f"{p} ({_fmt(by_id[p][2].value.low)})" for p in part_ids)
                self.issue(
                    wpath,
                    wloc + ("value",),
                    f"parts do not sum to the whole: {shown} = {_fmt(lo)}"
                    + (f"-{_fmt(hi)}" if hi != lo else ""),
                    value=whole.value.low,
                    expected=f"the parts to add up to {_fmt(wlo)}",
                    hint="fix a part's value, or remove part_of from a figure that is not a part",
                    code="parts_sum",
                )

    def _check_claims(self, by_id, vocab) -> None:
        claims: dict[str, list[str]] = defaultdict(list)
        for fid, (_, _, fig, _) in by_id.items():
            claims[fig.claim or fid].append(fid)
        for claim_id, fids in claims.items():
            if len(fids) < 2:
                continue
            first = by_id[fids[0]][2]
            for fid in fids[1:]:
                path, loc, fig, _ = by_id[fid]
                if fig.metric != first.metric:
                    self.issue(
                        path,
                        loc + ("claim",),
                        f"claim {claim_id!r} mixes metrics",
                        value=fig.metric,
                        expected=first.metric,
                        hint=f"{fids[0]} counts {first.metric}; use another claim id",
                        code="claim_mismatch",
                    )
                elif not _overlap(fig.value, first.value):
                    self.issue(
                        path,
                        loc + ("claim",),
                        f"claim {claim_id!r} groups disagreeing numbers",
                        value=_worded(fig.value, None),
                        expected=f"about {_worded(first.value, None)} as in {fids[0]}",
                        hint="different numbers are different claims",
                        code="claim_mismatch",
                    )

    # --- frames -------------------------------------------------------------------------------

    def _build(self, refs, contingents, figure_files, ctx, files) -> Dataset:
        vocab: Vocabulary = ctx["vocab"]
        articles, claimants = ctx["articles"], ctx["claimants"]
        metrics, vague, tiers = vocab.metrics, vocab.vague, vocab.confidence
        schema = frames.figures_schema(vocab.metrics, vocab.units)
        # Column by column over all figures (list comprehensions): several times cheaper
        # than one Python loop appending 36 values per figure.
        figs: list = []
        article_ids: list[str] = []
        published: list[PartialDate | None] = []
        basis: list[str] = []
        shown: list[str] = []
        lines: list[int | None] = []
        ignored_rows = []
        for path, ff, _ in figure_files:
            n = len(ff.figures)
            figs += ff.figures
            article_ids += [ff.article] * n
            date = articles[ff.article].published
            published += [date] * n
            basis += ["published" if date else "unknown"] * n
            shown += [display_path(path)] * n
            id_lines = self._id_lines.get(path, {})
            lines += [id_lines.get(fig.id) for fig in ff.figures]
            for ign in ff.ignored:
                ignored_rows.append(
                    {
                        "article": ff.article,
                        "quote": ign.quote,
                        "number": ign.number,
                        "reason": ign.reason,
                        "figure": ign.figure,
                    }
                )
        figure_ids = [f.id for f in figs]
        claim_ids = [f.claim or f.id for f in figs]
        # a claim's articles: most claims have one, so sets only for those with more
        first_article: dict[str, str] = {}
        more_articles: dict[str, set] = {}
        for claim_id, article_id in zip(claim_ids, article_ids, strict=True):
            seen = first_article.setdefault(claim_id, article_id)
            if seen != article_id:
                more_articles.setdefault(claim_id, {seen}).add(article_id)
        who_ids = [";".join(f.claimant) for f in figs]  # claimant ids hold no ';'
        who = {}
        for key in dict.fromkeys(who_ids):
            cl = [claimants[c] for c in key.split(";")]
            who[key] = (
                "; ".join(c.name for c in cl),
                ";".join(dict.fromkeys(c.kind for c in cl)),
                ";".join(dict.fromkeys(c.country for c in cl if c.country)) or None,
                len(cl),
            )
        who_rows = [who[k] for k in who_ids]
        metric_ids = [f.metric for f in figs]
        metric_of = [metrics[m] for m in metric_ids]
        units = [f.unit or m.unit for f, m in zip(figs, metric_of, strict=True)]
        values = [f.value for f in figs]
        qualifiers = [v.qualifier for v in values]
        readings = [vague[v.vague.lower()] if v.qualifier == "vague" else v for v in values]
        as_of = [f.as_of or date for f, date in zip(figs, published, strict=True)]
        windows = [f.scope.window if f.scope != "cumulative" else None for f in figs]
        cols: dict[str, list] = {
            "figure_id": figure_ids,
            "claim_id": claim_ids,
            "article": article_ids,
            "claimant": who_ids,
            "claimant_name": [w[0] for w in who_rows],
            "claimant_kind": [w[1] for w in who_rows],
            "claimant_country": [w[2] for w in who_rows],
            "n_claimants": [w[3] for w in who_rows],
            "metric": metric_ids,
            "metric_label": [m.label for m in metric_of],
            "metric_group": [m.group for m in metric_of],
            "unit": units,
            "qualifier": qualifiers,
            "low": [r.low for r in readings],
            "high": [r.high for r in readings],
            "approximate": [v.approximate for v in values],
            "vague": [q == "vague" for q in qualifiers],
            "worded": list(map(_worded, values, units)),
            "as_of": [a.text if a else None for a in as_of],
            "as_of_date": [a.start if a else None for a in as_of],
            "as_of_precision": list(map(_precision, as_of)),
            "as_of_basis": ["stated" if f.as_of else b for f, b in zip(figs, basis, strict=True)],
            "scope": ["cumulative" if w is None else "window" for w in windows],
            "window": windows,
            "contingent": [f.contingent for f in figs],
            "subject": [f.subject or None for f in figs],
            "part_of": [f.part_of for f in figs],
            "share_of": [f.share_of for f in figs],
            "via": [" -> ".join(f.via) or None for f in figs],
            "confidence": [f.confidence or None for f in figs],
            "confidence_tier": [
                tiers.get(f.confidence.lower()) if f.confidence else None for f in figs
            ],
            "quote": [f.quote for f in figs],
            "note": [f.note or None for f in figs],
            "n_articles": (
                [len(more_articles[c]) if c in more_articles else 1 for c in claim_ids]
                if more_articles
                else [1] * len(figs)
            ),
            "file": shown,
            "line": lines,
        }
        assert list(cols) == list(schema)
        figures = frames.build(cols, schema)
        claims = _claims(figures)
        n_by_article = Counter(article_ids)
        n_by_claimant: Counter = Counter()
        for key, n in Counter(who_ids).items():
            for c in key.split(";"):
                n_by_claimant[c] += n
        article_frame = frames.build(
            [
                {
                    "article": a.id,
                    "title": a.title,
                    "outlet": a.outlet,
                    "url": a.url,
                    "published": a.published.text if a.published else None,
                    "published_date": pd.Timestamp(a.published.start) if a.published else None,
                    "published_precision": _precision(a.published),
                    "sha256": a.sha256,
                    "notes": a.notes or None,
                    "n_figures": int(n_by_article.get(a.id, 0)),
                }
                for a in articles.values()
            ],
            frames.ARTICLES_SCHEMA,
        )
        claimant_frame = frames.build(
            [
                {
                    "claimant": c.id,
                    "name": c.name,
                    "kind": c.kind,
                    "country": c.country,
                    "note": c.note or None,
                    "n_figures": int(n_by_claimant.get(c.id, 0)),
                }
                for c in claimants.values()
            ],
            frames.CLAIMANTS_SCHEMA,
        )
        contingent_frame = frames.build(
            [
                {
                    "contingent": c.id,
                    "label": c.label,
                    "start": c.start.text,
                    "start_date": pd.Timestamp(c.start.start),
                    "part_of": c.part_of,
                    "description": c.description or None,
                }
                for c in contingents
            ],
            frames.CONTINGENTS_SCHEMA,
        )
        return Dataset(
            data_dir=self.data_dir,
            vocabulary=vocab,
            articles=article_frame,
            claimants=claimant_frame,
            contingents=contingent_frame,
            figures=figures,
            claims=claims,
            ignored=frames.build(ignored_rows, frames.IGNORED_SCHEMA),
            files=files,
        )


def _clean_check(ctx):
    """A quick test that _check_figure would report nothing for a figure (most figures)."""
    vocab: Vocabulary = ctx["vocab"]
    metrics, units, vague = vocab.metrics, vocab.units, vocab.vague
    claimant_ids, contingent_ids = ctx["claimants"], ctx["contingents"]
    count_units = {u for u, spec in units.items() if spec.count}

    def clean(fig) -> bool:
        metric = metrics.get(fig.metric)
        if metric is None:
            return False
        unit = fig.unit
        if unit is None:
            unit = metric.unit
        elif unit != metric.unit or unit not in units:
            return False
        for c in fig.claimant:
            if c not in claimant_ids:
                return False
        if fig.contingent is not None and fig.contingent not in contingent_ids:
            return False
        v = fig.value
        if v.qualifier == "vague" and v.vague.lower() not in vague:
            return False
        percent, whole = unit == "percent", unit in count_units
        for n in (v.low, v.high):
            if n is not None and (n < 0 or (percent and n > 100) or (whole and n != int(n))):
                return False
        share_of = fig.share_of
        if share_of:
            return share_of in metrics
        return not percent

    return clean


_CLAIM_INPUTS = [
    "claim_id",
    "metric",
    "metric_group",
    "unit",
    "low",
    "high",
    "worded",
    "contingent",
    "figure_id",
    "article",
    "claimant",
    "claimant_name",
    "as_of_date",
]


# claims column <- figures column (the one-figure claim of a figure copies these)
_CLAIM_FROM_FIGURE = {
    "claim_id": "claim_id",
    "metric": "metric",
    "metric_group": "metric_group",
    "unit": "unit",
    "low": "low",
    "high": "high",
    "worded": "worded",
    "contingent": "contingent",
    "figure_ids": "figure_id",
    "articles": "article",
    "claimants": "claimant",
    "claimant_names": "claimant_name",
    "first_as_of": "as_of_date",
    "last_as_of": "as_of_date",
}


def _claims(figures: pd.DataFrame) -> pd.DataFrame:
    """Group figures reporting the same claim into one row with its articles.

    Claims come in order of first appearance. A one-figure claim copies its figure's typed
    columns (vectorised); only the figures of claims reported several times are merged in
    Python (pandas groupby with Python aggregations is ~50x slower on 100k figures).
    """
    claim_ids = figures["claim_id"]
    first = np.flatnonzero(~claim_ids.duplicated(keep="first").to_numpy())
    columns = {}
    for name, dtype in frames.CLAIMS_SCHEMA.items():
        if name == "n_articles":
            columns[name] = pd.array(np.ones(len(first), dtype="int64"), dtype=dtype)
            continue
        column = figures[_CLAIM_FROM_FIGURE[name]].take(first)
        if column.dtype != dtype:  # metric and unit are categories in figures
            column = column.astype(dtype)
        columns[name] = column.array.copy()
    several = claim_ids.duplicated(keep=False).to_numpy()
    if several.any():
        rows = figures.iloc[np.flatnonzero(several)]
        values = {
            c: rows[c].astype(object).where(rows[c].notna(), None).tolist() for c in _CLAIM_INPUTS
        }
        groups = _grouped_rows(values)
        at = np.flatnonzero(several[first])  # where the merged claims go
        merged = frames.build(
            [groups[c] for c in claim_ids.to_numpy()[first[at]]], frames.CLAIMS_SCHEMA
        )
        for name, column in columns.items():
            column[at] = merged[name].array
    return frames.check(pd.DataFrame(columns, copy=False), frames.CLAIMS_SCHEMA)


def _grouped_rows(values: dict[str, list]) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    for i, claim_id in enumerate(values["claim_id"]):
        g = groups.get(claim_id)
        low, high, when = values["low"][i], values["high"][i], values["as_of_date"][i]
        if g is None:
            g = groups[claim_id] = {
                "claim_id": claim_id,
                "metric": values["metric"][i],
                "metric_group": values["metric_group"][i],
                "unit": values["unit"][i],
                "low": low,
                "high": high,
                "open_high": high is None,
                "worded": values["worded"][i],
                "contingent": values["contingent"][i],
                "figure_ids": {},
                "articles": {},
                "claimants": {},
                "claimant_names": {},
                "first_as_of": when,
                "last_as_of": when,
            }
        else:
            if low is not None and (g["low"] is None or low < g["low"]):
                g["low"] = low
            if high is None:
                g["open_high"] = True
            elif g["high"] is None or high > g["high"]:
                g["high"] = high
            if when is not None:
                if g["first_as_of"] is None or when < g["first_as_of"]:
                    g["first_as_of"] = when
                if g["last_as_of"] is None or when > g["last_as_of"]:
                    g["last_as_of"] = when
        g["figure_ids"][values["figure_id"][i]] = None
        g["articles"][values["article"][i]] = None
        for part in values["claimant"][i].split(";"):
            g["claimants"][part] = None
        for part in values["claimant_name"][i].split("; "):
            g["claimant_names"][part] = None
    rows = {}
    for claim_id, g in groups.items():
        rows[claim_id] = {
            **{k: g[k] for k in ("claim_id", "metric", "metric_group", "unit", "low")},
            # an open bound in any report leaves that side of the claim open
            "high": None if g["open_high"] else g["high"],
            "worded": g["worded"],
            "contingent": g["contingent"],
            "figure_ids": ";".join(g["figure_ids"]),
            "articles": ";".join(g["articles"]),
            "n_articles": len(g["articles"]),
            "claimants": ";".join(g["claimants"]),
            "claimant_names": "; ".join(g["claimant_names"]),
            "first_as_of": g["first_as_of"],
            "last_as_of": g["last_as_of"],
        }
    return rows


def _id_lines(text: str) -> dict[str, int]:
    """Each id's first line as "- id: <id>" (a search for the newline first is much faster)."""
    if "\r" in text:  # as a file read in text mode (universal newlines) shows it
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: dict[str, int] = {}
    m = _ID_LINE.match(text)
    if m:
        out[m.group(1)] = 1
    line, pos = 1, 0
    count = text.count
    for m in _NEXT_ID_LINE.finditer(text):
        start = m.start()
        line += count("\n", pos, start) + 1
        pos = start + 1
        if m.group(1) not in out:
            out[m.group(1)] = line
    return out


def _precision(d: PartialDate | None) -> str | None:
    if d is None:
        return None
    return "approximate" if d.approximate else d.precision


def _fmt(n: float | None) -> str:
    if n is None:
        return "?"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


_UNIT_FORMAT = {"usd": "${}", "percent": "{}%", "km": "{} km"}
_PREFIX = {
    "exact": "",
    "about": "about ",
    "nearly": "nearly ",
    "over": "over ",
    "at_least": "at least ",
    "up_to": "up to ",
}


def _worded(v: Value, unit: str | None) -> str:
    """The value as a reader would say it: 'over 6,000', '10,000-12,000', 'up to $2,000'."""
    q = v.qualifier
    if q == "vague":
        return v.vague
    form = _UNIT_FORMAT.get(unit) if unit else None
    if q == "range":
        low, high = _fmt(v.low), _fmt(v.high)
        if form:
            low, high = form.format(low), form.format(high)
        text = f"{low}–{high}" if unit not in ("usd", "km") else f"{low} to {high}"
        return f"about {text}" if v.approximate else text
    prefix = _PREFIX[q]
    n = _fmt(v.low if v.low is not None else v.high)
    return prefix + (form.format(n) if form else n)


def _overlap(a: Value, b: Value) -> bool:
    alo = a.low if a.low is not None else float("-inf")
    ahi = a.high if a.high is not None else float("inf")
    blo = b.low if b.low is not None else float("-inf")
    bhi = b.high if b.high is not None else float("inf")
    if a.qualifier == "vague" or b.qualifier == "vague":
        return True
    # approximate wording ("about", "nearly") tolerates 5% either way
    slack = 0.05 if (a.approximate or b.approximate) else 0.0
    return alo <= bhi * (1 + slack) and blo <= ahi * (1 + slack)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed at a location inside a model (for 'unknown key' messages)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field_info = current.model_fields.get(str(part))
        if field_info is None:
            return []
        current = _inner_model(field_info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    if get_origin(annotation) is None:
        return None
    return None


def _pattern_text(pattern: str) -> str:
    return {
        r"^[a-z0-9][a-z0-9._-]*$": "a lower-case id (letters, digits, '.', '_', '-')",
        r"^[0-9a-f]{64}$": "64 lower-case hex digits (sha256sum of the article file)",
        r"^[A-Z]{2}$": "a two-letter country code such as KR or US",
        r"^https?://\S+$": "an http(s) URL",
    }.get(pattern, f"text matching {pattern}")


def _literal_choices(err: dict) -> list[str]:
    expected = err.get("ctx", {}).get("expected", "")
    return re.findall(r"'([^']+)'", expected)
