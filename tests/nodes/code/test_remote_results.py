"""Results the server reads from the worker's memory (``process_vm_readv``, see ``remote``):
the same tables as through the region and as plain pandas, a fallback where the kernel does not
allow the read, and a server that trusts nothing a worker says about its buffers (forged
positions, sizes and addresses become node errors, and the worker is replaced).

The reads need the right to ptrace the worker (``CAP_SYS_PTRACE``: root on the CI machine);
without it the tests that need them skip and say so."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
import pytest_asyncio
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.code.sandbox import copying, protocol, remote
from nodes.code.sandbox import pool as pool_module
from nodes.code.sandbox.channel import WorkerProcess
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool
from tests.nodes.code.test_shared_memory import forge, plain_table, wait_for_workers

aio = pytest.mark.asyncio(loop_scope="module")
LIMITS = SandboxLimits(
    cpu_seconds=10, memory_mb=192, wall_seconds=30, max_output_rows=300_000, runs_per_worker=1000
)
CAP_SYS_PTRACE = 19


def _may_ptrace() -> bool:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_SYS_PTRACE & 1)
    return False


needs_ptrace = pytest.mark.skipif(
    not _may_ptrace(),
    reason="reading a worker's memory needs CAP_SYS_PTRACE (run as root, as .ci/run does); "
    "without it results cross the region, which the other sandbox tests cover",
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reading() -> AsyncIterator[SandboxPool]:
    async with SandboxPool(size=1, maxima=LIMITS) as pool:
        yield pool


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def region_only() -> AsyncIterator[SandboxPool]:
    async with SandboxPool(size=1, maxima=LIMITS, read_worker_memory=False) as pool:
        yield pool


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The result metas of the answers the server decodes."""
    seen: list[dict[str, Any]] = []
    decode = pool_module.decode_answer

    def spy(region: Any, answer: dict[str, Any], *args: Any) -> pd.DataFrame:
        seen.append(dict(answer["tables"][0]))
        return decode(region, answer, *args)

    monkeypatch.setattr(pool_module, "decode_answer", spy)
    return seen


SCRIPT = """
d = df.copy()
d['total'] = d['price'] * d['qty']
result = d[d['total'] > 300]
"""


