"""Publishing: POST/GET/DELETE /flows/{id}/publish and GET /endpoints.

Publish and unpublish commit before answering and only then change what this process serves,
so ``/execute`` never serves something the database does not hold.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from max_dp_server.deps import CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.models import WorkspaceRole
from max_dp_server.published import repository, service
from max_dp_server.published.schemas import ENDPOINT_PATTERN, EndpointRead, PublishRequest
from max_dp_server.schemas import Page
from max_dp_server.workspaces.service import authorize

flow_publish = APIRouter(prefix="/flows", tags=["published endpoints"])
router = APIRouter(prefix="/endpoints", tags=["published endpoints"])


@flow_publish.post(
    "/{flow_id}/publish",
    response_model=EndpointRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": EndpointRead, "description": "Republished (updated)."}},
)
async def publish(
    flow_id: uuid.UUID,
    data: PublishRequest,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    response: Response,
) -> EndpointRead:
    """Serve a saved version at ``/execute/<endpoint>`` (201), or change an endpoint of this
    flow (200): calls already running finish on the version they started with."""
    row, created = await service.publish(session, state, user, flow_id, data)
    await session.commit()
    service.announce(state, row)
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.read_model(row)


@flow_publish.get("/{flow_id}/publish", response_model=list[EndpointRead])
async def flow_endpoints(
    flow_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[EndpointRead]:
    """The endpoints serving this flow."""
    rows = await service.endpoints_of(session, user, flow_id, WorkspaceRole.viewer)
    return [service.read_model(r) for r in rows]


@flow_publish.delete("/{flow_id}/publish", status_code=status.HTTP_204_NO_CONTENT)
async def unpublish(
    flow_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    endpoint: Annotated[
        str | None,
        Query(
            pattern=ENDPOINT_PATTERN, description="Only this endpoint; default all of the flow's."
        ),
    ] = None,
) -> Response:
    names = await service.unpublish(session, user, flow_id, endpoint)
    await session.commit()
    for name in names:
        state.published.directory.remove_endpoint(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("", response_model=Page[EndpointRead])
async def list_endpoints(
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    workspace_id: uuid.UUID | None = None,
    flow_id: uuid.UUID | None = None,
) -> Page[EndpointRead]:
    """Endpoints in the workspaces you belong to, by name."""
    if workspace_id is not None:
        await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    rows, total = await repository.search(
        session,
        user,
        workspace_id=workspace_id,
        flow_id=flow_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[EndpointRead](
        items=[service.read_model(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
