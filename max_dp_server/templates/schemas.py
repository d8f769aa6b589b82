"""Message template API schemas. ``variables`` and ``usage_count`` are the server's to set."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel

CHANNEL_PATTERN = r"^[a-z][a-z0-9_\-]{0,31}$"
MAX_CONTENT = 100_000


class TemplateCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    category: str = Field(default="", max_length=100, description="Free text, e.g. 'billing'.")
    channel: str = Field(
        pattern=CHANNEL_PATTERN, description="Message type: email, sms, kakao, webhook, …"
    )
    subject: str = Field(default="", max_length=1000, description="email: the subject line.")
    content: str = Field(
        min_length=1, max_length=MAX_CONTENT, description="Text with {{variable}}."
    )


class TemplateUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, max_length=100)
    channel: str | None = Field(default=None, pattern=CHANNEL_PATTERN)
    subject: str | None = Field(default=None, max_length=1000)
    content: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT)


class TemplateRead(ResponseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    category: str
    channel: str
    subject: str
    content: str
    variables: list[str] = Field(description="{{...}} names in subject and content, in order.")
    usage_count: int = Field(description="Runs that sent or rendered it.")
    last_used_at: dt.datetime | None
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class RenderRequest(RequestModel):
    values: dict[str, Any] = Field(default_factory=dict, description="{variable: value}")


class RenderResult(ResponseModel):
    subject: str
    content: str
    missing: list[str] = Field(description="Variables without a value (rendered empty).")


class VariableMatch(ResponseModel):
    """How a template's variables meet a table mapping's fields (PRD 3.3.2)."""

    mapping: str
    variables: dict[str, str | None] = Field(
        description="{variable: column}, ready for template_render's variables; null: no match."
    )
    missing: list[str]
    complete: bool
