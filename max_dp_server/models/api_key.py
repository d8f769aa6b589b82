"""API keys: shown once, stored as SHA-256 hashes, scoped to a workspace (and endpoints)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, JSONType, UTCDateTime, new_id, utcnow


class ApiKey(Base):
    __tablename__ = "maxdp_api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # The public part of the key (mdp_<prefix>_…), shown in lists so a person can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maxdp_workspaces.id", ondelete="CASCADE"), index=True
    )
    # Endpoint names the key may call; None = every endpoint of the workspace.
    endpoints: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    scopes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written in batches by the run recorder, not on every request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
