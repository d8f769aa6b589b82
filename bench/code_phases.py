"""Where one sandboxed call's time goes, timed inside the server (for ``bench code``).

The floor in ``bench_code_nodes`` copies between buffers prepared for it; here the same two
copies are timed as they happen in real calls (the input into the worker's region while the
worker wakes, the result read out of the worker's memory or the region), next to the rest of
the call. The timers wrap the sandbox's own functions for the length of the measurement only.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from nodes.code.sandbox import channel, execute, pool, protocol, remote, shm
from nodes.code.sandbox.pool import SandboxPool

# (label, owner, attribute): what each phase times. "worker" is the wait for the answer: the
# worker decodes, runs the code and encodes its result meanwhile.
_PHASES: tuple[tuple[str, Any, str], ...] = (
    ("encode", protocol, "encode_table"),
    ("copy in", pool, "_write_values"),
    ("worker", channel.WorkerProcess, "receive"),
    ("read result", remote, "gather"),
    ("read result", shm.Region, "copy_out"),
    ("validate + decode", protocol, "decode_table"),
)


@contextlib.contextmanager
def _timers(spent: dict[str, list[float]]) -> Iterator[None]:
    saved = [(owner, name, getattr(owner, name)) for _, owner, name in _PHASES]

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label].append((time.perf_counter() - started) * 1000)

        return call

    try:
        for (label, owner, name), (_, _, function) in zip(_PHASES, saved, strict=True):
            setattr(owner, name, timed(label, function))
        yield
    finally:
        for owner, name, function in saved:
            setattr(owner, name, function)


async def phases(
    sandbox: SandboxPool, code: str, table: pd.DataFrame, calls: int
) -> tuple[float, float, dict[str, float]]:
    """``(in-process ms, sandbox ms, {phase: ms})``, medians over ``calls`` alternating
    calls (each phase runs once per call; a result is read one way or the other)."""
    header = {"kind": "script", "code": code, "names": ["src"]}
    local, remote_calls = [], []
    spent: dict[str, list[float]] = defaultdict(list)
    await sandbox.run("script", code, {"src": table}, {})
    with _timers(spent):
        for _ in range(calls):
            started = time.perf_counter()
            execute.run(header, [table])
            local.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await sandbox.run("script", code, {"src": table}, {})
            remote_calls.append((time.perf_counter() - started) * 1000)
    per_call = {label: statistics.median(times) for label, times in spent.items()}
    return statistics.median(local), statistics.median(remote_calls), per_call


def report(name: str, local: float, sandbox: float, parts: dict[str, float]) -> str:
    """Lines saying where the time went, and what 1.5x would leave for it."""
    known = sum(parts.values())
    copies = parts.get("copy in", 0.0) + parts.get("read result", 0.0)
    shown = ", ".join(f"{label} {ms:.2f}" for label, ms in parts.items())
    return (
        f"{name}: in-process {local:.2f} ms; sandbox {sandbox:.2f} ms = {shown}, "
        f"other {sandbox - known:.2f}\n"
        f"  1.5x leaves {local / 2:.2f} ms over in-process; the two copies took {copies:.2f} "
        f"({copies / local:.2f}x of in-process)"
    )
