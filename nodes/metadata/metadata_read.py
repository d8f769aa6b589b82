"""metadata_read: one of the metadata tables as a table."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.connections import connection_field, connections_from
from nodes.databases._read import fetch_frame
from nodes.metadata.metadata_init import AFTER, metadata_connection
from nodes.metadata.sync import check_metadata_schema
from nodes.sql import check_identifier, quote_identifier

__all__ = ["MetadataRead", "MetadataReadConfig"]

What = Literal["tables", "columns", "relations", "project", "api_endpoints", "sync_log"]
# what -> (table, ORDER BY): fixed text, the only names that reach the SQL besides the schema.
_SOURCES: dict[str, tuple[str, str]] = {
    "tables": ("mappings_table", "schema_name, table_name"),
    "columns": ("mappings_column", "schema_name, table_name, sort_order, id"),
    "relations": ("mappings_relation", "id"),
    "project": ("project", "id"),
    "api_endpoints": ("mappings_api_endpoint", "endpoint_name"),
    "sync_log": ("metadata_sync_log", "id"),
}


class MetadataReadConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field("postgresql", "supabase")
    schema_: str = Field(
        default="_metadata", alias="schema", min_length=1, description="The metadata schema."
    )
    what: What = Field(
        default="tables",
        description="tables, columns, relations, project (one row), api_endpoints or sync_log.",
    )


class MetadataRead(MaxDPNode):
    """Reads the metadata: `tables`, `columns`, `relations`, `project`, `api_endpoints` or
    `sync_log`, all columns, in a stable order.

    JSONB columns arrive as Python dicts and lists, timestamps as timezone-aware datetimes.
    The session is read-only.

    >>> node = MetadataRead("cols", {"connection": "meta", "what": "columns"})
    >>> node.config.schema_, node.config.what
    ('_metadata', 'columns')
    >>> MetadataRead("bad", {"connection": "meta", "what": "views"})
    Traceback (most recent call last):
    ...
    flows.errors.ConfigError: what: Input should be 'tables', 'columns', 'relations',
    'project', 'api_endpoints' or 'sync_log'
    """

    type = "metadata_read"
    category = "Metadata"
    title = "Metadata read"
    inputs: ClassVar[tuple[Port, ...]] = (AFTER,)
    Config = MetadataReadConfig
    is_async = True

    def setup(self) -> None:
        check_identifier(self.config.schema_, "postgresql", field="schema")

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        await metadata_connection(conns, cfg.connection, node=self.type)
        table, order = _SOURCES[cfg.what]
        async with conns.session(cfg.connection) as conn:
            await check_metadata_schema(conn, cfg.schema_, cfg.connection, "schema")
            quoted = quote_identifier(conn.dialect, cfg.schema_)
            stmt = sa.text(f"SELECT * FROM {quoted}.{table} ORDER BY {order}")  # noqa: S608
            frame = await fetch_frame(conn, stmt)
        return {"out": frame}
