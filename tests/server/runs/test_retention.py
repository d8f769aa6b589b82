"""Run history retention: keep N days and N runs per flow; active runs are never deleted."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update

from max_dp_server.models import NodeRunRecord, RunRecord


async def _runs(api: Any, flow_id: str, owner: Any, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        r = await api.client.post(f"/api/v1/flows/{flow_id}/run", headers=owner.headers)
        ids.append(r.json()["id"])
    return ids


async def _age(api: Any, run_ids: list[str], days: int) -> None:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    async with api.state.sessionmaker.begin() as session:
        await session.execute(
            update(RunRecord)
            .where(RunRecord.id.in_([uuid.UUID(i) for i in run_ids]))
            .values(created_at=when)
        )


async def _remaining(api: Any) -> set[str]:
    async with api.state.sessionmaker() as session:
        return {str(i) for i in (await session.scalars(select(RunRecord.id))).all()}


async def test_purge_by_age_and_by_count_per_flow(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow_a = await api.flow(owner, wid, make_flow_doc("a"))
    flow_b = await api.flow(owner, wid, make_flow_doc("b"))
    a_runs = await _runs(api, flow_a["id"], owner, 4)
    b_runs = await _runs(api, flow_b["id"], owner, 2)
    await _age(api, a_runs[:1], days=40)  # the oldest of flow a is past 30 days
    for offset, run_id in enumerate(a_runs[1:]):  # distinct creation times, oldest first
        await _age(api, [run_id], days=3 - offset)
    # One run still "running" (and old): never touched.
    async with api.state.sessionmaker.begin() as session:
        await session.execute(
            update(RunRecord).where(RunRecord.id == uuid.UUID(b_runs[0])).values(status="running")
        )
    await _age(api, b_runs[:1], days=100)

    state = api.state
    state.settings.run_retention_days = 30
    state.settings.run_retention_per_flow = 2
    deleted = await state.runs.purge_now()
    assert deleted == 2  # a_runs[0] by age, then a_runs[1] as the third-newest of flow a
    assert await _remaining(api) == {*a_runs[2:], *b_runs}
    async with state.sessionmaker() as session:
        orphans = await session.scalar(
            select(func.count())
            .select_from(NodeRunRecord)
            .where(NodeRunRecord.run_id.in_([uuid.UUID(i) for i in a_runs[:2]]))
        )
    assert orphans == 0  # node records went with their runs


async def test_zero_disables_retention(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, wid, make_flow_doc())
    runs = await _runs(api, flow["id"], owner, 3)
    await _age(api, runs, days=400)
    api.state.settings.run_retention_days = 0
    api.state.settings.run_retention_per_flow = 0
    assert await api.state.runs.purge_now() == 0
    assert await _remaining(api) == set(runs)


async def test_the_cleanup_loop_runs_on_start(
    app_factory: Any, make_api: Any, make_flow_doc: Any
) -> None:
    import asyncio

    import httpx

    async with (
        app_factory() as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        api = make_api(app, c)
        owner = await api.user()
        wid = (await api.workspace(owner))["id"]
        flow = await api.flow(owner, wid, make_flow_doc())
        runs = await _runs(api, flow["id"], owner, 2)
        await _age(api, runs[:1], days=90)
    async with app_factory(keep_data=True, retention_interval_minutes=60) as app:
        api = make_api(app, None)
        for _ in range(200):
            if await _remaining(api) == {runs[1]}:
                break
            await asyncio.sleep(0.02)
        assert await _remaining(api) == {runs[1]}
