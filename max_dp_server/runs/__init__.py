"""Runs: synchronous and background execution, run records, events (SSE), previews, retention."""
