"""table_reader: rows of one database table, filtered, sorted and limited in the database."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.connections import connection_field, connections_from
from nodes.databases._read import effective_limit, fetch_frame, select_rows
from nodes.fields import Columns, OrderBy, columns_field, expression_field
from nodes.sql_conditions import SqlCondition


class TableReaderConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field("postgresql", "mysql", "supabase", "sqlite")
    table: str = Field(
        min_length=1, description="Table (or view) name, exactly as in the database."
    )
    schema_: str | None = Field(
        default=None, alias="schema", description="Schema (PostgreSQL) or database (MySQL)."
    )
    columns: Columns = columns_field([], "Columns to read, in this order; empty = all.")
    where: str | None = expression_field(
        None,
        "Condition run in the database: comparisons, and/or/not, in, is_null(), not_null(), "
        "@parameters.",
    )
    order_by: OrderBy = Field(default=[], description="Sort keys; nulls last, as in pandas.")
    limit: int | None = Field(default=None, ge=0, description="Read at most this many rows.")


class TableReader(MaxDPNode):
    """Reads a table through a named connection; `where`, `order_by` and `limit` run in SQL.

    Names are quoted by the database's own rules, values in `where` are bound parameters, and
    the session is read-only with the connection's statement timeout. Rows come back as
    `pandas.read_sql` would build them; nulls sort last in both directions, as pandas does.

    >>> import asyncio
    >>> import pandas as pd
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> from nodes.databases.table_writer import TableWriter
    >>> conns = Connections([ConnectionSpec(name="shop", kind="sqlite", database=":memory:")])
    >>> ctx = NodeContext(params={"region": "KR"}, services={"connections": conns})
    >>> orders = pd.DataFrame({"id": [1, 2, 3], "region": ["KR", "US", "KR"],
    ...                        "amount": [10.0, 3.5, 7.0]})
    >>> writer = TableWriter("w", {"connection": "shop", "table": "orders", "mode": "create"})
    >>> reader = TableReader("r", {"connection": "shop", "table": "orders",
    ...                            "columns": ["id", "amount"], "where": "region == @region",
    ...                            "order_by": {"column": "amount", "ascending": False}})
    >>> async def demo():
    ...     await writer.arun({"in": orders}, ctx)
    ...     out = (await reader.arun({}, ctx))["out"]
    ...     await conns.close()
    ...     return out
    >>> asyncio.run(demo())
       id  amount
    0   1    10.0
    1   3     7.0
    """

    type = "table_reader"
    category = "Sources"
    title = "Table reader"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = TableReaderConfig
    is_async = True

    def setup(self) -> None:
        where = self.config.where
        self._condition = SqlCondition(where, field="where") if where is not None else None

    def parameter_refs(self) -> dict[str, set[str]]:
        refs = super().parameter_refs()
        if self._condition is not None:
            refs["where"] = set(self._condition.parameters)
        return refs

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        async with conns.session(cfg.connection) as conn:
            stmt = select_rows(
                conn.dialect.name,
                table=cfg.table,
                schema=cfg.schema_,
                columns=cfg.columns,
                condition=self._condition,
                params=ctx.params,
                order_by=cfg.order_by,
                limit=effective_limit(cfg.limit, ctx.row_limit),
            )
            frame = await fetch_frame(conn, stmt)
        return {"out": frame}
