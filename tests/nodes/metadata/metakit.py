"""Helpers of the metadata tests: loading the sample shop, reading catalogs, running flows.

The catalog snapshot reads ``pg_catalog`` directly (not through the code under test), so
tests can compare what one database holds with what another does.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import asyncpg
import pymysql
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from nodes.base import MaxDPNode, NodeContext
from nodes.connections import Connections, ConnectionSpec
from nodes.metadata.metadata_codegen import MetadataCodegen
from nodes.metadata.metadata_init import MetadataInit
from nodes.metadata.metadata_introspect import MetadataIntrospect
from nodes.metadata.metadata_read import MetadataRead
from nodes.registry import NodeRegistry, builtin_nodes

DATA = Path(__file__).resolve().parents[3] / "flows" / "examples" / "data"
PG_SHOP = (DATA / "shop_schema.sql").read_text(encoding="utf-8")
MY_SHOP = (DATA / "shop_schema_mysql.sql").read_text(encoding="utf-8")
METADATA_NODES = (MetadataInit, MetadataIntrospect, MetadataRead, MetadataCodegen)


def registry() -> NodeRegistry:
    """The built-ins plus the metadata nodes (once, whether or not the built-ins list them)."""
    builtins = builtin_nodes()
    have = {c.type for c in builtins}
    return NodeRegistry([*builtins, *(c for c in METADATA_NODES if c.type not in have)])


def name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


async def run(node: MaxDPNode, ctx: NodeContext) -> Any:
    return (await node.arun({}, ctx))["out"]


# -- PostgreSQL -----------------------------------------------------------------------------
def pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def pg_script(url: str, script: str, *, schema: str | None = None) -> None:
    """Run a multi-statement script (our own files) in one transaction, in ``schema``."""
    conn = await asyncpg.connect(pg_dsn(url), timeout=10)
    try:
        async with conn.transaction():
            if schema is not None:
                await conn.execute(f'CREATE SCHEMA "{schema}"')
                await conn.execute(f'SET LOCAL search_path TO "{schema}"')
            await conn.execute(script)
    finally:
        await conn.close()


async def pg_fetch(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(pg_dsn(url), timeout=10)
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


CATALOG = {
    "columns": """
        SELECT c.relname AS table, a.attnum AS position, a.attname AS column,
               format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
               pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
               col_description(c.oid, a.attnum) AS comment
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1, 2""",
    "constraints": """
        SELECT c.relname AS table, con.conname AS name, con.contype::text AS type,
               pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1, 2""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 "
    "ORDER BY 1, 2",
    "enums": """
        SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = $1 GROUP BY 1 ORDER BY 1""",
    "tables": """
        SELECT c.relname AS table, obj_description(c.oid, 'pg_class') AS comment
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1""",
    "triggers": """
        SELECT c.relname AS table, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS definition
        FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT tg.tgisinternal ORDER BY 1, 2""",
}


async def catalog(url: str, schema: str) -> dict[str, list[dict[str, Any]]]:
    return {kind: await pg_fetch(url, sql, schema) for kind, sql in CATALOG.items()}


# -- MySQL / MariaDB ------------------------------------------------------------------------
def split_script(script: str) -> list[str]:
    """Statements of our own SQL files: comment lines dropped, split at ';' ending a line."""
    text = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", text, flags=re.M) if s.strip()]


def my_connect(url: str, database: str | None = None) -> pymysql.Connection:
    u = make_url(url)
    return pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=database,
        connect_timeout=10,
        charset="utf8mb4",
    )


def my_execute(url: str, statements: list[str], database: str | None = None) -> None:
    conn = my_connect(url, database)
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()


def connections(**urls: str) -> Connections:
    """A Connections service: name -> URL (the kind from the URL's scheme)."""
    specs = []
    for key, url in urls.items():
        kind = "mysql" if url.startswith("mysql") else "postgresql"
        specs.append(ConnectionSpec(name=key, kind=kind, url=url))
    return Connections(specs)


async def read_sql(conns: Connections, name: str, sql: str) -> Any:
    import pandas as pd

    async with conns.session(name) as conn:
        return await conn.run_sync(lambda sync: pd.read_sql(sa.text(sql), sync))
