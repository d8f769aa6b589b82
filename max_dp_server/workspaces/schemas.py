"""Workspace API schemas."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import Field, model_validator

from max_dp_server.models import WorkspaceRole
from max_dp_server.schemas import RequestModel, ResponseModel
from max_dp_server.users.schemas import Email


class WorkspaceCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class WorkspaceUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class WorkspaceRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime
    role: WorkspaceRole = Field(description="The caller's role in this workspace.")


class MemberWrite(RequestModel):
    """Grant a role to one user (by ``user_id`` or ``email``) or to a group (``group_id``)."""

    user_id: uuid.UUID | None = None
    email: Email | None = None
    group_id: uuid.UUID | None = None
    role: WorkspaceRole

    @model_validator(mode="after")
    def _one_target(self) -> MemberWrite:
        given = [f for f in ("user_id", "email", "group_id") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of user_id, email or group_id")
        return self


class MemberRead(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID | None
    email: str | None
    full_name: str | None
    group_id: uuid.UUID | None
    group_name: str | None
    role: WorkspaceRole
    created_at: dt.datetime
