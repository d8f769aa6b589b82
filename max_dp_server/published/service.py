"""Publishing a flow version as an endpoint, republishing, unpublishing. Editors and admins
publish; viewers list."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import MaxDPError
from max_dp_server.code_policy import check_code_nodes
from max_dp_server.db import utcnow
from max_dp_server.errors import ConflictError, NotFoundError
from max_dp_server.flow_store import repository as flow_repository
from max_dp_server.flow_store.service import get_flow
from max_dp_server.models import PublishedEndpoint, StoredFlow, User, WorkspaceRole
from max_dp_server.published import repository
from max_dp_server.published.directory import EndpointInfo
from max_dp_server.published.schemas import RESERVED_ENDPOINTS, EndpointRead, PublishRequest
from max_dp_server.state import ServerState


def _invalid(field: str, message: str, code: str = "validation_error") -> MaxDPError:
    return MaxDPError(
        f"{field}: {message}", 422, code=code, details=[{"field": field, "message": message}]
    )


def read_model(row: PublishedEndpoint) -> EndpointRead:
    return EndpointRead(
        id=row.id,
        endpoint=row.endpoint,
        flow_id=row.flow_id,
        workspace_id=row.workspace_id,
        version=row.version,
        auth=row.auth,  # type: ignore[arg-type]
        rate_limit=row.rate_limit,
        record_runs=row.record_runs,  # type: ignore[arg-type]
        mode=row.mode,  # type: ignore[arg-type]
        enabled=row.enabled,
        published_by=row.published_by,
        published_at=row.published_at,
        url=f"/execute/{row.endpoint}",
    )


async def _version_document(
    session: AsyncSession, flow: StoredFlow, version: int | None
) -> tuple[int, dict[str, Any]]:
    if flow.latest_version == 0:
        raise MaxDPError(
            f"flow {flow.name!r} has no saved version; save one first "
            f"(POST /api/v1/flows/{flow.id}/versions), then publish it",
            422,
            code="no_saved_version",
            details=[{"field": "version", "message": "the flow has no saved version"}],
        )
    number = version or flow.latest_version
    found = await flow_repository.get_version(session, flow.id, number)
    if found is None:
        raise _invalid(
            "version",
            f"flow {flow.name!r} has no version {number} (versions: 1..{flow.latest_version})",
        )
    return number, found.document


async def publish(
    session: AsyncSession, state: ServerState, user: User, flow_id: uuid.UUID, req: PublishRequest
) -> tuple[PublishedEndpoint, bool]:
    """Create or update the endpoint; (row, created). The caller commits, then announces the
    row to the directory (``EndpointInfo.of``)."""
    flow = await get_flow(session, user, flow_id, WorkspaceRole.editor)
    if req.endpoint in RESERVED_ENDPOINTS:
        raise _invalid("endpoint", f"{req.endpoint!r} is reserved (/execute/{req.endpoint})")
    number, document = await _version_document(session, flow, req.version)
    await check_code_nodes(
        session, user, flow.workspace_id, document, enabled=state.settings.code_nodes_enabled
    )
    row = await repository.by_name(session, req.endpoint)
    if row is not None and row.flow_id != flow.id:
        raise ConflictError(
            f"the endpoint name {req.endpoint!r} is taken by another flow; pick another name",
            code="endpoint_taken",
        )
    created = row is None
    if created:
        # An executor left from an earlier publication of this name is not this flow's.
        state.workers.drop(req.endpoint)
    # Build it now: a saved version that no longer builds (a node type gone) is refused here
    # with every problem (422), and the first call finds the executor ready.
    await state.published.warm(state, req.endpoint, number, document, flow.workspace_id)
    if row is None:
        row = PublishedEndpoint(endpoint=req.endpoint, flow_id=flow.id)
        session.add(row)
    row.workspace_id = flow.workspace_id
    row.version = number
    row.auth = req.auth.value
    row.rate_limit = req.rate_limit
    row.record_runs = req.record_runs.value
    row.mode = req.mode.value
    row.enabled = req.enabled
    row.published_by = user.id
    row.published_at = utcnow()
    await session.flush()
    return row, created


async def endpoints_of(
    session: AsyncSession, user: User, flow_id: uuid.UUID, needed: WorkspaceRole
) -> list[PublishedEndpoint]:
    flow = await get_flow(session, user, flow_id, needed)
    return await repository.of_flow(session, flow.id)


async def unpublish(
    session: AsyncSession, user: User, flow_id: uuid.UUID, endpoint: str | None
) -> list[str]:
    """Delete the flow's endpoint ``endpoint`` (all of them when None); the names removed."""
    rows = await endpoints_of(session, user, flow_id, WorkspaceRole.editor)
    if endpoint is not None:
        rows = [r for r in rows if r.endpoint == endpoint]
    if not rows:
        which = f"as {endpoint!r}" if endpoint else "at all"
        raise NotFoundError(f"flow {flow_id} is not published {which}")
    for row in rows:
        await session.delete(row)
    await session.flush()
    return [r.endpoint for r in rows]


def announce(state: ServerState, row: PublishedEndpoint) -> None:
    """Serve the committed row from now on in this process."""
    state.published.directory.put_endpoint(EndpointInfo.of(row))
