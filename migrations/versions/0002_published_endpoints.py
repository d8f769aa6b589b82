"""Published endpoints and API keys; run heartbeats for crash detection.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{ref_table}", ondelete=ondelete
    )


def upgrade() -> None:
    table = "maxdp_published_endpoints"
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(63), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("auth", sa.String(16), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=True),
        sa.Column("record_runs", sa.String(8), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", UTC, nullable=False),
        _fk(table, "flow_id", "maxdp_flows.id", "CASCADE"),
        _fk(table, "published_by", "users.id", "SET NULL"),
        _fk(table, "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("endpoint", name=f"uq_{table}_endpoint"),
    )
    op.create_index(f"ix_{table}_flow_id", table, ["flow_id"])
    op.create_index(f"ix_{table}_workspace_id", table, ["workspace_id"])

    table = "maxdp_api_keys"
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("endpoints", JSON, nullable=True),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        _fk(table, "created_by", "users.id", "SET NULL"),
        _fk(table, "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("key_hash", name=f"uq_{table}_key_hash"),
    )
    op.create_index(f"ix_{table}_prefix", table, ["prefix"])
    op.create_index(f"ix_{table}_workspace_id", table, ["workspace_id"])

    with op.batch_alter_table("maxdp_runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(64), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("maxdp_runs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
    op.drop_table("maxdp_api_keys")
    op.drop_table("maxdp_published_endpoints")
