"""Cost of running user Python in the sandbox against the same code in the server process.

Three cases, each timed in-process (the same restricted code and guards, no worker) and through
a warm one-worker ``SandboxPool`` (tables cross as Arrow IPC over the pipes):

- ``small``: a computed column on 10 rows: the per-call overhead (target: under 5 ms);
- ``light``: computed column + filter on N rows (default 1e6): vectorised work so cheap that the
  transfer of the table both ways dominates;
- ``heavy``: string keys + group + custom aggregation on N rows: a script with real work.

Run ``python bench/bench_code_nodes.py [--rows N] [--repeat R]``; prints median milliseconds and
the sandbox / in-process ratio (throughput target on 1e6 rows: within 1.5x).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pandas as pd

from nodes.code.sandbox import execute
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool

SMALL = "result = df.assign(total=df['price'] * df['qty'])"
LIGHT = """
d = df.copy()
d['total'] = d['price'] * d['qty']
result = d[d['total'] > 500]
"""
HEAVY = """
d = df.copy()
d['key'] = d['region'].str.lower() + '-' + (d['qty'] % 7).astype(str)
g = d.groupby('key', as_index=False)
top3 = lambda s: s.nlargest(3).sum()
result = g.agg(total=('price', 'sum'), n=('qty', 'count'), top=('price', top3))
"""


def make_table(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "region": rng.choice(["KR", "US", "JP", "DE", "FR", "BR"], rows),
            "price": rng.gamma(2.0, 50.0, rows).round(2),
            "qty": rng.integers(1, 10, rows),
        }
    )


async def measure(
    local: Callable[[], Any], remote: Callable[[], Awaitable[Any]], repeat: int
) -> tuple[float, float]:
    """Median milliseconds of each; runs alternate so a busy machine skews both alike."""
    local()
    await remote()  # warm: compile caches, lazy imports
    local_times, remote_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        local()
        local_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        await remote()
        remote_times.append(time.perf_counter() - started)
    return statistics.median(local_times) * 1000, statistics.median(remote_times) * 1000


async def run(rows: int, repeat: int) -> list[tuple[str, int, float, float]]:
    cases = [
        ("small", SMALL, make_table(10)),
        ("light", LIGHT, make_table(rows)),
        ("heavy", HEAVY, make_table(rows)),
    ]
    limits = SandboxLimits(cpu_seconds=120, memory_mb=4096, wall_seconds=300)
    results = []
    async with SandboxPool(size=1, maxima=limits) as pool:
        for name, code, table in cases:
            header = {"kind": "script", "code": code, "names": ["src"]}
            local, remote = await measure(
                lambda h=header, t=table: execute.run(h, [t]),
                lambda c=code, t=table: pool.run("script", c, {"src": t}, {}),
                repeat if len(table) < 1000 else max(3, repeat // 4),
            )
            results.append((name, len(table), local, remote))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.rows, args.repeat))
    print(
        f"{'case':<6} {'rows':>9} {'in-process ms':>14} {'sandbox ms':>11} "
        f"{'overhead ms':>12} {'ratio':>6}"
    )
    for name, rows, local, remote in results:
        print(
            f"{name:<6} {rows:>9} {local:>14.2f} {remote:>11.2f} {remote - local:>12.2f} "
            f"{remote / local:>6.2f}"
        )


if __name__ == "__main__":
    main()
