"""Named connections of a workspace; their secrets are one encrypted blob (connections/crypto)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, JSONType, UTCDateTime, new_id, utcnow


class StoredConnection(Base):
    """A connection flows name (``"connection": "crm"``). ``secrets`` holds the Fernet token of
    ``{"url", "password", "headers"}``: never a readable secret in the table."""

    __tablename__ = "maxdp_connections"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    port: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The database name; for sqlite a file path relative to the server's data directory.
    database: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # Engine options (pool_size, connect_timeout_s, ssl, pooler, …): never secrets.
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    statement_timeout_s: Mapped[float] = mapped_column(Float, default=30.0)
    secrets: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
