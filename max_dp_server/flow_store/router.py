"""/api/v1/flows: flow CRUD, search, import/export, validation and versions."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from fastapi.responses import JSONResponse

from max_dp_server.deps import CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.flow_store import repository, service
from max_dp_server.flow_store.schemas import (
    DraftDiff,
    FlowCreate,
    FlowDiff,
    FlowRead,
    FlowSave,
    FlowSummary,
    ParameterRename,
    ParameterRenameResult,
    ValidationResult,
    VersionCreate,
    VersionRead,
    VersionSummary,
)
from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import Page
from max_dp_server.workspaces.service import authorize

router = APIRouter(prefix="/flows", tags=["flows"])

RawDocument = Annotated[dict[str, Any], Body(description="A flow document (schema_version 1).")]
VersionNumber = Annotated[int, Query(ge=1)]


@router.get("", response_model=Page[FlowSummary])
async def list_flows(
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    workspace_id: uuid.UUID | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Search name and description.")
    ] = None,
) -> Page[FlowSummary]:
    if workspace_id is not None:
        await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    flows, total = await repository.search(
        session, user, workspace_id, q, paging.limit, paging.offset
    )
    return Page[FlowSummary](
        items=[FlowSummary.model_validate(f) for f in flows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", response_model=FlowRead, status_code=status.HTTP_201_CREATED)
async def create_flow(
    data: FlowCreate, user: CurrentUser, session: SessionDep, state: StateDep
) -> FlowRead:
    flow = await service.create_flow(
        session,
        state.registry,
        user,
        data.workspace_id,
        data.document,
        code_nodes_enabled=state.settings.code_nodes_enabled,
    )
    return FlowRead.model_validate(flow)


@router.post("/import", response_model=FlowRead, status_code=status.HTTP_201_CREATED)
async def import_flow(
    document: RawDocument,
    workspace_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> FlowRead:
    """Create a flow from an exported document (the body is the document itself)."""
    flow = await service.create_flow(
        session,
        state.registry,
        user,
        workspace_id,
        document,
        code_nodes_enabled=state.settings.code_nodes_enabled,
    )
    return FlowRead.model_validate(flow)


@router.post("/validate", response_model=ValidationResult)
async def validate(document: RawDocument, _user: CurrentUser, state: StateDep) -> ValidationResult:
    """Every problem of a document at once, each with its node id; nothing is stored."""
    problems = await service.problems_of(document, state.registry)
    return ValidationResult(valid=not problems, problems=[dict(p) for p in problems])


@router.post("/rename-parameter", response_model=ParameterRenameResult)
async def rename_parameter(
    data: ParameterRename, _user: CurrentUser, state: StateDep
) -> ParameterRenameResult:
    """The document with a parameter renamed in its declaration and wherever a node uses it
    (``@name``, ``:name``, ``params['name']``); nothing is stored."""
    renamed = await service.rename_parameter(data.document, data.old, data.new, state.registry)
    return ParameterRenameResult.model_validate(renamed)


@router.get("/{flow_id}", response_model=FlowRead)
async def read_flow(flow_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> FlowRead:
    flow = await service.get_flow(session, user, flow_id, WorkspaceRole.viewer)
    return FlowRead.model_validate(flow)


@router.put("/{flow_id}", response_model=FlowRead)
async def save_flow(
    flow_id: uuid.UUID, data: FlowSave, user: CurrentUser, session: SessionDep, state: StateDep
) -> FlowRead:
    """Replace the flow's document. An invalid document answers 422 and changes nothing."""
    flow = await service.save_flow(
        session,
        state.registry,
        user,
        flow_id,
        data.document,
        code_nodes_enabled=state.settings.code_nodes_enabled,
    )
    return FlowRead.model_validate(flow)


@router.delete("/{flow_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_flow(flow_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_flow(session, user, flow_id)


@router.get("/{flow_id}/export")
async def export_flow(flow_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> JSONResponse:
    """The flow document as a JSON file, ready for POST /api/v1/flows/import."""
    flow = await service.get_flow(session, user, flow_id, WorkspaceRole.viewer)
    filename = re.sub(r"[^A-Za-z0-9._-]+", "_", flow.name).strip("_") or "flow"
    return JSONResponse(
        flow.document, headers={"Content-Disposition": f'attachment; filename="{filename}.json"'}
    )


@router.post(
    "/{flow_id}/versions", response_model=VersionSummary, status_code=status.HTTP_201_CREATED
)
async def save_version(
    flow_id: uuid.UUID, user: CurrentUser, session: SessionDep, data: VersionCreate | None = None
) -> VersionSummary:
    """Save the current document as the next immutable version."""
    comment = data.comment if data else ""
    return VersionSummary.model_validate(
        await service.save_version(session, user, flow_id, comment)
    )


@router.get("/{flow_id}/versions", response_model=Page[VersionSummary])
async def list_versions(
    flow_id: uuid.UUID, user: CurrentUser, session: SessionDep, paging: Paging
) -> Page[VersionSummary]:
    flow = await service.get_flow(session, user, flow_id, WorkspaceRole.viewer)
    versions, total = await repository.list_versions(session, flow.id, paging.limit, paging.offset)
    return Page[VersionSummary](
        items=[VersionSummary.model_validate(v) for v in versions],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{flow_id}/versions/{version}", response_model=VersionRead)
async def read_version(
    flow_id: uuid.UUID, version: int, user: CurrentUser, session: SessionDep
) -> VersionRead:
    return VersionRead.model_validate(await service.get_version(session, user, flow_id, version))


@router.post("/{flow_id}/versions/{version}/restore", response_model=FlowRead)
async def restore_version(
    flow_id: uuid.UUID, version: int, user: CurrentUser, session: SessionDep, state: StateDep
) -> FlowRead:
    """Make a saved version's document the flow's current document."""
    flow = await service.restore_version(
        session,
        state.registry,
        user,
        flow_id,
        version,
        code_nodes_enabled=state.settings.code_nodes_enabled,
    )
    return FlowRead.model_validate(flow)


@router.get("/{flow_id}/diff", response_model=FlowDiff)
async def diff_versions(
    flow_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    from_version: VersionNumber,
    to_version: Annotated[
        int | None, Query(ge=1, description="Omit to compare with the current document.")
    ] = None,
) -> FlowDiff:
    """Nodes, edges and parameters added, removed or changed between two versions."""
    return await service.diff(session, user, flow_id, from_version, to_version)


@router.post("/{flow_id}/diff", response_model=FlowDiff)
async def diff_draft(
    flow_id: uuid.UUID, data: DraftDiff, user: CurrentUser, session: SessionDep
) -> FlowDiff:
    """What changed from a version to the document sent (the editor's, unsaved edits
    included); nothing is stored."""
    return await service.diff(session, user, flow_id, data.from_version, None, data.document)
