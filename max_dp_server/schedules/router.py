"""/api/v1 schedules: per flow, by id, by workspace; cron previews; the scheduler's status."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from max_dp_server.deps import AdminUser, CurrentUser, Paging, SessionDep, StateDep
from max_dp_server.models import WorkspaceRole
from max_dp_server.schedules import lease, repository, service
from max_dp_server.schedules.schemas import (
    FireRead,
    LeaseRead,
    PreviewRequest,
    PreviewResult,
    ScheduleCreate,
    ScheduleRead,
    SchedulerStatus,
    ScheduleUpdate,
)
from max_dp_server.schemas import Page

flow_schedules = APIRouter(prefix="/flows", tags=["schedules"])
router = APIRouter(prefix="/schedules", tags=["schedules"])
scheduler_router = APIRouter(prefix="/scheduler", tags=["schedules"])


@flow_schedules.post(
    "/{flow_id}/schedules", response_model=ScheduleRead, status_code=status.HTTP_201_CREATED
)
async def create_schedule(
    flow_id: uuid.UUID, data: ScheduleCreate, user: CurrentUser, session: SessionDep
) -> ScheduleRead:
    """Put the flow on a cron. Answers the schedule with its next 5 fire times."""
    return service.read_model(await service.create_schedule(session, user, flow_id, data))


@flow_schedules.get("/{flow_id}/schedules", response_model=Page[ScheduleRead])
async def list_flow_schedules(
    flow_id: uuid.UUID, user: CurrentUser, session: SessionDep, paging: Paging
) -> Page[ScheduleRead]:
    items, total = await service.list_for_flow(session, user, flow_id, paging.limit, paging.offset)
    return Page[ScheduleRead](items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("", response_model=Page[ScheduleRead])
async def list_schedules(
    user: CurrentUser, session: SessionDep, paging: Paging, workspace_id: uuid.UUID | None = None
) -> Page[ScheduleRead]:
    """Schedules of one workspace, or of every workspace you can see."""
    items, total = await service.list_for_workspace(
        session, user, workspace_id, paging.limit, paging.offset
    )
    return Page[ScheduleRead](items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post("/preview", response_model=PreviewResult)
async def preview(data: PreviewRequest, _user: CurrentUser) -> PreviewResult:
    """The next fire times of a cron expression in a time zone; nothing is saved."""
    return service.preview(data.cron, data.timezone, data.count)


@router.get("/{schedule_id}", response_model=ScheduleRead)
async def read_schedule(
    schedule_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> ScheduleRead:
    schedule = await service.get_schedule(session, user, schedule_id, WorkspaceRole.viewer)
    return service.read_model(schedule)


@router.patch("/{schedule_id}", response_model=ScheduleRead)
async def update_schedule(
    schedule_id: uuid.UUID, data: ScheduleUpdate, user: CurrentUser, session: SessionDep
) -> ScheduleRead:
    """Change the fields sent. A new cron, time zone or re-enabling counts from now."""
    return service.read_model(await service.update_schedule(session, user, schedule_id, data))


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_schedule(schedule_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_schedule(session, user, schedule_id)


@router.get("/{schedule_id}/fires", response_model=Page[FireRead])
async def list_fires(
    schedule_id: uuid.UUID, user: CurrentUser, session: SessionDep, paging: Paging
) -> Page[FireRead]:
    """The schedule's fires, newest first: each with its run, or why it did not run."""
    schedule = await service.get_schedule(session, user, schedule_id, WorkspaceRole.viewer)
    fires, total = await repository.fires(session, schedule.id, paging.limit, paging.offset)
    return Page[FireRead](
        items=[FireRead.model_validate(f) for f in fires],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@scheduler_router.get("/status", response_model=SchedulerStatus)
async def scheduler_status(
    _admin: AdminUser, session: SessionDep, state: StateDep
) -> SchedulerStatus:
    """Which process holds the scheduler lease, and whether it is this one (admin)."""
    runner = state.schedules
    current = await lease.read(session)
    return SchedulerStatus(
        enabled=runner is not None,
        process=runner.holder if runner is not None else None,
        is_leader=runner is not None and runner.is_leader,
        lease=LeaseRead.model_validate(current) if current is not None else None,
    )
