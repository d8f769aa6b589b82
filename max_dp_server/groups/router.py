"""/api/v1/groups: server administrators manage groups and their members."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from max_dp_server.deps import AdminUser, Paging, SessionDep
from max_dp_server.groups import repository, service
from max_dp_server.groups.schemas import GroupCreate, GroupDetail, GroupRead
from max_dp_server.schemas import Page

router = APIRouter(prefix="/groups", tags=["groups"])


@router.get("", response_model=Page[GroupRead])
async def list_groups(
    _admin: AdminUser,
    session: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[GroupRead]:
    groups, total = await repository.search(session, q, paging.limit, paging.offset)
    return Page[GroupRead](
        items=[GroupRead.model_validate(g) for g in groups],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", response_model=GroupDetail, status_code=status.HTTP_201_CREATED)
async def create_group(data: GroupCreate, _admin: AdminUser, session: SessionDep) -> GroupDetail:
    return await service.detail(session, await service.create_group(session, data))


@router.get("/{group_id}", response_model=GroupDetail)
async def read_group(group_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> GroupDetail:
    return await service.detail(session, await service.get_group(session, group_id))


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_group(group_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_group(session, group_id)


@router.put("/{group_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def add_member(
    group_id: uuid.UUID, user_id: uuid.UUID, _admin: AdminUser, session: SessionDep
) -> None:
    await service.add_member(session, group_id, user_id)


@router.delete("/{group_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    group_id: uuid.UUID, user_id: uuid.UUID, _admin: AdminUser, session: SessionDep
) -> None:
    await service.remove_member(session, group_id, user_id)
