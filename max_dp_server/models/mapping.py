"""Table mappings (the PRD's 테이블 매핑): a table's fields with display names and search flags."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, DocumentJSON, UTCDateTime, new_id, utcnow


class StoredTableMapping(Base):
    """A saved mapping, found by ``name`` from ``mapped_table_search`` in this workspace."""

    __tablename__ = "maxdp_table_mappings"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    # The connection the table lives on; a deleted connection leaves the mapping without one.
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("maxdp_connections.id", ondelete="SET NULL"), nullable=True
    )
    table_name: Mapped[str] = mapped_column(String(255))
    schema_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # {column: {display_name, type, filterable, description}}. Plain JSON, not JSONB: the key
    # order is the display order, and JSONB would sort the keys.
    fields: Mapped[dict[str, Any]] = mapped_column(DocumentJSON)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
