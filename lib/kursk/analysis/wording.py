"""How numbers and claimants are worded in every sentence the product states."""

from __future__ import annotations

from collections import Counter

import pandas as pd


def fmt(n) -> str:
    """6000 -> '6,000'; missing -> '?'."""
    if n is None or pd.isna(n):
        return "?"
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def wordings(worded) -> str:
    """Distinct wordings of one claim, the most common first: 'about 4,000 / 3,800–4,000'."""
    counts = Counter(worded)
    seen = list(counts)  # first-seen order breaks ties
    return " / ".join(sorted(seen, key=lambda w: (-counts[w], seen.index(w))))


# Short display names for legends and axis labels (full names stay in hovers and source lines).
SHORT_NAMES = {
    "uk-intelligence": "UK intel",
    "kr-military": "S. Korean military",
    "kr-intelligence": "S. Korean intel",
    "us-intelligence": "US intel",
    "us-government": "US assessments",
    "ua-intelligence": "Ukrainian intel",
    "ua-president": "Zelensky",
    "ru-security-council": "Shoigu (Russia)",
    "kp-state": "North Korea",
    "unnamed-analysts": "Unnamed analysts",
    "unattributed": "Unattributed",
}


def short_name(claimant: str, full: str = "") -> str:
    """A short label for one claimant id, or several joined with ';'."""
    ids = str(claimant).split(";")
    fulls = full.split("; ") if full else ids
    names = [
        SHORT_NAMES.get(i, f[:24]) for i, f in zip(ids, fulls + ids[len(fulls) :], strict=False)
    ]
    last = {n.rsplit(" ", 1)[-1] for n in names}
    if len(names) > 2 and len(last) == 1 and all(" " in n for n in names):
        # "US intel", "S. Korean intel", "Ukrainian intel" -> "US, S. Korean, Ukrainian intel"
        return ", ".join(n.rsplit(" ", 1)[0] for n in names) + " " + last.pop()
    return " + ".join(names)
