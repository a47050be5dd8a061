"""Rules for the links between figures, one small function each: parts that add up,
breakdowns, revisions, progress toward a plan, denominators, events, claims that agree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from .index import Index, Located, located_figures, unknown
from .issues import Issue, IssueCode, did_you_mean
from .read import Ledger
from .values import PartialDate, number, overlap, worded


def parts_sum_to_wholes(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """part_of names another figure, and a whole's parts add up to it (ranges must overlap)."""
    parts: dict[str, list[Located]] = defaultdict(list)
    for located in located_figures(ledger, index):
        fig = located.figure
        if not fig.part_of:
            continue
        if fig.part_of == fig.id:
            yield ledger.issue(
                located.path,
                located.loc("part_of"),
                "a figure cannot be part of itself",
                value=fig.id,
                code=IssueCode.RELATION,
            )
        elif fig.part_of not in index.figures:
            yield ledger.issue(
                located.path,
                located.loc("part_of"),
                "unknown figure",
                value=fig.part_of,
                expected="the id of the whole's figure",
                hint=did_you_mean(fig.part_of, index.figures),
                code=IssueCode.UNKNOWN_FIGURE,
            )
        else:
            parts[fig.part_of].append(located)
    for whole_id, members in parts.items():
        whole = index.figures[whole_id]
        lows = [m.figure.value.low for m in members]
        highs = [m.figure.value.high for m in members]
        if None in lows or None in highs or whole.figure.value.low is None:
            continue  # open bounds cannot be summed: nothing to contradict
        lo, hi = sum(lows), sum(highs)
        wlo = whole.figure.value.low
        whi = whole.figure.value.high if whole.figure.value.high is not None else float("inf")
        # approximate wording ("about 250 killed, 1,750 wounded, about 2,000 in all"): 5% slack
        approx = whole.figure.value.approximate or any(m.figure.value.approximate for m in members)
        slack = 0.05 if approx else 0.0
        if hi * (1 + slack) < wlo or lo > whi * (1 + slack):
            shown = " + ".join(f"{m.figure.id} ({number(m.figure.value.low)})" for m in members)
            yield ledger.issue(
                whole.path,
                whole.loc("value"),
                f"parts do not sum to the whole: {shown} = {number(lo)}"
                + (f"-{number(hi)}" if hi != lo else ""),
                value=wlo,
                expected=f"the parts to add up to {number(wlo)}",
                hint="fix a part's value, or remove part_of from a figure that is not a part",
                code=IssueCode.PARTS_SUM,
            )


def _relation(ledger, located: Located, key: str, message: str, hint: str = "") -> Issue:
    fig = located.figure
    return ledger.issue(
        located.path,
        located.loc(key),
        message,
        value=getattr(fig, key),
        hint=hint,
        code=IssueCode.RELATION,
    )


def _target(ledger, index: Index, located: Located, key: str) -> Iterator[Issue | Located]:
    """The figure a link names: an issue when it is itself or unknown, else the figure."""
    target_id = getattr(located.figure, key)
    if target_id == located.figure.id:
        yield _relation(ledger, located, key, f"a figure cannot name itself in {key}")
    elif target_id not in index.figures:
        loc, code = located.loc(key), IssueCode.UNKNOWN_FIGURE
        yield unknown(ledger, located.path, loc, "figure", target_id, index.figures, code)
    else:
        yield index.figures[target_id]


def when(index: Index, located: Located) -> PartialDate | None:
    """When a figure holds: its as_of, else its source's publication date."""
    article = index.articles.get(located.file.article)
    return located.figure.as_of or (article.published if article else None)


