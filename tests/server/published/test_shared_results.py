"""Asynchronous calls polled on another server process: the same answer as from the process
that ran them (JSON, CSV, running, failed), for as long as results live; results too large to
store say where their outputs are; expired ones are purged. Two apps on one database stand for
two ``maxdp serve`` processes behind a load balancer."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from max_dp_server.db import utcnow
from max_dp_server.models import ExecuteResult
from max_dp_server.published.shared_results import decode_outputs, encode_outputs
from tests.server.conftest import GATES, Api
from tests.server.published.helpers import expected_orders, failing_doc, orders_doc, publish

REFRESH_S = 0.1


@pytest.fixture
async def make_two_apps(app_factory: Any) -> Callable[..., Any]:
    def make(**overrides: Any) -> Any:
        @asynccontextmanager
        async def both() -> AsyncIterator[list[Api]]:
            GATES.clear()
            settings = {"endpoint_refresh_seconds": REFRESH_S, **overrides}
            async with (
                app_factory(**settings) as first,
                app_factory(keep_data=True, **settings) as second,
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=first), base_url="http://a"
                ) as a,
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=second), base_url="http://b"
                ) as b,
            ):
                yield [Api(first, a), Api(second, b)]
            for gate in GATES.values():
                gate.set()

        return both()

    return make


async def _eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (done := await check()):
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.02)
    return done


async def _served_by(api: Api, endpoint: str, key: dict[str, str]) -> None:
    """Wait until ``api``'s directory knows ``endpoint`` (its refresh interval)."""

    async def knows() -> bool:
        r = await api.client.get(f"/execute/{endpoint}/runs/{uuid.uuid4()}", headers=key)
        return r.status_code == 404 and "of endpoint" in r.json()["error"]["message"]

    await _eventually(knows)


async def _finished(api: Api, path: str, key: dict[str, str]) -> httpx.Response:
    async def done() -> httpx.Response | None:
        r = await api.client.get(path, headers=key)
        assert "status" in r.json(), (r.status_code, r.text)
        return r if r.json()["status"] != "running" else None

    return await _eventually(done)


async def _setup(two: list[Api], document: dict[str, Any], endpoint: str) -> dict[str, str]:
    first, second = two
    owner = await first.user()
    ws = (await first.workspace(owner))["id"]
    made = await publish(first, owner, ws, document, endpoint, mode="async")
    assert made.key is not None
    key = {"X-API-Key": made.key}
    await _served_by(second, endpoint, key)
    return key


async def test_a_poll_on_another_process_answers_like_the_one_that_ran_it(
    make_two_apps: Any,
) -> None:
    async with make_two_apps() as two:
        first, second = two
        key = await _setup(two, orders_doc(), "later")
        r = await first.client.get("/execute/later?min_amount=15", headers=key)
        assert r.status_code == 202, r.text
        path = r.headers["Location"]
        here = await _finished(first, path, key)
        there = await _finished(second, path, key)
        assert there.status_code == 200
        assert there.json() == here.json()
        assert there.json()["outputs"]["result"] == expected_orders(15)
        here_csv = await first.client.get(f"{path}?format=csv", headers=key)
        there_csv = await second.client.get(f"{path}?format=csv", headers=key)
        assert there_csv.headers["content-type"].startswith("text/csv")
        assert there_csv.content == here_csv.content
        # The same credentials are needed on every process.
        assert (await second.client.get(path)).status_code == 401


