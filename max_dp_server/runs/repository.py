"""Run record queries, including retention."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import NodeRunRecord, RunRecord, User
from max_dp_server.models.run import FINISHED_STATUSES
from max_dp_server.workspaces.repository import visible_workspace_ids


async def node_runs(session: AsyncSession, run_id: uuid.UUID) -> list[NodeRunRecord]:
    rows = await session.scalars(
        select(NodeRunRecord).where(NodeRunRecord.run_id == run_id).order_by(NodeRunRecord.position)
    )
    return list(rows.all())


async def search(
    session: AsyncSession,
    user: User,
    *,
    flow_id: uuid.UUID | None,
    workspace_id: uuid.UUID | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[RunRecord], int]:
    query = select(RunRecord)
    visible = visible_workspace_ids(user)
    if visible is not None:
        query = query.where(RunRecord.workspace_id.in_(visible))
    if flow_id is not None:
        query = query.where(RunRecord.flow_id == flow_id)
    if workspace_id is not None:
        query = query.where(RunRecord.workspace_id == workspace_id)
    if status is not None:
        query = query.where(RunRecord.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(RunRecord.created_at.desc(), RunRecord.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def purge(session: AsyncSession, *, days: int, per_flow: int, now: dt.datetime) -> int:
    """Delete finished runs older than ``days`` and past the newest ``per_flow`` of each flow
    (0 disables either rule). Runs still queued or running are never touched."""
    finished = RunRecord.status.in_(FINISHED_STATUSES)
    deleted = 0
    options = {"synchronize_session": False}
    if days:
        result = await session.execute(
            delete(RunRecord).where(finished, RunRecord.created_at < now - dt.timedelta(days=days)),
            execution_options=options,
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    if per_flow:
        ranked = (
            select(
                RunRecord.id,
                func.row_number()
                .over(
                    partition_by=RunRecord.flow_id,
                    order_by=(RunRecord.created_at.desc(), RunRecord.id.desc()),
                )
                .label("rank"),
            )
            .where(finished)
            .subquery()
        )
        result = await session.execute(
            delete(RunRecord).where(
                RunRecord.id.in_(select(ranked.c.id).where(ranked.c.rank > per_flow))
            ),
            execution_options=options,
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    return deleted
