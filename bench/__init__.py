"""Benchmarks (not tests): `make bench` runs them and prints ratios against baselines."""
