"""Workspace and membership queries, including who may see what."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import Group, User, Workspace, WorkspaceMember, WorkspaceRole, user_groups


def _membership(user_id: uuid.UUID) -> Any:
    """Rows of maxdp_workspace_members that apply to the user: direct, or through a group."""
    groups = select(user_groups.c.group_id).where(user_groups.c.user_id == user_id)
    return or_(WorkspaceMember.user_id == user_id, WorkspaceMember.group_id.in_(groups))


def visible_workspace_ids(user: User) -> Select[Any] | None:
    """A subquery of the workspace ids ``user`` may see; None means all (server admin)."""
    if user.is_admin:
        return None
    return select(WorkspaceMember.workspace_id).where(_membership(user.id))


async def roles_of(
    session: AsyncSession, user_id: uuid.UUID, workspace_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, WorkspaceRole]:
    """The user's strongest role in each of ``workspace_ids`` where they have one."""
    if not workspace_ids:
        return {}
    rows = await session.execute(
        select(WorkspaceMember.workspace_id, WorkspaceMember.role).where(
            WorkspaceMember.workspace_id.in_(workspace_ids), _membership(user_id)
        )
    )
    best: dict[uuid.UUID, WorkspaceRole] = {}
    for workspace_id, name in rows:
        role = WorkspaceRole(name)
        if workspace_id not in best or role.rank > best[workspace_id].rank:
            best[workspace_id] = role
    return best


async def search(
    session: AsyncSession, user: User, q: str | None, limit: int, offset: int
) -> tuple[Sequence[Workspace], int]:
    query = select(Workspace)
    visible = visible_workspace_ids(user)
    if visible is not None:
        query = query.where(Workspace.id.in_(visible))
    if q:
        query = query.where(
            or_(
                Workspace.name.icontains(q, autoescape=True),
                Workspace.description.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Workspace.name, Workspace.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def members(session: AsyncSession, workspace_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(WorkspaceMember, User.email, User.full_name, Group.name)
        .outerjoin(User, User.id == WorkspaceMember.user_id)
        .outerjoin(Group, Group.id == WorkspaceMember.group_id)
        .where(WorkspaceMember.workspace_id == workspace_id)
        .order_by(WorkspaceMember.created_at, WorkspaceMember.id)
    )
    return [
        {
            "id": m.id,
            "user_id": m.user_id,
            "email": email,
            "full_name": full_name,
            "group_id": m.group_id,
            "group_name": group_name,
            "role": m.role,
            "created_at": m.created_at,
        }
        for m, email, full_name, group_name in rows
    ]


async def find_member(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    user_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
) -> WorkspaceMember | None:
    query = select(WorkspaceMember).where(WorkspaceMember.workspace_id == workspace_id)
    if user_id is not None:
        query = query.where(WorkspaceMember.user_id == user_id)
    else:
        query = query.where(WorkspaceMember.group_id == group_id)
    return (await session.execute(query)).scalar_one_or_none()


async def count_admins(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        WorkspaceMember.workspace_id == workspace_id,
        WorkspaceMember.role == WorkspaceRole.admin.value,
    )
    return int(await session.scalar(query) or 0)
