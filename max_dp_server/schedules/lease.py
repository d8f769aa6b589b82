"""The scheduler lease: one row that elects the one process firing schedules.

Every statement is a single conditional UPDATE, so two processes can never both take the lease:
the database applies one UPDATE after the other and the second finds its condition false.
``token`` is a fencing token: it grows by one whenever the holder changes, so a process that
lost the lease (it stalled past the ttl and someone else took over) cannot renew it or fence a
tick with its old token.

Times are the database's clock on PostgreSQL (processes on several machines then agree on
when a lease expires); SQLite is one machine, whose clock every process shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.db import UTCDateTime, utcnow
from max_dp_server.models import SchedulerLease
from max_dp_server.models.schedule import LEASE_NAME

__all__ = ["LeaseState", "acquire", "database_now", "fence", "read", "release"]

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class LeaseState:
    holder: str | None
    token: int
    expires_at: dt.datetime | None
    acquired_at: dt.datetime | None
    renewed_at: dt.datetime | None


def dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def database_now(session: AsyncSession) -> dt.datetime:
    """Now, by the database's clock on PostgreSQL (clock_timestamp: not the transaction's
    start), by this machine's on SQLite."""
    if dialect(session) == "postgresql":
        value = await session.scalar(select(func.clock_timestamp()))
        assert isinstance(value, dt.datetime)
        return value.astimezone(dt.UTC)
    return utcnow()


def _at(value: dt.datetime) -> object:
    # A typed literal, so SQLite gets the same naive-UTC text as every other UTC column.
    return literal(value, UTCDateTime())


async def acquire(
    session: AsyncSession, holder: str, ttl: dt.timedelta, now: dt.datetime
) -> int | None:
    """Take the lease if it is free or expired, or renew it if ``holder`` has it; its token,
    or None when another live process holds it."""
    lease = SchedulerLease
    mine = lease.holder == holder
    statement = (
        update(lease)
        .where(
            lease.name == LEASE_NAME,
            or_(mine, lease.holder.is_(None), lease.expires_at.is_(None), lease.expires_at < now),
        )
        # SET reads the row as it was: the CASEs see the previous holder.
        .values(
            token=case((mine, lease.token), else_=lease.token + 1),
            acquired_at=case((mine, lease.acquired_at), else_=_at(now)),
            holder=holder,
            expires_at=now + ttl,
            renewed_at=now,
        )
        .returning(lease.token)
        .execution_options(**_NO_SYNC)
    )
    token = (await session.execute(statement)).scalar_one_or_none()
    if token is None and await session.get(SchedulerLease, LEASE_NAME) is None:
        # The row is gone (a test emptied the tables; someone deleted it): put it back.
        await _insert_row(session)
        token = (await session.execute(statement)).scalar_one_or_none()
    return int(token) if token is not None else None


async def fence(
    session: AsyncSession, holder: str, token: int, ttl: dt.timedelta, now: dt.datetime
) -> bool:
    """Renew the lease only if ``holder`` still has it with ``token`` and it has not expired.

    Run first in the transaction that claims fires: on PostgreSQL the row stays locked until
    that transaction commits, so nobody can take the lease over in the middle of a tick.
    """
    lease = SchedulerLease
    result = await session.execute(
        update(lease)
        .where(
            lease.name == LEASE_NAME,
            lease.holder == holder,
            lease.token == token,
            lease.expires_at >= now,
        )
        .values(expires_at=now + ttl, renewed_at=now)
        .returning(lease.token)
        .execution_options(**_NO_SYNC)
    )
    return result.scalar_one_or_none() is not None


async def release(session: AsyncSession, holder: str, token: int) -> bool:
    """Give the lease up (on shutdown), so another process takes over at once."""
    lease = SchedulerLease
    result = await session.execute(
        update(lease)
        .where(lease.name == LEASE_NAME, lease.holder == holder, lease.token == token)
        .values(holder=None, expires_at=None)
        .returning(lease.token)
        .execution_options(**_NO_SYNC)
    )
    return result.scalar_one_or_none() is not None


async def read(session: AsyncSession) -> LeaseState | None:
    row = await session.get(SchedulerLease, LEASE_NAME, populate_existing=True)
    if row is None:
        return None
    return LeaseState(row.holder, row.token, row.expires_at, row.acquired_at, row.renewed_at)


async def _insert_row(session: AsyncSession) -> None:
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    await session.execute(
        insert(SchedulerLease)
        .values(name=LEASE_NAME, holder=None, token=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
