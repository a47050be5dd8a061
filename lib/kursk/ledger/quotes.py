"""Reading a quote: its number and the value form its wording asks for ("about 1,200" is
{about: 1200}), a stated window ("in the past ten days"), and ids proposed for what is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .edit import CurateError
from .values import number

# The wording right before a number, longest first so that "no more than" wins over "more
# than" and "just under" over "under".
_QUALIFIERS = sorted(
    {
        **dict.fromkeys(
            ("about", "around", "approximately", "approx.", "roughly", "some", "an estimated")
            + ("estimated", "circa", "an approximate", "on the order of", "an estimate of"),
            "about",
        ),
        **dict.fromkeys(
            ("nearly", "almost", "close to", "just under", "approaching", "just shy of"),
            "nearly",
        ),
        **dict.fromkeys(
            ("over", "more than", "above", "in excess of", "upwards of", "exceeding")
            + ("exceed", "exceeds", "exceeded", "surpassed", "topped", "beyond", "well over"),
            "over",
        ),
        **dict.fromkeys(
            ("at least", "no fewer than", "no less than", "not less than", "a minimum of"),
            "at_least",
        ),
        **dict.fromkeys(
            ("up to", "as high as", "as many as", "at most", "no more than", "fewer than")
            + ("less than", "a maximum of", "under", "as much as", "not more than"),
            "up_to",
        ),
    }.items(),
    key=lambda kv: -len(kv[0]),
)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_PERIOD = r"(?:days?|weeks?|months?|years?|hours?)\b"
_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
    "twenty": 20, "thirty": 30,
}  # fmt: skip
_WINDOW = re.compile(
    r"\b(?:in|over|during|within)\s+the\s+(?:past|last|previous|preceding)\s+"
    r"(?:(\d+|[a-z]+)\s+)?(days?|weeks?|months?|hours?)\b",
    re.IGNORECASE,
)


@dataclass
class Proposal:
    """The value read from a quote, and why, for the curator to check."""

    value: Any  # as written in the YAML: 6000, {about: 1200}, {vague: thousands}
    reason: str
    percent: bool = False


@dataclass
class _Found:
    start: int
    end: int
    low: float
    high: float | None = None  # a range's upper end
    text: str = ""


def _as_number(text: str) -> float:
    return float(text.replace(",", ""))


def _plain(n: float) -> int | float:
    return int(n) if float(n).is_integer() else n


def _numbers(text: str) -> list[_Found]:
    """Numbers in digits, with ranges ('10,000 to 12,000', '3,800-4,000', 'between 10,000
    and 12,000') joined into one."""
    found = [
        _Found(m.start(), m.end(), _as_number(m.group(0)), text=m.group(0))
        for m in _NUMBER.finditer(text)
    ]
    out: list[_Found] = []
    for item in found:
        prev = out[-1] if out else None
        if prev is not None and prev.high is None:
            gap = text[prev.end : item.start]
            between = re.search(r"between\s*\$?\s*$", text[: prev.start], re.IGNORECASE)
            joined = re.fullmatch(r"\s*%?\s*(?:-|–|—|to)\s*\$?\s*", gap, re.IGNORECASE) or (
                between and re.fullmatch(r"\s*%?\s*and\s*\$?\s*", gap, re.IGNORECASE)
            )
            if joined and item.low >= prev.low:
                out[-1] = _Found(
                    prev.start, item.end, prev.low, item.low, text[prev.start : item.end]
                )
                continue
        out.append(item)
    return out


def _not_counts(text: str, found: list[_Found]) -> list[_Found]:
    """Numbers that are dates or lengths of time ('10 May', 'in 2024', 'past 10 days'): set
    aside while the quote has another number."""
    rest = []
    for f in found:
        before, after = text[: f.start].lower(), text[f.end :].lower()
        if f.high is None and (
            re.match(r"\s*" + _MONTH, after)
            or re.search(_MONTH + r"\s*$", before)
            or re.match(r"\s*" + _PERIOD, after)
            or (re.fullmatch(r"(19|20)\d\d", f.text) and not re.match(r"\s*%", after))
        ):
            continue
        rest.append(f)
    return rest or found


def _qualifier(before: str) -> tuple[str, str]:
    """The value form the words before a number ask for, and those words."""
    before = re.sub(r"[\s$]+$", "", before.lower())
    for words, form in _QUALIFIERS:
        if re.search(r"(?:^|[^\w])" + re.escape(words) + r"$", before):
            return form, words
    return "exact", ""


def wordings(text: str, vague: list[str]) -> list[str]:
    lowered = text.lower()
    hits = []
    for word in sorted(vague, key=len, reverse=True):
        for m in re.finditer(r"(?<!\w)" + re.escape(word.lower()) + r"(?!\w)", lowered):
            if not any(m.start() < e and s < m.end() for s, e, _ in hits):
                hits.append((m.start(), m.end(), word))
    return [w for _, _, w in sorted(hits)]


def propose_value(text: str, vague: list[str], pick: str | None = None) -> Proposal:
    """The value form a quote's wording asks for (data/README.md, 'Adding a figure').

    pick chooses among several numbers (as written, e.g. '1,750') or names a vague wording."""
    found = _numbers(text)
    words = wordings(text, vague)
    if pick is not None:
        lowered = pick.strip().lower()
        if lowered in (w.lower() for w in words):
            return Proposal({"vague": lowered}, f"the vague wording {lowered!r} (--number)")
        try:
            wanted = _as_number(pick.strip().rstrip("%").lstrip("$"))
        except ValueError:
            wanted = None
        chosen = [f for f in found if wanted is not None and wanted in (f.low, f.high)]
        if not chosen:
            shown = ", ".join([f.text for f in found] + words) or "none"
            raise CurateError(
                f"--number {pick!r} is not in the quote; its numbers: {shown}",
                "give one of them as written",
            )
        candidates = chosen[:1]
    else:
        candidates = _not_counts(text, found)
    if not candidates:
        if len(words) == 1:
            return Proposal({"vague": words[0].lower()}, f"the vague wording {words[0]!r}")
        if len(words) > 1:
            raise CurateError(
                f"the quote has several vague wordings: {', '.join(words)}",
                "choose one with --number WORDS",
            )
        raise CurateError(
            "no number found in the quote",
            "quote the words around the number (digits such as 1,200, or a vague wording "
            f"listed in vocabulary.yaml: {', '.join(sorted(vague)) or 'none yet'}), or give "
            "--value",
        )
    if len(candidates) > 1:
        shown = ", ".join(f.text for f in candidates)
        raise CurateError(
            f"the quote has several numbers: {shown}",
            f"choose one with --number, e.g. --number {candidates[-1].text.split()[0]}",
        )
    f = candidates[0]
    form, words_before = _qualifier(text[: f.start])
    percent = bool(re.match(r"\s*(?:%|per ?cent\b)", text[f.end :], re.IGNORECASE))
    if f.high is not None:
        value: dict[str, Any] = {"low": _plain(f.low), "high": _plain(f.high)}
        if form in ("about", "nearly"):
            value["approx"] = True
            return Proposal(value, f"a range, hedged by {words_before!r}", percent)
        return Proposal(value, f"a range ({f.text!r})", percent)
    n = _plain(f.low)
    if form == "exact":
        return Proposal(n, f"{f.text} with no qualifying word before it: exact", percent)
    return Proposal({form: n}, f"{words_before!r} before {f.text}", percent)


def propose_window(text: str) -> tuple[str, int | None] | None:
    """A stated window ('in the past ten days') and its days when they are exact."""
    m = _WINDOW.search(text)
    if not m:
        return None
    count, unit = (m.group(1) or "").lower(), m.group(2).lower()
    n = int(count) if count.isdigit() else _SMALL.get(count, 1 if not count else None)
    per = {"day": 1, "week": 7, "hour": None, "month": None}[unit.rstrip("s")]
    days = n * per if n and per else (1 if unit.startswith("hour") and n == 24 else None)
    return m.group(0), days


def figure_prefix(source_id: str) -> str:
    """'a005' for source 005_...: the seed's way of naming figures after their source."""
    m = re.match(r"^(\d+)_", source_id)
    return f"a{m.group(1)}" if m else source_id.split("_")[0][:24]


def _value_slug(value: Any) -> str:
    if not isinstance(value, dict):
        return number(value).replace(",", "")
    if "vague" in value:
        return re.sub(r"[^a-z0-9]+", "-", value["vague"].lower()).strip("-")
    if "low" in value:
        return f"{_plain(value['low'])}-{_plain(value['high'])}"
    (form, n), *_ = value.items()
    n = _plain(n)
    return str(n) if form in ("about", "nearly") else f"{form.replace('_', '-')}-{n}"


def propose_figure_id(source_id: str, metric: str, value: Any, claimant: str, taken) -> str:
    """a005-killed-or-wounded-about-1200 style ids, unique across the data folder."""
    base = f"{figure_prefix(source_id)}-{metric.replace('_', '-')}-{_value_slug(value)}"
    options = [base, f"{figure_prefix(source_id)}-{claimant}-{base.split('-', 1)[1]}"]
    for candidate in options:
        candidate = candidate[:80].rstrip("-.")
        if candidate not in taken:
            return candidate
    n = 2
    while f"{options[0][:76]}-{n}" in taken:
        n += 1
    return f"{options[0][:76]}-{n}"


def propose_source_id(existing: list[str], digest: str) -> str:
    """NNN_<16 hex>: the number after the highest numbered id, and the digest's first 16 hex
    digits (of the text when it is held)."""
    numbered = [m for i in existing if (m := re.match(r"^(\d+)_", i))]
    width = max([len(m.group(1)) for m in numbered] + [3])
    after = max([int(m.group(1)) for m in numbered], default=-1) + 1
    return f"{after:0{width}d}_{digest[:16]}"


def parse_part(text: str) -> tuple[str, str, str]:
    """'killed=400' or 'planned:sappers=800' -> (metric, subject, number as written)."""
    m = re.fullmatch(r"\s*([a-z0-9_]+)\s*(?::\s*([^=]+?))?\s*=\s*(.+?)\s*", text)
    if not m:
        raise CurateError(
            f"--part {text!r} is not METRIC=NUMBER or METRIC:SUBJECT=NUMBER",
            "e.g. --part killed=400 --part wounded=3,000, or --part planned:sappers=800",
        )
    return m.group(1), m.group(2) or "", m.group(3)
