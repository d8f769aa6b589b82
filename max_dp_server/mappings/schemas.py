"""Table mapping API schemas. ``fields`` follow the PRD: ``{column: {display_name, type,
filterable}}``; the PRD's camelCase ``displayName`` is accepted too."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import AliasChoices, Field

from max_dp_server.schemas import RequestModel, ResponseModel

_DISPLAY = AliasChoices("display_name", "displayName")


class MappingCreate(RequestModel):
    name: str = Field(min_length=1, max_length=128, description="What flows write: mapping.")
    connection: str | None = Field(
        default=None, description="Name of the workspace connection the table lives on."
    )
    table: str = Field(min_length=1, max_length=255)
    schema_: str | None = Field(default=None, max_length=255, alias="schema")
    display_name: str | None = Field(default=None, max_length=200, validation_alias=_DISPLAY)
    description: str = Field(default="", max_length=2000)
    fields: dict[str, dict[str, Any]] = Field(
        min_length=1, description="{column: {display_name, type, filterable, description}}"
    )


class MappingUpdate(RequestModel):
    """Fields left out keep their value; ``fields`` is replaced as a whole."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    connection: str | None = None
    table: str | None = Field(default=None, min_length=1, max_length=255)
    schema_: str | None = Field(default=None, max_length=255, alias="schema")
    display_name: str | None = Field(default=None, max_length=200, validation_alias=_DISPLAY)
    description: str | None = Field(default=None, max_length=2000)
    fields: dict[str, dict[str, Any]] | None = Field(default=None, min_length=1)


class AutoMapRequest(RequestModel):
    connection: str = Field(min_length=1)
    table: str = Field(min_length=1, max_length=255)
    schema_: str | None = Field(default=None, max_length=255, alias="schema")


class FieldRead(ResponseModel):
    display_name: str | None
    type: str
    filterable: bool
    description: str


class MappingProposal(ResponseModel):
    """A mapping ready to save (POST it back, edited or not)."""

    name: str
    connection: str | None
    table: str
    schema_: str | None = Field(serialization_alias="schema")
    display_name: str | None
    description: str
    fields: dict[str, FieldRead]


class MappingRead(MappingProposal):
    id: uuid.UUID
    workspace_id: uuid.UUID
    connection_id: uuid.UUID | None
    filterable_fields: list[str]
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
