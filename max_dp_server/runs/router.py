"""Runs: POST /flows/{id}/run and /preview, and /runs (list, read, cancel, events)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import JSONResponse, StreamingResponse

from max_dp_server.deps import CurrentUser, Paging, RunManagerDep, SessionDep, StateDep
from max_dp_server.flow_store.service import get_flow
from max_dp_server.models import RunRecord, WorkspaceRole
from max_dp_server.models.run import FINISHED_STATUSES
from max_dp_server.runs import repository, service
from max_dp_server.runs.events import replay, sse
from max_dp_server.runs.schemas import (
    PreviewRequest,
    PreviewResult,
    RunAccepted,
    RunRead,
    RunRequest,
    RunStatus,
    RunSummary,
)
from max_dp_server.schemas import Page
from max_dp_server.state import ServerState
from max_dp_server.workspaces.service import authorize

flow_runs = APIRouter(prefix="/flows", tags=["runs"])
router = APIRouter(prefix="/runs", tags=["runs"])

KEEPALIVE_S = 15.0
POLL_S = 1.0


@flow_runs.post(
    "/{flow_id}/run",
    response_model=RunRead,
    responses={202: {"model": RunAccepted, "description": "Background run accepted."}},
)
async def run_flow(
    flow_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    data: RunRequest | None = None,
    background: Annotated[bool, Query(description="Answer 202 at once with the run id.")] = False,
) -> RunRead | JSONResponse:
    """Run the flow with ``params``: wait for it (200, the run with its outputs), or with
    ``?background=true`` answer 202 with the run id at once."""
    req = data or RunRequest()
    plan = await service.plan_run(session, state, user, flow_id, req)
    # End the read-only transaction now: a run can take minutes, and must not pin a pooled
    # connection (the run writes its records through its own sessions).
    await session.close()
    if background:
        run_id = await state.runs.submit(plan)
        return JSONResponse(
            RunAccepted(run_id=run_id, status="queued").model_dump(mode="json"),
            status_code=status.HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/runs/{run_id}"},
        )
    record, result = await state.runs.run(plan)
    if result is None:  # crashed: the record says how
        run = await session.get(RunRecord, record.id)
        assert run is not None
        return await service.read_run(session, run)
    rows = state.settings.run_output_rows if req.output_rows is None else req.output_rows
    return service.finished_read(record, result, rows)


@flow_runs.post("/{flow_id}/preview", response_model=PreviewResult)
async def preview_flow(
    flow_id: uuid.UUID,
    data: PreviewRequest,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> PreviewResult:
    """Run ``node_id`` and the nodes it needs; the head of each node's output. Not recorded."""
    executor = await service.prepare_preview(session, state, user, flow_id, data)
    await session.close()  # as for runs: no connection held while the preview computes
    return await service.run_preview(state, executor, data)


@router.get("", response_model=Page[RunSummary])
async def list_runs(
    user: CurrentUser,
    session: SessionDep,
    paging: Paging,
    flow_id: uuid.UUID | None = None,
    workspace_id: uuid.UUID | None = None,
    status: RunStatus | None = None,
) -> Page[RunSummary]:
    """Runs of the flows you can see, newest first."""
    if flow_id is not None:
        await get_flow(session, user, flow_id, WorkspaceRole.viewer)
    if workspace_id is not None:
        await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    runs, total = await repository.search(
        session,
        user,
        flow_id=flow_id,
        workspace_id=workspace_id,
        status=status.value if status else None,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[RunSummary](
        items=[RunSummary.model_validate(r) for r in runs],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{run_id}", response_model=RunRead)
async def read_run(run_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> RunRead:
    """The run with one record per node (status, timings, rows in/out, error)."""
    run = await service.get_run(session, user, run_id, WorkspaceRole.viewer)
    return await service.read_run(session, run)


@router.post("/{run_id}/cancel", response_model=RunAccepted, status_code=status.HTTP_202_ACCEPTED)
async def cancel_run(
    run_id: uuid.UUID, user: CurrentUser, session: SessionDep, runs: RunManagerDep
) -> RunAccepted:
    return await service.cancel_run(session, runs, user, run_id)


@router.get("/{run_id}/events", response_class=StreamingResponse)
async def run_events(
    run_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
) -> StreamingResponse:
    """Server-sent events: node_started / node_finished as they happen, then run_finished.
    A finished run replays its events from the record."""
    run = await service.get_run(session, user, run_id, WorkspaceRole.viewer)
    await session.close()  # the stream may last as long as the run
    return StreamingResponse(
        _stream(state, run.id, last_event_id or 0),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(state: ServerState, run_id: uuid.UUID, after: int) -> AsyncIterator[str]:
    live = state.runs.events(run_id)
    if live is not None and not live.closed:
        snapshot, queue = live.subscribe()
        try:
            for event in snapshot:
                if event["seq"] > after:
                    yield sse(event)
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if event is None:
                    return
                yield sse(event)
                if event["kind"] == "run_finished":
                    return
        finally:
            live.unsubscribe(queue)
    # Finished, or run by another server process: wait for the final record, then replay it.
    while True:
        async with state.sessionmaker() as session:
            run = await session.get(RunRecord, run_id)
            if run is None:
                return
            if run.status in FINISHED_STATUSES:
                for event in replay(run, await repository.node_runs(session, run_id)):
                    if event["seq"] > after:
                        yield sse(event)
                return
        yield ": waiting\n\n"
        await asyncio.sleep(POLL_S)
