"""Request dependencies as ``Annotated`` aliases, so route signatures stay short."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.auth.security import decode_access_token
from max_dp_server.config import Settings
from max_dp_server.errors import ForbiddenError, UnauthorizedError
from max_dp_server.models import User
from max_dp_server.runs.manager import RunManager
from max_dp_server.state import ServerState

__all__ = [
    "AdminUser",
    "CurrentUser",
    "Paging",
    "RunManagerDep",
    "SessionDep",
    "SettingsDep",
    "StateDep",
]


def get_state(request: Request) -> ServerState:
    return request.app.state.maxdp


StateDep = Annotated[ServerState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_run_manager(state: StateDep) -> RunManager:
    return state.runs


RunManagerDep = Annotated[RunManager, Depends(get_run_manager)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the route succeeds, rolled back when it raises.

    An error that sets ``commit_session`` (e.g. refresh-token reuse, which must revoke the token
    family while answering 401) is committed first, then re-raised.
    """
    async with state.sessionmaker() as session:
        try:
            yield session
        except BaseException as exc:
            if getattr(exc, "commit_session", False):
                await session.commit()
            else:
                await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": commit before the response is sent, so a failed commit is the answer.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /api/v1/auth/login")


async def current_user(
    session: SessionDep,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError(
            "not logged in: send 'Authorization: Bearer <access token>' "
            "(get one from POST /api/v1/auth/login)"
        )
    subject = decode_access_token(credentials.credentials, state.secret_key)
    try:
        user_id = uuid.UUID(subject)
    except ValueError:
        raise UnauthorizedError("the access token names no user; log in again") from None
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError(
            "this account no longer exists or is disabled", code="inactive_user"
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise ForbiddenError("this needs a server administrator (is_admin)")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


class PageParams:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
        offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


Paging = Annotated[PageParams, Depends()]
