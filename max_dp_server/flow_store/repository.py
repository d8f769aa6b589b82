"""Flow and version queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import RowMapping, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from max_dp_server.models import FlowVersion, StoredFlow, User
from max_dp_server.workspaces.repository import visible_workspace_ids

# Plain columns, not ORM objects: a page of 100 summaries builds no identity-map entries.
_SUMMARY_COLUMNS = (
    StoredFlow.id,
    StoredFlow.workspace_id,
    StoredFlow.name,
    StoredFlow.description,
    StoredFlow.latest_version,
    StoredFlow.created_by,
    StoredFlow.updated_by,
    StoredFlow.created_at,
    StoredFlow.updated_at,
)


async def search(
    session: AsyncSession,
    user: User,
    workspace_id: uuid.UUID | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[RowMapping], int]:
    """Summaries of the flows the user may see, newest change first (no documents)."""
    query = select(*_SUMMARY_COLUMNS)
    visible = visible_workspace_ids(user)
    if visible is not None:
        query = query.where(StoredFlow.workspace_id.in_(visible))
    if workspace_id is not None:
        query = query.where(StoredFlow.workspace_id == workspace_id)
    if q:
        query = query.where(
            or_(
                StoredFlow.name.icontains(q, autoescape=True),
                StoredFlow.description.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(StoredFlow.updated_at.desc(), StoredFlow.id).limit(limit).offset(offset)
    )
    return rows.mappings().all(), int(total or 0)


async def next_version(session: AsyncSession, flow_id: uuid.UUID) -> int:
    """Take the next version number atomically (an UPDATE ... RETURNING), so two saves at once
    get two numbers instead of a unique-key clash."""
    result = await session.execute(
        update(StoredFlow)
        .where(StoredFlow.id == flow_id)
        .values(latest_version=StoredFlow.latest_version + 1)
        .returning(StoredFlow.latest_version)
    )
    return int(result.scalar_one())


async def get_version(
    session: AsyncSession, flow_id: uuid.UUID, version: int
) -> FlowVersion | None:
    result = await session.execute(
        select(FlowVersion).where(FlowVersion.flow_id == flow_id, FlowVersion.version == version)
    )
    return result.scalar_one_or_none()


async def list_versions(
    session: AsyncSession, flow_id: uuid.UUID, limit: int, offset: int
) -> tuple[Sequence[FlowVersion], int]:
    query = select(FlowVersion).where(FlowVersion.flow_id == flow_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.options(
            load_only(
                FlowVersion.flow_id,
                FlowVersion.version,
                FlowVersion.comment,
                FlowVersion.created_by,
                FlowVersion.created_at,
            )
        )
        .order_by(FlowVersion.version.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)
