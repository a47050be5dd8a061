"""Adding a source or a figure from the command line: `kursk add-source`, `kursk add-figure`.

The curator gives what they read (a text file, a quote); this module works out what nobody
should compute by hand (the text's sha256, the next ids, the value form and its numbers),
appends the entry to the YAML keeping the file's comments and layout, validates the whole data
folder and, when anything fails, puts every file back byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import yaml
import yaml_rs
from pydantic import BaseModel, ValidationError

from ..paths import display_path
from .dataset import Dataset, load
from .issues import DataError, Issue, did_you_mean, pydantic_issues
from .models import Article, Figure
from .values import Value, number, overlap

FIGURES_HEADER = (
    "# yaml-language-server: $schema=../schema/figures.json\n"
    "# Add figures with `kursk add-figure {id} --quote ...` or by hand (data/README.md).\n"
)


class CurateError(Exception):
    """Input the command refuses, with what to do instead. Nothing has been written."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message + (f" (fix: {self.hint})" if self.hint else "")


class Rejected(CurateError):
    """The data folder did not validate with the addition; every file was put back."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message)
        self.issues = issues


@dataclass
class Added:
    """What a command wrote, for the curator to check."""

    id: str
    path: Path  # the YAML file the entry went into
    line: int  # the entry's first line there
    entry: str  # the entry as written
    notes: list[str] = field(default_factory=list)  # what else was done or proposed


# --- writing files safely ---------------------------------------------------------------------


class Transaction:
    """Files written during one command, with their previous bytes, so that a failure puts
    every one of them back exactly (a file that did not exist is removed again)."""

    def __init__(self) -> None:
        self._saved: dict[Path, bytes | None] = {}
        self._made: list[Path] = []

    def mkdir(self, folder: Path) -> None:
        if not folder.exists():
            folder.mkdir()
            self._made.append(folder)

    def write(self, path: Path, text: str) -> None:
        if path not in self._saved:
            self._saved[path] = path.read_bytes() if path.exists() else None
        _atomic_write(path, text.encode("utf-8"))

    def restore(self) -> None:
        for path, raw in reversed(self._saved.items()):
            if raw is None:
                path.unlink(missing_ok=True)
            else:
                _atomic_write(path, raw)
        for folder in reversed(self._made):
            folder.rmdir()


def _atomic_write(path: Path, raw: bytes) -> None:
    # A new file renamed over the old one: an interruption never leaves half a file behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


# --- YAML text --------------------------------------------------------------------------------


def _reads_back(text: str, value: Any) -> bool:
    """Whether both YAML readers (the loader's and the line finder's) read text as value."""
    try:
        first = yaml.safe_load(text)
        second = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any refusal by either reader means: quote it
        return False
    return first == value and second == value


def scalar(value: Any, flow: bool = False) -> str:
    """A value as a YAML scalar: plain when both readers read it back unchanged, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value)
    if flow and re.search(r"[,\[\]{}]", text):
        return json.dumps(text, ensure_ascii=False)
    if "\n" not in text and text == text.strip() and _reads_back(f"k: {text}", {"k": text}):
        return text
    return json.dumps(text, ensure_ascii=False)


def _date_scalar(value: Any) -> str:
    # Partial dates are written as the curator typed them ('2025-06-17', 'early 2025'); the
    # loader reads them as text either way, and a plain 2025-06-17 is what the seed files do.
    text = str(value)
    if re.fullmatch(r"[0-9A-Za-z~ -]+", text) and not text.isdigit():
        return text
    return scalar(value)


def flow_value(raw: Any) -> str:
    """A figure's value as written in the files: 6000, {about: 1200}, {low: 1, high: 2}."""
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in raw.items()) + "}"
    return scalar(raw)


def flow_list(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i, flow=True) for i in items) + "]"


def _entry(pairs: list[tuple[str, str]], indent: int) -> str:
    """A list item of key: value lines, its dash at column indent."""
    pad = " " * (indent + 2)
    lines = [f"{' ' * indent}- {pairs[0][0]}: {pairs[0][1]}"]
    lines += [f"{pad}{key}: {text}" for key, text in pairs[1:]]
    return "\n".join(lines) + "\n"


