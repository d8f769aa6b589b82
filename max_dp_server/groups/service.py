"""Groups: created and filled by server administrators."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.errors import ConflictError, NotFoundError
from max_dp_server.groups import repository
from max_dp_server.groups.schemas import GroupCreate, GroupDetail, GroupMember, GroupRead
from max_dp_server.models import Group
from max_dp_server.users.service import get_user


async def create_group(session: AsyncSession, data: GroupCreate) -> Group:
    if await repository.get_by_name(session, data.name) is not None:
        raise ConflictError(f"a group named {data.name!r} already exists", code="name_taken")
    group = Group(name=data.name, description=data.description)
    session.add(group)
    await session.flush()
    return group


async def get_group(session: AsyncSession, group_id: uuid.UUID) -> Group:
    group = await session.get(Group, group_id)
    if group is None:
        raise NotFoundError(f"no group with id {group_id}")
    return group


async def detail(session: AsyncSession, group: Group) -> GroupDetail:
    users = await repository.members(session, group.id)
    return GroupDetail(
        **GroupRead.model_validate(group).model_dump(),
        members=[GroupMember.model_validate(u) for u in users],
    )


async def delete_group(session: AsyncSession, group_id: uuid.UUID) -> None:
    await session.delete(await get_group(session, group_id))


async def add_member(session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await get_group(session, group_id)
    await get_user(session, user_id)
    if not await repository.is_member(session, group_id, user_id):
        await repository.add_member(session, group_id, user_id)


async def remove_member(session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await get_group(session, group_id)
    await repository.remove_member(session, group_id, user_id)
