"""Connections, table mappings and message templates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Types are spelled out here, as in 0001, so this file keeps meaning what it meant when the
models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Mapping fields keep their key order (the display order): plain JSON on PostgreSQL too.
ORDERED_JSON = sa.JSON()


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{ref_table}", ondelete=ondelete
    )


def _audit(table: str) -> list[sa.SchemaItem]:
    """created_by/updated_by/created_at/updated_at, as every workspace object has them."""
    return [
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _fk(table, "created_by", "users.id", "SET NULL"),
        _fk(table, "updated_by", "users.id", "SET NULL"),
    ]


def upgrade() -> None:
    op.create_table(
        "maxdp_connections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(255), nullable=True),
        sa.Column("database", sa.String(1024), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("statement_timeout_s", sa.Float(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        *_audit("maxdp_connections"),
        _fk("maxdp_connections", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_connections"),
        sa.UniqueConstraint("workspace_id", "name", name="uq_maxdp_connections_workspace_id_name"),
    )
    op.create_index("ix_maxdp_connections_workspace_id", "maxdp_connections", ["workspace_id"])

    op.create_table(
        "maxdp_table_mappings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=True),
        sa.Column("table_name", sa.String(255), nullable=False),
        sa.Column("schema_name", sa.String(255), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fields", ORDERED_JSON, nullable=False),
        *_audit("maxdp_table_mappings"),
        _fk("maxdp_table_mappings", "connection_id", "maxdp_connections.id", "SET NULL"),
        _fk("maxdp_table_mappings", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_table_mappings"),
        sa.UniqueConstraint(
            "workspace_id", "name", name="uq_maxdp_table_mappings_workspace_id_name"
        ),
    )
    op.create_index(
        "ix_maxdp_table_mappings_workspace_id", "maxdp_table_mappings", ["workspace_id"]
    )

    op.create_table(
        "maxdp_message_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("variables", JSON, nullable=False),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        *_audit("maxdp_message_templates"),
        _fk("maxdp_message_templates", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_message_templates"),
        sa.UniqueConstraint(
            "workspace_id", "name", name="uq_maxdp_message_templates_workspace_id_name"
        ),
    )
    op.create_index(
        "ix_maxdp_message_templates_workspace_category",
        "maxdp_message_templates",
        ["workspace_id", "category"],
    )


def downgrade() -> None:
    # Mappings refer to connections: drop them first. Dropping a table drops its indexes.
    for table in ("maxdp_message_templates", "maxdp_table_mappings", "maxdp_connections"):
        op.drop_table(table)
