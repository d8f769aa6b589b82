"""User queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email))
    return result.scalar_one_or_none()


async def any_user(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().where(User.id.is_not(None)))))


async def count_active_admins(session: AsyncSession) -> int:
    query = select(func.count()).where(User.is_admin.is_(True), User.is_active.is_(True))
    return int(await session.scalar(query) or 0)


async def search(
    session: AsyncSession, q: str | None, limit: int, offset: int
) -> tuple[Sequence[User], int]:
    query = select(User)
    if q:
        query = query.where(
            or_(
                User.email.icontains(q, autoescape=True),
                User.full_name.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(User.email).limit(limit).offset(offset))
    return rows.all(), int(total or 0)