async def test_running_and_failed_calls_read_the_same_everywhere(
    make_two_apps: Any, make_wait_doc: Any
) -> None:
    async with make_two_apps() as two:
        first, second = two
        key = await _setup(two, make_wait_doc("shared-gate"), "waits")
        r = await first.client.get("/execute/waits", headers=key)
        path = r.headers["Location"]

        async def running_there() -> bool:
            r = await second.client.get(path, headers=key)
            return r.status_code == 200 and r.json() == {
                "run_id": path.rsplit("/", 1)[1],
                "status": "running",
            }

        await _eventually(running_there)
        GATES["shared-gate"].set()
        there = await _finished(second, path, key)
        assert there.json()["outputs"] == {"out": [{"x": 1}]}

        owner = await first.user()
        ws = (await first.workspace(owner))["id"]
        made = await publish(first, owner, ws, failing_doc(), "fails", mode="async")
        bad_key = {"X-API-Key": made.key or ""}
        await _served_by(second, "fails", bad_key)
        r = await first.client.get("/execute/fails", headers=bad_key)
        path = r.headers["Location"]
        here = await _finished(first, path, bad_key)
        there = await _finished(second, path, bad_key)
        assert there.json() == here.json()
        assert there.json()["status"] == "failed"
        assert there.json()["error"]["node_id"] == "bad"


async def test_results_too_large_to_store_say_where_their_outputs_are(make_two_apps: Any) -> None:
    async with make_two_apps(execute_result_shared_max_mb=0) as two:
        first, second = two
        key = await _setup(two, orders_doc(), "big")
        path = (await first.client.get("/execute/big", headers=key)).headers["Location"]
        here = await _finished(first, path, key)
        there = await _finished(second, path, key)
        assert here.json()["outputs"]["result"] == expected_orders(0)
        assert there.json()["status"] == "succeeded"
        assert there.json()["outputs"] is None


async def test_expired_results_are_not_served_and_are_purged(make_two_apps: Any) -> None:
    async with make_two_apps() as two:
        first, second = two
        key = await _setup(two, orders_doc(), "brief")
        path = (await first.client.get("/execute/brief", headers=key)).headers["Location"]
        # Stored as running before the 202: another process knows the run at once.
        assert (await second.client.get(path, headers=key)).status_code == 200
        await _finished(second, path, key)
        run_id = uuid.UUID(path.rsplit("/", 1)[1])
        async with first.state.sessionmaker.begin() as session:
            row = await session.get(ExecuteResult, run_id)
            assert row is not None
            row.expires_at = utcnow() - dt.timedelta(seconds=1)

        # Now only the run record answers (status, no outputs), once its batch is written.
        async def recorded() -> dict[str, Any] | None:
            r = await second.client.get(path, headers=key)
            return r.json() if r.status_code == 200 else None

        body = await _eventually(recorded)
        assert (body["status"], body["outputs"]) == ("succeeded", None)
        # The cleanup job (every WORKER_CLEANUP_INTERVAL_MINUTES) deletes it.
        job = second.state.scheduler.get_job("maxdp-execute-results-cleanup")
        assert job is not None and job.trigger.interval == dt.timedelta(minutes=30)
        assert await job.func() == 1
        async with first.state.sessionmaker() as session:
            assert await session.get(ExecuteResult, run_id) is None


def test_stored_outputs_come_back_exactly() -> None:
    n = np.arange(6)
    frames = {
        "plain": pd.DataFrame({"id": n, "price": n * 0.5, "name": pd.array(list("abcdef"))}),
        "mixed": pd.DataFrame(
            {
                "count": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
                "at": pd.date_range("2024-01-01", periods=6, tz="Asia/Seoul"),
                "kind": pd.Categorical(list("xyxyxy")),
                "any": np.array([1, "a", None, 2.5, [1, 2], {"k": 1}], dtype=object),
            },
            index=pd.Index([f"r{i}" for i in n], name="row"),
        ),
        "empty": pd.DataFrame({"a": pd.Series([], dtype="float64")}),
        "numbered labels": pd.DataFrame({1: [1.5, np.nan], (2, "b"): ["x", None]}),
    }
    blob = encode_outputs(frames, 1 << 20)
    assert blob is not None
    back = decode_outputs(blob)
    assert list(back) == list(frames)
    for name, frame in frames.items():
        assert_frame_equal(back[name], frame)
        assert back[name].to_csv(index=False) == frame.to_csv(index=False)
    assert encode_outputs(frames, 100) is None  # over the size limit
    assert encode_outputs({"odd": pd.DataFrame({"o": [object()]})}, 1 << 20) is None
