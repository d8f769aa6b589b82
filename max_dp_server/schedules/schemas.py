"""Schedule API schemas."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel

CRON_HELP = (
    "5 fields (minute hour day month day-of-week) or 6 with seconds first; "
    "day of week 0 or 7 = Sunday; @hourly, @daily, @weekly, @monthly, @yearly."
)
ZONE_HELP = "An IANA time zone name, e.g. UTC, Europe/Berlin, Asia/Seoul."


class MisfirePolicy(StrEnum):
    skip = "skip"
    run_once = "run_once"


class ScheduleCreate(RequestModel):
    name: str = Field(default="", max_length=200)
    cron: str = Field(min_length=1, max_length=120, description=CRON_HELP)
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description=ZONE_HELP)
    version: int | None = Field(
        default=None, ge=1, description="Run this saved version; omit to run the latest saved."
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Flow parameters by name.")
    enabled: bool = True
    misfire_policy: MisfirePolicy = Field(
        default=MisfirePolicy.skip,
        description="After downtime: skip the missed fires, or run_once to catch up once.",
    )


class ScheduleUpdate(RequestModel):
    """Only the fields sent change; ``"version": null`` unpins (runs the latest saved)."""

    name: str | None = Field(default=None, max_length=200)
    cron: str | None = Field(default=None, min_length=1, max_length=120, description=CRON_HELP)
    timezone: str | None = Field(default=None, min_length=1, max_length=64, description=ZONE_HELP)
    version: int | None = Field(default=None, ge=1)
    params: dict[str, Any] | None = None
    enabled: bool | None = None
    misfire_policy: MisfirePolicy | None = None


class ScheduleRead(ResponseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    flow_id: uuid.UUID
    name: str
    version: int | None
    cron: str
    timezone: str
    params: dict[str, Any]
    enabled: bool
    misfire_policy: MisfirePolicy
    next_fire_at: dt.datetime | None = Field(description="UTC; None while disabled.")
    last_fire_at: dt.datetime | None
    created_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    next_fire_times: list[str] = Field(
        default_factory=list,
        description="The next 5 fire times in the schedule's time zone (ISO 8601); "
        "empty while disabled.",
    )


class PreviewRequest(RequestModel):
    cron: str = Field(min_length=1, max_length=120, description=CRON_HELP)
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description=ZONE_HELP)
    count: int = Field(default=5, ge=1, le=100)


class PreviewResult(ResponseModel):
    cron: str
    timezone: str
    next_fire_times: list[str] = Field(description="In the time zone, ISO 8601.")


class FireRead(ResponseModel):
    id: int
    schedule_id: uuid.UUID
    fire_time: dt.datetime
    status: str = Field(description="claimed, started (run_id names the run), failed, skipped.")
    run_id: uuid.UUID | None
    message: str | None
    claimed_by: str
    claimed_at: dt.datetime


class LeaseRead(ResponseModel):
    holder: str | None
    token: int
    expires_at: dt.datetime | None
    acquired_at: dt.datetime | None
    renewed_at: dt.datetime | None


class SchedulerStatus(ResponseModel):
    enabled: bool = Field(description="False when this process runs with MAXDP_SCHEDULER=off.")
    process: str | None = Field(description="This process's name in the lease.")
    is_leader: bool
    lease: LeaseRead | None
