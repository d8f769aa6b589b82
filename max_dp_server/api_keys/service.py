"""Creating, listing and revoking API keys. Editors and admins of the workspace manage them
(the people who can publish endpoints)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.api_keys import repository
from max_dp_server.api_keys.keys import new_key
from max_dp_server.api_keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from max_dp_server.db import utcnow
from max_dp_server.errors import NotFoundError
from max_dp_server.models import ApiKey, User, WorkspaceRole
from max_dp_server.workspaces.service import authorize


async def create_key(
    session: AsyncSession, user: User, workspace_id: uuid.UUID, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """The stored key and the key text (returned once, never stored)."""
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    key, prefix, digest = new_key()
    row = ApiKey(
        name=data.name,
        prefix=prefix,
        key_hash=digest,
        workspace_id=workspace_id,
        endpoints=sorted(set(data.endpoints)) if data.endpoints is not None else None,
        scopes=sorted({s.value for s in data.scopes}),
        created_by=user.id,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row, key


async def list_keys(
    session: AsyncSession,
    user: User,
    workspace_id: uuid.UUID,
    *,
    revoked: bool,
    limit: int,
    offset: int,
) -> tuple[list[ApiKeyRead], int]:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    rows, total = await repository.search(
        session, workspace_id, revoked=revoked, limit=limit, offset=offset
    )
    return [ApiKeyRead.model_validate(r) for r in rows], total


async def revoke_key(
    session: AsyncSession, user: User, workspace_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    row = await session.get(ApiKey, key_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFoundError(f"no API key with id {key_id} in this workspace")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


def created(row: ApiKey, key: str) -> ApiKeyCreated:
    return ApiKeyCreated(**ApiKeyRead.model_validate(row).model_dump(), key=key)
