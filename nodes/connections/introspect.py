"""What the server's ``connections/test`` and schema-browser endpoints ask of a connection.

``describe_account`` reports the server version and whether the account can write, from the
catalog (PostgreSQL privileges, MySQL ``SHOW GRANTS``): a read-only connection whose account
can write gets a warning, because the read-only session is a safeguard, not the guarantee.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field

from flows.errors import NodeError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from nodes.connections.service import Connections

__all__ = [
    "AccountInfo",
    "ColumnInfo",
    "TableInfo",
    "describe_account",
    "list_columns",
    "list_tables",
]

_PG_WRITES = sa.text(
    """
    SELECT
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
      has_database_privilege(current_database(), 'CREATE') AS db_create,
      ARRAY(
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%'
          AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
        ORDER BY 1 LIMIT 5
      ) AS tables,
      ARRAY(
        SELECT quote_ident(n.nspname) FROM pg_namespace n
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%'
          AND has_schema_privilege(n.oid, 'CREATE')
        ORDER BY 1 LIMIT 5
      ) AS schemas
    """
)
# MySQL privileges that change data or structure. USAGE, SELECT, SHOW VIEW, LOCK TABLES,
# CREATE TEMPORARY TABLES and the like do not.
_MY_WRITE_PRIVILEGES = {
    "ALL", "ALL PRIVILEGES", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER",
    "INDEX", "CREATE VIEW", "TRIGGER", "CREATE ROUTINE", "ALTER ROUTINE", "EXECUTE", "EVENT",
    "FILE", "SUPER", "DELETE HISTORY", "CREATE USER",
}  # fmt: skip
_GRANT = re.compile(
    r"^GRANT\s+(?P<privs>.+?)\s+ON\s+(?P<obj>\S+)\s+TO\s", re.IGNORECASE | re.DOTALL
)


class AccountInfo(BaseModel):
    """The answer of ``POST /connections/{id}/test`` (after reachability)."""

    name: str
    kind: str
    server_version: str
    read_only: bool = Field(description="The connection opens read-only sessions.")
    can_write: bool | None = Field(description="The account may change data (None: unknown).")
    write_privileges: list[str] = Field(default_factory=list, description="Evidence, up to 5.")
    warnings: list[str] = Field(default_factory=list)


class TableInfo(BaseModel):
    schema_: str | None = Field(alias="schema", serialization_alias="schema")
    name: str
    kind: Literal["table", "view"]


class ColumnInfo(BaseModel):
    name: str
    type: str
    nullable: bool
    primary_key: bool
    default: str | None = None


async def describe_account(conns: Connections, name: str) -> AccountInfo:
    async with conns.session(name) as conn:
        spec = await conns.spec(name)
        if spec.dialect_name == "postgresql":
            version = (await conn.execute(sa.text("SHOW server_version"))).scalar_one()
            row = (await conn.execute(_PG_WRITES)).mappings().one()
            evidence = (
                (["superuser"] if row["superuser"] else [])
                + [f"INSERT/UPDATE/DELETE on {t}" for t in row["tables"]]
                + [f"CREATE on schema {s}" for s in row["schemas"]]
                + (["CREATE on the database"] if row["db_create"] else [])
            )
            can_write: bool | None = bool(evidence)
            notes: list[str] = []
        elif spec.kind == "mysql":
            version = (await conn.execute(sa.text("SELECT VERSION()"))).scalar_one()
            grants = [r[0] for r in (await conn.execute(sa.text("SHOW GRANTS"))).all()]
            evidence, can_write, notes = _mysql_write_grants(grants)
        else:
            version = (await conn.execute(sa.text("SELECT sqlite_version()"))).scalar_one()
            # A file the server process can open read-write; only query_only stops writes.
            evidence, can_write, notes = ["the database file is writable"], True, []
    warnings = list(notes)
    if spec.read_only and can_write:
        warnings.append(
            "the connection is read_only but the account can write: read-only sessions refuse "
            "writes, but only an account limited to SELECT guarantees it"
        )
    return AccountInfo(
        name=name,
        kind=spec.kind,
        server_version=str(version),
        read_only=spec.read_only,
        can_write=can_write,
        write_privileges=evidence[:5],
        warnings=warnings,
    )


def _mysql_write_grants(grants: list[str]) -> tuple[list[str], bool | None, list[str]]:
    evidence, unknown = [], False
    for line in grants:
        match = _GRANT.match(line.strip())
        if match is None:
            unknown = unknown or line.upper().startswith("GRANT ")  # a role grant
            continue
        privs = {p.strip().upper() for p in re.split(r",(?![^(]*\))", match["privs"])}
        privs = {re.sub(r"\s*\(.*\)$", "", p) for p in privs}  # INSERT (col) -> INSERT
        for priv in sorted(privs & _MY_WRITE_PRIVILEGES):
            evidence.append(f"{priv} on {match['obj']}")
    notes = []
    if unknown and not evidence:
        notes.append("privileges granted through roles were not inspected")
        return evidence, None, notes
    return evidence, bool(evidence), notes


async def list_tables(conns: Connections, name: str, schema: str | None) -> list[TableInfo]:
    def read(sync: Connection) -> list[TableInfo]:
        inspector = sa.inspect(sync)
        tables = [
            TableInfo(schema=schema, name=t, kind="table")
            for t in inspector.get_table_names(schema=schema)
        ]
        views = [
            TableInfo(schema=schema, name=v, kind="view")
            for v in inspector.get_view_names(schema=schema)
        ]
        return sorted(tables + views, key=lambda t: t.name)

    async with conns.session(name) as conn:
        return await conn.run_sync(read)


async def list_columns(
    conns: Connections, name: str, table: str, schema: str | None
) -> list[ColumnInfo]:
    def read(sync: Connection) -> list[ColumnInfo]:
        inspector = sa.inspect(sync)
        try:
            columns = inspector.get_columns(table, schema=schema)
        except sa.exc.NoSuchTableError:
            where = f"{schema}.{table}" if schema else table
            raise NodeError(f"table: {where!r} not found on connection {name!r}") from None
        pk = set(inspector.get_pk_constraint(table, schema=schema).get("constrained_columns") or [])
        return [
            ColumnInfo(
                name=col["name"],
                type=_type_name(col["type"], sync.dialect),
                nullable=bool(col.get("nullable", True)),
                primary_key=col["name"] in pk,
                default=None if col.get("default") is None else str(col["default"]),
            )
            for col in columns
        ]

    async with conns.session(name) as conn:
        return await conn.run_sync(read)


def _type_name(type_: Any, dialect: sa.Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except sa.exc.CompileError:
        return type(type_).__name__
