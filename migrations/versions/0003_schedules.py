"""Schedules, their fires and the scheduler lease.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Types are spelled out here, as in 0001, so this file keeps meaning what it meant when the
models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The one lease row the scheduler processes compete for (see max_dp_server/schedules/lease.py).
LEASE_NAME = "scheduler"


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{ref_table}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "maxdp_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("cron", sa.String(120), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("misfire_policy", sa.String(16), nullable=False),
        sa.Column("next_fire_at", UTC, nullable=True),
        sa.Column("last_fire_at", UTC, nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "misfire_policy IN ('skip', 'run_once')",
            name="ck_maxdp_schedules_misfire_policy",
        ),
        _fk("maxdp_schedules", "created_by", "users.id", "SET NULL"),
        _fk("maxdp_schedules", "flow_id", "maxdp_flows.id", "CASCADE"),
        _fk("maxdp_schedules", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_schedules"),
    )
    op.create_index("ix_maxdp_schedules_flow_id", "maxdp_schedules", ["flow_id"])
    op.create_index("ix_maxdp_schedules_workspace_id", "maxdp_schedules", ["workspace_id"])
    # What the scheduler asks every tick: enabled schedules whose next fire is due.
    op.create_index("ix_maxdp_schedules_due", "maxdp_schedules", ["enabled", "next_fire_at"])

    op.create_table(
        "maxdp_schedule_fires",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("fire_time", UTC, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=False),
        sa.Column("claimed_at", UTC, nullable=False),
        _fk("maxdp_schedule_fires", "run_id", "maxdp_runs.id", "SET NULL"),
        _fk("maxdp_schedule_fires", "schedule_id", "maxdp_schedules.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_schedule_fires"),
        # The claim: whoever inserts (schedule, fire time) first runs it; nobody else can.
        sa.UniqueConstraint(
            "schedule_id", "fire_time", name="uq_maxdp_schedule_fires_schedule_id_fire_time"
        ),
    )
    op.create_index("ix_maxdp_schedule_fires_run_id", "maxdp_schedule_fires", ["run_id"])

    lease = op.create_table(
        "maxdp_scheduler_lease",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("acquired_at", UTC, nullable=True),
        sa.Column("renewed_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_maxdp_scheduler_lease"),
    )
    # Seeded, so taking the lease is always a conditional UPDATE of an existing row.
    op.bulk_insert(lease, [{"name": LEASE_NAME, "holder": None, "token": 0}])


def downgrade() -> None:
    for table in ("maxdp_scheduler_lease", "maxdp_schedule_fires", "maxdp_schedules"):
        op.drop_table(table)
