"""Table mappings: CRUD and auto-map. Members read; editors and admins write and auto-map.

Every saved mapping passes the node library's own ``TableMapping`` validation, so a mapping the
API accepts is one ``mapped_table_search`` can use.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import MaxDPError
from max_dp_server.connections import repository as connections
from max_dp_server.connections.service import list_columns
from max_dp_server.errors import NotFoundError
from max_dp_server.mappings.schemas import (
    AutoMapRequest,
    FieldRead,
    MappingCreate,
    MappingProposal,
    MappingRead,
    MappingUpdate,
)
from max_dp_server.mappings.store import to_table_mapping
from max_dp_server.models import StoredConnection, StoredTableMapping, User, WorkspaceRole
from max_dp_server.services import NodeServices
from max_dp_server.workspaces.service import authorize, ensure_name_free
from nodes.connections import ColumnInfo
from nodes.messaging.mappings import TableMapping, auto_map


class InvalidMapping(MaxDPError):
    status_code = 422
    code = "invalid_mapping"


def _validated(body: dict[str, Any]) -> TableMapping:
    try:
        return TableMapping.model_validate(body)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise InvalidMapping("; ".join(problems), details={"problems": problems}) from None


def _fields(mapping: TableMapping) -> dict[str, Any]:
    return {name: f.model_dump() for name, f in mapping.fields.items()}


async def get_mapping(
    session: AsyncSession, user: User, mapping_id: uuid.UUID, needed: WorkspaceRole
) -> StoredTableMapping:
    row = await session.get(StoredTableMapping, mapping_id)
    if row is None:
        raise NotFoundError(f"no table mapping with id {mapping_id}")
    try:
        await authorize(session, user, row.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no table mapping with id {mapping_id}") from None
    return row


def read_model(row: StoredTableMapping, connection: str | None) -> MappingRead:
    mapping = to_table_mapping(row)
    return MappingRead(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        connection=connection,
        connection_id=row.connection_id,
        table=row.table_name,
        schema_=row.schema_name,
        display_name=row.display_name,
        description=row.description,
        fields={k: FieldRead.model_validate(v.model_dump()) for k, v in mapping.fields.items()},
        filterable_fields=mapping.filterable_fields(),
        created_by=row.created_by,
        updated_by=row.updated_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def read_models(session: AsyncSession, rows: list[StoredTableMapping]) -> list[MappingRead]:
    names = await connections.names_by_id(
        session, {r.connection_id for r in rows if r.connection_id is not None}
    )
    return [read_model(r, names.get(r.connection_id) if r.connection_id else None) for r in rows]


async def list_mappings(
    session: AsyncSession,
    user: User,
    workspace_id: uuid.UUID,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[list[MappingRead], int]:
    await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    query = select(StoredTableMapping).where(StoredTableMapping.workspace_id == workspace_id)
    if q:
        query = query.where(
            or_(
                StoredTableMapping.name.icontains(q, autoescape=True),
                StoredTableMapping.table_name.icontains(q, autoescape=True),
                StoredTableMapping.display_name.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(StoredTableMapping.name, StoredTableMapping.id).limit(limit).offset(offset)
    )
    return await read_models(session, list(rows)), int(total or 0)


async def _connection(
    session: AsyncSession, workspace_id: uuid.UUID, name: str | None
) -> StoredConnection | None:
    if name is None:
        return None
    row = await connections.by_name(session, workspace_id, name)
    if row is None:
        known = ", ".join(await connections.names(session, workspace_id)) or "none"
        raise InvalidMapping(
            f"connection: no connection named {name!r} in this workspace (configured: {known})"
        )
    return row


async def _name_free(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, own_id: uuid.UUID | None = None
) -> None:
    await ensure_name_free(
        session, StoredTableMapping, workspace_id, name, what="a table mapping", own_id=own_id
    )


async def create_mapping(
    session: AsyncSession, user: User, workspace_id: uuid.UUID, data: MappingCreate
) -> MappingRead:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    mapping = _validated(
        {
            "table": data.table,
            "schema": data.schema_,
            "display_name": data.display_name,
            "description": data.description,
            "fields": data.fields,
        }
    )
    conn = await _connection(session, workspace_id, data.connection)
    await _name_free(session, workspace_id, data.name)
    row = StoredTableMapping(
        workspace_id=workspace_id,
        name=data.name,
        connection_id=conn.id if conn else None,
        table_name=mapping.table,
        schema_name=mapping.schema_,
        display_name=mapping.display_name,
        description=mapping.description,
        fields=_fields(mapping),
        created_by=user.id,
        updated_by=user.id,
    )
    session.add(row)
    await session.flush()
    return read_model(row, conn.name if conn else None)


async def update_mapping(
    session: AsyncSession, user: User, mapping_id: uuid.UUID, data: MappingUpdate
) -> MappingRead:
    row = await get_mapping(session, user, mapping_id, WorkspaceRole.editor)
    changes = data.model_dump(exclude_unset=True)
    for required in ("name", "table", "fields"):
        if required in changes and changes[required] is None:
            raise InvalidMapping(f"{required}: may not be null")
    current = to_table_mapping(row)
    mapping = _validated(
        {
            "table": changes.get("table", current.table),
            "schema": changes.get("schema_", current.schema_),
            "display_name": changes.get("display_name", current.display_name),
            "description": changes.get("description", current.description) or "",
            "fields": changes.get("fields", _fields(current)),
        }
    )
    if "connection" in changes:
        conn = await _connection(session, row.workspace_id, changes["connection"])
        row.connection_id = conn.id if conn else None
    if "name" in changes:
        await _name_free(session, row.workspace_id, changes["name"], row.id)
        row.name = changes["name"]
    row.table_name = mapping.table
    row.schema_name = mapping.schema_
    row.display_name = mapping.display_name
    row.description = mapping.description
    row.fields = _fields(mapping)
    row.updated_by = user.id
    await session.flush()
    return (await read_models(session, [row]))[0]


async def delete_mapping(session: AsyncSession, user: User, mapping_id: uuid.UUID) -> None:
    await session.delete(await get_mapping(session, user, mapping_id, WorkspaceRole.editor))


async def auto_map_table(
    session: AsyncSession,
    services: NodeServices,
    user: User,
    workspace_id: uuid.UUID,
    req: AutoMapRequest,
) -> MappingProposal:
    """A proposal from the table's columns (``nodes.messaging.mappings.auto_map``); not saved."""
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    conn = await _connection(session, workspace_id, req.connection)
    assert conn is not None
    await session.close()  # no server connection held while the remote catalog answers
    columns = await list_columns(services, services.box, conn, req.table, req.schema_)
    infos = [ColumnInfo.model_validate(c.model_dump()) for c in columns.items]
    mapping = auto_map(req.table, infos, schema=req.schema_)
    return MappingProposal(
        name=req.table,
        connection=conn.name,
        table=mapping.table,
        schema_=mapping.schema_,
        display_name=mapping.display_name,
        description=mapping.description,
        fields={k: FieldRead.model_validate(v.model_dump()) for k, v in mapping.fields.items()},
    )
