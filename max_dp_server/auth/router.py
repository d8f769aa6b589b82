"""/api/v1/auth: login, refresh, logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from max_dp_server.auth import service
from max_dp_server.auth.schemas import LoginRequest, RefreshRequest, TokenPair
from max_dp_server.deps import SessionDep, StateDep
from max_dp_server.errors import RateLimitedError

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=TokenPair)
async def login(
    data: LoginRequest, request: Request, session: SessionDep, state: StateDep
) -> TokenPair:
    client = request.client.host if request.client else "unknown"
    wait = state.login_limiter.hit(client)
    if wait:
        raise RateLimitedError(
            f"too many login attempts from this address; try again in {wait} s",
            retry_after=wait,
        )
    return await service.login(session, state, data.email, data.password)


@router.post("/refresh", response_model=TokenPair)
async def refresh(data: RefreshRequest, session: SessionDep, state: StateDep) -> TokenPair:
    return await service.refresh(session, state, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(data: RefreshRequest, session: SessionDep) -> None:
    await service.logout(session, data.refresh_token)
