"""Connections: CRUD with write-only encrypted secrets, test, schema browser.

Access: members read (never secrets), editors and admins write, test and auto-map. A connection
in a workspace the user does not belong to answers exactly like a missing one.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import MaxDPError, NodeError
from max_dp_server.config import Settings
from max_dp_server.connections.crypto import SecretBox, SecretsUnreadable
from max_dp_server.connections.schemas import (
    ColumnList,
    ColumnRead,
    ConnectionCreate,
    ConnectionRead,
    ConnectionTest,
    ConnectionUpdate,
    TableList,
    TableRead,
)
from max_dp_server.connections.specs import (
    SECRET_FIELDS,
    build_spec,
    row_secrets,
    scrub,
    spec_values,
)
from max_dp_server.errors import NotFoundError
from max_dp_server.models import StoredConnection, User, WorkspaceRole
from max_dp_server.services import NodeServices
from max_dp_server.workspaces.service import authorize, ensure_name_free
from nodes.connections import ConnectionSpec
from nodes.messaging.http import Request, checked_address, new_client, send_request

log = logging.getLogger("maxdp.connections")

HTTP_TEST_TIMEOUT_S = 10.0


class ConnectionFailed(MaxDPError):
    status_code = 502
    code = "connection_failed"


class DatabaseError(MaxDPError):
    status_code = 502
    code = "database_error"


class TableNotFound(MaxDPError):
    status_code = 404
    code = "table_not_found"


class NotADatabase(MaxDPError):
    status_code = 422
    code = "not_a_database"


# -- reading --------------------------------------------------------------------------------


async def get_connection(
    session: AsyncSession, user: User, connection_id: uuid.UUID, needed: WorkspaceRole
) -> StoredConnection:
    row = await session.get(StoredConnection, connection_id)
    if row is None:
        raise NotFoundError(f"no connection with id {connection_id}")
    try:
        await authorize(session, user, row.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no connection with id {connection_id}") from None
    return row


def read_model(row: StoredConnection, box: SecretBox) -> ConnectionRead:
    try:
        secrets, readable = row_secrets(row, box), True
    except SecretsUnreadable:
        secrets, readable = {}, False
    return ConnectionRead(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        kind=row.kind,
        description=row.description,
        host=row.host,
        port=row.port,
        user=row.username,
        database=row.database,
        options=dict(row.options or {}),
        read_only=row.read_only,
        statement_timeout_s=row.statement_timeout_s,
        has_url=bool(secrets.get("url")),
        has_password=bool(secrets.get("password")),
        header_names=sorted(secrets.get("headers") or {}),
        secrets_readable=readable,
        created_by=row.created_by,
        updated_by=row.updated_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# -- writing --------------------------------------------------------------------------------


def _secret_dict(data: ConnectionCreate | ConnectionUpdate, only_set: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SECRET_FIELDS:
        if only_set and key not in data.model_fields_set:
            continue
        value = getattr(data, key)
        if key == "headers":
            out[key] = {h: v.get_secret_value() for h, v in (value or {}).items()}
        else:
            out[key] = value.get_secret_value() if value is not None else None
    return out


def _store_secrets(row: StoredConnection, secrets: Mapping[str, Any], box: SecretBox) -> None:
    kept = {k: v for k, v in secrets.items() if v}
    row.secrets = box.encrypt(kept) if kept else None


async def _name_free(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, own_id: uuid.UUID | None = None
) -> None:
    await ensure_name_free(
        session, StoredConnection, workspace_id, name, what="a connection", own_id=own_id
    )


async def create_connection(
    session: AsyncSession,
    box: SecretBox,
    settings: Settings,
    user: User,
    workspace_id: uuid.UUID,
    data: ConnectionCreate,
) -> StoredConnection:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    secrets = _secret_dict(data, only_set=False)
    values = data.model_dump(include={"name", "kind", "host", "port", "user", "database"})
    values |= {
        "options": data.options,
        "read_only": data.read_only,
        "statement_timeout_s": data.statement_timeout_s,
    }
    build_spec(values, secrets, settings)  # 422 naming the field before anything is stored
    await _name_free(session, workspace_id, data.name)
    row = StoredConnection(
        workspace_id=workspace_id,
        name=data.name,
        kind=data.kind,
        description=data.description,
        host=data.host,
        port=data.port,
        username=data.user,
        database=data.database,
        options=dict(data.options),
        read_only=data.read_only,
        statement_timeout_s=data.statement_timeout_s,
        created_by=user.id,
        updated_by=user.id,
    )
    _store_secrets(row, secrets, box)
    session.add(row)
    await session.flush()
    return row


_COLUMNS = {"user": "username"}


async def update_connection(
    session: AsyncSession,
    box: SecretBox,
    settings: Settings,
    user: User,
    connection_id: uuid.UUID,
    data: ConnectionUpdate,
) -> tuple[StoredConnection, str]:
    """The updated row and the name it had (its pool must be closed after the commit)."""
    row = await get_connection(session, user, connection_id, WorkspaceRole.editor)
    old_name = row.name
    changes = data.model_dump(exclude_unset=True, exclude=set(SECRET_FIELDS))
    for required in ("name", "read_only", "statement_timeout_s", "options"):
        if required in changes and changes[required] is None:
            raise MaxDPError(f"{required}: may not be null", 422, code="validation_error")
    values = spec_values(row) | {k: v for k, v in changes.items() if k != "description"}
    secrets = row_secrets(row, box) | _secret_dict(data, only_set=True)
    build_spec(values, secrets, settings)
    if "name" in changes:
        await _name_free(session, row.workspace_id, changes["name"], row.id)
    for key, value in changes.items():
        setattr(row, _COLUMNS.get(key, key), value)
    _store_secrets(row, secrets, box)
    row.updated_by = user.id
    await session.flush()
    return row, old_name


async def delete_connection(
    session: AsyncSession, user: User, connection_id: uuid.UUID
) -> StoredConnection:
    row = await get_connection(session, user, connection_id, WorkspaceRole.editor)
    await session.delete(row)
    await session.flush()
    return row


# -- talking to the database ----------------------------------------------------------------


@asynccontextmanager
async def _external(row: StoredConnection, box: SecretBox) -> AsyncIterator[None]:
    """Node errors of a connection as API errors, with every secret scrubbed from them."""
    try:
        yield
    except NodeError as exc:
        try:
            message = scrub(exc.message, row_secrets(row, box))
        except SecretsUnreadable:
            message = exc.message
        log.info("connection %s (%s): %s", row.name, row.id, message)
        if "MAXDP_SECRET_KEY" in message:
            raise MaxDPError(message, 500, code="secrets_unreadable") from None
        if message.startswith("table:"):
            raise TableNotFound(message) from None
        if "cannot connect" in message or "cannot resolve" in message or "failed after" in message:
            raise ConnectionFailed(message) from None
        if message.startswith("url:"):  # the HTTP policy refused the address
            raise MaxDPError(message, 422, code="http_policy") from None
        raise DatabaseError(message) from None


def _require_database(row: StoredConnection) -> None:
    if row.kind == "http":
        raise NotADatabase(
            f"connection {row.name!r} is an http connection; only database connections have tables"
        )


async def check_connection(
    services: NodeServices, box: SecretBox, row: StoredConnection
) -> ConnectionTest:
    started = time.perf_counter()
    conns = services.connections(row.workspace_id)
    async with _external(row, box):
        spec = await conns.spec(row.name)
        if spec.kind == "http":
            status = await _http_status(spec, services)
            return ConnectionTest(
                name=row.name,
                kind=row.kind,
                read_only=row.read_only,
                status_code=status,
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        info = await conns.describe_account(row.name)
    return ConnectionTest(
        name=info.name,
        kind=info.kind,
        server_version=info.server_version,
        read_only=info.read_only,
        can_write=info.can_write,
        write_privileges=info.write_privileges,
        warnings=info.warnings,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


async def _http_status(spec: ConnectionSpec, services: NodeServices) -> int:
    import httpx

    url = spec.base_url()
    await checked_address(httpx.URL(url), services.http_policy)
    headers = {k: v.get_secret_value() for k, v in spec.headers.items()}
    async with new_client() as client:
        result = await send_request(
            client,
            Request("GET", url, headers=headers),
            policy=services.http_policy,
            timeout_s=HTTP_TEST_TIMEOUT_S,
            retries=0,
            backoff_s=0,
        )
    return result.status


async def list_tables(
    services: NodeServices, box: SecretBox, row: StoredConnection, schema: str | None
) -> TableList:
    _require_database(row)
    async with _external(row, box):
        tables = await services.connections(row.workspace_id).list_tables(row.name, schema)
    return TableList(
        connection=row.name,
        schema_=schema,
        items=[TableRead(schema_=t.schema_, name=t.name, kind=t.kind) for t in tables],
    )


async def list_columns(
    services: NodeServices,
    box: SecretBox,
    row: StoredConnection,
    table: str,
    schema: str | None,
) -> ColumnList:
    _require_database(row)
    async with _external(row, box):
        columns = await services.connections(row.workspace_id).list_columns(row.name, table, schema)
    return ColumnList(
        connection=row.name,
        schema_=schema,
        table=table,
        items=[ColumnRead.model_validate(c.model_dump()) for c in columns],
    )
