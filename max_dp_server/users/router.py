"""/api/v1/users: the caller's profile, and user management for administrators."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from max_dp_server.deps import AdminUser, CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.schemas import Page
from max_dp_server.users import repository, service
from max_dp_server.users.schemas import (
    PasswordChange,
    ProfileUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/me", response_model=UserRead)
async def update_me(data: ProfileUpdate, user: CurrentUser, session: SessionDep) -> UserRead:
    user.full_name = data.full_name
    await session.flush()
    return UserRead.model_validate(user)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    data: PasswordChange, user: CurrentUser, session: SessionDep, state: StateDep
) -> None:
    await service.change_own_password(
        session, state.passwords, user, data.current_password, data.new_password
    )


@router.get("", response_model=Page[UserRead])
async def list_users(
    _admin: AdminUser,
    session: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Search email and name.")] = None,
) -> Page[UserRead]:
    users, total = await repository.search(session, q, paging.limit, paging.offset)
    return Page[UserRead](
        items=[UserRead.model_validate(u) for u in users],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(
    data: UserCreate, _admin: AdminUser, session: SessionDep, state: StateDep
) -> UserRead:
    return UserRead.model_validate(await service.create_user(session, state.passwords, data))


@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, user_id))


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, admin: AdminUser, session: SessionDep, state: StateDep
) -> UserRead:
    user = await service.get_user(session, user_id)
    user = await service.update_user(session, state.passwords, user, data, admin)
    return UserRead.model_validate(user)
