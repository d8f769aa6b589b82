"""Cost of running user Python in the sandbox against the same code in the server process.

Three cases, each timed in-process (the same restricted code and guards, no worker) and through
two warm one-worker ``SandboxPool``s: one whose tables cross as Arrow IPC in the worker's
shared-memory region (the default), one with ``shared_memory_mb=0`` (Arrow IPC over the pipes):

- ``small``: a computed column on 10 rows: the per-call overhead (target: under 5 ms);
- ``light``: computed column + filter on N rows (default 1e6): vectorised work so cheap that the
  transfer of the table both ways dominates;
- ``heavy``: string keys + group + custom aggregation on N rows: a script with real work.

Run ``python -m bench code`` or ``python bench/bench_code_nodes.py [--rows N] [--repeat R]``;
prints milliseconds and the sandbox / in-process ratios (throughput target on 1e6 rows: within
1.5x): the median wall clock, and the mean CPU time of the server process plus the worker. The
server and the worker take turns, so the CPU figure is about what the wall clock would be on an
idle machine; on a shared one it is the steadier of the two.

It also prints a *floor* per case: the in-process time plus what any design behind these walls
pays at least, measured in the same run: one copy of the input's bytes into memory the worker
can read, one copy of the result's bytes into the server's own memory (each on two threads, as
the sandbox copies), and the validation of those untrusted bytes (``validation.validate``), with
no per-call cost at all. The copies run between buffers that are not in the cache, as the
sandbox's are: the input was last touched by the code that made it, the result by the worker on
the other core (warm, 18 MB copies in 0.8 ms here, cold in 1.3).

Last, for the 1e6-row cases, *throughput* with two calls at a time: a two-worker pool against
the same code in-process on two threads (as a server running code nodes in its own process
would), in calls per second; the ratio is in-process / sandbox, comparable with the others.

The in-process runs use the worker's malloc settings (``heap.keep_freed_memory``), so that
both sides allocate alike.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from bench import code_phases
from nodes.code.sandbox import copying, execute, heap, protocol, validation
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


_TICK = os.sysconf("SC_CLK_TCK")
# More than this machine's last-level cache (32 MB), so that the floor's copies start cold.
COLD_BYTES = 128 << 20


def _cpu_of(pid: int | None) -> float:
    """CPU seconds used so far by process ``pid`` (user + system); 0 when unreadable."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


@dataclass
class Timed:
    """Wall-clock ms (median), and CPU ms of the server process plus the worker (mean)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    async def time(self, call: Callable[[], Any], pool: SandboxPool | None) -> None:
        pid = None
        if pool is not None:
            while not pool.worker_pids():  # being replaced (see nodes/code/sandbox/heap.py)
                await asyncio.sleep(0.05)
            pid = pool.worker_pids()[0]
        cpu, worker, started = time.process_time(), _cpu_of(pid), time.perf_counter()
        result = call()
        if pool is not None:
            await result
        self.wall.append(time.perf_counter() - started)
        after = _cpu_of(pid)
        if pid is None or after > 0:  # else the worker retired after the run: no figure
            self.cpu.append(time.process_time() - cpu + after - worker)

    def figures(self) -> tuple[float, float]:
        # CPU: the mean, because /proc counts the worker's time in 10 ms ticks.
        return statistics.median(self.wall) * 1000, statistics.fmean(self.cpu) * 1000


async def measure(
    local: Callable[[], Any],
    remote: Callable[[SandboxPool], Awaitable[Any]],
    pools: list[Any],
    repeat: int,
) -> list[tuple[float, float]]:
    """``(wall, cpu)`` of ``local`` and of ``remote`` in each pool (see ``Timed``); runs
    alternate so a busy machine skews them all alike."""
    local()
    for pool in pools:
        await remote(pool)  # warm: compile caches, lazy imports, the region's pages
    timings = [Timed() for _ in range(len(pools) + 1)]
    for _ in range(repeat):
        await timings[0].time(local, None)
        for pool, timed in zip(pools, timings[1:], strict=True):
            await timed.time(lambda p=pool: remote(p), pool)
    return [t.figures() for t in timings]


def _median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _cold_copy_ms(size: int, helper: ThreadPoolExecutor, repeat: int) -> float:
    """Median ms of a ``size``-byte copy on two threads, between buffers that are not in the
    cache: it rotates over enough of them to flush it (at most 64: a small table's copy stays
    in the cache, in the sandbox too)."""
    count = min(64, max(3, -(-COLD_BYTES // max(size, 1))))
    pairs = [(np.zeros(size, dtype=np.uint8), np.ones(size, dtype=np.uint8)) for _ in range(count)]
    turn = itertools.count()
    return _median_ms(lambda: copying.copy([pairs[next(turn) % count]], helper), repeat)


def floor_ms(header: dict[str, Any], table: pd.DataFrame, repeat: int) -> float:
    """The walls' least cost for one call on ``table`` (see the module docstring)."""
    _, sent = protocol.encode_table(table)
    _, answer = protocol.encode_table(execute.run(header, [table]))
    with ThreadPoolExecutor(1) as helper:
        cost = sum(_cold_copy_ms(size, helper, repeat) for size in (sent.size, answer.size))
    received = pa.ipc.open_stream(answer.to_bytes()).read_all()
    return cost + _median_ms(lambda: validation.validate(received), repeat)


