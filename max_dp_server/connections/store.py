"""``DbConnectionStore``: the ``ConnectionStore`` of one workspace, over ``maxdp_connections``.

Nodes resolve a connection once per node run, so an edited connection is seen by the next node
that names it (the ``Connections`` service then replaces the pool). Each lookup is one short
read in a session of its own: runs outlive the request that started them.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.errors import NodeError
from max_dp_server.config import Settings
from max_dp_server.connections import repository
from max_dp_server.connections.crypto import SecretBox, SecretsUnreadable
from max_dp_server.connections.specs import InvalidConnection, spec_from_row
from nodes.connections import ConnectionSpec

__all__ = ["DbConnectionStore"]


class DbConnectionStore:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        box: SecretBox,
        settings: Settings,
        workspace_id: uuid.UUID,
    ) -> None:
        self._sessions = sessionmaker
        self._box = box
        self._settings = settings
        self.workspace_id = workspace_id

    async def get(self, name: str) -> ConnectionSpec:
        async with self._sessions() as session:
            row = await repository.by_name(session, self.workspace_id, name)
            if row is None:
                known = ", ".join(await repository.names(session, self.workspace_id)) or "none"
                raise NodeError(
                    f"connection {name!r} not found in this workspace (configured: {known})"
                )
        try:
            return spec_from_row(row, self._box, self._settings)
        except InvalidConnection as exc:  # saved before a rule tightened: say so, in the run
            raise NodeError(exc.message) from None
        except SecretsUnreadable as exc:
            raise NodeError(f"connection {name!r}: {exc.message}") from None
