"""Tables crossing through a worker's shared-memory region: the same results as the pipes and
as plain pandas, a fallback to the pipes for tables that do not fit, and a server that trusts
nothing a worker says about the region (forged offsets and bytes become node errors, and the
worker is replaced). The worker keeps its three fds, and ``memory_mb`` still means the code's
own allocations."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import pytest_asyncio
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.code.sandbox import protocol, shm
from nodes.code.sandbox.channel import WorkerProcess
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool

# The pools belong to the module's event loop; only the async tests take this mark.
aio = pytest.mark.asyncio(loop_scope="module")

LIMITS = SandboxLimits(
    cpu_seconds=10, memory_mb=192, wall_seconds=30, max_output_rows=200_000, runs_per_worker=1000
)
ROWS = 100_000


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared() -> AsyncIterator[SandboxPool]:
    """The default region size (256 MB)."""
    async with SandboxPool(size=1, maxima=LIMITS) as pool:
        yield pool


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def piped() -> AsyncIterator[SandboxPool]:
    async with SandboxPool(size=1, maxima=LIMITS, shared_memory_mb=0) as pool:
        yield pool


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def tiny() -> AsyncIterator[SandboxPool]:
    async with SandboxPool(size=1, maxima=LIMITS, shared_memory_mb=1) as pool:
        yield pool


class Paths:
    """Which way each table went: ``sent`` counts the inputs written to the pipe per request,
    ``received`` says per answer whether its table came through the region."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.received: list[bool] = []
        self.worker: WorkerProcess | None = None


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Paths:
    seen = Paths()
    send, receive = WorkerProcess.send, WorkerProcess.receive

    def spy_send(self: WorkerProcess, parts: list[Any], deadline: float) -> None:
        seen.sent.append(sum(isinstance(p, protocol.OutTable) for p in parts))
        send(self, parts, deadline)

    def spy_receive(self: WorkerProcess, deadline: float, max_table_bytes: int | None) -> Any:
        header, blobs = receive(self, deadline, max_table_bytes)
        if header.get("tables"):
            seen.received.append(blobs[0] is None)
        seen.worker = self
        return header, blobs

    monkeypatch.setattr(WorkerProcess, "send", spy_send)
    monkeypatch.setattr(WorkerProcess, "receive", spy_receive)
    return seen


def forge(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """Make every answer look as if a subverted worker had sent it: ``change(worker, meta)``
    edits the result's meta (and may scribble in the region) before the server decodes it."""
    receive = WorkerProcess.receive

    def forged(self: WorkerProcess, deadline: float, max_table_bytes: int | None) -> Any:
        header, blobs = receive(self, deadline, max_table_bytes)
        if header.get("ok"):
            change(self, header["tables"][0])
            blobs[0] = None  # the server now believes the table is in the region
        return header, blobs

    monkeypatch.setattr(WorkerProcess, "receive", forged)


def big_table(rows: int = ROWS) -> pd.DataFrame:
    """Strings with unicode and nulls, nullable ints and booleans, naive and zoned datetimes,
    floats with NaN, a categorical and a mixed object column (sent as JSON)."""
    rng = np.random.default_rng(3)
    words = np.array(["서울", "Zürich", "naïve", "", "KR", "emoji 🚀"], dtype=object)
    text = words[rng.integers(0, len(words), rows)]
    text[::7] = None
    price = rng.gamma(2.0, 50.0, rows).round(2)
    price[::11] = np.nan
    count = pd.array(rng.integers(0, 100, rows), dtype="Int64")
    count[::13] = pd.NA
    flag = pd.array(rng.integers(0, 2, rows).astype(bool), dtype="boolean")
    flag[::17] = pd.NA
    start = pd.Timestamp("2024-01-01")
    mixed = np.array([1, "a", None, 2.5], dtype=object)[np.arange(rows) % 4]
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "text": pd.array(text, dtype="str"),
            "price": price,
            "count": count,
            "flag": flag,
            "at": start + pd.to_timedelta(np.arange(rows), unit="min"),
            "at_seoul": (start + pd.to_timedelta(np.arange(rows), unit="s")).tz_localize(
                "Asia/Seoul"
            ),
            "kind": pd.Categorical(np.array(["a", "b", "c"])[np.arange(rows) % 3]),
            "mixed": mixed,
        }
    )


