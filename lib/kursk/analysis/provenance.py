"""Checks of the curated figures against the article texts: `kursk verify` and `kursk coverage`.

The texts are never committed; these checks read them from a folder given at run time
(in CI: ../shared/articles).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..ledger import Dataset
from ..ledger.issues import Issue, IssueCode
from ..paths import display_path

# Typographic variants a curator may type plainly; whitespace runs count as one space.
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "\u2009": " "})
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
_WORDS = [
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "dozen",
    "dozens",
    "half",
]
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


class Text:
    """An article text folded for matching, with a map back to the original offsets."""

    def __init__(self, raw: str):
        self.raw = raw
        chars, index = [], []
        previous_space = False
        for i, ch in enumerate(raw.translate(_FOLD)):
            if ch.isspace():
                if previous_space:
                    continue
                ch, previous_space = " ", True
            else:
                previous_space = False
            chars.append(ch)
            index.append(i)
        self.folded = "".join(chars)
        self.index = index

    def spans(self, quote: str) -> list[tuple[int, int]]:
        """Every occurrence of quote, as (start, end) offsets into the raw text."""
        needle = fold(quote)
        out, start = [], 0
        while needle and (pos := self.folded.find(needle, start)) >= 0:
            out.append((self.index[pos], self.index[pos + len(needle) - 1] + 1))
            start = pos + 1
        return out


def fold(text: str) -> str:
    return " ".join(text.translate(_FOLD).split())


def numbers_in(text: str) -> set[float]:
    return {float(m.group(0).replace(",", "")) for m in _NUMBER.finditer(text)}


@dataclass
class Mention:
    article: str
    start: int
    end: int
    text: str
    value: float | None
    status: str = "uncurated"  # curated | ignored | uncurated
    by: str = ""

    def context(self, raw: str, width: int = 40) -> str:
        left = " ".join(raw[max(0, self.start - width) : self.start].split())
        right = " ".join(raw[self.end : self.end + width].split())
        return f"...{left} [{self.text}] {right}..."


@dataclass
class ArticleCoverage:
    article: str
    mentions: list[Mention] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"curated": 0, "ignored": 0, "uncurated": 0}
        for m in self.mentions:
            out[m.status] += 1
        return out

    @property
    def percent(self) -> float:
        if not self.mentions:
            return 100.0
        return 100.0 * (len(self.mentions) - self.counts["uncurated"]) / len(self.mentions)


@dataclass
class SourceCheck:
    """What a check made of one source: checked (its text matched), failed, or not checkable
    (no text is held for it: a briefing known from its transcript page, a statement)."""

    article: str
    status: str  # checked | failed | not checkable
    quotes: int = 0  # quotes of its figures and ignored mentions
    reason: str = ""


@dataclass
class Verification:
    sources: list[SourceCheck]
    issues: list[Issue]

    def count(self, status: str) -> tuple[int, int]:
        """(sources, quotes) with this status."""
        chosen = [s for s in self.sources if s.status == status]
        return len(chosen), sum(s.quotes for s in chosen)


def read_texts(data: Dataset, articles_dir: Path) -> tuple[dict[str, Text], list[Issue]]:
    """The held text of each source that has one; issues for texts missing from the folder
    and for texts that changed since the figures were read (sha256)."""
    texts, issues = {}, []
    where = display_path(data.data_dir / "articles.yaml")
    for row in data.articles.itertuples():
        if not row.text_held:
            continue
        path = articles_dir / f"{row.article}.txt"
        if not path.is_file():
            issues.append(
                Issue(
                    where,
                    None,
                    f"{row.article}",
                    "the source's text is not in the texts folder",
                    value=display_path(path),
                    hint="put the text there as <id>.txt, or point --articles (or "
                    "KURSK_ARTICLES) at the folder that holds it",
                    code=IssueCode.MISSING_TEXT,
                )
            )
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != row.sha256:
            issues.append(
                Issue(
                    where,
                    None,
                    f"{row.article}.sha256",
                    "the text differs from the one the figures were read from",
                    value=digest,
                    expected=row.sha256,
                    hint="re-check the figures against the new text, then update sha256",
                    code=IssueCode.SHA256,
                )
            )
        texts[row.article] = Text(raw.decode("utf-8", errors="replace"))
    return texts, issues


def verify(data: Dataset, articles_dir: Path) -> Verification:
    """Every quote occurs in its source's text and every number of a figure in its quote (or
    its translation), for each source whose text is held; the others are not checkable."""
    texts, issues = read_texts(data, articles_dir)
    bad = {issue.field.split(".")[0] for issue in issues}  # texts missing or changed
    for row in data.figures.itertuples():
        text = texts.get(row.article)
        found = _check_figure(row, text) if text is not None else []
        issues += found
        bad |= {row.article} if found else set()
    for row in data.ignored.itertuples():
        text = texts.get(row.article)
        if text is not None and not text.spans(row.quote):
            bad.add(row.article)
            issues.append(
                Issue(
                    f"data/figures/{row.article}.yaml",
                    None,
                    "ignored.quote",
                    f"quote not found in the text of {row.article}",
                    value=row.quote,
                    code=IssueCode.QUOTE_NOT_FOUND,
                )
            )
    quotes = Counter(data.figures["article"].tolist()) + Counter(data.ignored["article"].tolist())
    sources = [
        SourceCheck(
            row.article,
            "not checkable"
            if not row.text_held
            else "failed"
            if row.article in bad
            else "checked",
            quotes.get(row.article, 0),
            "" if row.text_held else row.no_text,
        )
        for row in data.articles.itertuples()
    ]
    return Verification(sources, issues)


def _check_figure(row, text: Text) -> list[Issue]:
    line = None if pd.isna(row.line) else int(row.line)
    if not text.spans(row.quote):
        return [
            Issue(
                row.file,
                line,
                f"{row.figure_id}.quote",
                f"quote not found in the text of {row.article}",
                value=row.quote,
                hint="copy the words exactly from the text (whitespace and curly quotes are "
                "forgiven)",
                code=IssueCode.QUOTE_NOT_FOUND,
            )
        ]
    said = row.quote + (" " + row.translation if isinstance(row.translation, str) else "")
    if row.vague:
        if fold(str(row.worded)).lower() in fold(said).lower():
            return []
        return [
            Issue(
                row.file,
                line,
                f"{row.figure_id}.value",
                "vague wording does not occur in the quote",
                value=row.worded,
                expected="the words as the source writes them",
                code=IssueCode.NUMBER,
            )
        ]
    in_quote = numbers_in(said)
    return [
        Issue(
            row.file,
            line,
            f"{row.figure_id}.value.{bound}",
            "number does not occur in the quote",
            value=float(n),
            expected=f"one of {sorted(in_quote) or 'no numbers'} in the quote",
            hint="fix the value or widen the quote to include it",
            code=IssueCode.NUMBER,
        )
        for bound, n in (("low", row.low), ("high", row.high))
        if pd.notna(n) and float(n) not in in_quote
    ]


def mentions(article: str, raw: str) -> list[Mention]:
    """Every numeric mention in a text: digits, and number words such as 'thousands'."""
    found = [
        Mention(article, m.start(), m.end(), m.group(0), float(m.group(0).replace(",", "")))
        for m in _NUMBER.finditer(raw)
    ]
    found += [Mention(article, m.start(), m.end(), m.group(0), None) for m in _WORD.finditer(raw)]
    return sorted(found, key=lambda m: m.start)


def coverage(data: Dataset, articles_dir: Path) -> tuple[list[ArticleCoverage], list[Issue]]:
    """Classify every numeric mention of every held text as curated, ignored or uncurated
    (sources without a held text have no coverage to measure)."""
    texts, issues = read_texts(data, articles_dir)
    result = []
    for article, text in texts.items():
        figs = data.figures[data.figures["article"] == article]
        ign = data.ignored[data.ignored["article"] == article]
        cov = ArticleCoverage(article, mentions(article, text.raw))
        spans = []
        for row in figs.itertuples():
            values = set() if row.vague else {float(v) for v in (row.low, row.high) if pd.notna(v)}
            words = set(fold(str(row.worded)).lower().split()) if row.vague else set()
            if isinstance(row.window, str):  # "in the past ten days": the window is the figure's
                words |= set(fold(row.window).lower().split())
                values |= {float(row.window_days)} if pd.notna(row.window_days) else set()
            for s, e in text.spans(row.quote):
                spans.append((s, e, "curated", row.figure_id, values, words, None))
        for row in ign.itertuples():
            number = None if pd.isna(row.number) else row.number
            for s, e in text.spans(row.quote):
                spans.append((s, e, "ignored", row.reason, None, None, number))
        for m in cov.mentions:
            for s, e, status, by, values, words, number in spans:
                if not (s <= m.start and m.end <= e):
                    continue
                if status == "curated" and not (
                    (m.value is not None and m.value in values) or m.text.lower() in words
                ):
                    continue
                if status == "ignored" and number is not None and number != m.text:
                    continue
                m.status, m.by = status, by
                break
        result.append(cov)
    return result, issues
