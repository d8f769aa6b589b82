"""metadata_init: the guide's ``_metadata`` schema on a PostgreSQL connection, idempotently."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa
from pydantic import ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.connections import Connections, connection_field, connections_from
from nodes.metadata.ddl import EXTENSIONS, TABLES, DbObject, metadata_objects, table_columns
from nodes.metadata.project import ProjectConfig, upsert_project
from nodes.sql import check_identifier, quote_identifier

__all__ = ["AFTER", "MetadataInit", "MetadataInitConfig", "metadata_connection"]

# The metadata nodes read no table; this optional input orders them after another node (a
# flow runs metadata_introspect after metadata_init by wiring init's output here).
AFTER = Port(
    name="after",
    optional=True,
    description="Optional: wire the node this one must run after; its table is not read.",
)

# What exists already, one row per object: kind, name, table (triggers and indexes).
_EXISTING = sa.text(
    """
    SELECT 'extension' AS kind, extname::text AS name, NULL::text AS tbl
      FROM pg_extension WHERE extname = ANY(:extensions)
    UNION ALL SELECT 'schema', '', NULL FROM pg_namespace WHERE nspname = :schema
    UNION ALL SELECT 'type', t.typname::text, NULL FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = :schema
    UNION ALL SELECT CASE WHEN c.relkind = 'i' THEN 'index' ELSE 'table' END, c.relname::text,
      CASE WHEN c.relkind = 'i' THEN (SELECT tc.relname::text FROM pg_index i
        JOIN pg_class tc ON tc.oid = i.indrelid WHERE i.indexrelid = c.oid) END
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'i')
    UNION ALL SELECT 'function', p.proname::text, NULL FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :schema
    UNION ALL SELECT 'trigger', tg.tgname::text, c.relname::text FROM pg_trigger tg
      JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = :schema AND NOT tg.tgisinternal
    """
)
_COLUMNS = sa.text(
    "SELECT table_name::text, column_name::text FROM information_schema.columns "
    "WHERE table_schema = :schema"
)


class MetadataInitConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field("postgresql", "supabase")
    schema_: str = Field(
        default="_metadata", alias="schema", min_length=1, description="The metadata schema."
    )
    project: ProjectConfig | None = Field(
        default=None, description="The single project row (id 1): inserted, or updated."
    )
    extensions: bool = Field(
        default=True,
        description="Create the guide's extensions btree_gin and pg_trgm (needs the right "
        "to create them; the metadata tables do not depend on them).",
    )


async def metadata_connection(
    conns: Connections, name: str, *, node: str, field: str = "connection"
) -> None:
    """Refuse anything but PostgreSQL: the schema uses enums, JSONB, GIN indexes, triggers."""
    spec = await conns.spec(name)
    if spec.dialect_name != "postgresql":
        raise NodeError(
            f"{field}: {node} needs a PostgreSQL connection, and {name!r} is a {spec.kind} "
            "connection (the _metadata schema uses PostgreSQL enums, JSONB and triggers)"
        )


class MetadataInit(MaxDPNode):
    """Creates the `_metadata` schema of the metadata guide and fills its one `project` row.

    Creates what is missing of the guide's enums, tables (with their columns, defaults,
    constraints and comments), indexes, trigger function and triggers, in one transaction,
    and reports each object as `created` or `exists`: a second run changes nothing and says
    so. `project` inserts row 1 or updates the fields it sets (`created`, `updated`,
    `exists`). Only PostgreSQL connections are accepted.

    >>> import asyncio
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> conns = Connections([ConnectionSpec(name="lite", kind="sqlite", database=":memory:")])
    >>> node = MetadataInit("init", {"connection": "lite", "project": {
    ...     "project_id": "shop", "project_name": "Shop", "root_path": "/srv/shop"}})
    >>> asyncio.run(node.arun({}, NodeContext(services={"connections": conns})))
    Traceback (most recent call last):
    ...
    flows.errors.NodeError: connection: metadata_init needs a PostgreSQL connection, and 'lite'
    is a sqlite connection (the _metadata schema uses PostgreSQL enums, JSONB and triggers)
    """

    type = "metadata_init"
    category = "Metadata"
    title = "Metadata init"
    inputs: ClassVar[tuple[Port, ...]] = (AFTER,)
    outputs: ClassVar[tuple[Port, ...]] = (
        Port(name="out", description="One row per object: object, kind, action."),
    )
    Config = MetadataInitConfig
    is_async = True

    def setup(self) -> None:
        check_identifier(self.config.schema_, "postgresql", field="schema")

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        await metadata_connection(conns, cfg.connection, node=self.type)
        schema = cfg.schema_
        rows: list[dict[str, str]] = []
        async with conns.session(cfg.connection, write=True) as conn:
            quoted = quote_identifier(conn.dialect, schema)
            # Two inits of one schema at once would race between looking and creating.
            await conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"maxdp:{schema}"}
            )
            existing = await _existing(conn, schema)
            # Tables of the same names but other columns: stop before touching anything.
            missing = await _missing_columns(conn, schema)
            if missing:
                raise NodeError(
                    f"schema: {schema!r} already has tables that differ from the metadata "
                    f"guide ({missing}); drop them or pick another schema"
                )
            for obj in metadata_objects(quoted, extensions=cfg.extensions):
                found = (obj.kind, obj.name, obj.table if obj.kind != "table" else None)
                if found in existing:
                    action = "exists"
                else:
                    await _create(conn, obj, cfg.connection)
                    action = "created"
                rows.append({"object": _display(schema, obj), "kind": obj.kind, "action": action})
            if cfg.project is not None:
                action = await upsert_project(conn, quoted, cfg.project)
                rows.append({"object": f"{schema}.project[id=1]", "kind": "row", "action": action})
        return {"out": pd.DataFrame(rows, columns=["object", "kind", "action"])}


async def _existing(conn: AsyncConnection, schema: str) -> set[tuple[str, str, str | None]]:
    result = await conn.execute(_EXISTING, {"schema": schema, "extensions": list(EXTENSIONS)})
    found = set()
    for kind, name, table in result.all():
        found.add((kind, name, table if kind in ("index", "trigger") else None))
    return found


async def _create(conn: AsyncConnection, obj: DbObject, connection: str) -> None:
    for statement in obj.statements:
        try:
            # Driver SQL: the guide's comments hold ':' and '$' that text() would read as binds.
            await conn.exec_driver_sql(statement)
        except sa.exc.DBAPIError as exc:
            if obj.kind == "extension":
                raise NodeError(
                    f"extensions: cannot create extension {obj.name!r} on connection "
                    f"{connection!r}; set extensions to false to skip the guide's extensions"
                ) from exc
            raise


async def _missing_columns(conn: AsyncConnection, schema: str) -> str:
    """The guide's columns absent from tables that existed before (``table: a, b``; ...)."""
    have: dict[str, set[str]] = {}
    for table, column in (await conn.execute(_COLUMNS, {"schema": schema})).all():
        have.setdefault(table, set()).add(column)
    problems = []
    for table in TABLES:
        if table not in have:
            continue  # created by this run
        absent = [c for c in table_columns(table) if c not in have.get(table, set())]
        if absent:
            problems.append(f"{table} lacks {', '.join(absent)}")
    return "; ".join(problems)


def _display(schema: str, obj: DbObject) -> str:
    if obj.kind == "extension":
        return obj.name
    if obj.kind == "schema":
        return schema
    if obj.kind == "trigger":
        return f"{schema}.{obj.table}.{obj.name}"
    return f"{schema}.{obj.name}"
