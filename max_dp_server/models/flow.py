"""Stored flows (the current document) and their immutable versions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid, event
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, DocumentJSON, UTCDateTime, new_id, utcnow


class StoredFlow(Base):
    """A flow in a workspace. ``document`` is the flow JSON as last saved (always valid)."""

    __tablename__ = "maxdp_flows"
    __table_args__ = (Index("ix_maxdp_flows_workspace_updated", "workspace_id", "updated_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE")
    )
    # Copied from the document on every save, so lists and search need not read documents.
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]] = mapped_column(DocumentJSON)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FlowVersion(Base):
    """A saved, numbered copy of a flow's document. Never updated once written."""

    __tablename__ = "maxdp_flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    flow_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_flows.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(DocumentJSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(FlowVersion, "before_update")
def _versions_are_immutable(_mapper: Any, _connection: Any, target: FlowVersion) -> None:
    raise RuntimeError(f"flow version {target.version} is immutable")
