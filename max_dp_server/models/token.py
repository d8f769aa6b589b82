"""Refresh tokens, stored as SHA-256 hashes and chained into rotation families."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from max_dp_server.db import Base, UTCDateTime, new_id, utcnow


class RefreshToken(Base):
    """One issued refresh token. A family is every token rotated from one login."""

    __tablename__ = "maxdp_refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The token this one was exchanged for; set together with revoked_at on rotation.
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
