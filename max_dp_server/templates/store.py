"""``DbMessageTemplates``: a workspace's saved templates for the nodes of its runs.

``get(name)`` reads a template; ``record_use(name, times)`` adds to its usage count in one
``UPDATE … SET usage_count = usage_count + n`` (two runs at once both count).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.errors import NodeError
from max_dp_server.db import utcnow
from max_dp_server.models import MessageTemplate

__all__ = ["DbMessageTemplates", "SavedTemplate"]


@dataclass(frozen=True, slots=True)
class SavedTemplate:
    name: str
    category: str
    channel: str
    subject: str
    content: str
    variables: tuple[str, ...]


class DbMessageTemplates:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID
    ) -> None:
        self._sessions = sessionmaker
        self.workspace_id = workspace_id

    async def get(self, name: str) -> SavedTemplate:
        async with self._sessions() as session:
            row = await session.scalar(
                select(MessageTemplate).where(
                    MessageTemplate.workspace_id == self.workspace_id,
                    MessageTemplate.name == name,
                )
            )
        if row is None:
            raise NodeError(f"template: message template {name!r} not found in this workspace")
        return SavedTemplate(
            row.name, row.category, row.channel, row.subject, row.content, tuple(row.variables)
        )

    async def record_use(self, name: str, times: int = 1) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(MessageTemplate)
                .where(
                    MessageTemplate.workspace_id == self.workspace_id,
                    MessageTemplate.name == name,
                )
                .values(
                    usage_count=MessageTemplate.usage_count + times,
                    last_used_at=utcnow(),
                    # A use is not an edit: keep updated_at (its onupdate would bump it).
                    updated_at=MessageTemplate.updated_at,
                )
            )