def breakdowns(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """The parts of one breakdown come from one source and claimant and count different
    things (a killed figure and a wounded figure, not two killed figures)."""
    groups: dict[str, list[Located]] = defaultdict(list)
    for located in located_figures(ledger, index):
        if located.figure.breakdown:
            groups[located.figure.breakdown].append(located)
    for name, members in groups.items():
        first = members[0]
        if len(members) == 1:
            yield _relation(
                ledger,
                first,
                "breakdown",
                f"breakdown {name!r} has only this figure",
                "give the other parts the same breakdown:, or remove it",
            )
        seen = set()
        for m in members:
            what = (m.figure.metric, m.figure.subject)
            if m.file.article != first.file.article or m.figure.claimant != first.figure.claimant:
                yield _relation(
                    ledger,
                    m,
                    "breakdown",
                    f"breakdown {name!r} mixes sources or claimants ({first.figure.id} is the "
                    "first)",
                    "a breakdown is one report's split; use another breakdown id",
                )
            elif what in seen:
                yield _relation(
                    ledger,
                    m,
                    "breakdown",
                    f"breakdown {name!r} counts {m.figure.metric} twice",
                    "give each part its own metric or subject",
                )
            seen.add(what)


def revisions(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """A revision replaces an earlier figure of the same claimant and metric; a figure is
    revised once (later revisions revise the latest), and revisions do not go in circles."""
    revised_by: dict[str, str] = {}
    for located in located_figures(ledger, index):
        fig = located.figure
        if not fig.revises:
            continue
        found = next(_target(ledger, index, located, "revises"))
        if isinstance(found, Issue):
            yield found
            continue
        old = found.figure
        if not set(fig.claimant) & set(old.claimant):
            yield _relation(
                ledger,
                located,
                "revises",
                f"{old.id} is another claimant's figure ({', '.join(old.claimant)})",
                "a revision is the same claimant's new count; use event: to link other reports",
            )
        elif fig.metric != old.metric:
            yield _relation(
                ledger,
                located,
                "revises",
                f"{old.id} counts {old.metric}, this {fig.metric}",
                "a revision counts the same thing",
            )
        elif (a := when(index, located)) and (b := when(index, found)) and a.end < b.start:
            yield _relation(
                ledger,
                located,
                "revises",
                f"this holds as of {a.text}, before {old.id} ({b.text})",
                "the revision is the later figure: swap revises: to the other figure",
            )
        elif old.id in revised_by:
            yield _relation(
                ledger,
                located,
                "revises",
                f"{old.id} is already revised by {revised_by[old.id]}",
                f"revise {revised_by[old.id]} instead (a chain: each figure revises the last)",
            )
        revised_by.setdefault(old.id, fig.id)
    for start in revised_by:
        seen, current = {start}, start
        while current in index.figures and index.figures[current].figure.revises:
            current = index.figures[current].figure.revises
            if current == start:
                located = index.figures[start]
                yield _relation(ledger, located, "revises", "revisions go in a circle")
                break
            if current in seen:
                break
            seen.add(current)


def progress_and_denominators(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """progress_of names a figure of the same group and unit but another metric (arrived of
    planned); denominator names a count, and for a percentage the metric it is a share of;
    event names an event in events.yaml."""
    vocab = ledger.vocabulary
    for located in located_figures(ledger, index):
        fig = located.figure
        metric = vocab.metrics.get(fig.metric)
        if fig.event and fig.event not in index.events:
            loc, code = located.loc("event"), IssueCode.UNKNOWN_EVENT
            yield unknown(
                ledger, located.path, loc, "event", fig.event, index.events, code, "events.yaml"
            )
        for key in ("progress_of", "denominator"):
            if not getattr(fig, key):
                continue
            found = next(_target(ledger, index, located, key))
            if isinstance(found, Issue):
                yield found
                continue
            target = found.figure
            other = vocab.metrics.get(target.metric)
            if metric is None or other is None:
                continue
            if key == "progress_of" and (
                other.group != metric.group or other.unit != metric.unit or other is metric
            ):
                yield _relation(
                    ledger,
                    located,
                    key,
                    f"{target.id} ({target.metric}) is not a plan this {fig.metric} figure counts "
                    "toward",
                    "progress is another metric of the same group and unit (arrived of planned)",
                )
            if key == "denominator":
                unit = vocab.units.get(other.unit)
                if not (unit and unit.count):
                    yield _relation(
                        ledger,
                        located,
                        key,
                        f"{target.id} is not a count of people",
                        "a denominator is the force the figure is out of",
                    )
                elif fig.share_of and fig.share_of != target.metric:
                    yield _relation(
                        ledger,
                        located,
                        key,
                        f"this is a share of {fig.share_of}, but {target.id} counts "
                        f"{target.metric}",
                        "name a denominator of the metric in share_of",
                    )


def claims_agree(ledger: Ledger, index: Index) -> Iterator[Issue]:
    """Figures grouped into one claim count the same metric and can be the same number."""
    claims: dict[str, list[Located]] = defaultdict(list)
    for located in located_figures(ledger, index):
        claims[located.figure.claim or located.figure.id].append(located)
    for claim_id, members in claims.items():
        first = members[0].figure
        for located in members[1:]:
            fig = located.figure
            if fig.metric != first.metric:
                yield ledger.issue(
                    located.path,
                    located.loc("claim"),
                    f"claim {claim_id!r} mixes metrics",
                    value=fig.metric,
                    expected=first.metric,
                    hint=f"{first.id} counts {first.metric}; use another claim id",
                    code=IssueCode.CLAIM_MISMATCH,
                )
            elif not overlap(fig.value, first.value):
                yield ledger.issue(
                    located.path,
                    located.loc("claim"),
                    f"claim {claim_id!r} groups disagreeing numbers",
                    value=worded(fig.value, None),
                    expected=f"{worded(first.value, None)} as in {first.id}",
                    hint="different numbers are different claims",
                    code=IssueCode.CLAIM_MISMATCH,
                )


RULES = (parts_sum_to_wholes, breakdowns, revisions, progress_and_denominators, claims_agree)
