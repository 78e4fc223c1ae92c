"""Benchmarks: a corpus generator and the benchmark runner (`python benchmarks/run.py`)."""
