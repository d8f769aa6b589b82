"""/api/v1/nodes: every registered node type with its ports, docs and config JSON Schema."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter

from flows.model import flow_json_schema
from max_dp_server.deps import CurrentUser, StateDep
from max_dp_server.errors import NotFoundError
from nodes.registry import NodeRegistry

router = APIRouter(tags=["catalog"])


@functools.lru_cache(maxsize=8)
def _catalog(registry: NodeRegistry) -> list[dict[str, Any]]:
    # A registry is immutable, so its catalog (JSON Schemas and all) is computed once.
    return registry.catalog()


@router.get("/nodes")
async def list_nodes(_user: CurrentUser, state: StateDep) -> list[dict[str, Any]]:
    """Each entry: type, category, title, description, docs, inputs, outputs, config_schema."""
    return _catalog(state.registry)


@router.get("/nodes/{node_type}")
async def read_node(node_type: str, _user: CurrentUser, state: StateDep) -> dict[str, Any]:
    for entry in _catalog(state.registry):
        if entry["type"] == node_type:
            return entry
    raise NotFoundError(f"no node type {node_type!r}; GET /api/v1/nodes lists them")


@router.get("/schema/flow")
async def flow_schema(_user: CurrentUser) -> dict[str, Any]:
    """The JSON Schema of a flow document (schema_version 1)."""
    return flow_json_schema()
