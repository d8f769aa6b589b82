"""The flow document (schema_version 1) as pydantic models.

>>> flow = Flow.model_validate({
...     "name": "demo",
...     "nodes": [{"id": "a", "type": "static_data", "config": {"rows": [{"x": 1}]}},
...               {"id": "out", "type": "display_results"}],
...     "edges": [{"source": "a", "target": "out"}],
... })
>>> [n.id for n in flow.nodes], flow.edges[0].target_port is None
(['a', 'out'], True)
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Edge", "Flow", "NodeSpec", "Parameter", "ParameterType", "Position", "flow_json_schema"]

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$"


class _Strict(BaseModel):
    # Unknown fields are refused: a typo in a flow document must not be silently ignored.
    model_config = ConfigDict(extra="forbid")


class Position(_Strict):
    x: float = 0
    y: float = 0


class ParameterType(StrEnum):
    string = "string"
    integer = "integer"
    number = "number"
    boolean = "boolean"
    date = "date"
    list = "list"


class Parameter(_Strict):
    """A typed flow parameter, referenced as ``@name`` in expressions and ``:name`` in SQL."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    type: ParameterType = ParameterType.string
    required: bool = False
    default: Any = None
    description: str = ""
    items: ParameterType | None = Field(
        default=None, description="Element type when type is list (default: string)."
    )


class NodeSpec(_Strict):
    """One node of the flow: its type, its config (checked by the node's own model) and layout."""

    id: str = Field(pattern=IDENTIFIER)
    type: str
    config: dict[str, Any] = Field(default_factory=dict)
    position: Position | None = None
    label: str | None = None
    description: str | None = None
    timeout_s: float | None = Field(default=None, gt=0, description="Fail the node after this.")
    retries: int = Field(default=0, ge=0, le=10, description="Extra attempts after a failure.")
    retry_backoff_s: float = Field(
        default=0.5, ge=0, le=60, description="First retry delay; doubles on each attempt."
    )


class Edge(_Strict):
    source: str
    target: str
    source_port: str | None = None
    target_port: str | None = None
    id: str | None = None


class Flow(_Strict):
    """A flow document. ``timeout_s`` bounds a whole run."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    parameters: list[Parameter] = Field(default_factory=list)
    nodes: list[NodeSpec] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    timeout_s: float | None = Field(default=None, gt=0)

    @classmethod
    def from_json(cls, text: str | bytes) -> Flow:
        return cls.model_validate(json.loads(text))


def flow_json_schema() -> dict[str, Any]:
    """The JSON Schema of the flow document, for editors and the designer."""
    return Flow.model_json_schema()
