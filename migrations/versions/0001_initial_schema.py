"""Initial schema: users, groups, roles, workspaces, flows, versions, runs, refresh tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Types are spelled out here rather than imported from the models, so this file keeps meaning
what it meant when later migrations change the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Flow documents keep their text as saved (key order matters in them); see max_dp_server/db.py.
DOCUMENT = sa.JSON()
BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

ROLES = [
    {"name": "viewer", "rank": 1, "description": "Reads flows, versions and runs."},
    {"name": "editor", "rank": 2, "description": "Viewer, plus edits, versions and runs flows."},
    {"name": "admin", "rank": 3, "description": "Editor, plus manages the workspace and members."},
]


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{ref_table}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        sa.UniqueConstraint("name", name="uq_groups_name"),
    )
    roles = op.create_table(
        "roles",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_roles"),
    )
    op.bulk_insert(roles, ROLES)
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("last_login_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "user_groups",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        _fk("user_groups", "group_id", "groups.id", "CASCADE"),
        _fk("user_groups", "user_id", "users.id", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "group_id", name="pk_user_groups"),
    )
    op.create_table(
        "maxdp_refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("replaced_by", sa.Uuid(), nullable=True),
        _fk("maxdp_refresh_tokens", "user_id", "users.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_refresh_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_maxdp_refresh_tokens_token_hash"),
    )
    op.create_index("ix_maxdp_refresh_tokens_family_id", "maxdp_refresh_tokens", ["family_id"])
    op.create_index("ix_maxdp_refresh_tokens_user_id", "maxdp_refresh_tokens", ["user_id"])

    op.create_table(
        "maxdp_workspaces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("maxdp_workspaces", "created_by", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_workspaces"),
    )
    op.create_table(
        "maxdp_workspace_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "(user_id IS NOT NULL AND group_id IS NULL) "
            "OR (user_id IS NULL AND group_id IS NOT NULL)",
            name="ck_maxdp_workspace_members_user_or_group",
        ),
        _fk("maxdp_workspace_members", "group_id", "groups.id", "CASCADE"),
        _fk("maxdp_workspace_members", "role", "roles.name"),
        _fk("maxdp_workspace_members", "user_id", "users.id", "CASCADE"),
        _fk("maxdp_workspace_members", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_workspace_members"),
        sa.UniqueConstraint(
            "workspace_id", "group_id", name="uq_maxdp_workspace_members_workspace_id_group_id"
        ),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name="uq_maxdp_workspace_members_workspace_id_user_id"
        ),
    )
    for column in ("group_id", "user_id", "workspace_id"):
        op.create_index(f"ix_maxdp_workspace_members_{column}", "maxdp_workspace_members", [column])

    op.create_table(
        "maxdp_flows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _fk("maxdp_flows", "created_by", "users.id", "SET NULL"),
        _fk("maxdp_flows", "updated_by", "users.id", "SET NULL"),
        _fk("maxdp_flows", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_flows"),
    )
    op.create_index(
        "ix_maxdp_flows_workspace_updated", "maxdp_flows", ["workspace_id", "updated_at"]
    )
    op.create_table(
        "maxdp_flow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        _fk("maxdp_flow_versions", "created_by", "users.id", "SET NULL"),
        _fk("maxdp_flow_versions", "flow_id", "maxdp_flows.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_flow_versions"),
        sa.UniqueConstraint("flow_id", "version", name="uq_maxdp_flow_versions_flow_id_version"),
    )

    op.create_table(
        "maxdp_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flow_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error", JSON, nullable=True),
        sa.Column("outputs", JSON, nullable=True),
        _fk("maxdp_runs", "created_by", "users.id", "SET NULL"),
        _fk("maxdp_runs", "flow_id", "maxdp_flows.id", "CASCADE"),
        _fk("maxdp_runs", "workspace_id", "maxdp_workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_runs"),
    )
    op.create_index("ix_maxdp_runs_flow_created", "maxdp_runs", ["flow_id", "created_at"])
    op.create_index("ix_maxdp_runs_status", "maxdp_runs", ["status"])
    op.create_index("ix_maxdp_runs_workspace_created", "maxdp_runs", ["workspace_id", "created_at"])
    op.create_table(
        "maxdp_node_runs",
        sa.Column("id", BIGINT_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(128), nullable=False),
        sa.Column("node_type", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTC, nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("rows_in", sa.Integer(), nullable=True),
        sa.Column("rows_out", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", JSON, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _fk("maxdp_node_runs", "run_id", "maxdp_runs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_maxdp_node_runs"),
        sa.UniqueConstraint("run_id", "node_id", name="uq_maxdp_node_runs_run_id_node_id"),
    )
    op.create_index("ix_maxdp_node_runs_run_id", "maxdp_node_runs", ["run_id"])


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes.
    for table in (
        "maxdp_node_runs",
        "maxdp_runs",
        "maxdp_flow_versions",
        "maxdp_flows",
        "maxdp_workspace_members",
        "maxdp_workspaces",
        "maxdp_refresh_tokens",
        "user_groups",
        "users",
        "roles",
        "groups",
    ):
        op.drop_table(table)
