"""Publishing API schemas."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import Field

from max_dp_server.models.published import EndpointAuth, EndpointMode, RecordRuns
from max_dp_server.schemas import RequestModel, ResponseModel

ENDPOINT_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,62}$"
# Paths of /execute itself; an endpoint of that name could never be called.
RESERVED_ENDPOINTS = frozenset({"health", "worker-stats"})


class PublishRequest(RequestModel):
    endpoint: str = Field(
        pattern=ENDPOINT_PATTERN,
        description="The URL name: /execute/<endpoint>. 2-63 of a-z 0-9 _ -, starting with a "
        "letter or digit; unique on the server.",
        examples=["orders-by-region"],
    )
    version: int | None = Field(
        default=None, ge=1, description="The saved version to serve; default the latest."
    )
    auth: EndpointAuth = Field(
        default=EndpointAuth.api_key,
        description="public (anyone), api_key (a key of the flow's workspace), or jwt (an "
        "access token of a workspace member).",
    )
    rate_limit: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Calls per minute per caller; none = no limit.",
    )
    record_runs: RecordRuns = Field(
        default=RecordRuns.all, description="Which calls appear in run history."
    )
    mode: EndpointMode = Field(
        default=EndpointMode.sync,
        description="sync answers with the outputs; async answers 202 with a run id to poll.",
    )
    enabled: bool = Field(default=True, description="A disabled endpoint answers 404.")


class EndpointRead(ResponseModel):
    id: uuid.UUID
    endpoint: str
    flow_id: uuid.UUID
    workspace_id: uuid.UUID
    version: int
    auth: EndpointAuth
    rate_limit: int | None
    record_runs: RecordRuns
    mode: EndpointMode
    enabled: bool
    published_by: uuid.UUID | None
    published_at: dt.datetime
    url: str = Field(description="Path to call, relative to the server.")
