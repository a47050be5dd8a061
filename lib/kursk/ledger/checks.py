"""Rules across files, one small function each, yielding Issues.

Each file has already passed its own model (read.py); these rules need several files at once:
references between them and unique ids here, links between figures in relations.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from . import relations
from .index import Index, located_figures, unknown
from .issues import Issue, IssueCode, did_you_mean, one_of
from .models import Metric
from .palette import MIN_CONTRAST, contrast_on_white
from .read import Ledger


def run(ledger: Ledger) -> list[Issue]:
    """Every cross-file rule over a ledger whose reference files could be read."""
    index = Index.of(ledger)
    rules = (
        vocabulary_units,
        one_total_per_group,
        vague_readings,
        unique_reference_ids,
        claimant_colours_and_names,
        reposts,
        contingent_parts,
        event_references,
        figure_files_match_articles,
        unique_figure_ids,
        figure_references,
        figure_values,
        translations,
        assessments,
        ignored_restate_known_figures,
    )
    return [issue for rule in (*rules, *relations.RULES) for issue in rule(ledger, index)]


# --- reference files ------------------------------------------------------------------------


def vocabulary_units(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Every metric's unit is a listed unit."""
    vocab = ledger.vocabulary
    for mid, metric in vocab.metrics.items():
        if metric.unit not in vocab.units:
            yield ledger.issue(
                ledger.path("vocabulary"),
                ("metrics", mid, "unit"),
                f"unknown unit {metric.unit!r}",
                expected=one_of(vocab.units),
                hint=did_you_mean(metric.unit, vocab.units),
                code=IssueCode.UNKNOWN_UNIT,
            )


