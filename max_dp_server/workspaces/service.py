"""Workspaces, members, and ``authorize``: the object-level check behind every workspace object.

A workspace a user does not belong to answers 404 exactly like one that does not exist, so ids
reveal nothing. Server administrators act as workspace admins everywhere.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.errors import ConflictError, ForbiddenError, NotFoundError
from max_dp_server.groups.service import get_group
from max_dp_server.models import User, Workspace, WorkspaceMember, WorkspaceRole
from max_dp_server.users import repository as users
from max_dp_server.users.service import get_user
from max_dp_server.workspaces import repository
from max_dp_server.workspaces.schemas import (
    MemberRead,
    MemberWrite,
    WorkspaceCreate,
    WorkspaceRead,
    WorkspaceUpdate,
)

# What each role may do, for error messages.
_NEEDS = {
    WorkspaceRole.viewer: "read this workspace",
    WorkspaceRole.editor: "change flows or run them (editor or admin)",
    WorkspaceRole.admin: "manage the workspace and its members (admin)",
}


async def authorize(
    session: AsyncSession, user: User, workspace_id: uuid.UUID, needed: WorkspaceRole
) -> tuple[Workspace, WorkspaceRole]:
    """The workspace and the user's role in it, or NotFound (not a member) / Forbidden."""
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFoundError(f"no workspace with id {workspace_id}")
    if user.is_admin:
        return workspace, WorkspaceRole.admin
    role = (await repository.roles_of(session, user.id, [workspace_id])).get(workspace_id)
    if role is None:
        raise NotFoundError(f"no workspace with id {workspace_id}")
    if role.rank < needed.rank:
        raise ForbiddenError(
            f"your role in workspace {workspace.name!r} is {role.value}; "
            f"you need a higher one to {_NEEDS[needed]}",
            details={"role": role.value, "needed": needed.value},
        )
    return workspace, role


def read_model(workspace: Workspace, role: WorkspaceRole) -> WorkspaceRead:
    return WorkspaceRead(
        id=workspace.id,
        name=workspace.name,
        description=workspace.description,
        created_at=workspace.created_at,
        updated_at=workspace.updated_at,
        role=role,
    )


async def list_workspaces(
    session: AsyncSession, user: User, q: str | None, limit: int, offset: int
) -> tuple[list[WorkspaceRead], int]:
    rows, total = await repository.search(session, user, q, limit, offset)
    roles = await repository.roles_of(session, user.id, [w.id for w in rows])
    items = [read_model(w, WorkspaceRole.admin if user.is_admin else roles[w.id]) for w in rows]
    return items, total


async def create_workspace(session: AsyncSession, user: User, data: WorkspaceCreate) -> Workspace:
    workspace = Workspace(name=data.name, description=data.description, created_by=user.id)
    session.add(workspace)
    await session.flush()
    # The creator administers it, so the workspace is never without one.
    session.add(
        WorkspaceMember(workspace_id=workspace.id, user_id=user.id, role=WorkspaceRole.admin.value)
    )
    await session.flush()
    return workspace


async def update_workspace(
    session: AsyncSession, workspace: Workspace, data: WorkspaceUpdate
) -> Workspace:
    if data.name is not None:
        workspace.name = data.name
    if data.description is not None:
        workspace.description = data.description
    await session.flush()
    return workspace


async def members(session: AsyncSession, workspace_id: uuid.UUID) -> list[MemberRead]:
    return [MemberRead.model_validate(m) for m in await repository.members(session, workspace_id)]


async def put_member(
    session: AsyncSession, workspace_id: uuid.UUID, data: MemberWrite
) -> MemberRead:
    """Grant ``data.role`` (adding the member, or changing the role of an existing one)."""
    user_id = data.user_id
    if data.email is not None:
        found = await users.get_by_email(session, data.email)
        if found is None:
            raise NotFoundError(
                f"no user with email {data.email!r}; an administrator creates users"
            )
        user_id = found.id
    elif user_id is not None:
        await get_user(session, user_id)
    if data.group_id is not None:
        await get_group(session, data.group_id)
    member = await repository.find_member(
        session, workspace_id, user_id=user_id, group_id=data.group_id
    )
    if member is None:
        member = WorkspaceMember(
            workspace_id=workspace_id, user_id=user_id, group_id=data.group_id, role=data.role.value
        )
        session.add(member)
    else:
        if member.role == WorkspaceRole.admin.value and data.role is not WorkspaceRole.admin:
            await _keep_an_admin(session, workspace_id)
        member.role = data.role.value
    await session.flush()
    return next(m for m in await members(session, workspace_id) if m.id == member.id)


async def remove_member(
    session: AsyncSession, workspace_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    member = await session.get(WorkspaceMember, member_id)
    if member is None or member.workspace_id != workspace_id:
        raise NotFoundError(f"no member with id {member_id} in this workspace")
    if member.role == WorkspaceRole.admin.value:
        await _keep_an_admin(session, workspace_id)
    await session.delete(member)
    await session.flush()


async def _keep_an_admin(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    if await repository.count_admins(session, workspace_id) <= 1:
        raise ConflictError(
            "this is the workspace's last admin; make another member admin first",
            code="last_admin",
        )


async def ensure_name_free(
    session: AsyncSession,
    model: Any,
    workspace_id: uuid.UUID,
    name: str,
    *,
    what: str,
    own_id: uuid.UUID | None = None,
) -> None:
    """409 when another ``model`` row of the workspace (not ``own_id``) already has ``name``.

    ``model`` is a mapped class with ``id``, ``workspace_id`` and ``name`` columns; ``what``
    names it in the message ("a connection").
    """
    other = await session.scalar(
        select(model.id).where(model.workspace_id == workspace_id, model.name == name)
    )
    if other is not None and other != own_id:
        raise ConflictError(
            f"{what} named {name!r} already exists in this workspace", code="duplicate_name"
        )
