"""/api/v1/workspaces/{id}/connections and /api/v1/connections/{id}: CRUD, test, schema browser."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, status

from max_dp_server.connections import repository, service
from max_dp_server.connections.schemas import (
    ColumnList,
    ConnectionCreate,
    ConnectionRead,
    ConnectionTest,
    ConnectionUpdate,
    TableList,
)
from max_dp_server.deps import CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import Page
from max_dp_server.services import NodeServices
from max_dp_server.workspaces.service import authorize

workspace_connections = APIRouter(
    prefix="/workspaces/{workspace_id}/connections", tags=["connections"]
)
router = APIRouter(prefix="/connections", tags=["connections"])


def _node_services(state: StateDep) -> NodeServices:
    return state.node_services


ServicesDep = Annotated[NodeServices, Depends(_node_services)]
SchemaQuery = Annotated[
    str | None, Query(max_length=255, description="Database schema; default the connection's.")
]


@workspace_connections.get("", response_model=Page[ConnectionRead])
async def list_connections(
    workspace_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Search name, description.")] = None,
) -> Page[ConnectionRead]:
    await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    rows, total = await repository.search(session, workspace_id, q, paging.limit, paging.offset)
    return Page[ConnectionRead](
        items=[service.read_model(r, services.box) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@workspace_connections.post("", response_model=ConnectionRead, status_code=status.HTTP_201_CREATED)
async def create_connection(
    workspace_id: uuid.UUID,
    data: ConnectionCreate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    services: ServicesDep,
) -> ConnectionRead:
    """Save a connection. ``url``, ``password`` and ``headers`` are stored encrypted and never
    returned."""
    row = await service.create_connection(
        session, services.box, state.settings, user, workspace_id, data
    )
    return service.read_model(row, services.box)


@router.get("/{connection_id}", response_model=ConnectionRead)
async def read_connection(
    connection_id: uuid.UUID, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> ConnectionRead:
    row = await service.get_connection(session, user, connection_id, WorkspaceRole.viewer)
    return service.read_model(row, services.box)


@router.patch("/{connection_id}", response_model=ConnectionRead)
async def update_connection(
    connection_id: uuid.UUID,
    data: ConnectionUpdate,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    services: ServicesDep,
    background: BackgroundTasks,
) -> ConnectionRead:
    """Change fields; left-out secrets are kept, a secret sent as null is removed. The
    connection's pool is closed once the change is committed."""
    row, old_name = await service.update_connection(
        session, services.box, state.settings, user, connection_id, data
    )
    # Background tasks run after the response, i.e. after the request's commit.
    background.add_task(services.dispose_connection, row.workspace_id, old_name)
    return service.read_model(row, services.box)


@router.delete("/{connection_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_connection(
    connection_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    background: BackgroundTasks,
) -> None:
    """Delete a connection; flows naming it fail at their next run. Mappings keep their table."""
    row = await service.delete_connection(session, user, connection_id)
    background.add_task(services.dispose_connection, row.workspace_id, row.name)


@router.post("/{connection_id}/test", response_model=ConnectionTest)
async def test_connection(
    connection_id: uuid.UUID, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> ConnectionTest:
    """Connect and report the server version and whether the account can write (a warning when
    a read_only connection's account can). Unreachable: 502 with the reason."""
    row = await service.get_connection(session, user, connection_id, WorkspaceRole.editor)
    await session.close()  # hold no server connection while the remote one answers
    return await service.check_connection(services, services.box, row)


@router.get("/{connection_id}/tables", response_model=TableList)
async def list_tables(
    connection_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    schema: SchemaQuery = None,
) -> TableList:
    """Tables and views of the connection's database (or of ``schema``)."""
    row = await service.get_connection(session, user, connection_id, WorkspaceRole.viewer)
    await session.close()
    return await service.list_tables(services, services.box, row, schema)


@router.get("/{connection_id}/tables/{table}/columns", response_model=ColumnList)
async def list_columns(
    connection_id: uuid.UUID,
    table: str,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    schema: SchemaQuery = None,
) -> ColumnList:
    """Columns of one table: name, type, nullable, primary key, default."""
    row = await service.get_connection(session, user, connection_id, WorkspaceRole.viewer)
    await session.close()
    return await service.list_columns(services, services.box, row, table, schema)
