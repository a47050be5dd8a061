"""Development tools, not shipped in the wheel: benchmarks (`python -m bench`), the load
test, synthetic data, and the protocol viewer and page checks the tests share."""
