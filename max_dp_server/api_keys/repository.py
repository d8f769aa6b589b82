"""API key queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import ApiKey


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, *, revoked: bool, limit: int, offset: int
) -> tuple[Sequence[ApiKey], int]:
    query = select(ApiKey).where(ApiKey.workspace_id == workspace_id)
    if not revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(ApiKey.created_at.desc(), ApiKey.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)
