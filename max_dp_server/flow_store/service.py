"""Flow store: every saved document passes the engine's validation first.

A failed save raises FlowValidationError (422, every problem in ``details``) before anything
changes, so the stored flow and its versions stay as they were.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows import rename as renaming
from flows.errors import FlowValidationError, Problem
from flows.graph import validate_flow
from max_dp_server.code_policy import check_code_nodes
from max_dp_server.errors import NotFoundError
from max_dp_server.flow_store import repository
from max_dp_server.flow_store.diff import diff_documents
from max_dp_server.flow_store.schemas import FlowDiff
from max_dp_server.models import FlowVersion, StoredFlow, User, WorkspaceRole
from max_dp_server.workspaces.service import authorize
from nodes.registry import NodeRegistry


async def problems_of(document: Mapping[str, Any], registry: NodeRegistry) -> list[Problem]:
    # Validation builds every node (configs, expressions): keep that CPU off the event loop.
    return await asyncio.to_thread(validate_flow, document, registry)


async def rename_parameter(
    document: Mapping[str, Any], old: str, new: str, registry: NodeRegistry
) -> renaming.ParameterRenamed:
    # Like validation, it parses every expression and script: off the event loop.
    return await asyncio.to_thread(renaming.rename_parameter, document, old, new, registry)


async def check_document(document: Mapping[str, Any], registry: NodeRegistry) -> None:
    problems = await problems_of(document, registry)
    if problems:
        raise FlowValidationError(problems)


async def get_flow(
    session: AsyncSession, user: User, flow_id: uuid.UUID, needed: WorkspaceRole
) -> StoredFlow:
    """The flow, if ``user`` holds ``needed`` in its workspace; a flow in a workspace the user
    does not belong to answers exactly like a missing one."""
    flow = await session.get(StoredFlow, flow_id)
    if flow is None:
        raise NotFoundError(f"no flow with id {flow_id}")
    try:
        await authorize(session, user, flow.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no flow with id {flow_id}") from None
    return flow


def _apply(flow: StoredFlow, document: Mapping[str, Any], user: User) -> None:
    flow.document = dict(document)
    flow.name = str(document["name"])
    flow.description = str(document.get("description") or "")
    flow.updated_by = user.id


async def create_flow(
    session: AsyncSession,
    registry: NodeRegistry,
    user: User,
    workspace_id: uuid.UUID,
    document: Mapping[str, Any],
    *,
    code_nodes_enabled: bool,
) -> StoredFlow:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    await check_code_nodes(session, user, workspace_id, document, enabled=code_nodes_enabled)
    await check_document(document, registry)
    flow = StoredFlow(workspace_id=workspace_id, created_by=user.id, latest_version=0)
    _apply(flow, document, user)
    session.add(flow)
    await session.flush()
    return flow


async def save_flow(
    session: AsyncSession,
    registry: NodeRegistry,
    user: User,
    flow_id: uuid.UUID,
    document: Mapping[str, Any],
    *,
    code_nodes_enabled: bool,
) -> StoredFlow:
    flow = await get_flow(session, user, flow_id, WorkspaceRole.editor)
    await check_code_nodes(session, user, flow.workspace_id, document, enabled=code_nodes_enabled)
    await check_document(document, registry)
    _apply(flow, document, user)
    await session.flush()
    return flow


async def delete_flow(session: AsyncSession, user: User, flow_id: uuid.UUID) -> None:
    await session.delete(await get_flow(session, user, flow_id, WorkspaceRole.editor))


async def save_version(
    session: AsyncSession, user: User, flow_id: uuid.UUID, comment: str
) -> FlowVersion:
    flow = await get_flow(session, user, flow_id, WorkspaceRole.editor)
    number = await repository.next_version(session, flow.id)
    version = FlowVersion(
        flow_id=flow.id,
        version=number,
        document=dict(flow.document),
        comment=comment,
        created_by=user.id,
    )
    session.add(version)
    await session.flush()
    return version


async def get_version(
    session: AsyncSession, user: User, flow_id: uuid.UUID, number: int
) -> FlowVersion:
    flow = await get_flow(session, user, flow_id, WorkspaceRole.viewer)
    return await find_version(session, flow, number)


async def find_version(session: AsyncSession, flow: StoredFlow, number: int) -> FlowVersion:
    version = await repository.get_version(session, flow.id, number)
    if version is None:
        saved = f"1..{flow.latest_version}" if flow.latest_version else "none saved yet"
        raise NotFoundError(f"flow {flow.name!r} has no version {number} (versions: {saved})")
    return version


async def restore_version(
    session: AsyncSession,
    registry: NodeRegistry,
    user: User,
    flow_id: uuid.UUID,
    number: int,
    *,
    code_nodes_enabled: bool,
) -> StoredFlow:
    """Copy a version's document over the flow's current one (versions are left as they are)."""
    flow = await get_flow(session, user, flow_id, WorkspaceRole.editor)
    version = await find_version(session, flow, number)
    await check_code_nodes(
        session, user, flow.workspace_id, version.document, enabled=code_nodes_enabled
    )
    # The node library may have changed since the version was saved.
    await check_document(version.document, registry)
    _apply(flow, version.document, user)
    await session.flush()
    return flow


async def diff(
    session: AsyncSession,
    user: User,
    flow_id: uuid.UUID,
    from_version: int,
    to_version: int | None,
    draft: Mapping[str, Any] | None = None,
) -> FlowDiff:
    """Version ``from_version`` against ``to_version``, else against ``draft`` (a document
    being edited), else against the flow's saved document."""
    flow = await get_flow(session, user, flow_id, WorkspaceRole.viewer)
    old = (await find_version(session, flow, from_version)).document
    if to_version is not None:
        new = (await find_version(session, flow, to_version)).document
    else:
        new = flow.document if draft is None else draft
    return FlowDiff(
        flow_id=flow.id,
        from_version=from_version,
        to_version=to_version,
        **diff_documents(old, new),
    )