def plain_script(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    d["total"] = d["price"] * d["qty"]
    return d[d["total"] > 300]


def _left_in_the_worker(meta: dict[str, Any]) -> int:
    return sum(size for _, _, size in meta.get(protocol.REMOTE, []))


@aio
@needs_ptrace
async def test_results_are_read_from_the_workers_memory_and_equal_pandas(reading, answers):
    await wait_for_workers(reading, 1)
    assert all(w.reader is not None for w in reading._workers)
    df = plain_table(400_000)
    out = (await reading.run("script", SCRIPT, {"src": df}, {})).table
    assert_frame_equal(out, plain_script(df))
    (meta,) = answers
    # Nearly all of the stream stayed in the worker: only headers went through the region.
    assert _left_in_the_worker(meta) > 0.95 * meta[protocol.SHARED][1]
    # Large enough for the read to be shared by two threads.
    assert _left_in_the_worker(meta) > copying.MIN_PARALLEL_BYTES


@aio
async def test_without_reads_the_result_crosses_the_region_unchanged(region_only, answers):
    await wait_for_workers(region_only, 1)
    assert all(w.reader is None for w in region_only._workers)
    df = plain_table(200_000)
    out = (await region_only.run("script", SCRIPT, {"src": df}, {})).table
    assert_frame_equal(out, plain_script(df))
    (meta,) = answers
    assert protocol.REMOTE not in meta and protocol.SHARED in meta


@aio
@needs_ptrace
async def test_a_result_mixing_views_of_its_input_and_new_columns(reading, answers):
    # Columns that are views of the input are in the region: they are copied there, the new
    # one stays in the worker, and no view of the region outlives the run.
    await wait_for_workers(reading, 1)
    before = reading.worker_pids()
    df = plain_table(100_000)
    code = "result = df.assign(t=df['price'] * 2)"
    for _ in range(3):
        out = await reading.run("script", code, {"src": df}, {})
        assert_frame_equal(out.table, df.assign(t=df["price"] * 2))
    assert reading.worker_pids() == before
    new_column = 100_000 * 8
    assert all(_left_in_the_worker(meta) == new_column for meta in answers)


FORGED = {
    "not_a_list": (lambda holes, length: "x", "bad list of buffers"),
    "entry_of_two": (lambda holes, length: [h[:2] for h in holes], "bad buffer entry"),
    "bool_position": (lambda holes, length: [[True, *holes[0][1:]]], "bad buffer entry"),
    "past_the_stream": (lambda holes, length: [[length - 4, holes[0][1], 8]], "does not fit"),
    "overlapping": (
        lambda holes, length: [holes[0], [holes[0][0] + 8, holes[0][1], 16]],
        "does not fit",
    ),
    "zero_size": (lambda holes, length: [[holes[0][0], holes[0][1], 0]], "does not fit"),
    "negative_address": (lambda holes, length: [[holes[0][0], -8, 8]], "bad buffer address"),
    "unmapped_address": (
        lambda holes, length: [[p, 4096, size] for p, _, size in holes],
        "reading the worker's memory failed",
    ),
    "too_many": (
        lambda holes, length: [[i, holes[0][1], 1] for i in range(remote.MAX_PIECES + 1)],
        "bad list of buffers",
    ),
}


@aio
@needs_ptrace
@pytest.mark.parametrize("name", list(FORGED))
async def test_forged_buffers_are_a_node_error_and_the_worker_is_replaced(
    reading, monkeypatch, name
):
    make, message = FORGED[name]

    def change(worker: WorkerProcess, meta: dict[str, Any]) -> None:
        assert protocol.REMOTE in meta
        meta[protocol.REMOTE] = make(meta[protocol.REMOTE], meta[protocol.SHARED][1])

    await wait_for_workers(reading, 1)
    before = reading.worker_pids()
    forge(monkeypatch, change)
    df = plain_table(50_000)
    with pytest.raises(NodeError, match=rf"^sandbox: bad answer from the worker: .*{message}"):
        await reading.run("script", "result = df.assign(t=df['price'] * 2)", {"src": df}, {})
    monkeypatch.undo()
    await wait_for_workers(reading, 1)
    assert reading.worker_pids() != before
    again = await reading.run("script", "result = df.head(3)", {"src": df}, {})
    assert_frame_equal(again.table, df.head(3))


HOLDER = """
import os, sys
import numpy as np
data = np.frombuffer(os.urandom(1 << 20), dtype=np.uint8).copy()
print(data.ctypes.data, data[:16].tobytes().hex(), flush=True)
sys.stdin.read()
"""


@pytest.fixture
def holder() -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    """A process holding 1 MB of random bytes: ``(process, address, first 16 bytes as hex)``."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        address, head = child.stdout.readline().split()
        yield child, int(address), head
    finally:
        child.kill()
        child.wait()


@needs_ptrace
def test_a_reader_reads_only_while_its_process_lives(holder):
    child, address, head = holder
    reader = remote.Reader.for_worker(child.pid, [address, head])
    assert reader is not None
    target = np.zeros(1 << 20, dtype=np.uint8)
    reader.read([(target, address)])
    assert target[:16].tobytes().hex() == head
    child.kill()
    child.wait()
    with pytest.raises(remote.ReadError):
        reader.read([(target, address)])
    reader.close()


def test_a_probe_that_does_not_match_gives_no_reader(holder):
    child, address, head = holder
    wrong = bytes(16).hex() if head != bytes(16).hex() else "01" * 16
    assert remote.Reader.for_worker(child.pid, [address, wrong]) is None
    for malformed in (None, [], ["x", head], [address], [address, "zz"]):
        assert remote.Reader.for_worker(child.pid, malformed) is None
