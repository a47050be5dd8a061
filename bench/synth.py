"""Synthetic but valid datasets, written as YAML: for benchmarks and scaling tests."""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

from kursk.paths import DATA_DIR

_FORMS = ("exact", "about", "over", "up_to", "range", "vague")


def write_dataset(target: Path, n_figures: int, per_file: int = 100, seed: int = 0) -> Path:
    """Write a dataset of n_figures figures in files of per_file figures; returns its folder."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "figures").mkdir(parents=True)
    for name in ("vocabulary.yaml", "claimants.yaml", "contingents.yaml"):
        shutil.copy(DATA_DIR / name, target / name)
    claimants = [
        "uk-intelligence",
        "kr-military",
        "kr-intelligence",
        "us-intelligence",
        "ua-president",
        "unattributed",
    ]
    contingents = ["initial-2024", "reinforcement-2025-03", "reconstruction-2025"]
    n_files = max(1, -(-n_figures // per_file))
    articles = []
    n = 0
    for f in range(n_files):
        aid = f"{f:06d}_{hashlib.sha256(str(f).encode()).hexdigest()[:16]}"
        articles.append(
            f'  - id: "{aid}"\n    title: Synthetic article {f}\n    published: 2025-0{1 + f % 9}\n'
            f"    sha256: {hashlib.sha256(aid.encode()).hexdigest()}\n"
        )
        lines = [f'article: "{aid}"\nfigures:\n']
        for _ in range(min(per_file, n_figures - n)):
            form = rng.choice(_FORMS)
            metric = rng.choice(("deployed", "killed_or_wounded", "arrived"))
            v = rng.randrange(100, 12000)
            value = {
                "exact": f"{v}",
                "about": f"{{about: {v}}}",
                "over": f"{{over: {v}}}",
                "up_to": f"{{up_to: {v}}}",
                "range": f"{{low: {v}, high: {v + 500}}}",
                "vague": "{vague: thousands}",
            }[form]
            lines.append(
                f"  - id: s{n}\n    claim: c{n % 997}-{form}-{v}-{metric}\n"
                f"    metric: {metric}\n"
                f"    value: {value}\n    claimant: {rng.choice(claimants)}\n"
                f"    as_of: 2025-0{1 + n % 9}-1{n % 9}\n    contingent: {rng.choice(contingents)}\n"
                f"    confidence: reportedly\n    quote: synthetic quote number {n} about {v} troops\n"
            )
            n += 1
        (target / "figures" / f"{aid}.yaml").write_text("".join(lines), encoding="utf-8")
    (target / "articles.yaml").write_text("articles:\n" + "".join(articles), encoding="utf-8")
    return target
