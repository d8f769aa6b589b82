"""Published endpoints: a flow version served at ``/execute/<endpoint>``."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, UTCDateTime, new_id, utcnow


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
