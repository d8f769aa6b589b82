"""The server's rules for code nodes (``nodes.code.CODE_NODE_TYPES``).

- Only editors and admins may save, import, restore or publish a flow holding code nodes. Those
  paths already need editor; ``check_code_nodes`` states the rule on its own, so a path that
  lets a lower role write cannot let code through with it.
- ``MAXDP_CODE_NODES_ENABLED=false`` refuses such flows with 422 naming the node ids: when they
  are saved, and when any executor is built for them (runs, previews, published endpoints,
  schedules), so flows saved before the switch was turned off do not run either.

>>> check_enabled({"nodes": [{"id": "py", "type": "run_python_script"}]}, enabled=False)
Traceback (most recent call last):
...
max_dp_server.code_policy.CodeNodesDisabled: code nodes are disabled on this server ...
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import MaxDPError
from max_dp_server.errors import ForbiddenError
from max_dp_server.models import User, WorkspaceRole
from max_dp_server.workspaces.service import authorize
from nodes.code import CODE_NODE_TYPES

__all__ = ["CODE_ROLE", "CodeNodesDisabled", "check_code_nodes", "check_enabled", "code_node_ids"]

CODE_ROLE = WorkspaceRole.editor


class CodeNodesDisabled(MaxDPError):
    status_code = 422
    code = "code_nodes_disabled"


def code_node_ids(document: Mapping[str, Any]) -> list[str]:
    """Ids of the document's code nodes (a malformed document has none: validation says why)."""
    nodes = document.get("nodes") if isinstance(document, Mapping) else None
    if not isinstance(nodes, list):
        return []
    return [
        str(node.get("id"))
        for node in nodes
        if isinstance(node, Mapping) and node.get("type") in CODE_NODE_TYPES
    ]


def check_enabled(document: Mapping[str, Any], *, enabled: bool) -> None:
    """422 naming the code nodes when the server disables them."""
    if enabled:
        return
    ids = code_node_ids(document)
    if ids:
        raise CodeNodesDisabled(
            f"code nodes are disabled on this server (MAXDP_CODE_NODES_ENABLED=false); remove "
            f"{', '.join(map(repr, ids))} ({', '.join(sorted(CODE_NODE_TYPES))})",
            details={"node_ids": ids},
        )


async def check_code_nodes(
    session: AsyncSession,
    user: User,
    workspace_id: uuid.UUID,
    document: Mapping[str, Any],
    *,
    enabled: bool,
) -> None:
    """Before storing ``document`` in ``workspace_id``: 403 unless editor or admin there, 422
    when code nodes are disabled. Nothing to check for a document without code nodes."""
    ids = code_node_ids(document)
    if not ids:
        return
    _, role = await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    if role.rank < CODE_ROLE.rank:
        raise ForbiddenError(
            f"only editors and admins may save flows with code nodes "
            f"({', '.join(map(repr, ids))}); your role is {role.value}",
            details={"node_ids": ids, "role": role.value, "needed": CODE_ROLE.value},
        )
    check_enabled(document, enabled=enabled)
