"""The Dataset (validated figures as typed frames) and `load`, which builds one from data/."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from ..paths import DATA_DIR, display_path
from . import checks, frames
from .cite import citations
from .claims import group_claims
from .issues import DataError, Issue, did_you_mean, one_of
from .models import METRIC_GROUPS, Vocabulary
from .normalize import frames_of, short_names
from .read import Ledger, read
from .version import DataVersion, data_version, fingerprint

UNASSESSED = "unassessed"  # filter(assessments=...): figures with no assessment of ours


class FilterError(ValueError):
    """A filter or date the data cannot answer: an unknown name (with a did-you-mean hint), a
    value that is not a date, or a range that ends before it starts. The command line reports
    it in one line and exits 2."""


class _Claims:
    """Dataset.claims, regrouped from the figures when first read after `filter`: the
    dashboard filters on every change but reads the claims only after the charts."""

    def __get__(self, dataset, owner=None):
        if dataset is None:
            return self
        if dataset._claims is None:
            dataset._claims = group_claims(dataset.figures)
        return dataset._claims

    def __set__(self, dataset, value) -> None:
        dataset._claims = value


@dataclass(repr=False)
class Dataset:
    """The validated figures and their references as typed pandas frames.

    figures (one row per figure as a source reports it), claims (the figures of one claim
    grouped), articles (the sources), claimants, contingents, events, ignored (numbers in
    the texts that are not figures). Views: `filter(...)`, `as_known_on(date)`,
    `claimant(id)`. Every column of every frame is listed below (kursk.ledger.frames).
    """

    data_dir: Path
    vocabulary: Vocabulary
    articles: pd.DataFrame
    claimants: pd.DataFrame
    contingents: pd.DataFrame
    events: pd.DataFrame
    figures: pd.DataFrame
    claims: pd.DataFrame
    ignored: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    selection: str | None = None  # what a filtered copy keeps, in words (None: everything)
    known_on: date | None = None  # as_known_on(): only what was published by this day
    ledger: Ledger | None = field(default=None, compare=False)  # the models it was built from

    def __repr__(self) -> str:
        f = self.figures
        dates = f["as_of_date"].dropna()
        span = f", as of {dates.min():%b %Y} to {dates.max():%b %Y}" if len(dates) else ""
        said = f"; {self.selection}" if self.selection else ""
        return (
            f"<Dataset: {len(f):,} figures, {len(self.claims):,} claims, "
            f"{len(self.articles):,} sources, {len(self.claimants):,} claimants{span}{said}; "
            f"{display_path(self.data_dir)}>"
        )

    def as_known_on(self, day) -> Dataset:
        """The data as it was known on a day: only the sources published by then (a source
        dated to a month or year counts once that period has ended; one without a date does
        not count), their figures with the revisions known by then, and the events of then.
        Filter the result as usual; `known_on` and `selection` say what was kept."""
        day = _date(day, "as known on")
        if self.ledger is None:
            raise FilterError("as_known_on needs a dataset from kursk.load()")
        ledger = self.ledger.known_on(day.date())
        if not ledger.articles:
            first = self.articles["published_date"].min()
            hint = "" if pd.isna(first) else f"; the first source is dated {first:%Y-%m-%d}"
            raise FilterError(f"no source was published by {day:%Y-%m-%d}{hint}")
        shown = f"as known on {day:%Y-%m-%d}"
        return Dataset(
            self.data_dir, self.vocabulary, files=self.files, selection=shown,
            known_on=day.date(), ledger=ledger, **frames_of(ledger),
        )  # fmt: skip

    def claimant(self, claimant: str) -> pd.DataFrame:
        """One claimant's record: its figures by metric and date, with the revisions that link
        them, whether each is current, and every source that carried each claim."""
        (claimant,) = _names(claimant, self.claimants["claimant"], "claimant")
        f = self.figures
        mine = f[f["claimant"].map(lambda s: claimant in s.split(";"))]
        sources = self.claims.set_index("claim_id")["articles"]
        labels = self.articles.set_index("article")["label"]
        out = mine.assign(
            sources=[
                "; ".join(str(labels.get(a, a)) for a in sources[c].split(";"))
                for c in mine["claim_id"]
            ]
        )[
            ["metric", "as_of", "as_of_date", "worded", "low", "high", "qualifier", "current",
             "revises", "revised_by", "scope", "contingent", "subject", "assessment", "source",
             "sources", "figure_id", "claim_id"]
        ]  # fmt: skip
        return out.sort_values(["metric", "as_of_date"], kind="stable").reset_index(drop=True)

    def export(self) -> pd.DataFrame:
        """The figures table as `kursk export` writes it (frames.EXPORT_COLUMNS)."""
        f = self.figures
        label = self.version.label  # every row says which data it is (spreadsheets lose headers)
        out = f.assign(
            as_of_written=f["as_of"],
            as_of=f["as_of_date"].dt.strftime("%Y-%m-%d").astype("string"),
            as_of_end=f["as_of_end"].dt.strftime("%Y-%m-%d").astype("string"),
            data_version=pd.Series(label, index=f.index, dtype="string"),
            cite=citations(f, label),
        )
        return out[frames.EXPORT_COLUMNS].copy()

    def filter(
        self,
        claimants: list[str] | str | None = None,
        metric_groups: list[str] | str | None = None,
        since=None,
        until=None,
        min_articles: int = 1,
        min_independent: int = 1,
        assessments: list[str] | str | None = None,
    ) -> Dataset:
        """A copy holding only the figures that pass every filter (claims regrouped).

        claimants: keep figures with any of these claimant ids (one id may be given as a
        string); metric_groups: deployment, casualties, payment, distance; since/until: as-of
        date bounds, dates or 'YYYY-MM-DD' (figures without an as-of date drop out when
        either is set); min_articles: claims reported by at least this many sources
        (n_articles counts all sources, not only the filtered ones); min_independent: claims
        reported by at least this many independent sources (n_independent); assessments:
        figures with these grades of ours ('unassessed' for none). Unknown claimants,
        groups or dates raise ValueError with a hint. The copy's `selection` says, in
        words, what was filtered (None when nothing was).
        """
        claimants = _names(claimants, self.claimants["claimant"], "claimant")
        metric_groups = _names(metric_groups, METRIC_GROUPS, "metric group")
        grades = [*self.vocabulary.assessments, UNASSESSED]
        assessments = _names(assessments, grades, "assessment")
        since, until = _date(since, "since"), _date(until, "until")
        if since is not None and until is not None and since > until:
            raise FilterError(f"since {since:%Y-%m-%d} is after until {until:%Y-%m-%d}; swap them")
        f = self.figures
        keep = pd.Series(True, index=f.index)
        said = [self.selection] if self.selection else []
        if claimants is not None:
            wanted = set(claimants)
            keep &= f["claimant"].map(lambda s: bool(wanted & set(s.split(";")))).astype(bool)
            said.append("claimants: " + (", ".join(map(self.short_name, claimants)) or "none"))
        if metric_groups is not None:
            keep &= f["metric_group"].isin(list(metric_groups)).fillna(False).astype(bool)
            said.append("metrics: " + (", ".join(metric_groups) or "none"))
        if since is not None:
            keep &= (f["as_of_date"] >= since).fillna(False).astype(bool)
            said.append(f"as of {since:%Y-%m-%d} or later")
        if until is not None:
            keep &= (f["as_of_date"] <= until).fillna(False).astype(bool)
            said.append(f"as of {until:%Y-%m-%d} or earlier")
        if min_articles > 1:
            keep &= (f["n_articles"] >= min_articles).fillna(False).astype(bool)
            said.append(f"claims reported by {min_articles}+ sources")
        if min_independent > 1:
            keep &= (f["n_independent"] >= min_independent).fillna(False).astype(bool)
            said.append(f"claims reported by {min_independent}+ independent sources")
        if assessments is not None:
            graded = f["assessment"].fillna(UNASSESSED)
            keep &= graded.isin(assessments).astype(bool)
            said.append("assessed: " + (", ".join(assessments) or "none"))
        figures = f[keep].reset_index(drop=True)
        out = replace(self, figures=figures, claims=None, selection="; ".join(said) or None)
        if "_version_cache" in self.__dict__:  # same files: the version is not computed again
            out.__dict__["_version_cache"] = self.__dict__["_version_cache"]
        return out

    def derived(self, key: str, make):
        """make(self), made once for these figures (again if the figures frame is replaced):
        the per-view caches of the speed-ups (rule `comparable`'s masks, the charts' rows)."""
        found = self.__dict__.get(key)
        if found is None or found[0] is not self.figures:
            found = self.__dict__[key] = (self.figures, make(self))
        return found[1]

    def short_name(self, claimants: str) -> str:
        """Claimant ids joined with ';' as a label: their short names (claimants.yaml)."""
        return short_names(claimants.split(";"), self._looks()[0])

    def colour(self, claimants: str) -> str:
        """The colour of a claimant (of several joined with ';': the first one's)."""
        return self._looks()[1][claimants.split(";")[0]]

    def _looks(self) -> tuple[dict[str, str], dict[str, str]]:
        looks = self.__dict__.get("_looks_cache")
        if looks is None:
            c = self.claimants
            looks = (
                dict(zip(c["claimant"], c["short_name"], strict=True)),
                dict(zip(c["claimant"], c["colour"], strict=True)),
            )
            self.__dict__["_looks_cache"] = looks
        return looks

    @property
    def fingerprint(self) -> str:
        """sha256 over the data files' paths and bytes: what an output was built from."""
        return fingerprint(self.data_dir, self.files)

    @property
    def version(self) -> DataVersion:
        """The data version every output carries: fingerprint, and git commit and date."""
        version = self.__dict__.get("_version_cache")
        if version is None:
            version = self.__dict__["_version_cache"] = data_version(self.data_dir, self.files)
        return version


Dataset.claims = _Claims()  # the field, made lazy for filtered copies (after @dataclass)


def load(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate every YAML file under data_dir; raise DataError listing all problems."""
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    if not data_dir.is_dir():
        raise DataError(
            [
                Issue(
                    display_path(data_dir),
                    None,
                    "",
                    "data folder not found",
                    hint="pass the folder that holds vocabulary.yaml",
                )
            ]
        )
    # Loading allocates many small objects and frees none of them on the way; the cyclic GC
    # would rescan them again and again (superlinear time), so it pauses for the load.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        ledger = read(data_dir)
        if ledger.vocabulary is None or ledger.articles is None or ledger.claimants is None:
            raise DataError(ledger.issues)  # the references are needed to check anything else
        issues = ledger.issues + checks.run(ledger)
        if issues:
            raise DataError(issues)
        frames_ = frames_of(ledger)
        return Dataset(data_dir, ledger.vocabulary, files=ledger.files, ledger=ledger, **frames_)
    finally:
        if was_enabled:
            gc.enable()


def _names(given, known, what: str) -> list[str] | None:
    """A filter's list of names: one name may be a string; unknown names are an error."""
    if given is None:
        return None
    if isinstance(given, str):
        given = [given]
    elif not isinstance(given, (list, tuple, set, frozenset, pd.Series, pd.Index)):
        raise FilterError(f"{what}: give a name or a list of names, not {given!r}")
    known = [str(k) for k in known]
    for name in given:
        if name not in known:
            hint = did_you_mean(name, known) or one_of(known)
            raise FilterError(f"unknown {what} {name!r}; {hint}")
    return list(given)


def _date(value, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise FilterError(
            f"{what}: {value!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY"
        ) from None
    if stamp is pd.NaT:
        raise FilterError(f"{what}: {value!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")
    return stamp


def plain_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """low/high as plain numbers: 6000, not 6000.0; missing stays missing."""
    out = frame.copy()
    for col in ("low", "high"):
        values = [
            None if pd.isna(v) else (int(v) if float(v).is_integer() else float(v))
            for v in out[col]
        ]
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def export_text(data: Dataset, fmt: str) -> str:
    """The figures table as CSV or JSON text (what `kursk export` writes)."""
    table = plain_numbers(data.export())
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    return table.to_csv(index=False, lineterminator="\n")


def _columns_doc() -> str:
    lines = []
    for title, columns in (
        ("figures", frames.FIGURE_COLUMNS),
        ("claims", frames.CLAIM_COLUMNS),
        ("articles (sources)", frames.ARTICLE_COLUMNS),
        ("claimants", frames.CLAIMANT_COLUMNS),
        ("contingents", frames.CONTINGENT_COLUMNS),
        ("events", frames.EVENT_COLUMNS),
        ("ignored", frames.IGNORED_COLUMNS),
    ):
        lines += ["", f"    {title}:"]
        lines += [f"      {name}: {doc}" for name, (_, doc) in columns.items()]
    return "\n".join(lines)


Dataset.__doc__ = (Dataset.__doc__ or "") + "\n    Columns:" + _columns_doc() + "\n"
