"""Schedules: create, read, change, delete, preview. Viewers read; editors and admins write.

A schedule in a workspace the user does not belong to answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import ParameterError
from flows.model import Flow
from flows.params import bind_params
from max_dp_server.db import utcnow
from max_dp_server.errors import NotFoundError
from max_dp_server.flow_store import service as flows
from max_dp_server.models import Schedule, StoredFlow, User, WorkspaceRole
from max_dp_server.schedules import repository
from max_dp_server.schedules.cron import CronSchedule, cached_cron
from max_dp_server.schedules.schemas import (
    PreviewResult,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
)
from max_dp_server.workspaces.service import authorize

PREVIEW_COUNT = 5


def fire_times(cron: CronSchedule, after: dt.datetime, count: int) -> list[str]:
    """The next ``count`` fire times in the schedule's zone, ISO 8601 (what a person reads)."""
    return [t.astimezone(cron.zone).isoformat() for t in cron.upcoming(after, count)]


def preview(expression: str, timezone: str, count: int) -> PreviewResult:
    cron = CronSchedule.parse(expression, timezone)
    return PreviewResult(
        cron=expression, timezone=timezone, next_fire_times=fire_times(cron, utcnow(), count)
    )


def read_model(schedule: Schedule) -> ScheduleRead:
    times: list[str] = []
    if schedule.enabled:
        times = fire_times(cached_cron(schedule.cron, schedule.timezone), utcnow(), PREVIEW_COUNT)
    return ScheduleRead.model_validate(schedule).model_copy(update={"next_fire_times": times})


async def get_schedule(
    session: AsyncSession, user: User, schedule_id: uuid.UUID, needed: WorkspaceRole
) -> Schedule:
    schedule = await session.get(Schedule, schedule_id)
    if schedule is None:
        raise NotFoundError(f"no schedule with id {schedule_id}")
    try:
        await authorize(session, user, schedule.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no schedule with id {schedule_id}") from None
    return schedule


async def _check_target(
    session: AsyncSession, flow: StoredFlow, version: int | None, params: Mapping[str, Any]
) -> None:
    """The pinned version exists, and ``params`` bind to the parameters of what will run now
    (the pinned version; else the latest saved one; else the current document)."""
    if version is not None:
        document = (await flows.find_version(session, flow, version)).document
    else:
        latest = await repository.latest_version(session, flow.id)
        document = latest.document if latest is not None else flow.document
    try:
        declared = Flow.model_validate(document).parameters
    except ValidationError:
        return  # a stored document the engine no longer reads: the fire will say so
    try:
        bind_params(declared, params)
    except ParameterError as exc:
        raise ParameterError(f"params: {exc.message}", details=exc.details) from None


async def create_schedule(
    session: AsyncSession, user: User, flow_id: uuid.UUID, data: ScheduleCreate
) -> Schedule:
    flow = await flows.get_flow(session, user, flow_id, WorkspaceRole.editor)
    cron = CronSchedule.parse(data.cron, data.timezone)
    await _check_target(session, flow, data.version, data.params)
    schedule = Schedule(
        workspace_id=flow.workspace_id,
        flow_id=flow.id,
        name=data.name,
        version=data.version,
        cron=" ".join(data.cron.split()),
        timezone=data.timezone,
        params=dict(data.params),
        enabled=data.enabled,
        misfire_policy=data.misfire_policy.value,
        next_fire_at=cron.next_after(utcnow()) if data.enabled else None,
        created_by=user.id,
    )
    session.add(schedule)
    await session.flush()
    return schedule


async def update_schedule(
    session: AsyncSession, user: User, schedule_id: uuid.UUID, data: ScheduleUpdate
) -> Schedule:
    schedule = await get_schedule(session, user, schedule_id, WorkspaceRole.editor)
    sent = data.model_fields_set
    expression = data.cron if data.cron is not None else schedule.cron
    timezone = data.timezone if data.timezone is not None else schedule.timezone
    cron = CronSchedule.parse(expression, timezone)
    version = data.version if "version" in sent else schedule.version
    params = data.params if data.params is not None else schedule.params
    if {"version", "params"} & sent:
        flow = await session.get(StoredFlow, schedule.flow_id)
        assert flow is not None  # the schedule goes with its flow (ON DELETE CASCADE)
        await _check_target(session, flow, version, params)
    retime = bool({"cron", "timezone"} & sent) or (data.enabled and not schedule.enabled)
    if data.name is not None:
        schedule.name = data.name
    schedule.cron = " ".join(expression.split())
    schedule.timezone = timezone
    schedule.version = version
    schedule.params = dict(params)
    if data.misfire_policy is not None:
        schedule.misfire_policy = data.misfire_policy.value
    if data.enabled is not None:
        schedule.enabled = data.enabled
    if not schedule.enabled:
        schedule.next_fire_at = None  # a disabled schedule never fires, nor catches up later
    elif retime or schedule.next_fire_at is None:
        # From now on: a new expression or a re-enabled schedule owes nothing for the past.
        schedule.next_fire_at = cron.next_after(utcnow())
    await session.flush()
    return schedule


async def delete_schedule(session: AsyncSession, user: User, schedule_id: uuid.UUID) -> None:
    await session.delete(await get_schedule(session, user, schedule_id, WorkspaceRole.editor))


async def list_for_workspace(
    session: AsyncSession, user: User, workspace_id: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[ScheduleRead], int]:
    if workspace_id is not None:
        await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    rows, total = await repository.search(
        session, user, workspace_id=workspace_id, limit=limit, offset=offset
    )
    return [read_model(s) for s in rows], total


async def list_for_flow(
    session: AsyncSession, user: User, flow_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ScheduleRead], int]:
    flow = await flows.get_flow(session, user, flow_id, WorkspaceRole.viewer)
    rows, total = await repository.search(
        session, user, flow_id=flow.id, limit=limit, offset=offset
    )
    return [read_model(s) for s in rows], total
