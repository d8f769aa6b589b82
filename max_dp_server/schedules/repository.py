"""Schedule and fire queries, including the claim of a fire."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import FlowVersion, Schedule, ScheduleFire, User
from max_dp_server.schedules.lease import dialect
from max_dp_server.workspaces.repository import visible_workspace_ids

_NO_SYNC = {"synchronize_session": False}


async def search(
    session: AsyncSession,
    user: User,
    *,
    workspace_id: uuid.UUID | None = None,
    flow_id: uuid.UUID | None = None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Schedule], int]:
    query = select(Schedule)
    visible = visible_workspace_ids(user)
    if visible is not None:
        query = query.where(Schedule.workspace_id.in_(visible))
    if workspace_id is not None:
        query = query.where(Schedule.workspace_id == workspace_id)
    if flow_id is not None:
        query = query.where(Schedule.flow_id == flow_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Schedule.created_at.desc(), Schedule.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def fires(
    session: AsyncSession, schedule_id: uuid.UUID, limit: int, offset: int
) -> tuple[Sequence[ScheduleFire], int]:
    query = select(ScheduleFire).where(ScheduleFire.schedule_id == schedule_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(ScheduleFire.fire_time.desc()).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def latest_version(session: AsyncSession, flow_id: uuid.UUID) -> FlowVersion | None:
    return await session.scalar(
        select(FlowVersion)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.version.desc())
        .limit(1)
    )


# -- the scheduler ----------------------------------------------------------------------------
async def any_due(session: AsyncSession, now: dt.datetime) -> bool:
    """A cheap read before the scheduler opens a write transaction."""
    found = await session.scalar(
        select(Schedule.id).where(Schedule.enabled.is_(True), Schedule.next_fire_at <= now).limit(1)
    )
    return found is not None


async def lock_due(session: AsyncSession, now: dt.datetime, limit: int) -> Sequence[Schedule]:
    """Enabled schedules whose next fire is due, oldest first, locked until the tick commits
    (FOR UPDATE on PostgreSQL; SQLite's write transaction is exclusive anyway)."""
    rows = await session.scalars(
        select(Schedule)
        .where(Schedule.enabled.is_(True), Schedule.next_fire_at <= now)
        .order_by(Schedule.next_fire_at)
        .limit(limit)
        .with_for_update()
    )
    return rows.all()


async def advance(session: AsyncSession, schedule_id: uuid.UUID, **values: object) -> None:
    """Move a schedule on (next/last fire). ``updated_at`` stays: it is the users' last edit."""
    await session.execute(
        update(Schedule)
        .where(Schedule.id == schedule_id)
        .values(**values, updated_at=Schedule.updated_at)
        .execution_options(**_NO_SYNC)
    )


async def claim_fire(
    session: AsyncSession,
    schedule_id: uuid.UUID,
    fire_time: dt.datetime,
    *,
    holder: str,
    now: dt.datetime,
    status: str = "claimed",
    message: str | None = None,
) -> int | None:
    """Insert (schedule, fire time) unless it exists: the new fire's id, or None when another
    process (or an earlier tick) claimed that fire. Only the caller that gets an id runs it."""
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(ScheduleFire)
        .values(
            schedule_id=schedule_id,
            fire_time=fire_time,
            status=status,
            message=message,
            claimed_by=holder,
            claimed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["schedule_id", "fire_time"])
        .returning(ScheduleFire.id)
    )
    return result.scalar_one_or_none()


async def finish_fire(
    session: AsyncSession,
    fire_id: int,
    *,
    status: str,
    run_id: uuid.UUID | None = None,
    message: str | None = None,
) -> bool:
    """Record how a claimed fire went; False if it is no longer ``claimed`` (see orphans).
    A ``message`` of None keeps the claim's own (a catch-up fire says so)."""
    values: dict[str, object] = {"status": status, "run_id": run_id}
    if message is not None:
        values["message"] = message
    result = await session.execute(
        update(ScheduleFire)
        .where(ScheduleFire.id == fire_id, ScheduleFire.status == "claimed")
        .values(**values)
        .returning(ScheduleFire.id)
        .execution_options(**_NO_SYNC)
    )
    return result.scalar_one_or_none() is not None


async def fail_orphans(
    session: AsyncSession, *, holder: str, before: dt.datetime, message: str
) -> int:
    """Fires other processes claimed but never started (they died in between): failed."""
    result = await session.execute(
        update(ScheduleFire)
        .where(
            ScheduleFire.status == "claimed",
            ScheduleFire.claimed_by != holder,
            ScheduleFire.claimed_at < before,
        )
        .values(status="failed", message=message)
        .execution_options(**_NO_SYNC)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_fires(session: AsyncSession, before: dt.datetime) -> int:
    result = await session.execute(
        delete(ScheduleFire).where(ScheduleFire.fire_time < before).execution_options(**_NO_SYNC)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
