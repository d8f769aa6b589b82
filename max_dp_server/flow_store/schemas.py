"""Flow store API schemas. A flow ``document`` is checked by the engine, not by these models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field

from max_dp_server.schemas import RequestModel, ResponseModel

Document = dict[str, Any]


class FlowCreate(RequestModel):
    workspace_id: uuid.UUID
    document: Document = Field(description="A flow document (schema_version 1).")


class FlowSave(RequestModel):
    document: Document


class FlowSummary(ResponseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    description: str
    latest_version: int = Field(description="Highest saved version number; 0 when none.")
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime


class FlowRead(FlowSummary):
    document: Document


class VersionCreate(RequestModel):
    comment: str = Field(default="", max_length=2000)


class VersionSummary(ResponseModel):
    flow_id: uuid.UUID
    version: int
    comment: str
    created_by: uuid.UUID | None
    created_at: dt.datetime


class VersionRead(VersionSummary):
    document: Document


class ValidationResult(ResponseModel):
    valid: bool
    problems: list[dict[str, Any]] = Field(
        description="Every problem: {code, message, node_id, edge, field}."
    )


class DraftDiff(RequestModel):
    from_version: int = Field(ge=1)
    document: Document = Field(description="The document as edited, saved or not.")


class FlowDiff(ResponseModel):
    flow_id: uuid.UUID
    from_version: int
    to_version: int | None = Field(
        description="None: the flow's current document (or the document sent)."
    )
    fields: list[str]
    nodes: dict[str, Any]
    edges: dict[str, Any]
    parameters: dict[str, Any]


class ParameterRename(RequestModel):
    document: Document = Field(description="The flow document, as edited (nothing is stored).")
    old: str = Field(min_length=1, max_length=64)
    new: str = Field(min_length=1, max_length=64)


class RenamedField(ResponseModel):
    node_id: str
    field: str
    reason: str | None = Field(default=None, description="Why a field was left as it was.")


class ParameterRenameResult(ResponseModel):
    document: Document = Field(description="The document with the parameter renamed.")
    changed: list[RenamedField] = Field(description="The node fields rewritten.")
    skipped: list[RenamedField] = Field(
        description="Node fields that may use the parameter but could not be read; unchanged."
    )
