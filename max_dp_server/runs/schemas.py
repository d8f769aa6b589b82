"""Run API schemas."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    canceled = "canceled"
    timed_out = "timed_out"
    crashed = "crashed"


class RunRequest(RequestModel):
    params: dict[str, Any] = Field(default_factory=dict, description="Flow parameters by name.")
    version: int | None = Field(
        default=None, ge=1, description="Run this saved version; omit to run the current document."
    )
    output_rows: int | None = Field(
        default=None, ge=0, le=100_000, description="Rows per output in the answer (sync runs)."
    )


class PreviewRequest(RequestModel):
    node_id: str = Field(min_length=1, max_length=128)
    row_limit: int = Field(default=100, ge=1, le=10_000)
    params: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=1)
    document: dict[str, Any] | None = Field(
        default=None, description="Preview this unsaved document instead of the stored one."
    )
    sample_sources: bool = Field(
        default=False, description="Let sources read only row_limit rows (faster, partial)."
    )


class NodeRunRead(ResponseModel):
    node_id: str
    node_type: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_ms: float | None
    rows_in: int | None
    rows_out: int | None
    attempts: int
    error: dict[str, Any] | None
    reason: str | None


class RunSummary(ResponseModel):
    id: uuid.UUID
    flow_id: uuid.UUID
    workspace_id: uuid.UUID
    version: int | None
    status: RunStatus
    trigger: str
    params: dict[str, Any]
    created_by: uuid.UUID | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_ms: float | None
    error: dict[str, Any] | None
    outputs: dict[str, Any] | None = Field(
        description="Per output name: row_count and columns; a synchronous run adds rows."
    )


class RunRead(RunSummary):
    nodes: list[NodeRunRead]


class RunAccepted(ResponseModel):
    run_id: uuid.UUID
    status: str


class NodePreview(ResponseModel):
    status: str
    duration_ms: float | None
    error: dict[str, Any] | None
    reason: str | None
    columns: list[dict[str, Any]] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    row_count: int | None = Field(description="Rows the node produced in this preview.")


class PreviewResult(ResponseModel):
    node_id: str
    status: str
    duration_ms: float
    error: dict[str, Any] | None
    nodes: dict[str, NodePreview]