def one_total_per_group(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """At most one metric of a group counts its whole (titles state that metric's range)."""
    first: dict[str, str] = {}
    for mid, metric in ledger.vocabulary.metrics.items():
        if not metric.total:
            continue
        if metric.group in first:
            yield ledger.issue(
                ledger.path("vocabulary"),
                ("metrics", mid, "total"),
                f"group {metric.group!r} already has a total metric, {first[metric.group]!r}",
                expected="total: true on one metric per group",
                hint="remove total: true from one of them",
                code=IssueCode.VALUE,
            )
        first.setdefault(metric.group, mid)


def vague_readings(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A vague word's reading runs from low to high."""
    for word, reading in ledger.vocabulary.vague.items():
        if reading.low > reading.high:
            yield ledger.issue(
                ledger.path("vocabulary"),
                ("vague", word),
                "low is greater than high",
                value=(reading.low, reading.high),
                hint="swap them",
                code=IssueCode.VALUE,
            )


def unique_reference_ids(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Article, claimant and contingent ids are each used once."""
    for name, items, what in (
        ("articles", ledger.articles, "article"),
        ("claimants", ledger.claimants, "claimant"),
        ("contingents", ledger.contingents, "contingent"),
        ("events", ledger.events, "event"),
    ):
        path, seen = ledger.path(name), {}
        for i, item in enumerate(items or []):
            if item.id in seen:
                yield ledger.issue(
                    path,
                    (name, i, "id"),
                    f"duplicate {what} id {item.id!r}",
                    value=item.id,
                    expected="a unique id",
                    hint=f"already used at {ledger.where(path, (name, seen[item.id], 'id'))}; "
                    "rename one",
                    code=IssueCode.DUPLICATE,
                )
            else:
                seen[item.id] = i


def claimant_colours_and_names(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A claimant's own colour is legible on white and not another's; short names differ."""
    path = ledger.path("claimants")
    colours: dict[str, str] = {}
    names: dict[str, str] = {}
    for i, c in enumerate(ledger.claimants):
        if c.colour:
            ratio = contrast_on_white(c.colour)
            if ratio < MIN_CONTRAST:
                yield ledger.issue(
                    path,
                    ("claimants", i, "colour"),
                    f"too light to read on white ({ratio:.1f}:1)",
                    value=c.colour,
                    expected=f"a contrast of at least {MIN_CONTRAST:.0f}:1 on white",
                    hint="pick a darker shade, or drop colour: to get one from the palette",
                    code=IssueCode.COLOUR,
                )
            elif c.colour.upper() in colours:
                yield ledger.issue(
                    path,
                    ("claimants", i, "colour"),
                    f"colour already used by {colours[c.colour.upper()]!r}",
                    value=c.colour,
                    expected="a colour of its own",
                    hint="pick another, or drop colour: to get one from the palette",
                    code=IssueCode.COLOUR,
                )
            colours.setdefault(c.colour.upper(), c.id)
        label = (c.short_name or c.name).casefold()
        if label in names:
            yield ledger.issue(
                path,
                ("claimants", i, "short_name" if c.short_name else "name"),
                f"same display name as {names[label]!r}",
                value=c.short_name or c.name,
                expected="a name a reader can tell apart",
                hint="give one of them a different short_name",
                code=IssueCode.NAME,
            )
        names.setdefault(label, c.id)


def reposts(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A repost names another listed source, and reposts do not go in a circle."""
    path = ledger.path("articles")
    for i, a in enumerate(ledger.articles):
        if not a.reposts:
            continue
        loc = ("articles", i, "reposts")
        if a.reposts == a.id:
            yield ledger.issue(path, loc, "a source cannot repost itself", code=IssueCode.RELATION)
        elif a.reposts not in index.articles:
            code = IssueCode.UNKNOWN_ARTICLE
            yield unknown(ledger, path, loc, "source", a.reposts, index.articles, code,
                          "articles.yaml")  # fmt: skip
        else:
            seen, current = {a.id}, a.reposts
            while current in index.articles and current not in seen:
                seen.add(current)
                current = index.articles[current].reposts
            if current == a.id:
                yield ledger.issue(
                    path, loc, "reposts go in a circle", value=a.reposts,
                    hint="the original is the one that reposts nothing", code=IssueCode.RELATION,
                )  # fmt: skip


def event_references(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """An event's claimant and source are listed."""
    path = ledger.data_dir / "events.yaml"
    for i, e in enumerate(ledger.events):
        if e.claimant and e.claimant not in index.claimants:
            loc = ("events", i, "claimant")
            code = IssueCode.UNKNOWN_CLAIMANT
            yield unknown(
                ledger, path, loc, "claimant", e.claimant, index.claimants, code, "claimants.yaml"
            )
        if e.source and e.source not in index.articles:
            loc = ("events", i, "source")
            code = IssueCode.UNKNOWN_ARTICLE
            yield unknown(
                ledger, path, loc, "source", e.source, index.articles, code, "articles.yaml"
            )


def contingent_parts(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A contingent's part_of names another listed contingent."""
    path = ledger.path("contingents")
    for i, c in enumerate(ledger.contingents):
        if c.part_of and c.part_of not in index.contingents:
            yield ledger.issue(
                path,
                ("contingents", i, "part_of"),
                "unknown contingent",
                value=c.part_of,
                expected=one_of(index.contingents),
                hint=did_you_mean(c.part_of, index.contingents),
                code=IssueCode.UNKNOWN_CONTINGENT,
            )
        elif c.part_of == c.id:
            yield ledger.issue(
                path,
                ("contingents", i, "part_of"),
                "a contingent cannot be part of itself",
                code=IssueCode.RELATION,
            )


# --- figures files --------------------------------------------------------------------------


def figure_files_match_articles(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Each figures file names a listed article, is named after it, and is its only file; each
    article has one."""
    seen: dict[str, Path] = {}
    for ff in ledger.figure_files:
        if ff.article not in index.articles:
            yield ledger.issue(
                ff.path,
                ("article",),
                "unknown article",
                value=ff.article,
                expected="an id listed in articles.yaml",
                hint=did_you_mean(ff.article, index.articles) or "add it to articles.yaml",
                code=IssueCode.UNKNOWN_ARTICLE,
            )
        elif ff.path.stem != ff.article:
            yield ledger.issue(
                ff.path,
                ("article",),
                f"file name does not match its article {ff.article!r}",
                value=ff.path.name,
                expected=f"{ff.article}.yaml",
                hint=f"rename the file to {ff.article}.yaml",
                code=IssueCode.FILE_NAME,
            )
        if ff.article in seen:
            yield ledger.issue(
                ff.path,
                ("article",),
                "article already has a figures file",
                value=ff.article,
                hint=f"merge into {ledger.where(seen[ff.article], ())}",
                code=IssueCode.DUPLICATE,
            )
        seen.setdefault(ff.article, ff.path)
    read = {ff.path.stem for ff in ledger.figure_files} | set(seen)
    for i, article in enumerate(ledger.articles):
        if (
            article.id not in read
            and not (ledger.data_dir / "figures" / f"{article.id}.yaml").exists()
        ):
            yield ledger.issue(
                ledger.path("articles"),
                ("articles", i, "id"),
                "this source has no figures file",
                value=article.id,
                expected=f"figures/{article.id}.yaml",
                hint=f"create it with 'article: {article.id}' and 'figures: []' "
                "(kursk add-source writes it)",
                code=IssueCode.MISSING_FILE,
            )


def unique_figure_ids(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A figure id is used once across all figures files."""
    for ff in ledger.figure_files:
        for i, fig in ff.figures:
            first = index.figures[fig.id]
            if first.file is ff and first.index == i:
                continue
            yield ledger.issue(
                ff.path,
                ("figures", i, "id"),
                f"duplicate figure id {fig.id!r}",
                value=fig.id,
                expected="an id used once across data/figures",
                hint=f"already used at {ledger.where(first.path, first.loc('id'))}; rename one",
                code=IssueCode.DUPLICATE,
            )


def figure_references(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Metric, unit, claimants and contingent of every figure are listed (also of figures that
    failed their model, so that one run reports everything)."""
    for located in located_figures(ledger, index):
        f = located.figure
        yield from _references(
            ledger, index, located.path, located.loc(), f.metric, f.unit, f.claimant, f.contingent
        )
    for ff in ledger.figure_files:
        for i, raw in ff.invalid:
            claimants = raw.get("claimant")
            claimants = [claimants] if isinstance(claimants, str) else claimants
            yield from _references(
                ledger,
                index,
                ff.path,
                ("figures", i),
                raw.get("metric"),
                raw.get("unit"),
                claimants if isinstance(claimants, list) else [],
                raw.get("contingent"),
            )


def _references(ledger, index, path, loc, metric_id, unit, claimant_ids, contingent):
    vocab = ledger.vocabulary
    metric = vocab.metrics.get(metric_id) if isinstance(metric_id, str) else None
    if isinstance(metric_id, str) and metric is None:
        yield ledger.issue(
            path,
            loc + ("metric",),
            "unknown metric",
            value=metric_id,
            expected=one_of(vocab.metrics),
            hint=did_you_mean(metric_id, vocab.metrics) or "add it to vocabulary.yaml",
            code=IssueCode.UNKNOWN_METRIC,
        )
    if isinstance(unit, str) and unit not in vocab.units:
        yield unknown(
            ledger, path, loc + ("unit",), "unit", unit, vocab.units, IssueCode.UNKNOWN_UNIT
        )
    elif metric and isinstance(unit, str) and unit != metric.unit:
        yield ledger.issue(
            path,
            loc + ("unit",),
            f"metric {metric_id!r} is measured in {metric.unit}",
            value=unit,
            expected=metric.unit,
            hint="drop unit: (it defaults to the metric's) or pick another metric",
            code=IssueCode.UNIT_MISMATCH,
        )
    for j, cid in enumerate(claimant_ids):
        if isinstance(cid, str) and cid not in index.claimants:
            cloc = loc + ("claimant",) + ((j,) if len(claimant_ids) > 1 else ())
            code = IssueCode.UNKNOWN_CLAIMANT
            yield unknown(
                ledger, path, cloc, "claimant", cid, index.claimants, code, "claimants.yaml"
            )
    if isinstance(contingent, str) and contingent not in index.contingents:
        issue = unknown(
            ledger,
            path,
            loc + ("contingent",),
            "contingent",
            contingent,
            index.contingents,
            IssueCode.UNKNOWN_CONTINGENT,
        )
        yield replace(issue, hint=issue.hint or "add it to contingents.yaml")


def figure_values(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Numbers fit their unit: never negative, whole for people, percentages 0-100 with what
    they are a share of; vague words have a reading."""
    vocab = ledger.vocabulary
    for located in located_figures(ledger, index):
        fig, path, loc = located.figure, located.path, located.loc()
        metric: Metric | None = vocab.metrics.get(fig.metric)
        unit = fig.unit or (metric.unit if metric else None)
        value = fig.value
        if value.qualifier == "vague" and value.vague.lower() not in vocab.vague:
            yield ledger.issue(
                path,
                loc + ("value", "vague"),
                "vague wording has no numeric reading",
                value=value.vague,
                expected=one_of(vocab.vague),
                hint="add a reading for it under vague: in vocabulary.yaml",
                code=IssueCode.UNKNOWN_VAGUE,
            )
        for bound in ("low", "high"):
            n = getattr(value, bound)
            if n is None:
                continue
            if n < 0:
                yield ledger.issue(
                    path,
                    loc + ("value",),
                    f"negative {bound}",
                    value=n,
                    expected="a number >= 0",
                    hint="counts, shares and distances are never negative",
                    code=IssueCode.NEGATIVE,
                )
            if unit == "percent" and n > 100:
                yield ledger.issue(
                    path,
                    loc + ("value",),
                    "a share over 100%",
                    value=n,
                    expected="0 to 100 (percent)",
                    hint="write 40 for 40%",
                    code=IssueCode.SHARE_OVER_100,
                )
            if unit in vocab.units and vocab.units[unit].count and n != int(n):
                yield ledger.issue(
                    path,
                    loc + ("value",),
                    "a count of people must be whole",
                    value=n,
                    expected="a whole number",
                    code=IssueCode.FRACTION,
                )
        if unit == "percent" and not fig.share_of:
            yield ledger.issue(
                path,
                loc,
                "a percentage needs share_of",
                expected="share_of: <metric>",
                hint="say what it is a share of, e.g. share_of: deployed",
                code=IssueCode.SHARE_OF,
            )
        if fig.share_of and fig.share_of not in vocab.metrics:
            yield ledger.issue(
                path,
                loc + ("share_of",),
                "unknown metric",
                value=fig.share_of,
                expected=one_of(vocab.metrics),
                hint=did_you_mean(fig.share_of, vocab.metrics),
                code=IssueCode.UNKNOWN_METRIC,
            )


def translations(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A quote from a source in another language keeps the original and gives a translation."""
    for located in located_figures(ledger, index):
        article = index.articles.get(located.file.article)
        if article and article.language != "en" and not located.figure.translation:
            yield ledger.issue(
                located.path,
                located.loc("quote"),
                f"the source is in {article.language!r}: the quote needs its translation",
                expected="translation: <the quote in English>",
                hint="keep quote: as written in the source and add translation:",
                code=IssueCode.TRANSLATION,
            )


def assessments(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """An assessment's grades are on the scale (vocabulary.yaml), and its history runs from
    the oldest grade to the current one."""
    scale = ledger.vocabulary.assessments
    for located in located_figures(ledger, index):
        a = located.figure.assessment
        if a is None:
            continue
        grades = [("assessment", "grade"), *(("assessment", "history", j, "grade")
                                               for j in range(len(a.history)))]  # fmt: skip
        for keys, past in zip(grades, [a, *a.history], strict=True):
            if past.grade not in scale:
                code = IssueCode.CHOICE
                yield unknown(ledger, located.path, located.loc(*keys), "assessment grade",
                              past.grade, scale, code, "vocabulary.yaml (assessments)")  # fmt: skip
        dates = [p.on for p in a.history] + [a.on]
        for j, (before, after) in enumerate(zip(dates, dates[1:], strict=False)):
            if after.start < before.start:
                yield ledger.issue(
                    located.path, located.loc("assessment", "history", j, "on"),
                    f"the history runs backwards: {before.text} before {after.text}",
                    hint="list earlier grades oldest first, each before the current one",
                    code=IssueCode.VALUE,
                )  # fmt: skip


def ignored_restate_known_figures(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """An ignored mention's `figure` names a figure of the same article."""
    for ff in ledger.figure_files:
        ids = {fig.id for _, fig in ff.figures}
        for j, ign in enumerate(ff.ignored):
            if ign.figure and ign.figure not in ids:
                yield ledger.issue(
                    ff.path,
                    ("ignored", j, "figure"),
                    "unknown figure in this article",
                    value=ign.figure,
                    expected=one_of(ids),
                    hint=did_you_mean(ign.figure, ids),
                    code=IssueCode.UNKNOWN_FIGURE,
                )
