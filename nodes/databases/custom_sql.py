"""custom_sql: one SQL statement of the user's, with ``:param`` values bound from the flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port, Renamed
from nodes.connections import connection_field, connections_from
from nodes.databases._read import frame_from_result
from nodes.sql import (
    bound_text,
    check_read_only,
    rename_sql_parameter,
    single_statement,
    sql_parameters,
)


class CustomSqlConfig(NodeConfig):
    connection: str = connection_field("postgresql", "mysql", "supabase", "sqlite")
    sql: str = Field(
        min_length=1,
        description="One statement; :name is the flow parameter name, bound (never spliced).",
        json_schema_extra={"x-maxdp-widget": "sql"},
    )
    timeout_s: float | None = Field(
        default=None, gt=0, le=86_400, description="Statement timeout; default the connection's."
    )


class CustomSql(MaxDPNode):
    """Runs one SQL statement and returns its rows; `:name` binds the flow parameter `name`.

    A second statement is refused before anything is sent. On a `read_only` connection only
    one SELECT (or WITH … SELECT) is accepted, and it runs in a read-only transaction, so the
    database refuses a write even if one slips past the check. A statement that returns no
    rows (on a writable connection) gives one row with `rows_affected`. A list parameter
    expands after `IN`: `WHERE id IN :ids`.

    >>> import asyncio
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> conns = Connections([ConnectionSpec(name="db", kind="sqlite", database=":memory:")])
    >>> ctx = NodeContext(params={"n": 3, "tag": "x';--"}, services={"connections": conns})
    >>> node = CustomSql("q", {"connection": "db", "sql": "SELECT :n * 2 AS twice, :tag AS tag"})
    >>> async def demo():
    ...     out = (await node.arun({}, ctx))["out"]
    ...     await conns.close()
    ...     return out
    >>> asyncio.run(demo())
       twice    tag
    0      6  x';--
    """

    type = "custom_sql"
    category = "Sources"
    title = "Custom SQL"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = CustomSqlConfig
    is_async = True

    def setup(self) -> None:
        if not self.config.sql.strip():
            raise ConfigError("sql: the statement is empty", field="sql")
        # The generic reading: the connection's dialect is only known when the node runs.
        self._parameters = sql_parameters(self.config.sql, "generic")

    def parameter_refs(self) -> dict[str, set[str]]:
        return {**super().parameter_refs(), "sql": set(self._parameters)}

    @classmethod
    def rename_parameter(cls, config: Mapping[str, Any], old: str, new: str) -> Renamed:
        renamed = super().rename_parameter(config, old, new)
        renamed.apply(
            "sql",
            lambda v: rename_sql_parameter(v, "generic", old, new) if isinstance(v, str) else v,
        )
        return renamed

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        spec = await conns.spec(cfg.connection)
        if not spec.is_sql:
            raise NodeError(f"connection: {cfg.connection!r} is an {spec.kind} connection")
        dialect = spec.dialect_name
        statement = single_statement(cfg.sql, dialect)
        if spec.read_only:
            check_read_only(statement, dialect, connection=cfg.connection)
        clause = bound_text(statement, dialect, ctx.params)
        # A writable connection runs exactly what the user wrote, committed at the end.
        async with conns.session(
            cfg.connection, write=not spec.read_only, timeout_s=cfg.timeout_s
        ) as conn:
            result = await conn.execute(clause)
            if not result.returns_rows:
                return {"out": pd.DataFrame({"rows_affected": [max(result.rowcount, 0)]})}
            frame = frame_from_result(result, max_rows=ctx.row_limit)
        return {"out": frame}
