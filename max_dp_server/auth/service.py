"""Login, refresh-token rotation with reuse detection, logout."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.auth import repository
from max_dp_server.auth.schemas import TokenPair
from max_dp_server.auth.security import create_access_token, hash_token, new_refresh_token
from max_dp_server.db import new_id, utcnow
from max_dp_server.errors import UnauthorizedError
from max_dp_server.models import RefreshToken, User
from max_dp_server.state import ServerState
from max_dp_server.users import repository as users


class TokenReusedError(UnauthorizedError):
    """A refresh token was presented after it had been rotated or revoked.

    Someone holds a copy, so every token of the family is revoked; that revocation must be
    committed even though the request fails (``commit_session``).
    """

    code = "token_reused"
    commit_session = True


async def login(session: AsyncSession, state: ServerState, email: str, password: str) -> TokenPair:
    user = await users.get_by_email(session, email.strip().lower())
    # Verify even for an unknown email, so timing does not tell which addresses exist.
    valid = await state.passwords.verify(user.password_hash if user else None, password)
    if user is None or not valid:
        raise UnauthorizedError("wrong email or password", code="invalid_credentials")
    if not user.is_active:
        raise UnauthorizedError(
            "this account is disabled; ask an administrator", code="inactive_user"
        )
    if state.passwords.needs_rehash(user.password_hash):
        user.password_hash = await state.passwords.hash(password)
    user.last_login_at = utcnow()
    return await _issue(session, state, user, family_id=new_id())


async def refresh(session: AsyncSession, state: ServerState, token: str) -> TokenPair:
    now = utcnow()
    stored = await repository.get_by_hash(session, hash_token(token))
    if stored is None:
        raise UnauthorizedError("unknown refresh token; log in again", code="invalid_token")
    # A used token is checked before expiry: presenting one means a copy is out there.
    if stored.revoked_at is not None:
        await _reused(session, stored, now)
    if stored.expires_at <= now:
        raise UnauthorizedError("the refresh token has expired; log in again", code="token_expired")
    successor = new_id()
    if not await repository.rotate(session, stored.id, successor, now):
        await _reused(session, stored, now)  # another request rotated it a moment ago
    user = await session.get(User, stored.user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError(
            "this account is disabled; ask an administrator", code="inactive_user"
        )
    return await _issue(session, state, user, family_id=stored.family_id, token_id=successor)


async def _reused(session: AsyncSession, stored: RefreshToken, now: dt.datetime) -> NoReturn:
    await repository.revoke_family(session, stored.family_id, now)
    raise TokenReusedError(
        "this refresh token was already used; every session from that login is now signed "
        "out. Log in again"
    )


async def logout(session: AsyncSession, token: str) -> None:
    """Revoke the whole family of ``token``. Unknown tokens are ignored (logout is idempotent)."""
    stored = await repository.get_by_hash(session, hash_token(token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, utcnow())


async def _issue(
    session: AsyncSession,
    state: ServerState,
    user: User,
    *,
    family_id: uuid.UUID,
    token_id: uuid.UUID | None = None,
) -> TokenPair:
    settings = state.settings
    now = utcnow()
    token, digest = new_refresh_token()
    record = RefreshToken(
        id=token_id or new_id(),
        user_id=user.id,
        family_id=family_id,
        token_hash=digest,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.refresh_token_days),
    )
    session.add(record)
    await session.flush()
    access = create_access_token(
        str(user.id), state.secret_key, minutes=settings.access_token_minutes, now=now
    )
    return TokenPair(
        access_token=access, refresh_token=token, expires_in=settings.access_token_minutes * 60
    )