def _end(text: str, node: yaml.Node) -> int:
    """Where a node's content ends: past its last character, before any trailing blank lines
    (PyYAML's end marks of block scalars and collections reach into the next entry)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        if node.flow_style:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark.index
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def insert_item(text: str, key: str, pairs: list[tuple[str, str]], path: Path) -> tuple[str, int]:
    """text with a new item appended to the block list under top-level key, every other byte
    unchanged; and the new item's first line."""
    if "\r\n" in text:  # a file saved with Windows line ends gets them in the new lines too
        out, line = insert_item(text.replace("\r\n", "\n"), key, pairs, path)
        return out.replace("\n", "\r\n"), line
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CurateError(f"{display_path(path)} is not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise CurateError(f"{display_path(path)}: the top level is not a mapping")
    found = [(k, v) for k, v in root.value if k.value == key]
    if not found:  # no such key yet: the list starts at the end of the file
        head = text if not text or text.endswith("\n") else text + "\n"
        return head + f"{key}:\n" + _entry(pairs, 2), head.count("\n") + 2
    knode, vnode = found[0]
    empty = (isinstance(vnode, yaml.ScalarNode) and vnode.tag.endswith(":null")) or (
        isinstance(vnode, yaml.SequenceNode) and not vnode.value
    )
    if empty:
        # "figures: []" or "figures:": the key's line becomes "figures:" (a comment on it stays)
        start = text.rfind("\n", 0, knode.start_mark.index) + 1
        stop = text.find("\n", knode.end_mark.index)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop]
        m = re.fullmatch(r"(.*?:)\s*(?:\[\s*\]|null|~)?\s*(#.*)?", line)
        if not m:
            raise CurateError(
                f"{display_path(path)}:{knode.start_mark.line + 1}: cannot add to {key}: here",
                f"write it as '{key}:' followed by one '- id:' entry per line",
            )
        new_line = m.group(1) + (f"  {m.group(2)}" if m.group(2) else "")
        rest = text[stop + 1 :] if stop < len(text) else ""
        indent = knode.start_mark.column + 2
        number_ = text.count("\n", 0, start) + 2
        return text[:start] + new_line + "\n" + _entry(pairs, indent) + rest, number_
    if not isinstance(vnode, yaml.SequenceNode) or vnode.flow_style:
        raise CurateError(
            f"{display_path(path)}:{vnode.start_mark.line + 1}: {key}: is not a block list",
            f"write {key}: as one '- id: ...' entry per line (see data/README.md)",
        )
    items = vnode.value
    indent = vnode.start_mark.column
    # keep the file's habit: a blank line between entries, or none
    blank = len(items) > 1 and "\n\n" in text[_end(text, items[-2]) : items[-1].start_mark.index]
    if len(items) == 1:
        blank = key == "figures"
    stop = text.find("\n", _end(text, items[-1]))
    head, rest = (text + "\n", "") if stop < 0 else (text[: stop + 1], text[stop + 1 :])
    gap = "\n" if blank else ""
    return head + gap + _entry(pairs, indent) + rest, head.count("\n") + len(gap) + 1


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


def propose_source_id(existing: list[str], digest: str) -> str:
    """NNN_<16 hex>: the number after the highest numbered id, and the digest's first 16 hex
    digits (of the text when it is held)."""
    numbered = [m for i in existing if (m := re.match(r"^(\d+)_", i))]
    width = max([len(m.group(1)) for m in numbered] + [3])
    after = max([int(m.group(1)) for m in numbered], default=-1) + 1
    return f"{after:0{width}d}_{digest[:16]}"


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
        pairs.append(("published", _date_scalar(published)))
    if published_note:
        pairs.append(("published_note", scalar(published_note)))
    if accessed:
        pairs.append(("accessed", _date_scalar(accessed)))
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
    added = Added(sid, articles_path, line, _entry(pairs, 2))
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
        _atomic_write(dest, raw)
    except OSError as exc:
        return f"NOT copied ({exc.strerror}); {by_hand}"
    return f"copied the text to {dest}"


# --- add-figure: reading the number from the quote ------------------------------------------

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


def _vague_words(text: str, vague: list[str]) -> list[str]:
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
    words = _vague_words(text, vague)
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


def parse_part(text: str) -> tuple[str, str, str]:
    """'killed=400' or 'planned:sappers=800' -> (metric, subject, number as written)."""
    m = re.fullmatch(r"\s*([a-z0-9_]+)\s*(?::\s*([^=]+?))?\s*=\s*(.+?)\s*", text)
    if not m:
        raise CurateError(
            f"--part {text!r} is not METRIC=NUMBER or METRIC:SUBJECT=NUMBER",
            "e.g. --part killed=400 --part wounded=3,000, or --part planned:sappers=800",
        )
    return m.group(1), m.group(2) or "", m.group(3)


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
    **fields: Any,
) -> list[Added]:
    """Append the figure a quote reports to its source's figures file; with parts ('killed=400',
    'wounded=3,000'), one figure per part, written and validated together (parts of a stated
    total only add up once all of them are in).

    fields: the other keys of a figure (as_of, contingent, via, confidence, translation, claim,
    part_of, breakdown, revises, event, progress_of, denominator, share_of, note); empty ones
    are left out."""
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
        said = _vague_words(wording, list(data.vocabulary.confidence))
        if said:
            fields["confidence"] = said[0]
            shared.append(f"confidence {said[0]!r}: the claimant's wording in the quote")
    _check_quote_in_text(source_id, source, quote, texts_dir)

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
        out.append(Added(entry["id"], path, line, _entry(pairs, indent), notes))
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
            text = _date_scalar(v)
        else:
            text = scalar(v)
        pairs.append((key, text))
    return pairs


def _check_quote_in_text(source_id: str, source, quote: str, texts_dir: Path | None) -> None:
    """A quote must occur in its source's text when the text is at hand (kursk verify would
    fail later otherwise); sources without a held text cannot be checked."""
    if not source["text_held"] or texts_dir is None:
        return
    path = texts_dir / f"{source_id}.txt"
    if not path.is_file():
        return
    from ..analysis.provenance import Text  # the same matching as kursk verify

    if not Text(path.read_text(encoding="utf-8", errors="replace")).spans(quote):
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
