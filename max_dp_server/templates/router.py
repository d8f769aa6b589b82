"""/api/v1/workspaces/{id}/message-templates and /api/v1/message-templates/{id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from max_dp_server.deps import CurrentUser, Paging, SessionDep
from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import Page
from max_dp_server.templates import service
from max_dp_server.templates.schemas import (
    CHANNEL_PATTERN,
    RenderRequest,
    RenderResult,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    VariableMatch,
)

workspace_templates = APIRouter(
    prefix="/workspaces/{workspace_id}/message-templates", tags=["message templates"]
)
router = APIRouter(prefix="/message-templates", tags=["message templates"])


@workspace_templates.get("", response_model=Page[TemplateRead])
async def list_templates(
    workspace_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Search name, content.")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    channel: Annotated[str | None, Query(pattern=CHANNEL_PATTERN)] = None,
) -> Page[TemplateRead]:
    rows, total = await service.list_templates(
        session,
        user,
        workspace_id,
        q=q,
        category=category,
        channel=channel,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[TemplateRead](
        items=[TemplateRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@workspace_templates.post("", response_model=TemplateRead, status_code=status.HTTP_201_CREATED)
async def create_template(
    workspace_id: uuid.UUID, data: TemplateCreate, user: CurrentUser, session: SessionDep
) -> TemplateRead:
    """Save a template; its ``variables`` are read from the ``{{...}}`` in subject and content."""
    row = await service.create_template(session, user, workspace_id, data)
    return TemplateRead.model_validate(row)


@router.get("/{template_id}", response_model=TemplateRead)
async def read_template(
    template_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> TemplateRead:
    row = await service.get_template(session, user, template_id, WorkspaceRole.viewer)
    return TemplateRead.model_validate(row)


@router.patch("/{template_id}", response_model=TemplateRead)
async def update_template(
    template_id: uuid.UUID, data: TemplateUpdate, user: CurrentUser, session: SessionDep
) -> TemplateRead:
    row = await service.update_template(session, user, template_id, data)
    return TemplateRead.model_validate(row)


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_template(session, user, template_id)


@router.post("/{template_id}/render", response_model=RenderResult)
async def render_template(
    template_id: uuid.UUID, data: RenderRequest, user: CurrentUser, session: SessionDep
) -> RenderResult:
    """Preview the template with sample ``values`` (not counted as a use)."""
    row = await service.get_template(session, user, template_id, WorkspaceRole.viewer)
    return service.render(row, data)


@router.get("/{template_id}/match", response_model=VariableMatch)
async def match_template(
    template_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    mapping: Annotated[str, Query(min_length=1, description="A saved table mapping's name.")],
) -> VariableMatch:
    """Which column each variable takes from a table mapping (by column, then display name),
    and which variables no field matches."""
    row = await service.get_template(session, user, template_id, WorkspaceRole.viewer)
    return await service.match_mapping(session, row, mapping)