SCRIPT = """
d = df.copy()
d['total'] = d['price'] * d['count']
d['upper'] = d['text'].str.upper()
d['day'] = d['at'].dt.day
d['hour_seoul'] = d['at_seoul'].dt.hour
result = d[(d['total'] > 100) | d['flag'].fillna(False)]
"""


def plain_script(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    d["total"] = d["price"] * d["count"]
    d["upper"] = d["text"].str.upper()
    d["day"] = d["at"].dt.day
    d["hour_seoul"] = d["at_seoul"].dt.hour
    return d[(d["total"] > 100) | d["flag"].fillna(False)]


@aio
async def test_large_table_is_the_same_through_the_region_the_pipes_and_plain_pandas(
    shared, piped, paths
):
    df = big_table()
    expected = plain_script(df)
    assert 1000 < len(expected) < ROWS  # the filter keeps some rows, not all
    through_region = (await shared.run("script", SCRIPT, {"src": df}, {})).table
    assert (paths.sent, paths.received) == ([0], [True])
    through_pipes = (await piped.run("script", SCRIPT, {"src": df}, {})).table
    assert (paths.sent, paths.received) == ([0, 1], [True, False])
    assert_frame_equal(through_region, expected)
    assert_frame_equal(through_pipes, expected)
    # The mixed column came back as Python objects, not as its JSON text.
    assert {type(v) for v in through_region["mixed"]} == {int, str, float, type(None)}


@aio
async def test_apply_function_on_a_large_table_through_the_region(shared, piped, paths):
    df = big_table(20_000)
    code = "lambda value: value[::-1] + '!' if isinstance(value, str) else None"
    options = {"column": "text", "target": "reversed"}
    expected = df.copy()
    expected["reversed"] = df["text"].map(lambda v: v[::-1] + "!" if isinstance(v, str) else None)
    through_region = await shared.run("apply", code, {"src": df}, {}, options=options)
    through_pipes = await piped.run("apply", code, {"src": df}, {}, options=options)
    assert (paths.sent, paths.received) == ([0, 1], [True, False])
    assert_frame_equal(through_region.table, expected)
    assert_frame_equal(through_pipes.table, expected)


@aio
async def test_empty_and_unicode_labelled_tables_cross_the_region(shared, paths):
    # (An empty categorical comes back with object categories, through the pipes as well.)
    empty = big_table(0).drop(columns=["kind"])
    out = await shared.run("script", "result = df", {"src": empty}, {})
    assert_frame_equal(out.table, empty)
    labels = pd.DataFrame({"가격": [1.5, None], 3: ["x", "서울"], "dup": [1, 2]})
    labels.columns = ["가격", 3, 3]
    out = await shared.run("script", "result = df", {"src": labels}, {})
    assert_frame_equal(out.table, labels)
    assert paths.received == [True, True]


@aio
async def test_tables_larger_than_the_region_fall_back_to_the_pipes(tiny, paths):
    big = big_table()  # several MB, the region holds 1 MB
    small = pd.DataFrame({"id": [0, 5, 7], "note": ["zero", "five", "일곱"]})
    code = "result = inputs['big'].merge(inputs['small'], on='id', how='inner')"
    out = await tiny.run("script", code, {"big": big, "small": small}, {})
    # The big input went by pipe, the small one and the small result through the region.
    assert (paths.sent, paths.received) == ([1], [True])
    assert_frame_equal(out.table, big.merge(small, on="id", how="inner"))
    out = await tiny.run("script", SCRIPT, {"src": big}, {})
    assert (paths.sent[-1], paths.received[-1]) == (1, False)
    assert_frame_equal(out.table, plain_script(big))


async def wait_for_workers(pool: SandboxPool, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while pool.live_workers < count:
        assert time.monotonic() < deadline, f"pool has {pool.live_workers} workers"
        await asyncio.sleep(0.05)


FORGED_LOCATIONS = {
    "past_the_end": (lambda size: [size - 8, 100], "lies outside the shared region"),
    "negative_offset": (lambda size: [-64, 100], "lies outside the shared region"),
    "huge_length": (lambda size: [0, 2**62], "lies outside the shared region"),
    "overflowing_sum": (lambda size: [2**63, 2**63], "lies outside the shared region"),
    "bool_offset": (lambda size: [True, 100], "bad shared-memory location"),
    "float_offset": (lambda size: [0.0, 100], "bad shared-memory location"),
    "string": (lambda size: "0,100", "bad shared-memory location"),
    "three_numbers": (lambda size: [0, 1, 2], "bad shared-memory location"),
    "missing": (lambda size: None, "bad shared-memory location"),
}


@aio
@pytest.mark.parametrize("name", list(FORGED_LOCATIONS))
async def test_forged_offsets_are_a_node_error_and_the_worker_is_replaced(
    shared, monkeypatch, name
):
    make, message = FORGED_LOCATIONS[name]

    def change(worker: WorkerProcess, meta: dict[str, Any]) -> None:
        assert worker.region is not None
        meta[protocol.SHARED] = make(worker.region.size)

    await wait_for_workers(shared, 1)
    before = shared.worker_pids()
    forge(monkeypatch, change)
    with pytest.raises(NodeError, match=rf"^sandbox: bad answer from the worker: .*{message}"):
        await shared.run("script", "result = df", {"src": pd.DataFrame({"a": [1, 2]})}, {})
    monkeypatch.undo()
    await wait_for_workers(shared, 1)
    assert shared.worker_pids() != before
    again = await shared.run("script", "result = df", {"src": pd.DataFrame({"a": [1, 2]})}, {})
    assert_frame_equal(again.table, pd.DataFrame({"a": [1, 2]}))


@aio
async def test_garbage_bytes_in_the_region_are_a_node_error(shared, monkeypatch):
    def scribble(worker: WorkerProcess, meta: dict[str, Any]) -> None:
        assert worker.region is not None
        offset, length = meta[protocol.SHARED]
        worker.region.view(offset, length)[:] = bytes([0xFF]) * length

    await wait_for_workers(shared, 1)
    before = shared.worker_pids()
    forge(monkeypatch, scribble)
    with pytest.raises(NodeError, match=r"^sandbox: bad answer from the worker: "):
        await shared.run("script", "result = df", {"src": big_table(1000)}, {})
    monkeypatch.undo()
    await wait_for_workers(shared, 1)
    assert shared.worker_pids() != before


@aio
async def test_the_result_is_copied_out_of_the_region(shared, paths):
    df = big_table(5000)
    out = (await shared.run("script", "result = df", {"src": df}, {})).table
    assert paths.received == [True] and paths.worker is not None
    region = paths.worker.region
    assert region is not None
    # What the next request (or a subverted worker) writes there no longer matters.
    region.view(0, region.size)[:] = bytes(region.size)
    assert_frame_equal(out, df)


def plain_table(rows: int) -> pd.DataFrame:
    """Only dtypes that cross as bare Arrow arrays (see plainframe)."""
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "region": pd.array(rng.choice(["KR", "US", "서울"], rows), dtype="str"),
            "price": rng.gamma(2.0, 50.0, rows).round(2),
            "qty": rng.integers(1, 10, rows).astype(np.int32),
            "paid": rng.integers(0, 2, rows).astype(bool),
            "at": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(rows), unit="s"),
        }
    )


