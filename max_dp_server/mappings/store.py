"""``DbTableMappingStore``: a workspace's saved mappings for ``mapped_table_search``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.errors import NodeError
from max_dp_server.models import StoredTableMapping
from nodes.messaging.mappings import TableMapping

__all__ = ["DbTableMappingStore", "to_table_mapping"]


def to_table_mapping(row: StoredTableMapping) -> TableMapping:
    return TableMapping.model_validate(
        {
            "table": row.table_name,
            "schema": row.schema_name,
            "display_name": row.display_name,
            "description": row.description,
            "fields": row.fields,
        }
    )


class DbTableMappingStore:
    """Looks a mapping up by name in its own short session (runs outlive requests)."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID
    ) -> None:
        self._sessions = sessionmaker
        self.workspace_id = workspace_id

    async def get(self, name: str) -> TableMapping:
        async with self._sessions() as session:
            row = await session.scalar(
                select(StoredTableMapping).where(
                    StoredTableMapping.workspace_id == self.workspace_id,
                    StoredTableMapping.name == name,
                )
            )
            if row is None:
                names = await session.scalars(
                    select(StoredTableMapping.name)
                    .where(StoredTableMapping.workspace_id == self.workspace_id)
                    .order_by(StoredTableMapping.name)
                )
                known = ", ".join(names) or "none"
                raise NodeError(f"mapping: table mapping {name!r} not found (saved: {known})")
        return to_table_mapping(row)
