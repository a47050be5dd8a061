"""Adding a source or a figure from the command line: `kursk add-source`, `kursk add-figure`.

The curator gives what they read (a text file, a quote); this module works out what nobody
should compute by hand (the text's sha256, the next ids, the value form and its numbers),
appends the entry to the YAML keeping the file's comments and layout, validates the whole data
folder and, when anything fails, puts every file back byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from ..paths import display_path
from .dataset import Dataset, load
from .edit import (
    CurateError,
    Rejected,
    Transaction,
    atomic_write,
    date_scalar,
    entry_text,
    flow_list,
    flow_value,
    insert_item,
    scalar,
)
from .issues import DataError, did_you_mean, pydantic_issues
from .models import Article, Figure
from .quotes import (
    parse_part,
    propose_figure_id,
    propose_source_id,
    propose_value,
    propose_window,
    wordings,
)
from .values import Value, overlap

# (text, quote) -> whether the quote occurs in the text
QuoteFinder = Callable[[str, str], bool]
FIGURES_HEADER = (
    "# yaml-language-server: $schema=../schema/figures.json\n"
    "# Add figures with `kursk add-figure {id} --quote ...` or by hand (data/README.md).\n"
)


@dataclass
class Added:
    """What a command wrote, for the curator to check."""

    id: str
    path: Path  # the YAML file the entry went into
    line: int  # the entry's first line there
    entry: str  # the entry as written
    notes: list[str] = field(default_factory=list)  # what else was done or proposed


def _commit(data_dir: Path, tx: Transaction) -> Dataset:
    """The data folder validated with the new files; on any failure every file is restored."""
    try:
        return load(data_dir)
    except DataError as exc:
        tx.restore()
        raise Rejected(
            "not written: with this entry the data folder would not validate (the lines above "
            "are where it would have been); every file is as it was",
            exc.issues,
        ) from None
    except BaseException:
        tx.restore()
        raise


def _current(data_dir: Path) -> Dataset:
    """The data folder as it is; an addition starts only from data that validates."""
    if not (data_dir / "articles.yaml").is_file():
        raise CurateError(
            f"no articles.yaml in {display_path(data_dir)}",
            "pass the data folder with --data (the folder that holds articles.yaml)",
        )
    try:
        return load(data_dir)
    except DataError as exc:
        raise Rejected(
            "the data folder has problems already; fix them first (nothing was written)",
            exc.issues,
        ) from None


def _model_errors(exc: ValidationError, model: type[BaseModel], options: dict[str, str]):
    """A model's refusal in the words of the command's options (the loader's own messages)."""

    def make(loc, message, value=None, expected="", hint="", raw_scalar=False, **_):
        key = str(loc[0]) if loc else ""
        shown = options.get(key, f"--{key.replace('_', '-')}")
        if raw_scalar:
            message = "a number where text belongs"
        text = f"{shown}: {message}"
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text += f" (got {value!r})"
        if expected:
            text += f"; expected {expected}"
        return text + (f"; {hint}" if hint else "")

    return CurateError("; ".join(pydantic_issues(exc, model, (), make)))


def _validated(model: type[BaseModel], entry: dict, options: dict[str, str]):
    try:
        return model.model_validate(entry)
    except ValidationError as exc:
        raise _model_errors(exc, model, options) from None


# --- add-source -------------------------------------------------------------------------------


def _same(a: str | None, b: str | None) -> bool:
    """Two URLs of one page: scheme and host in any case, a trailing slash or not."""

    def key(url: str) -> tuple:
        u = urlsplit(url.strip())
        return u.scheme.lower(), u.netloc.lower(), u.path.rstrip("/"), u.query

    return bool(a and b) and key(a) == key(b)


def add_source(
    data_dir: Path,
    *,
    title: str,
    text: Path | None = None,
    no_text: str | None = None,
    kind: str = "article",
    outlet: str | None = None,
    url: str | None = None,
    published: str | None = None,
    published_note: str = "",
    accessed: str | None = None,
    archive_url: str | None = None,
    language: str = "en",
    notes: str = "",
    source_id: str | None = None,
    texts_dir: Path | None = None,
) -> Added:
    """Append a source to articles.yaml and write its empty figures file; with a text, copy the
    text into the texts folder when it is writable."""
    if (text is None) == (no_text is None):
        raise CurateError(
            "give --text FILE (the source's text) or --no-text REASON (why no text is held)",
            "a briefing known from its transcript page: --no-text 'transcript page only'",
        )
    raw = None
    if text is not None:
        try:
            raw = Path(text).read_bytes()
        except OSError as exc:
            raise CurateError(f"cannot read --text {text}: {exc.strerror}") from None
        if not raw.strip():
            raise CurateError(f"--text {text} is empty", "save the source's text in it first")
    data = _current(data_dir)
    articles = data.articles
    digest = hashlib.sha256(raw).hexdigest() if raw is not None else None
    key = (
        digest
        or hashlib.sha256(
            "|".join(str(x) for x in (url or archive_url or "", title, outlet, published)).encode()
        ).hexdigest()
    )
    sid = source_id or propose_source_id(articles["article"].tolist(), key)
    entry = {
        "id": sid,
        "kind": kind,
        "title": title,
        "outlet": outlet,
        "url": url,
        "published": published,
        "published_note": published_note,
        "accessed": accessed,
        "archive_url": archive_url,
        "language": language,
        "sha256": digest,
        "no_text": no_text,
        "notes": notes,
    }
    options = {"id": "--id", "sha256": "--text", "no_text": "--no-text"}
    _validated(Article, {k: v for k, v in entry.items() if v not in (None, "")}, options)
    _refuse_duplicates(data, sid, digest, url, archive_url)
    figures_path = data_dir / "figures" / f"{sid}.yaml"
    if figures_path.exists():
        raise CurateError(
            f"{display_path(figures_path)} already exists",
            "pick another --id, or list that source in articles.yaml by hand",
        )

    articles_path = data_dir / "articles.yaml"
    pairs = [("id", scalar(sid))]
    if kind != "article":
        pairs.append(("kind", kind))
    pairs.append(("title", scalar(title)))
    for name, value in (("outlet", outlet), ("url", url)):
        if value:
            pairs.append((name, scalar(value)))
    if published:
        pairs.append(("published", date_scalar(published)))
    if published_note:
        pairs.append(("published_note", scalar(published_note)))
    if accessed:
        pairs.append(("accessed", date_scalar(accessed)))
    if archive_url:
        pairs.append(("archive_url", scalar(archive_url)))
    if language != "en":
        pairs.append(("language", language))
    pairs.append(("sha256", digest) if digest else ("no_text", scalar(no_text)))
    if notes:
        pairs.append(("notes", scalar(notes)))
    before = articles_path.read_text(encoding="utf-8")
    after, line = insert_item(before, "articles", pairs, articles_path)
    tx = Transaction()
    try:
        tx.write(articles_path, after)
        tx.mkdir(figures_path.parent)
        tx.write(
            figures_path,
            FIGURES_HEADER.format(id=sid) + f"article: {scalar(sid)}\nfigures: []\n",
        )
    except OSError as exc:
        tx.restore()
        raise CurateError(f"not written: {exc}; every file is as it was") from None
    except BaseException:
        tx.restore()
        raise
    _commit(data_dir, tx)
    added = Added(sid, articles_path, line, entry_text(pairs, 2))
    added.notes.append(f"wrote {display_path(figures_path)} (no figures yet)")
    if raw is not None:
        added.notes.append(_place_text(raw, Path(text), sid, texts_dir))
    return added


def _refuse_duplicates(data: Dataset, sid, digest, url, archive_url) -> None:
    where = display_path(data.data_dir / "articles.yaml")
    for row in data.articles.itertuples():
        if row.article == sid:
            raise CurateError(
                f"source id {sid!r} is already listed in {where}",
                "pick another --id, or leave --id out to get the next free one",
            )
        if digest and isinstance(row.sha256, str) and row.sha256 == digest:  # NA: no text
            raise CurateError(
                f"this text is already listed as {row.article} in {where} (same sha256)",
                f"add its figures to data/figures/{row.article}.yaml "
                f"(kursk add-figure {row.article} ...)",
            )
        for given in (url, archive_url):
            for known in (row.url, row.archive_url):
                if isinstance(known, str) and _same(given, known):
                    raise CurateError(
                        f"a source with this URL is already listed: {row.article} in {where}",
                        f"add its figures to data/figures/{row.article}.yaml; a repost "
                        "elsewhere has its own URL",
                    )


def _place_text(raw: bytes, given: Path, sid: str, texts_dir: Path | None) -> str:
    """Copy the text into the texts folder; or say exactly where it must go."""
    if texts_dir is None:
        return f"put the text at <texts folder>/{sid}.txt"
    dest = texts_dir / f"{sid}.txt"
    by_hand = (
        f"copy the text there yourself: cp {given} {dest} (the texts folder: --articles DIR, "
        "else $KURSK_ARTICLES, else ../shared/articles)"
    )
    if dest.exists():
        if dest.read_bytes() == raw:
            return f"the text is already at {dest}"
        return f"NOT copied: {dest} exists with other content; check it, then {by_hand}"
    if not texts_dir.is_dir():
        return (
            f"NOT copied: the texts folder {texts_dir} does not exist; create it, then {by_hand}"
        )
    if not os.access(texts_dir, os.W_OK):
        return f"NOT copied: the texts folder {texts_dir} is not writable; {by_hand}"
    try:
        atomic_write(dest, raw)
    except OSError as exc:
        return f"NOT copied ({exc.strerror}); {by_hand}"
    return f"copied the text to {dest}"


# --- add-figure -------------------------------------------------------------------------------

FIGURE_KEYS = (
    "id", "claim", "metric", "value", "subject", "claimant", "via", "as_of", "scope",
    "contingent", "part_of", "breakdown", "revises", "event", "progress_of", "denominator",
    "share_of", "confidence", "quote", "translation", "note",
)  # fmt: skip
_FIGURE_OPTIONS = {
    "id": "--id",
    "claimant": "--claimant",
    "value": "the value",
    "scope": "--window/--days",
    "as_of": "--as-of",
}


def add_figure(
    data_dir: Path,
    source_id: str,
    *,
    quote: str,
    claimants: list[str],
    metric: str | None = None,
    parts: list[str] | None = None,
    value: str | None = None,
    number_: str | None = None,
    subject: str = "",
    figure_id: str | None = None,
    window: str | None = None,
    days: int | None = None,
    texts_dir: Path | None = None,
    find_quote: QuoteFinder | None = None,
    **fields: Any,
) -> list[Added]:
    """Append the figure a quote reports to its source's figures file; with parts ('killed=400',
    'wounded=3,000'), one figure per part, written and validated together (parts of a stated
    total only add up once all of them are in).

    fields: the other keys of a figure (as_of, contingent, via, confidence, translation, claim,
    part_of, breakdown, revises, event, progress_of, denominator, share_of, note); empty ones
    are left out. find_quote(text, quote) says whether a quote occurs in a held text (kursk
    verify's matching, which lives in kursk.analysis); without it quotes are not checked."""
    data = _current(data_dir)
    known = data.articles.set_index("article")
    if source_id not in known.index:
        raise CurateError(
            f"unknown source {source_id!r}",
            did_you_mean(source_id, known.index)
            or "add it first with kursk add-source (or list it in articles.yaml)",
        )
    source = known.loc[source_id]
    for cid in claimants:
        if cid not in set(data.claimants["claimant"]):
            raise CurateError(
                f"--claimant: unknown claimant {cid!r}",
                did_you_mean(cid, data.claimants["claimant"]) or "add it to claimants.yaml",
            )
    translation = fields.get("translation") or ""
    if source["language"] != "en" and not translation:
        raise CurateError(
            f"the source is in {source['language']!r}: the quote needs its translation",
            "keep --quote as the source writes it and add --translation 'in English'",
        )
    if parts:
        if metric or value or number_ or figure_id or subject:
            raise CurateError(
                "--part gives each figure's metric, subject and number: leave out --metric, "
                "--number, --subject, --value and --id"
            )
        wanted = [parse_part(p) for p in parts]
    elif metric:
        wanted = [(metric, subject, number_)]
    else:
        raise CurateError(
            "say what is counted: --metric METRIC, or --part METRIC=NUMBER for each part"
        )
    wording = translation or quote  # an English translation carries the qualifying words
    shared: list[str] = []
    if window is None and days is None:
        stated = propose_window(wording)
        if stated:
            window, days = stated
            shared.append(f"scope: the window {window!r}" + (f" ({days} days)" if days else ""))
    elif window is None:
        raise CurateError("--days goes with --window 'the window as worded'")
    if not fields.get("confidence"):
        said = wordings(wording, list(data.vocabulary.confidence))
        if said:
            fields["confidence"] = said[0]
            shared.append(f"confidence {said[0]!r}: the claimant's wording in the quote")
    _check_quote_in_text(source_id, source, quote, texts_dir, find_quote)

    taken = set(data.figures["figure_id"])
    entries = []
    for part_metric, part_subject, pick in wanted:
        entry, notes = _figure_entry(
            data, source_id, quote, wording, part_metric, part_subject, pick, value,
            figure_id, claimants, taken, window, days, fields,
        )  # fmt: skip
        taken.add(entry["id"])
        entries.append((entry, shared + notes))

    path = data_dir / "figures" / f"{source_id}.yaml"
    created = not path.exists()
    text = (
        path.read_text(encoding="utf-8")
        if not created
        else FIGURES_HEADER.format(id=source_id) + f"article: {scalar(source_id)}\n"
    )
    placed = []
    for entry, _ in entries:
        pairs = _figure_pairs(entry)
        text, line = insert_item(text, "figures", pairs, path)
        placed.append((pairs, line))
    tx = Transaction()
    try:
        tx.write(path, text)
    except OSError as exc:
        tx.restore()
        raise CurateError(f"not written: {exc}; every file is as it was") from None
    _commit(data_dir, tx)
    lines = text.splitlines()
    out = []
    for (entry, notes), (pairs, line) in zip(entries, placed, strict=True):
        indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
        out.append(Added(entry["id"], path, line, entry_text(pairs, indent), notes))
    if created:
        out[0].notes.append(f"created {display_path(path)}")
    return out


def _figure_entry(
    data, source_id, quote, wording, metric, subject, pick, value, figure_id, claimants, taken,
    window, days, fields,
) -> tuple[dict, list[str]]:  # fmt: skip
    """One figure's keys, its value read from the wording, checked against the model."""
    vocab = data.vocabulary
    if metric not in vocab.metrics:
        raise CurateError(
            f"unknown metric {metric!r}",
            did_you_mean(metric, vocab.metrics)
            or f"one of {', '.join(vocab.metrics)}; a new one goes into vocabulary.yaml",
        )
    notes: list[str] = []
    unit = vocab.metrics[metric].unit
    if value is not None:
        try:
            raw_value = yaml.safe_load(value)
            Value.parse(raw_value)
        except (yaml.YAMLError, ValueError) as exc:
            raise CurateError(
                f"--value {value!r} is not a value: {exc}",
                "write it as in the YAML, e.g. 6000, '{about: 1200}', '{low: 10, high: 12}'",
            ) from None
        notes.append("value as given with --value")
    else:
        proposal = propose_value(wording, list(vocab.vague), pick)
        raw_value = proposal.value
        if proposal.percent and unit != "percent":
            percent_metrics = [m for m, x in vocab.metrics.items() if x.unit == "percent"]
            raise CurateError(
                f"the number is a percentage but {metric!r} is counted in {unit}",
                f"pick a percent metric ({', '.join(percent_metrics)}) with --share-of",
            )
        notes.append(f"value {flow_value(raw_value)}: {proposal.reason}")
    if unit == "percent" and not fields.get("share_of"):
        raise CurateError(
            f"{metric!r} is a percentage: say what it is a share of",
            "add --share-of METRIC, e.g. --share-of deployed",
        )
    fid = figure_id or propose_figure_id(source_id, metric, raw_value, claimants[0], taken)
    if fid in taken:
        raise CurateError(f"figure id {fid!r} is already used", "pick another --id")
    entry: dict[str, Any] = {
        "id": fid,
        "metric": metric,
        "value": raw_value,
        "subject": subject,
        "claimant": claimants[0] if len(claimants) == 1 else claimants,
        "quote": quote,
        **fields,
    }
    if window:
        entry["scope"] = {"window": window, **({"days": days} if days else {})}
    entry = {k: v for k, v in entry.items() if v not in (None, "", [])}
    _validated(Figure, entry, _FIGURE_OPTIONS)
    return entry, notes + _related(data, entry, source_id)


def _figure_pairs(entry: dict) -> list[tuple[str, str]]:
    """A figure's keys in the order the seed files use, each as written in YAML."""
    pairs = []
    for key in FIGURE_KEYS:
        if key not in entry:
            continue
        v = entry[key]
        if key == "value":
            text = flow_value(v)
        elif key == "scope":
            text = "{" + ", ".join(f"{k}: {scalar(x, flow=True)}" for k, x in v.items()) + "}"
        elif isinstance(v, list):
            text = flow_list(v)
        elif key == "as_of":
            text = date_scalar(v)
        else:
            text = scalar(v)
        pairs.append((key, text))
    return pairs


def _check_quote_in_text(
    source_id: str, source, quote: str, texts_dir: Path | None, find_quote: QuoteFinder | None
) -> None:
    """A quote must occur in its source's text when the text is at hand (kursk verify would
    fail later otherwise); sources without a held text cannot be checked."""
    if not source["text_held"] or texts_dir is None or find_quote is None:
        return
    path = texts_dir / f"{source_id}.txt"
    if not path.is_file():
        return
    if not find_quote(path.read_text(encoding="utf-8", errors="replace"), quote):
        raise CurateError(
            f"--quote does not occur in the text of {source_id} ({path})",
            "copy the words exactly from the text (whitespace and curly quotes are forgiven)",
        )


def _related(data: Dataset, entry: dict, source_id: str) -> list[str]:
    """Figures the curator may want to link: the same claimant's earlier count of the same
    metric (revises), or the same number of the same metric from another source (claim)."""
    f = data.figures
    mine = set([entry["claimant"]] if isinstance(entry["claimant"], str) else entry["claimant"])
    same = f[(f["metric"] == entry["metric"]) & (f["article"] != source_id)]
    notes = []
    value = Value.parse(entry["value"])
    subject = entry.get("subject") or None
    for row in same.itertuples():
        theirs = set(row.claimant.split(";"))
        # another subject ('sappers') or a window is not the same count
        if not mine & theirs or (None if pd.isna(row.subject) else row.subject) != subject:
            continue
        if row.scope == "window" or "scope" in entry:
            continue
        if entry.get("revises") or entry.get("claim") == row.claim_id:
            continue
        if row.current and not row.vague and value.qualifier != "vague":
            other = Value(
                row.qualifier,
                None if pd.isna(row.low) else float(row.low),
                None if pd.isna(row.high) else float(row.high),
                bool(row.approximate),
            )
            if overlap(value, other):
                notes.append(
                    f"same claimant and number as {row.figure_id} ({row.article}): if it is "
                    f"the same claim, add claim: {row.claim_id} (--claim)"
                )
            else:
                notes.append(
                    f"{row.figure_id} ({row.article}) is this claimant's current count: if "
                    f"this one replaces it, add revises: {row.figure_id} (--revises)"
                )
    return notes[:3]
