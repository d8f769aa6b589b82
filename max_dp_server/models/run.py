"""Run records and their per-node records."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, BigIntId, JSONType, UTCDateTime, new_id, utcnow

ACTIVE_STATUSES = ("queued", "running")
FINISHED_STATUSES = ("succeeded", "failed", "canceled", "timed_out", "crashed")


class RunRecord(Base):
    __tablename__ = "maxdp_runs"
    __table_args__ = (
        Index("ix_maxdp_runs_flow_created", "flow_id", "created_at"),
        Index("ix_maxdp_runs_workspace_created", "workspace_id", "created_at"),
        Index("ix_maxdp_runs_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    flow_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_flows.id", ondelete="CASCADE")
    )
    # Denormalised from the flow so run lists filter by access without a join.
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE")
    )
    # The saved version that ran; None when the flow's current document ran.
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # {output name: {"row_count", "columns": [{"name", "dtype"}]}}; the tables are not kept.
    outputs: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The server process running it and when that process last said it is alive: a queued or
    # running run whose heartbeat is too old is marked crashed (its process died).
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NodeRunRecord(Base):
    __tablename__ = "maxdp_node_runs"
    __table_args__ = (UniqueConstraint("run_id", "node_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    # No index of its own: the unique (run_id, node_id) index serves lookups by run.
    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("maxdp_runs.id", ondelete="CASCADE"))
    # Topological position in the run, so records read back in execution order.
    position: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(128))
    node_type: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    rows_in: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows_out: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
