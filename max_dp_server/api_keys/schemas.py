"""API key schemas."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from max_dp_server.published.schemas import ENDPOINT_PATTERN
from max_dp_server.schemas import RequestModel, ResponseModel


class KeyScope(StrEnum):
    execute = "execute"  # call the workspace's api_key endpoints and poll their async runs


EndpointName = Annotated[str, Field(pattern=ENDPOINT_PATTERN)]


class ApiKeyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, description="What the key is for.")
    endpoints: list[EndpointName] | None = Field(
        default=None,
        max_length=100,
        description="Endpoint names the key may call; omit for every endpoint of the workspace.",
    )
    scopes: list[KeyScope] = Field(default_factory=lambda: [KeyScope.execute], min_length=1)


class ApiKeyRead(ResponseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    prefix: str = Field(description="The key starts with mdp_<prefix>_; the rest is secret.")
    endpoints: list[str] | None
    scopes: list[str]
    created_by: uuid.UUID | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(
        description="Updated in batches, about once a second while the key is used."
    )
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself. Shown only in this answer: store it now.")
