"""The services a workspace's flows get as ``NodeContext.services`` when the server runs them.

``NodeServices`` is built once by the app's lifespan. ``for_workspace(id)`` answers from a dict
after the first call for a workspace (``build_executor`` asks for every executor it builds):

- ``connections``: a ``Connections`` over that workspace's ``maxdp_connections`` rows. Its pools
  are shared by every run and published endpoint of the workspace, and closed on shutdown;
- ``table_mappings`` and ``message_templates``: that workspace's saved mappings and templates;
- ``sandbox``: the process's ``SandboxPool`` (one for every workspace);
- ``http_policy`` and ``smtp``: from the settings (``smtp`` only when ``MAXDP_SMTP_HOST`` is set).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from max_dp_server.config import Settings
from max_dp_server.connections.crypto import SecretBox
from max_dp_server.connections.store import DbConnectionStore
from max_dp_server.mappings.store import DbTableMappingStore
from max_dp_server.templates.store import DbMessageTemplates
from nodes.code.sandbox.limits import SandboxLimits
from nodes.code.sandbox.pool import SandboxPool
from nodes.connections import Connections
from nodes.messaging.http import HttpPolicy
from nodes.messaging.smtp import SmtpSettings

__all__ = ["NodeServices", "http_policy", "sandbox_pool", "smtp_settings"]


def sandbox_pool(settings: Settings) -> SandboxPool:
    """The pool the lifespan owns: maxima from the settings cap every node's limits."""
    maxima = SandboxLimits(
        cpu_seconds=settings.sandbox_max_cpu_seconds,
        memory_mb=settings.sandbox_max_memory_mb,
        wall_seconds=settings.sandbox_max_wall_seconds,
        max_output_rows=settings.sandbox_max_output_rows,
        runs_per_worker=settings.sandbox_runs_per_worker,
    )
    # Unset node limits get the library's defaults, within the maxima.
    defaults = SandboxLimits(runs_per_worker=settings.sandbox_runs_per_worker)
    return SandboxPool(
        settings.sandbox_workers,
        maxima=maxima,
        defaults=defaults,
        shared_memory_mb=settings.sandbox_shared_memory_mb,
    )


def http_policy(settings: Settings) -> HttpPolicy:
    return HttpPolicy(allow_private=settings.http_allow_private)


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    if not settings.smtp_host:
        return None
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=settings.smtp_use_tls,
        use_ssl=settings.smtp_use_ssl,
        ca_file=settings.smtp_ca_file,
        sender=settings.smtp_sender or "",
        timeout_s=settings.smtp_timeout_seconds,
    )


class NodeServices:
    """Per-workspace node services, made on first use and kept for the process's life."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        box: SecretBox,
        sandbox: SandboxPool | None,
    ) -> None:
        self._settings = settings
        self._sessions = sessionmaker
        self.box = box
        self.sandbox = sandbox
        self.http_policy = http_policy(settings)
        self.smtp = smtp_settings(settings)
        self._workspaces: dict[uuid.UUID, Mapping[str, Any]] = {}

    def for_workspace(self, workspace_id: uuid.UUID) -> Mapping[str, Any]:
        services = self._workspaces.get(workspace_id)
        if services is None:
            services = self._workspaces.setdefault(workspace_id, self._build(workspace_id))
        return services

    def _build(self, workspace_id: uuid.UUID) -> Mapping[str, Any]:
        store = DbConnectionStore(self._sessions, self.box, self._settings, workspace_id)
        services: dict[str, Any] = {
            "connections": Connections(store),
            "table_mappings": DbTableMappingStore(self._sessions, workspace_id),
            "message_templates": DbMessageTemplates(self._sessions, workspace_id),
            "http_policy": self.http_policy,
        }
        if self.sandbox is not None:
            services["sandbox"] = self.sandbox
        if self.smtp is not None:
            services["smtp"] = self.smtp
        # Read-only: every executor of the workspace shares this mapping.
        return MappingProxyType(services)

    def connections(self, workspace_id: uuid.UUID) -> Connections:
        return self.for_workspace(workspace_id)["connections"]

    async def dispose_connection(self, workspace_id: uuid.UUID, name: str) -> None:
        """Close the pool of a connection that was edited or deleted (a no-op if none)."""
        services = self._workspaces.get(workspace_id)
        if services is not None:
            await services["connections"].dispose(name)

    async def close(self) -> None:
        """Close every connection pool (the sandbox pool is closed by its owner, the lifespan)."""
        workspaces = list(self._workspaces.values())
        await asyncio.gather(
            *(services["connections"].close() for services in workspaces), return_exceptions=True
        )
