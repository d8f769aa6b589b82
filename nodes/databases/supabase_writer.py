"""supabase_writer: the input table inserted or upserted into a Supabase (PostgreSQL) table."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from flows.errors import ConfigError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.connections import connection_field, connections_from
from nodes.databases._write import write_frame
from nodes.fields import Columns, columns_field
from nodes.tables import single_table


class SupabaseWriterConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field(
        "supabase", "postgresql", description="A Supabase connection: its PostgreSQL DSN."
    )
    table: str = Field(min_length=1, description="Table name, exactly as in the database.")
    schema_: str | None = Field(default=None, alias="schema", description="Default: public.")
    mode: Literal["insert", "upsert"] = Field(
        default="insert", description="insert new rows, or upsert them by key_columns."
    )
    key_columns: Columns = columns_field([], "upsert: the unique key to match rows on.")
    batch_size: int = Field(default=500, ge=1, le=100_000, description="Rows per INSERT batch.")


class SupabaseWriter(MaxDPNode):
    """Inserts or upserts its input into a Supabase table, in one transaction.

    The table_writer code path on PostgreSQL: `upsert` is `INSERT … ON CONFLICT
    (key_columns) DO UPDATE`, every batch shares one transaction (a failure writes nothing),
    and it works through Supabase's transaction-mode pooler. The output is a one-row summary.

    >>> node = SupabaseWriter("log", {"connection": "platform", "table": "send_log",
    ...                               "mode": "upsert", "key_columns": ["message_id"]})
    >>> node.config.key_columns, node.category
    (['message_id'], 'Message automation')
    >>> SupabaseWriter("bad", {"connection": "platform", "table": "t", "mode": "upsert"})
    Traceback (most recent call last):
    ...
    flows.errors.ConfigError: key_columns: mode upsert needs key_columns
    """

    type = "supabase_writer"
    category = "Message automation"
    title = "Supabase writer"
    Config = SupabaseWriterConfig
    is_async = True

    def setup(self) -> None:
        if self.config.mode == "upsert" and not self.config.key_columns:
            raise ConfigError("key_columns: mode upsert needs key_columns", field="key_columns")

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        summary = await write_frame(
            connections_from(ctx),
            cfg.connection,
            single_table(inputs),
            table=cfg.table,
            schema=cfg.schema_,
            mode="append" if cfg.mode == "insert" else "upsert",
            key_columns=cfg.key_columns,
            batch_size=cfg.batch_size,
        )
        summary["mode"] = cfg.mode
        return {"out": summary}
