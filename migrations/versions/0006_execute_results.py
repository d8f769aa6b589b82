"""maxdp_execute_results: async call outcomes, so that any server process answers their polls.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Types are spelled out here, as in 0001, so this file keeps meaning what it meant when the
models change later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLE = "maxdp_execute_results"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("error", JSON, nullable=True),
        sa.Column("outputs", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["maxdp_published_endpoints.id"],
            name=f"fk_{TABLE}_endpoint_id_maxdp_published_endpoints",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_endpoint_id", TABLE, ["endpoint_id"])
    op.create_index(f"ix_{TABLE}_expires_at", TABLE, ["expires_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
