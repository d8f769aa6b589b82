"""The lease row (SQLite and PostgreSQL) and the unique claim under real concurrency
(PostgreSQL: two sessions inserting the same fire at the same time)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from max_dp_server.db import utcnow
from max_dp_server.models import ScheduleFire, SchedulerLease, StoredFlow, Workspace
from max_dp_server.models.schedule import LEASE_NAME, Schedule
from max_dp_server.schedules import lease, repository

TTL = dt.timedelta(seconds=30)


async def test_one_holder_at_a_time_and_takeover_after_expiry(manual: Any) -> None:
    sessions = manual.api.state.sessionmaker
    now = utcnow()

    async def acquire(holder: str, at: dt.datetime) -> int | None:
        async with sessions.begin() as session:
            return await lease.acquire(session, holder, TTL, at)

    async def fence(holder: str, token: int, at: dt.datetime) -> bool:
        async with sessions.begin() as session:
            return await lease.fence(session, holder, token, TTL, at)

    first = await acquire("a", now)
    assert first is not None
    assert await acquire("b", now + dt.timedelta(seconds=29)) is None  # a's lease still runs
    assert await acquire("a", now + dt.timedelta(seconds=10)) == first  # renewing keeps the token
    # a renewed at +10 s: its lease now ends at +40 s.
    assert await acquire("b", now + dt.timedelta(seconds=39)) is None
    taken = await acquire("b", now + dt.timedelta(seconds=41))
    assert taken == first + 1
    assert await acquire("a", now + dt.timedelta(seconds=42)) is None
    assert await fence("a", first, now + dt.timedelta(seconds=42)) is False  # fenced off
    assert await fence("b", taken, now + dt.timedelta(seconds=42)) is True
    async with sessions() as session:
        state = await lease.read(session)
    assert state is not None
    assert (state.holder, state.token) == ("b", taken)
    assert state.expires_at == now + dt.timedelta(seconds=42) + TTL
    async with sessions.begin() as session:
        assert await lease.release(session, "a", first) is False
        assert await lease.release(session, "b", taken) is True
    assert await acquire("a", now + dt.timedelta(seconds=43)) == taken + 1  # free at once


async def test_an_expired_lease_cannot_fence_a_tick(manual: Any) -> None:
    sessions = manual.api.state.sessionmaker
    now = utcnow()
    async with sessions.begin() as session:
        token = await lease.acquire(session, "a", TTL, now)
    assert token is not None
    async with sessions.begin() as session:
        assert (
            await lease.fence(session, "a", token, TTL, now + TTL + dt.timedelta(seconds=1))
            is False
        )


async def test_a_missing_lease_row_is_put_back(manual: Any) -> None:
    sessions = manual.api.state.sessionmaker
    async with sessions.begin() as session:
        await session.execute(delete(SchedulerLease))
    async with sessions.begin() as session:
        assert await lease.acquire(session, "a", TTL, utcnow()) == 1
        assert (await session.get(SchedulerLease, LEASE_NAME)) is not None


# -- the unique claim on real PostgreSQL ------------------------------------------------
@pytest.fixture
async def pg_sessions(postgres_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(postgres_database, pool_size=12)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


@pytest.fixture
async def pg_schedule(pg_sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[uuid.UUID]:
    async with pg_sessions.begin() as session:
        workspace = Workspace(name=f"claims-{uuid.uuid4().hex[:8]}")
        session.add(workspace)
        await session.flush()
        flow = StoredFlow(
            workspace_id=workspace.id, name="f", document={"name": "f"}, latest_version=0
        )
        session.add(flow)
        await session.flush()
        schedule = Schedule(
            workspace_id=workspace.id, flow_id=flow.id, cron="* * * * *", timezone="UTC"
        )
        session.add(schedule)
        await session.flush()
        schedule_id, workspace_id = schedule.id, workspace.id
    try:
        yield schedule_id
    finally:
        async with pg_sessions.begin() as session:
            await session.execute(delete(Workspace).where(Workspace.id == workspace_id))


async def _count(sessions: async_sessionmaker[AsyncSession], schedule_id: uuid.UUID) -> int:
    async with sessions() as session:
        total = await session.scalar(
            select(func.count()).where(ScheduleFire.schedule_id == schedule_id)
        )
        return int(total or 0)


async def test_two_concurrent_claimers_only_one_wins(
    pg_sessions: async_sessionmaker[AsyncSession], pg_schedule: uuid.UUID
) -> None:
    fire_time = utcnow().replace(microsecond=0)

    async def claim(session: AsyncSession, holder: str) -> int | None:
        return await repository.claim_fire(
            session, pg_schedule, fire_time, holder=holder, now=utcnow()
        )

    first, second = pg_sessions(), pg_sessions()
    try:
        await first.begin()
        await second.begin()
        assert await claim(first, "p1") is not None  # inserted, not committed yet
        # The second insert of the same key waits on the first transaction's index entry…
        blocked = asyncio.create_task(claim(second, "p2"))
        done, _ = await asyncio.wait({blocked}, timeout=0.5)
        assert not done, "the second claim should wait for the first transaction"
        await first.commit()
        # …and once the first commits, does nothing: the fire is p1's.
        assert await asyncio.wait_for(blocked, 10) is None
        await second.commit()
    finally:
        await first.close()
        await second.close()
    assert await _count(pg_sessions, pg_schedule) == 1


async def test_many_claimers_at_once_one_winner_per_fire(
    pg_sessions: async_sessionmaker[AsyncSession], pg_schedule: uuid.UUID
) -> None:
    base = utcnow().replace(microsecond=0)
    times = [base + dt.timedelta(seconds=s) for s in range(5)]

    async def claimer(name: str) -> list[dt.datetime]:
        won = []
        for fire_time in times:
            async with pg_sessions.begin() as session:
                if await repository.claim_fire(
                    session, pg_schedule, fire_time, holder=name, now=utcnow()
                ):
                    won.append(fire_time)
        return won

    results = await asyncio.gather(*(claimer(f"p{i}") for i in range(8)))
    winners = sorted(t for won in results for t in won)
    assert winners == times  # every fire claimed, none twice
    assert await _count(pg_sessions, pg_schedule) == len(times)
