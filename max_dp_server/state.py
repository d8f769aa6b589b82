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
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from max_dp_server.auth.ratelimit import SlidingWindowLimiter
    from max_dp_server.auth.security import Passwords
    from max_dp_server.metrics import Metrics
    from max_dp_server.published.runtime import PublishedRuntime
    from max_dp_server.published.worker_manager import WorkerManager
    from max_dp_server.runs.manager import RunManager
    from max_dp_server.schedules.runner import ScheduleRunner
    from max_dp_server.services import NodeServices

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
    # One of each per process. Other features add their jobs to the same scheduler.
    scheduler: AsyncIOScheduler
    workers: WorkerManager
    metrics: Metrics
    published: PublishedRuntime

    # Set by the lifespan right after the state is made (it needs the state's secret key).
    node_services: NodeServices | None = None
    # This process's part in firing schedules; None with MAXDP_SCHEDULER=off.
    schedules: ScheduleRunner | None = None

    def executor_services(self, workspace_id: uuid.UUID) -> Mapping[str, Any]:
        """Services the nodes of a flow in ``workspace_id`` may use (NodeContext.services):
        connections, table_mappings, message_templates, sandbox, http_policy, smtp. Built once
        per workspace, then a dict lookup."""
        if self.node_services is None:
            return {}
        return self.node_services.for_workspace(workspace_id)
