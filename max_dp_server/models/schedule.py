"""Schedules, the record of each fire, and the lease that elects the one scheduler process."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, BigIntId, JSONType, UTCDateTime, new_id, utcnow

MISFIRE_POLICIES = ("skip", "run_once")
# claimed: inserted, the run not started yet; started: run_id names the run;
# failed: could not start (no saved version, bad parameters …); skipped: missed while no
# scheduler ran, dropped by the ``skip`` misfire policy.
FIRE_STATUSES = ("claimed", "started", "failed", "skipped")
LEASE_NAME = "scheduler"


class Schedule(Base):
    """A flow on a cron: ``version`` pinned, or None for the latest saved version."""

    __tablename__ = "maxdp_schedules"
    __table_args__ = (
        CheckConstraint("misfire_policy IN ('skip', 'run_once')", name="misfire_policy"),
        Index("ix_maxdp_schedules_due", "enabled", "next_fire_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Denormalised from the flow so lists filter by access without a join.
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_flows.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    misfire_policy: Mapped[str] = mapped_column(String(16), default="skip")
    # The first fire not yet handled (UTC); the scheduler moves it forward as it fires.
    next_fire_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_fire_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ScheduleFire(Base):
    """One fire of a schedule. The unique (schedule, fire time) key is the claim: only the
    process whose insert succeeds runs the fire."""

    __tablename__ = "maxdp_schedule_fires"
    __table_args__ = (UniqueConstraint("schedule_id", "fire_time"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_schedules.id", ondelete="CASCADE")
    )
    fire_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("maxdp_runs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerLease(Base):
    """The row scheduler processes compete for; ``token`` grows by one at every change of
    holder (a fencing token: a process that lost the lease cannot pass for its holder)."""

    __tablename__ = "maxdp_scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200), nullable=True)
    token: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acquired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    renewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
