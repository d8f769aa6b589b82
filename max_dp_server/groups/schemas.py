"""Group API schemas."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel


class GroupCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class GroupRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    created_at: dt.datetime


class GroupMember(ResponseModel):
    id: uuid.UUID
    email: str
    full_name: str


class GroupDetail(GroupRead):
    members: list[GroupMember]
