"""FlowExecutor.run of a cached 3-node flow over 10 rows: p50/p99 latency.

The baseline is the same pandas work called directly, so the figure reads as engine overhead.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import pandas as pd

from flows.executor import FlowExecutor

ROWS = [{"id": i, "amount": i * 10, "region": "KR" if i % 2 else "US"} for i in range(10)]
FLOW = {
    "name": "small",
    "parameters": [{"name": "min", "type": "integer", "default": 20}],
    "nodes": [
        {"id": "src", "type": "static_data", "config": {"rows": ROWS}},
        {"id": "f", "type": "filter_rows", "config": {"condition": "amount > @min"}},
        {"id": "out", "type": "display_results", "config": {}},
    ],
    "edges": [{"source": "src", "target": "f"}, {"source": "f", "target": "out"}],
}


def _pcts(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def _engine(n: int) -> list[float]:
    ex = FlowExecutor(FLOW)
    for _ in range(200):
        await ex.run()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await ex.run({"min": 20})
        times.append(time.perf_counter() - t0)
    return times


def _baseline(n: int) -> list[float]:
    template = pd.DataFrame.from_records(ROWS)
    times = []
    for _ in range(n + 200):
        t0 = time.perf_counter()
        df = template.copy(deep=False)
        _ = df[df["amount"] > 20]
        times.append(time.perf_counter() - t0)
    return times[200:]


def main(n: int = 5000) -> dict[str, float]:
    engine_p50, engine_p99 = _pcts(asyncio.run(_engine(n)))
    base_p50, _ = _pcts(_baseline(n))
    figures = {
        "engine_p50_ms": engine_p50 * 1000,
        "engine_p99_ms": engine_p99 * 1000,
        "pandas_p50_ms": base_p50 * 1000,
        "overhead_p50_ms": (engine_p50 - base_p50) * 1000,
    }
    for key, value in figures.items():
        print(f"{key:>18}: {value:.3f}")
    return figures


if __name__ == "__main__":
    main()
