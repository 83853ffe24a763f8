"""Benchmarks: ``python -m benchmarks`` prints tables, ours beside a baseline."""
