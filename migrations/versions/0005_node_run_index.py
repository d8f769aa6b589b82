"""Drop ix_maxdp_node_runs_run_id: the unique (run_id, node_id) index already serves it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_maxdp_node_runs_run_id", table_name="maxdp_node_runs")


def downgrade() -> None:
    op.create_index("ix_maxdp_node_runs_run_id", "maxdp_node_runs", ["run_id"])
