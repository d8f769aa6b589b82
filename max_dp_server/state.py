"""What the lifespan builds and every request reads: engine, sessions, keys, services."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from max_dp_server.config import Settings
from nodes.registry import NodeRegistry

if TYPE_CHECKING:
    from max_dp_server.auth.ratelimit import SlidingWindowLimiter
    from max_dp_server.auth.security import Passwords
    from max_dp_server.runs.manager import RunManager

__all__ = ["ServerState"]


@dataclass(slots=True)
class ServerState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    secret_key: str
    passwords: Passwords
    login_limiter: SlidingWindowLimiter
    runs: RunManager
    registry: NodeRegistry

    def executor_services(self, workspace_id: uuid.UUID) -> Mapping[str, Any]:
        """Services the nodes of a flow in ``workspace_id`` may use (NodeContext.services)."""
        return {}
