"""User accounts. Services change the session; the request's session dependency commits."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.auth import repository as tokens
from max_dp_server.auth.security import Passwords
from max_dp_server.db import utcnow
from max_dp_server.errors import ConflictError, NotFoundError, UnauthorizedError
from max_dp_server.models import User
from max_dp_server.users import repository
from max_dp_server.users.schemas import UserCreate, UserUpdate, normalize_email


async def create_user(session: AsyncSession, passwords: Passwords, data: UserCreate) -> User:
    if await repository.get_by_email(session, data.email) is not None:
        raise ConflictError(f"a user with email {data.email!r} already exists", code="email_taken")
    user = User(
        email=data.email,
        password_hash=await passwords.hash(data.password),
        full_name=data.full_name,
        is_admin=data.is_admin,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


async def update_user(
    session: AsyncSession, passwords: Passwords, user: User, data: UserUpdate, actor: User
) -> User:
    removes_admin = data.is_admin is False or data.is_active is False
    if user.id == actor.id and removes_admin:
        # The last way back in would be editing the database by hand.
        raise ConflictError(
            "you cannot disable your own account or remove your own admin rights; "
            "ask another administrator"
        )
    if data.full_name is not None:
        user.full_name = data.full_name
    if data.is_admin is not None:
        user.is_admin = data.is_admin
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            await tokens.revoke_user(session, user.id, utcnow())
    if data.password is not None:
        user.password_hash = await passwords.hash(data.password)
        await tokens.revoke_user(session, user.id, utcnow())
    await session.flush()
    return user


async def change_own_password(
    session: AsyncSession, passwords: Passwords, user: User, current: str, new: str
) -> None:
    if not await passwords.verify(user.password_hash, current):
        raise UnauthorizedError("current_password is wrong", code="wrong_password")
    user.password_hash = await passwords.hash(new)
    # Every other session of this user must log in again with the new password.
    await tokens.revoke_user(session, user.id, utcnow())
    await session.flush()


async def ensure_first_admin(
    session: AsyncSession, passwords: Passwords, email: str | None, password: str | None
) -> tuple[User, str | None] | None:
    """Create the first administrator when there are no users yet.

    Returns the user and, when no password was configured, the generated one (shown once);
    None when users already exist.
    """
    if await repository.any_user(session):
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    data = UserCreate(
        email=normalize_email(email or "admin@localhost"),
        password=password,
        full_name="Administrator",
        is_admin=True,
    )
    user = await create_user(session, passwords, data)
    return user, generated
