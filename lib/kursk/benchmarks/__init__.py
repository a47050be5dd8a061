"""Benchmark modules run by kursk.bench; each has run(quick=False) -> list[dict]."""
