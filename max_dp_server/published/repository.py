"""Published endpoint queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import PublishedEndpoint, User
from max_dp_server.workspaces.repository import visible_workspace_ids


async def by_name(session: AsyncSession, endpoint: str) -> PublishedEndpoint | None:
    return await session.scalar(
        select(PublishedEndpoint).where(PublishedEndpoint.endpoint == endpoint)
    )


async def of_flow(session: AsyncSession, flow_id: uuid.UUID) -> list[PublishedEndpoint]:
    rows = await session.scalars(
        select(PublishedEndpoint)
        .where(PublishedEndpoint.flow_id == flow_id)
        .order_by(PublishedEndpoint.endpoint)
    )
    return list(rows.all())


async def search(
    session: AsyncSession,
    user: User,
    *,
    workspace_id: uuid.UUID | None,
    flow_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[PublishedEndpoint], int]:
    query = select(PublishedEndpoint)
    visible = visible_workspace_ids(user)
    if visible is not None:
        query = query.where(PublishedEndpoint.workspace_id.in_(visible))
    if workspace_id is not None:
        query = query.where(PublishedEndpoint.workspace_id == workspace_id)
    if flow_id is not None:
        query = query.where(PublishedEndpoint.flow_id == flow_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(PublishedEndpoint.endpoint).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)
