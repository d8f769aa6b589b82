"""Connection queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import StoredConnection


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, q: str | None, limit: int, offset: int
) -> tuple[Sequence[StoredConnection], int]:
    query = select(StoredConnection).where(StoredConnection.workspace_id == workspace_id)
    if q:
        query = query.where(
            or_(
                StoredConnection.name.icontains(q, autoescape=True),
                StoredConnection.description.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(StoredConnection.name, StoredConnection.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def by_name(
    session: AsyncSession, workspace_id: uuid.UUID, name: str
) -> StoredConnection | None:
    return await session.scalar(
        select(StoredConnection).where(
            StoredConnection.workspace_id == workspace_id, StoredConnection.name == name
        )
    )


async def names(session: AsyncSession, workspace_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(StoredConnection.name)
        .where(StoredConnection.workspace_id == workspace_id)
        .order_by(StoredConnection.name)
    )
    return list(rows)


async def names_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(StoredConnection.id, StoredConnection.name).where(StoredConnection.id.in_(ids))
    )
    return {row.id: row.name for row in rows}
