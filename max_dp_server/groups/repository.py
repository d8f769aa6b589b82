"""Group queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import Group, User, user_groups


async def get_by_name(session: AsyncSession, name: str) -> Group | None:
    return (await session.execute(select(Group).where(Group.name == name))).scalar_one_or_none()


async def search(
    session: AsyncSession, q: str | None, limit: int, offset: int
) -> tuple[Sequence[Group], int]:
    query = select(Group)
    if q:
        query = query.where(Group.name.icontains(q, autoescape=True))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Group.name).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def members(session: AsyncSession, group_id: uuid.UUID) -> Sequence[User]:
    query = (
        select(User)
        .join(user_groups, user_groups.c.user_id == User.id)
        .where(user_groups.c.group_id == group_id)
        .order_by(User.email)
    )
    return (await session.scalars(query)).all()


async def is_member(session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    query = select(func.count()).where(
        user_groups.c.group_id == group_id, user_groups.c.user_id == user_id
    )
    return bool(await session.scalar(query))


async def add_member(session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await session.execute(insert(user_groups).values(group_id=group_id, user_id=user_id))


async def remove_member(session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await session.execute(
        delete(user_groups).where(
            user_groups.c.group_id == group_id, user_groups.c.user_id == user_id
        )
    )
