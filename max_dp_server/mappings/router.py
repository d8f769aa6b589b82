"""/api/v1/workspaces/{id}/mappings (list, create, auto-map) and /api/v1/mappings/{id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from max_dp_server.deps import CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.mappings import service
from max_dp_server.mappings.schemas import (
    AutoMapRequest,
    MappingCreate,
    MappingProposal,
    MappingRead,
    MappingUpdate,
)
from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import Page

workspace_mappings = APIRouter(prefix="/workspaces/{workspace_id}/mappings", tags=["mappings"])
router = APIRouter(prefix="/mappings", tags=["mappings"])


@workspace_mappings.get("", response_model=Page[MappingRead])
async def list_mappings(
    workspace_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Search name, table.")] = None,
) -> Page[MappingRead]:
    items, total = await service.list_mappings(
        session, user, workspace_id, q, paging.limit, paging.offset
    )
    return Page[MappingRead](items=items, total=total, limit=paging.limit, offset=paging.offset)


@workspace_mappings.post("", response_model=MappingRead, status_code=status.HTTP_201_CREATED)
async def create_mapping(
    workspace_id: uuid.UUID, data: MappingCreate, user: CurrentUser, session: SessionDep
) -> MappingRead:
    """Save a mapping; ``mapped_table_search`` finds it by ``name`` in this workspace's flows."""
    return await service.create_mapping(session, user, workspace_id, data)


@workspace_mappings.post("/auto-map", response_model=MappingProposal)
async def auto_map(
    workspace_id: uuid.UUID,
    data: AutoMapRequest,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> MappingProposal:
    """Propose a mapping from the table's columns: readable display names, a type per column,
    text columns and the key searchable. Nothing is saved."""
    return await service.auto_map_table(session, state.node_services, user, workspace_id, data)


@router.get("/{mapping_id}", response_model=MappingRead)
async def read_mapping(
    mapping_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> MappingRead:
    row = await service.get_mapping(session, user, mapping_id, WorkspaceRole.viewer)
    return (await service.read_models(session, [row]))[0]


@router.patch("/{mapping_id}", response_model=MappingRead)
async def update_mapping(
    mapping_id: uuid.UUID, data: MappingUpdate, user: CurrentUser, session: SessionDep
) -> MappingRead:
    return await service.update_mapping(session, user, mapping_id, data)


@router.delete("/{mapping_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_mapping(mapping_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_mapping(session, user, mapping_id)
