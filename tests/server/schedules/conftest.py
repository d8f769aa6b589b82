"""Schedule fixtures: an app whose scheduler jobs are off, so a test drives a runner by hand."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from max_dp_server.models import RunRecord, Schedule, ScheduleFire
from max_dp_server.schedules.runner import ScheduleRunner


class Manual:
    """An API client plus a ScheduleRunner that only acts when the test says so."""

    def __init__(self, api: Any) -> None:
        self.api = api
        self.runner = ScheduleRunner(api.state)

    async def setup(self, doc: dict[str, Any], *, versions: int = 1) -> tuple[Any, str]:
        owner = await self.api.user()
        workspace_id = (await self.api.workspace(owner))["id"]
        flow = await self.api.flow(owner, workspace_id, doc)
        for _ in range(versions):
            r = await self.api.client.post(
                f"/api/v1/flows/{flow['id']}/versions", json={}, headers=owner.headers
            )
            assert r.status_code == 201, r.text
        return owner, flow["id"]

    async def schedule(self, owner: Any, flow_id: str, **body: Any) -> dict[str, Any]:
        body.setdefault("cron", "0 0 1 1 *")  # yearly: fires only when a test makes it due
        r = await self.api.client.post(
            f"/api/v1/flows/{flow_id}/schedules", json=body, headers=owner.headers
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def make_due(self, schedule_id: str, at: dt.datetime) -> None:
        async with self.api.state.sessionmaker.begin() as session:
            await session.execute(
                update(Schedule)
                .where(Schedule.id == uuid.UUID(schedule_id))
                .values(next_fire_at=at, updated_at=Schedule.updated_at)
            )

    async def fire(self) -> list[int]:
        """Take the lease, tick once, and wait until the claimed fires started their runs."""
        assert await self.runner.renew()
        claimed = await self.runner.tick()
        await self.runner.wait_started()
        return claimed

    async def fires(self, schedule_id: str) -> list[ScheduleFire]:
        async with self.api.state.sessionmaker() as session:
            rows = await session.scalars(
                select(ScheduleFire)
                .where(ScheduleFire.schedule_id == uuid.UUID(schedule_id))
                .order_by(ScheduleFire.fire_time)
            )
            return list(rows.all())

    async def read(self, schedule_id: str) -> Schedule:
        async with self.api.state.sessionmaker() as session:
            found = await session.get(Schedule, uuid.UUID(schedule_id))
            assert found is not None
            return found

    async def runs(self, flow_id: str) -> list[RunRecord]:
        async with self.api.state.sessionmaker() as session:
            rows = await session.scalars(
                select(RunRecord)
                .where(RunRecord.flow_id == uuid.UUID(flow_id))
                .order_by(RunRecord.created_at)
            )
            return list(rows.all())


@pytest.fixture
async def manual(app_factory: Any, make_api: Any) -> AsyncIterator[Manual]:
    async with app_factory(scheduler=False) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            helper = Manual(make_api(app, client))
            try:
                yield helper
            finally:
                await helper.runner.stop()
