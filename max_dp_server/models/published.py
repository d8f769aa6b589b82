"""Published endpoints: a flow version served at ``/execute/<endpoint>``."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, JSONType, UTCDateTime, new_id, utcnow


class EndpointAuth(StrEnum):
    public = "public"
    api_key = "api_key"
    jwt = "jwt"


class RecordRuns(StrEnum):
    all = "all"
    errors = "errors"
    none = "none"


class EndpointMode(StrEnum):
    sync = "sync"
    async_ = "async"


class PublishedEndpoint(Base):
    __tablename__ = "maxdp_published_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    endpoint: Mapped[str] = mapped_column(String(63), unique=True)
    flow_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_flows.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the flow: access checks and lists need no join.
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    auth: Mapped[str] = mapped_column(String(16), default=EndpointAuth.api_key.value)
    # Requests per minute per caller; None = unlimited.
    rate_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_runs: Mapped[str] = mapped_column(String(8), default=RecordRuns.all.value)
    mode: Mapped[str] = mapped_column(String(8), default=EndpointMode.sync.value)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExecuteResult(Base):
    """An asynchronous call's outcome, so that a poll reaching another server process gets the
    same answer as one reaching the process that ran it (see published/shared_results.py)."""

    __tablename__ = "maxdp_execute_results"

    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_published_endpoints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The output tables (Arrow IPC, framed as the sandbox frames them); None while running,
    # and for results larger than MAXDP_EXECUTE_RESULT_SHARED_MAX_MB.
    outputs: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