async def throughput(
    header: dict[str, Any], code: str, table: pd.DataFrame, pool: SandboxPool, calls: int
) -> tuple[float, float]:
    """Calls per second, two at a time: in-process on two threads, then through ``pool``
    (two workers)."""
    loop = asyncio.get_running_loop()

    async def stream(call: Callable[[], Awaitable[Any]], count: int) -> None:
        for _ in range(count):
            await call()

    rates = []
    with ThreadPoolExecutor(2) as threads:
        calls_of = (
            lambda: loop.run_in_executor(threads, execute.run, header, [table]),
            lambda: pool.run("script", code, {"src": table}, {}),
        )
        for call in calls_of:
            await asyncio.gather(stream(call, 2), stream(call, 2))  # warm both workers
            started = time.perf_counter()
            await asyncio.gather(stream(call, calls // 2), stream(call, calls - calls // 2))
            rates.append(calls / (time.perf_counter() - started))
    return rates[0], rates[1]


async def run(
    rows: int, repeat: int
) -> tuple[list[tuple[str, int, list[tuple[float, float]]]], list[tuple[str, float, float]], str]:
    """Per case: ``(name, rows, [in-process, shared memory, pipes, floor])``, each
    ``(wall, cpu)`` (the floor's CPU figure is its wall clock); per large case its
    throughput ``(name, in-process calls/s, sandbox calls/s)``; and where the time of a
    ``light`` call goes (``code_phases``)."""
    cases = [
        ("small", SMALL, make_table(10)),
        ("light", LIGHT, make_table(rows)),
        ("heavy", HEAVY, make_table(rows)),
    ]
    limits = SandboxLimits(
        cpu_seconds=120, memory_mb=4096, wall_seconds=300, runs_per_worker=100_000
    )
    results = []
    async with (
        SandboxPool(size=1, maxima=limits) as shared,
        SandboxPool(size=1, maxima=limits, shared_memory_mb=0) as piped,
    ):
        for name, code, table in cases:
            header = {"kind": "script", "code": code, "names": ["src"]}
            times = await measure(
                lambda h=header, t=table: execute.run(h, [t]),
                lambda pool, c=code, t=table: pool.run("script", c, {"src": t}, {}),
                [shared, piped],
                repeat if len(table) < 1000 else max(5, repeat // 2),
            )
            floor = times[0][0] + floor_ms(header, table, repeat)
            results.append((name, len(table), [*times, (floor, floor)]))
        light = cases[1]
        spent = await code_phases.phases(shared, light[1], light[2], max(5, repeat // 2))
        where = code_phases.report(f"light {len(light[2])}, one call", *spent)
    rates = []
    async with SandboxPool(size=2, maxima=limits) as pair:
        for name, code, table in cases:
            if len(table) >= 1000:
                header = {"kind": "script", "code": code, "names": ["src"]}
                calls = max(6, repeat // 2) if name == "light" else 6
                rates.append((name, *await throughput(header, code, table, pair, calls)))
    return results, rates, where


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    # Called as bench.bench_code_nodes.main() by `python -m bench code`: defaults, not that
    # command's argv.
    args = parser.parse_args(argv or [])
    # The in-process baseline gets the worker's malloc (see nodes/code/sandbox/heap.py): with
    # glibc's defaults its timings depend on what this process freed before (1e6 rows, cheap
    # script: 6.6 ms tuned, 15-16 ms untuned), and the ratio would measure malloc, not walls.
    heap.keep_freed_memory()
    results, rates, where = asyncio.run(run(args.rows, args.repeat))
    for title, which in (("wall clock", 0), ("CPU, server + worker", 1)):
        print(
            f"{title + ' ms':<24} {'in-process':>10} {'shm':>8} {'ratio':>6} "
            f"{'pipes':>8} {'ratio':>6} {'floor':>8} {'ratio':>6}"
        )
        for name, rows, times in results:
            local, shared, piped, floor = (t[which] for t in times)
            print(
                f"{name + ' ' + str(rows):<24} {local:>10.2f} {shared:>8.2f} "
                f"{shared / local:>6.2f} {piped:>8.2f} {piped / local:>6.2f} "
                f"{floor:>8.2f} {floor / local:>6.2f}"
            )
    print(f"{'two at a time, calls/s':<24} {'in-process':>10} {'sandbox':>8} {'ratio':>6}")
    for name, local_rate, sandbox_rate in rates:
        print(
            f"{name + ' ' + str(args.rows):<24} {local_rate:>10.1f} {sandbox_rate:>8.1f} "
            f"{local_rate / sandbox_rate:>6.2f}"
        )
    print(where)


if __name__ == "__main__":
    main(sys.argv[1:])
