"""/api/v1/workspaces: workspaces and their members."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from max_dp_server.deps import CurrentUser, Paging, SessionDep
from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import Page
from max_dp_server.workspaces import service
from max_dp_server.workspaces.schemas import (
    MemberRead,
    MemberWrite,
    WorkspaceCreate,
    WorkspaceRead,
    WorkspaceUpdate,
)

router = APIRouter(prefix="/workspaces", tags=["workspaces"])


@router.get("", response_model=Page[WorkspaceRead])
async def list_workspaces(
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=200, description="Search name and description.")
    ] = None,
) -> Page[WorkspaceRead]:
    items, total = await service.list_workspaces(session, user, q, paging.limit, paging.offset)
    return Page[WorkspaceRead](items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post("", response_model=WorkspaceRead, status_code=status.HTTP_201_CREATED)
async def create_workspace(
    data: WorkspaceCreate, user: CurrentUser, session: SessionDep
) -> WorkspaceRead:
    workspace = await service.create_workspace(session, user, data)
    return service.read_model(workspace, WorkspaceRole.admin)


@router.get("/{workspace_id}", response_model=WorkspaceRead)
async def read_workspace(
    workspace_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> WorkspaceRead:
    workspace, role = await service.authorize(session, user, workspace_id, WorkspaceRole.viewer)
    return service.read_model(workspace, role)


@router.patch("/{workspace_id}", response_model=WorkspaceRead)
async def update_workspace(
    workspace_id: uuid.UUID, data: WorkspaceUpdate, user: CurrentUser, session: SessionDep
) -> WorkspaceRead:
    workspace, role = await service.authorize(session, user, workspace_id, WorkspaceRole.admin)
    return service.read_model(await service.update_workspace(session, workspace, data), role)


@router.delete("/{workspace_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_workspace(workspace_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    workspace, _ = await service.authorize(session, user, workspace_id, WorkspaceRole.admin)
    await session.delete(workspace)


@router.get("/{workspace_id}/members", response_model=list[MemberRead])
async def list_members(
    workspace_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[MemberRead]:
    await service.authorize(session, user, workspace_id, WorkspaceRole.viewer)
    return await service.members(session, workspace_id)


@router.put("/{workspace_id}/members", response_model=MemberRead)
async def put_member(
    workspace_id: uuid.UUID, data: MemberWrite, user: CurrentUser, session: SessionDep
) -> MemberRead:
    await service.authorize(session, user, workspace_id, WorkspaceRole.admin)
    return await service.put_member(session, workspace_id, data)


@router.delete("/{workspace_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    workspace_id: uuid.UUID, member_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> None:
    await service.authorize(session, user, workspace_id, WorkspaceRole.admin)
    await service.remove_member(session, workspace_id, member_id)
