"""API keys of a workspace: POST/GET /workspaces/{id}/api-keys, DELETE …/{key_id} (revoke).

Create and revoke commit before answering, then update this process's key directory at once
(other processes see the change within MAXDP_ENDPOINT_REFRESH_SECONDS).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from max_dp_server.api_keys import service
from max_dp_server.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from max_dp_server.deps import CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.published.directory import KeyInfo
from max_dp_server.schemas import Page

router = APIRouter(prefix="/workspaces", tags=["api keys"])


@router.post(
    "/{workspace_id}/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED
)
async def create_key(
    workspace_id: uuid.UUID,
    data: ApiKeyCreate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> ApiKeyCreated:
    """A new key, shown once in ``key`` (``mdp_<prefix>_<secret>``); only its SHA-256 hash is
    stored. Send it as ``X-API-Key`` or ``Authorization: Bearer``."""
    row, key = await service.create_key(session, user, workspace_id, data)
    await session.commit()
    state.published.directory.put_key(row.key_hash, KeyInfo.of(row))
    return service.created(row, key)


@router.get("/{workspace_id}/api-keys", response_model=Page[ApiKeyRead])
async def list_keys(
    workspace_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    revoked: Annotated[bool, Query(description="Include revoked keys.")] = False,
) -> Page[ApiKeyRead]:
    """Keys of the workspace, newest first: prefix, name, scopes, endpoints, last use."""
    items, total = await service.list_keys(
        session, user, workspace_id, revoked=revoked, limit=paging.limit, offset=paging.offset
    )
    return Page[ApiKeyRead](items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.delete("/{workspace_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(
    workspace_id: uuid.UUID,
    key_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> Response:
    """Revoke the key: calls with it answer 401 from now on (other server processes: within
    MAXDP_ENDPOINT_REFRESH_SECONDS). The record stays, for the audit trail."""
    row = await service.revoke_key(session, user, workspace_id, key_id)
    await session.commit()
    state.published.directory.put_key(row.key_hash, KeyInfo.of(row))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