IN_PLACE = """
df.loc[df['qty'] > 5, 'price'] = 0.0
df.iat[0, 3] = 99
d = df[df['paid']]
d = d.assign(total=d['price'] * d['qty'])
result = d
"""


def in_place(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[df["qty"] > 5, "price"] = 0.0
    df.iat[0, 3] = 99
    d = df[df["paid"]]
    return d.assign(total=d["price"] * d["qty"])


@aio
async def test_code_that_writes_into_its_input_gets_what_pandas_gives(shared, piped, paths):
    # The worker reads the region in place; numbers are writable views of it.
    df = plain_table(ROWS)
    expected = in_place(df)
    for pool in (shared, piped):
        out = await pool.run("script", IN_PLACE, {"src": df}, {})
        assert_frame_equal(out.table, expected)
    assert paths.sent == [0, 1] and paths.received == [True, False]
    assert_frame_equal(df, plain_table(ROWS))  # the server's table is untouched


@aio
async def test_a_result_that_is_its_input_crosses_intact(shared, paths):
    # The result is a view of the input area (columns reordered, so written over it they
    # would overwrite each other): the answer is written after it.
    df = plain_table(ROWS)
    out = await shared.run("script", "result = df[list(df.columns)[::-1]]", {"src": df}, {})
    assert paths.received == [True]
    assert_frame_equal(out.table, df[df.columns[::-1]])
    out.table.loc[0, "price"] = -1.0  # the server's copy is writable, and its own
    assert df.loc[0, "price"] != -1.0


# -- the walls ---------------------------------------------------------------------------------


@aio
async def test_the_worker_keeps_three_fds_with_the_region_mapped(shared):
    await wait_for_workers(shared, 1)
    (pid,) = shared.worker_pids()
    assert sorted(os.listdir(f"/proc/{pid}/fd")) == ["0", "1", "2"]
    assert (
        "Max open files            3                    3"
        in Path(f"/proc/{pid}/limits").read_text()
    )
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except PermissionError:  # not root: the worker is not dumpable
        pytest.skip("cannot read the worker's memory map")
    assert "/memfd:maxdp-sandbox" in maps


@aio
async def test_memory_mb_still_means_the_codes_own_allocations(shared, piped):
    # RLIMIT_AS = idle footprint (which includes the 256 MB region) + memory_mb (192).
    grown = shared.walls()["baseline_mb"] - piped.walls()["baseline_mb"]
    assert shm.DEFAULT_MB - 8 <= grown <= shm.DEFAULT_MB + 8
    code = "x = np.ones(150 * 2 ** 20 // 8)\nresult = pd.DataFrame({'n': [len(x)]})"
    out = await shared.run("script", code, {}, {})
    assert out.table["n"].tolist() == [150 * 2**20 // 8]
    with pytest.raises(NodeError, match=r"^limit: memory exceeded 192 MB \(line 1\)$"):
        await shared.run("script", "x = np.ones(400 * 2 ** 20 // 8)\nresult = df", {}, {})


@aio
async def test_memory_kept_for_reuse_stays_within_memory_mb(shared):
    # 100 MB in 20 MB blocks come from the worker's heap, which keeps them when freed (see
    # nodes/code/sandbox/heap.py). The next runs may reuse them, for one 150 MB block too, but
    # the kept memory is part of memory_mb (192), not added to it.
    kept = "xs = [np.ones(20 * 2 ** 20 // 8) for i in range(5)]\nresult = pd.DataFrame({'n': [5]})"
    big = "x = np.ones(150 * 2 ** 20 // 8)\nresult = pd.DataFrame({'n': [len(x)]})"
    for _ in range(2):
        assert (await shared.run("script", kept, {}, {})).table["n"].tolist() == [5]
        assert (await shared.run("script", big, {}, {})).table["n"].tolist() == [150 * 2**20 // 8]
    await shared.run("script", kept, {}, {})
    many = "xs = [np.ones(20 * 2 ** 20 // 8) for i in range(11)]\nresult = df"
    with pytest.raises(NodeError, match=r"^limit: memory exceeded 192 MB \(line 1\)$"):
        await shared.run("script", many, {}, {})


def test_a_negative_region_size_is_refused():
    with pytest.raises(ValueError, match="shared_memory_mb"):
        SandboxPool(size=1, shared_memory_mb=-1)


@aio
async def test_runs_that_read_the_region_in_place_leave_nothing_that_views_it(shared):
    # Each of these would ask for a new worker if a view of its inputs outlived it.
    await wait_for_workers(shared, 1)
    before = shared.worker_pids()
    df = plain_table(20_000)
    scripts = [
        "result = df",
        "d = df.set_index('id')\nresult = d[d['qty'] > 3].reset_index()",
        "parts = [g for _, g in df.groupby('region')]\nresult = pd.concat(parts)",
        "x = df['price'].to_numpy()\nresult = df.assign(p=x * 2)",
    ]
    for code in scripts:
        await shared.run("script", code, {"src": df}, {})
    with pytest.raises(NodeError, match="ZeroDivisionError"):
        await shared.run("script", "d = df\nresult = 1 / 0", {"src": df}, {})
    options = {"column": "price", "target": "price"}
    await shared.run("apply", "value * 2", {"src": df}, {}, options=options)
    assert shared.worker_pids() == before
