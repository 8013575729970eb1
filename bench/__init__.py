"""Benchmark harness for ingest and build at city and national scale (issue 5).

Not part of the test suite; run it with ``uv run python -m bench.run --scale small|1m|10m``.
See ``bench/README.md``.
"""
