"""Benchmark modules run by `python -m bench`; each has run(quick=False) -> list[dict]."""
