"""table_writer: the input table written into a database table, all or nothing."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from flows.errors import ConfigError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.connections import connection_field, connections_from
from nodes.databases._write import WriteMode, write_frame
from nodes.fields import Columns, columns_field
from nodes.tables import single_table


class TableWriterConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field("postgresql", "mysql", "supabase", "sqlite")
    table: str = Field(min_length=1, description="Table name, exactly as in the database.")
    schema_: str | None = Field(
        default=None, alias="schema", description="Schema (PostgreSQL) or database (MySQL)."
    )
    mode: WriteMode = Field(
        default="append",
        description="append rows; replace all rows (the table is kept, made if missing); "
        "upsert by key_columns; create a new table (fails if it exists).",
    )
    key_columns: Columns = columns_field(
        [], "upsert: the unique key to match rows on; create/replace: the new table's primary key."
    )
    batch_size: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Rows per INSERT batch (PostgreSQL sends all rows in one COPY).",
    )


class TableWriter(MaxDPNode):
    """Writes its input into a table in one transaction: append, replace, upsert or create.

    Every batch runs inside one transaction, so when one fails nothing is written (a
    `replace` keeps the old rows). On PostgreSQL the rows go by binary COPY in that same
    transaction (an upsert COPYs into a temporary table, then merges it with one
    `INSERT … ON CONFLICT`); on MySQL each batch is one multi-row INSERT. `upsert` uses
    PostgreSQL `ON CONFLICT (key_columns)`, MySQL `ON DUPLICATE KEY` and SQLite
    `ON CONFLICT`; it needs a unique key on `key_columns` and refuses input holding a key
    twice. `create` derives column types from
    the input's dtypes. The output is a one-row summary.

    >>> import asyncio
    >>> import pandas as pd
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> conns = Connections([ConnectionSpec(name="shop", kind="sqlite", database=":memory:")])
    >>> ctx = NodeContext(services={"connections": conns})
    >>> create = TableWriter("c", {"connection": "shop", "table": "stock", "mode": "create",
    ...                            "key_columns": "sku"})
    >>> upsert = TableWriter("u", {"connection": "shop", "table": "stock", "mode": "upsert",
    ...                            "key_columns": "sku"})
    >>> async def demo():
    ...     await create.arun({"in": pd.DataFrame({"sku": ["a", "b"], "qty": [1, 2]})}, ctx)
    ...     out = await upsert.arun({"in": pd.DataFrame({"sku": ["b", "c"], "qty": [5, 9]})}, ctx)
    ...     await conns.close()
    ...     return out["out"]
    >>> asyncio.run(demo())
       table    mode  rows_written  rows_deleted
    0  stock  upsert             2             0
    """

    type = "table_writer"
    category = "Sinks"
    title = "Table writer"
    Config = TableWriterConfig
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
            mode=cfg.mode,
            key_columns=cfg.key_columns,
            batch_size=cfg.batch_size,
        )
        return {"out": summary}
