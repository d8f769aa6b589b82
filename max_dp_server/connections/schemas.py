"""Connection API schemas. Secrets (``url``, ``password``, ``headers``) are write-only: answers
say only whether they are set (``has_password``) and which header names exist."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field, SecretStr

from max_dp_server.schemas import RequestModel, ResponseModel
from nodes.connections import ConnectionKind

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$"


class ConnectionCreate(RequestModel):
    name: str = Field(pattern=NAME_PATTERN, description="What flows write: connection: <name>.")
    kind: ConnectionKind
    description: str = Field(default="", max_length=2000)
    host: str | None = Field(default=None, max_length=255)
    port: int | None = Field(default=None, ge=1, le=65535)
    user: str | None = Field(default=None, max_length=255)
    database: str | None = Field(
        default=None, max_length=1024, description="sqlite: a file in the data directory."
    )
    options: dict[str, Any] = Field(default_factory=dict)
    read_only: bool = False
    statement_timeout_s: float = Field(default=30, gt=0, le=86_400)
    url: SecretStr | None = Field(default=None, description="Write-only: a DSN or base URL.")
    password: SecretStr | None = Field(default=None, description="Write-only.")
    headers: dict[str, SecretStr] | None = Field(
        default=None, description="Write-only: http headers sent with every request (tokens)."
    )


class ConnectionUpdate(RequestModel):
    """Fields left out keep their value. A secret sent as null is removed; ``headers`` is
    replaced as a whole."""

    name: str | None = Field(default=None, pattern=NAME_PATTERN)
    description: str | None = Field(default=None, max_length=2000)
    host: str | None = Field(default=None, max_length=255)
    port: int | None = Field(default=None, ge=1, le=65535)
    user: str | None = Field(default=None, max_length=255)
    database: str | None = Field(default=None, max_length=1024)
    options: dict[str, Any] | None = None
    read_only: bool | None = None
    statement_timeout_s: float | None = Field(default=None, gt=0, le=86_400)
    url: SecretStr | None = None
    password: SecretStr | None = None
    headers: dict[str, SecretStr] | None = None


class ConnectionRead(ResponseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    kind: str
    description: str
    host: str | None
    port: int | None
    user: str | None
    database: str | None
    options: dict[str, Any]
    read_only: bool
    statement_timeout_s: float
    has_url: bool
    has_password: bool
    header_names: list[str] = Field(description="Names of the stored headers; values are secret.")
    secrets_readable: bool = Field(
        description="false: the secrets were encrypted with another MAXDP_SECRET_KEY."
    )
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ConnectionTest(ResponseModel):
    """What ``POST /connections/{id}/test`` found: the server answered, and who we are there."""

    name: str
    kind: str
    reachable: bool = True
    server_version: str | None = None
    read_only: bool
    can_write: bool | None = Field(
        default=None, description="The account may change data (None: unknown, or http)."
    )
    write_privileges: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    status_code: int | None = Field(default=None, description="http: the base URL's status.")
    duration_ms: float


class TableRead(ResponseModel):
    schema_: str | None = Field(serialization_alias="schema")
    name: str
    kind: str


class TableList(ResponseModel):
    connection: str
    schema_: str | None = Field(serialization_alias="schema")
    items: list[TableRead]


class ColumnRead(ResponseModel):
    name: str
    type: str
    nullable: bool
    primary_key: bool
    default: str | None


class ColumnList(ResponseModel):
    connection: str
    schema_: str | None = Field(serialization_alias="schema")
    table: str
    items: list[ColumnRead]
