"""Starting, reading and canceling runs; previews. Access: viewers read, editors run."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.executor import FlowExecutor, RunResult
from flows.serialize import frame_preview, jsonable
from max_dp_server.code_policy import check_enabled
from max_dp_server.errors import ConflictError, NotFoundError
from max_dp_server.flow_store import service as flows
from max_dp_server.models import RunRecord, User, WorkspaceRole
from max_dp_server.models.run import FINISHED_STATUSES
from max_dp_server.runs import repository
from max_dp_server.runs.manager import RunManager, RunPlan
from max_dp_server.runs.schemas import (
    NodePreview,
    NodeRunRead,
    PreviewRequest,
    PreviewResult,
    RunAccepted,
    RunRead,
    RunRequest,
    RunStatus,
    RunSummary,
)
from max_dp_server.state import ServerState
from max_dp_server.workspaces.service import authorize


async def build_executor(
    state: ServerState, document: Mapping[str, Any], workspace_id: uuid.UUID
) -> FlowExecutor:
    """The one way the server builds a flow: its registry, data dir and the workspace's
    services (connections, sandbox pool …). Refuses code nodes when the server disables them."""
    check_enabled(document, enabled=state.settings.code_nodes_enabled)
    # Building validates and instantiates every node: CPU work, kept off the event loop.
    build = functools.partial(
        FlowExecutor,
        document,
        registry=state.registry,
        data_dir=state.settings.data_dir,
        services=state.executor_services(workspace_id),
    )
    return await asyncio.to_thread(build)


async def _document(
    session: AsyncSession, user: User, flow_id: uuid.UUID, version: int | None
) -> tuple[Any, dict[str, Any]]:
    flow = await flows.get_flow(session, user, flow_id, WorkspaceRole.editor)
    if version is None:
        return flow, flow.document
    return flow, (await flows.find_version(session, flow, version)).document


async def plan_run(
    session: AsyncSession, state: ServerState, user: User, flow_id: uuid.UUID, req: RunRequest
) -> RunPlan:
    """Check access, build the executor and the parameters; nothing is recorded yet, so bad
    parameters answer 422 without leaving a failed run behind."""
    flow, document = await _document(session, user, flow_id, req.version)
    executor = await build_executor(state, document, flow.workspace_id)
    executor.bind_params(req.params)  # ParameterError (422) naming every bad parameter
    return RunPlan(
        executor=executor,
        flow_id=flow.id,
        workspace_id=flow.workspace_id,
        version=req.version,
        params=dict(req.params),
        user_id=user.id,
    )


async def get_run(
    session: AsyncSession, user: User, run_id: uuid.UUID, needed: WorkspaceRole
) -> RunRecord:
    run = await session.get(RunRecord, run_id)
    if run is None:
        raise NotFoundError(f"no run with id {run_id}")
    try:
        await authorize(session, user, run.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no run with id {run_id}") from None
    return run


async def read_run(session: AsyncSession, run: RunRecord) -> RunRead:
    nodes = await repository.node_runs(session, run.id)
    return RunRead(
        **RunSummary.model_validate(run).model_dump(),
        nodes=[NodeRunRead.model_validate(n) for n in nodes],
    )


def finished_read(record: RunRecord, result: RunResult, rows: int) -> RunRead:
    """A synchronous run's answer: what was just stored, built from memory rather than read
    back, plus the head of each output table."""
    return RunRead(
        id=record.id,
        flow_id=record.flow_id,
        workspace_id=record.workspace_id,
        version=record.version,
        status=RunStatus(result.status),
        trigger=record.trigger,
        params=jsonable(result.params),
        created_by=record.created_by,
        created_at=record.created_at,
        started_at=record.started_at,
        finished_at=result.finished_at,
        duration_ms=result.duration_ms,
        error=jsonable(result.error) if result.error else None,
        outputs={name: frame_preview(frame, rows) for name, frame in result.outputs.items()},
        nodes=[NodeRunRead.model_validate(node) for node in result.nodes],
    )


async def cancel_run(
    session: AsyncSession, manager: RunManager, user: User, run_id: uuid.UUID
) -> RunAccepted:
    run = await get_run(session, user, run_id, WorkspaceRole.editor)
    if run.status in FINISHED_STATUSES:
        raise ConflictError(f"the run already finished ({run.status}); nothing to cancel")
    if manager.cancel(run.id):
        return RunAccepted(run_id=run.id, status="cancel_requested")
    # Queued or running in the record, but no process runs it (the server that did stopped).
    run.status = "canceled"
    run.error = {"node_id": None, "node_type": None, "code": "canceled", "message": "run canceled"}
    await session.flush()
    return RunAccepted(run_id=run.id, status="canceled")


async def prepare_preview(
    session: AsyncSession, state: ServerState, user: User, flow_id: uuid.UUID, req: PreviewRequest
) -> FlowExecutor:
    """Check access and build the executor for a preview (run by ``run_preview``)."""
    if req.document is not None:
        flow = await flows.get_flow(session, user, flow_id, WorkspaceRole.editor)
        document = req.document
    else:
        flow, document = await _document(session, user, flow_id, req.version)
    executor = await build_executor(state, document, flow.workspace_id)
    executor.bind_params(req.params)
    return executor


async def run_preview(
    state: ServerState, executor: FlowExecutor, req: PreviewRequest
) -> PreviewResult:
    result = await executor.run_until(
        req.node_id,
        row_limit=req.row_limit,
        params=req.params,
        sample_sources=req.sample_sources,
        timeout_s=state.settings.preview_timeout_seconds,
    )
    nodes = {}
    for record in result.nodes:
        frame = result.previews.get(record.node_id)
        table = frame_preview(frame, req.row_limit) if frame is not None else {}
        if table:
            table["row_count"] = record.rows_out
        nodes[record.node_id] = NodePreview(
            status=record.status,
            duration_ms=record.duration_ms,
            error=record.error,
            reason=record.reason,
            **(table or {"row_count": None}),
        )
    return PreviewResult(
        node_id=req.node_id,
        status=result.status,
        duration_ms=result.duration_ms,
        error=result.error,
        nodes=nodes,
    )
