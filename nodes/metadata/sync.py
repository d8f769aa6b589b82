"""Upserting derived rows into ``mappings_*``, keeping hand edits, logging every change.

One transaction on the metadata connection. For each row: insert it when new; otherwise
update its catalog fields when they changed, and its derived fields only where the stored
value still equals the derivation of the stored catalog fields (see ``derive``); a derived
field edited by hand is kept and reported under ``kept``. A relation's ``graphql_field`` is
set when the relation is first seen and then kept, so a new foreign key never renames an
existing API field. Each insert, update and delete writes a ``metadata_sync_log`` row with
the whole old and new row. Nothing changed: nothing written, nothing logged.

>>> from nodes.metadata.derive import TABLE_CATALOG, TABLE_DERIVED, table_derived
>>> stored = {"table_name": "users", "primary_key": "id", "table_constraints": {"comment": None},
...           "indexes": [], "graphql_type": "User", "label": "People", "description": None}
>>> new = dict(stored, primary_key="uid", label="Users")
>>> merge_row(stored, new, TABLE_CATALOG, TABLE_DERIVED, table_derived)
({'primary_key': 'uid'}, ['label'])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.errors import NodeError
from nodes.metadata.derive import (
    COLUMN_CATALOG,
    COLUMN_DERIVED,
    TABLE_CATALOG,
    TABLE_DERIVED,
    column_derived,
    table_derived,
)
from nodes.metadata.project import log_change
from nodes.metadata.relations import Relation

__all__ = ["SUMMARY_COLUMNS", "merge_row", "sync_metadata"]

SUMMARY_COLUMNS = ["kind", "schema", "table", "name", "action", "changed", "kept"]
_JSON = {
    "mappings_table": {"table_constraints", "indexes", "api_permissions"},
    "mappings_column": {"pg_constraints", "enum_options", "validation_rules"},
    "mappings_relation": set(),
}
_RELATION_CATALOG = (
    "from_table_id", "to_table_id", "relation_type", "is_cascade_delete", "constraint_name",
)  # fmt: skip
_TABLES = ("mappings_table", "mappings_column", "mappings_relation", "metadata_sync_log")


def same(a: Any, b: Any) -> bool:
    return a == b or json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def merge_row(
    stored: dict[str, Any],
    new: dict[str, Any],
    catalog: Iterable[str],
    derived: Iterable[str],
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None,
) -> tuple[dict[str, Any], list[str]]:
    """The fields to write, and the derived fields kept as edited by hand."""
    writes = {f: new[f] for f in catalog if not same(stored.get(f), new[f])}
    previous = derive(stored) if derive is not None else {}
    kept = []
    for f in derived:
        if same(stored.get(f), new[f]):
            continue
        if derive is not None and same(stored.get(f), previous.get(f)):
            writes[f] = new[f]
        else:
            kept.append(f)
    return writes, sorted(kept)


class _Writer:
    """Statements on one metadata table (the schema name is the only text put in SQL)."""

    def __init__(self, conn: AsyncConnection, schema_sql: str) -> None:
        self.conn, self.schema_sql = conn, schema_sql
        self.log: list[dict[str, Any]] = []

    def _stmt(self, table: str, sql: str, fields: Iterable[str]) -> sa.TextClause:
        binds = [sa.bindparam(f, type_=JSONB) for f in fields if f in _JSON[table]]
        return sa.text(sql).bindparams(*binds)

    async def select(self, table: str, where: str, params: dict[str, Any]) -> list[dict]:
        sql = f"SELECT to_jsonb(t) FROM {self.schema_sql}.{table} AS t WHERE {where}"  # noqa: S608
        return list((await self.conn.execute(sa.text(sql), params)).scalars().all())

    async def insert(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        sql = (
            f"INSERT INTO {self.schema_sql}.{table} AS t ({names}) VALUES ({marks}) "  # noqa: S608
            "RETURNING to_jsonb(t)"
        )
        row = (await self.conn.execute(self._stmt(table, sql, values), values)).scalar_one()
        self.log.append(_entry(table, "INSERT", None, row))
        return row

    async def update(self, table: str, old: dict[str, Any], values: dict[str, Any]) -> dict:
        sets = ", ".join(f"{k} = :{k}" for k in values)
        sql = (
            f"UPDATE {self.schema_sql}.{table} AS t SET {sets} WHERE id = :id "  # noqa: S608
            "RETURNING to_jsonb(t)"
        )
        stmt = self._stmt(table, sql, values)
        row = (await self.conn.execute(stmt, {**values, "id": old["id"]})).scalar_one()
        self.log.append(_entry(table, "UPDATE", old, row))
        return row

    async def delete(self, table: str, old: dict[str, Any]) -> None:
        sql = f"DELETE FROM {self.schema_sql}.{table} WHERE id = :id"  # noqa: S608
        await self.conn.execute(sa.text(sql), {"id": old["id"]})
        self.log.append(_entry(table, "DELETE", old, None))


def _entry(table: str, op: str, old: dict | None, new: dict | None) -> dict[str, Any]:
    record = (new or old or {}).get("id")
    return {
        "table_name": table,
        "operation": op,
        "record_id": record,
        "old_data": old,
        "new_data": new,
    }


async def check_metadata_schema(
    conn: AsyncConnection, schema: str, connection: str, field: str
) -> None:
    found = await conn.execute(
        sa.text(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relname = ANY(:names)"
        ),
        {"schema": schema, "names": list(_TABLES)},
    )
    missing = set(_TABLES) - set(found.scalars().all())
    if missing:
        raise NodeError(
            f"{field}: schema {schema!r} on connection {connection!r} has no "
            f"{', '.join(sorted(missing))}; run metadata_init on it first"
        )


async def sync_metadata(
    conn: AsyncConnection,
    schema: str,
    schema_sql: str,
    tables: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    relations: list[Relation],
    *,
    schemas: list[str],
    only_tables: set[str],
    delete_missing: bool,
) -> list[dict[str, Any]]:
    """Write ``tables``/``columns``/``relations`` (rows from ``derive``/``relations``) and
    return the summary rows. Rows of ``schemas`` (and ``only_tables`` when given) that the
    catalog no longer has are deleted with ``delete_missing``, else reported ``missing``;
    rows added by hand (without catalog facts) are left alone."""
    # One writer per metadata schema at a time (metadata_init takes the same lock).
    await conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"maxdp:{schema}"}
    )
    w = _Writer(conn, schema_sql)
    summary: list[dict[str, Any]] = []

    def in_scope(schema: str, table: str) -> bool:
        return schema in schemas and (not only_tables or table in only_tables)

    def report(
        kind: str,
        schema: str,
        table: str,
        name: str,
        action: str,
        changed: Iterable[str] = (),
        kept: Iterable[str] = (),
    ) -> None:
        summary.append(
            {
                "kind": kind,
                "schema": schema,
                "table": table,
                "name": name,
                "action": action,
                "changed": ", ".join(changed),
                "kept": ", ".join(kept),
            }
        )

    params = {"schemas": schemas}
    old_tables = {
        (r["schema_name"], r["table_name"]): r
        for r in await w.select("mappings_table", "schema_name = ANY(:schemas)", params)
    }
    old_columns = {
        (r["schema_name"], r["table_name"], r["pg_column"]): r
        for r in await w.select("mappings_column", "schema_name = ANY(:schemas)", params)
    }
    where = "from_schema = ANY(:schemas) OR to_schema = ANY(:schemas)"
    old_relations = {
        tuple(
            r[k]
            for k in (
                "from_schema",
                "from_table",
                "from_column",
                "to_schema",
                "to_table",
                "to_column",
            )
        ): r
        for r in await w.select("mappings_relation", where, params)
    }
    ids: dict[tuple[str, str], int] = {}
    for new in tables:
        key = (new["schema_name"], new["table_name"])
        row, *outcome = await _upsert(
            w, "mappings_table", old_tables.get(key), new, TABLE_CATALOG, TABLE_DERIVED,
            table_derived,
        )  # fmt: skip
        ids[key] = row["id"]
        report("table", *key, key[1], *outcome)
    for new in columns:
        key = (new["schema_name"], new["table_name"], new["pg_column"])
        new = {**new, "table_id": ids[key[:2]]}
        _row, *outcome = await _upsert(
            w, "mappings_column", old_columns.get(key), new, COLUMN_CATALOG, COLUMN_DERIVED,
            column_derived,
        )  # fmt: skip
        report("column", *key, *outcome)
    relation_keys = set()
    for rel in relations:
        relation_keys.add(rel.key)
        new = rel.as_row() | {
            "from_table_id": ids[(rel.from_schema, rel.from_table)],
            "to_table_id": ids[(rel.to_schema, rel.to_table)],
        }
        stored = old_relations.get(rel.key)
        row, *outcome = await _upsert(
            w, "mappings_relation", stored, new, _RELATION_CATALOG, ("graphql_field",), None
        )
        report(
            "relation",
            rel.from_schema,
            rel.from_table,
            f"{rel.from_table}.{row['graphql_field']}",
            *outcome,
        )

    # What the catalog no longer has, within the scope of this run. Rows introspection never
    # wrote (no catalog facts: added by hand) are someone's plan, not missing.
    gone_tables = [
        r
        for k, r in old_tables.items()
        if in_scope(*k) and k not in ids and r.get("table_constraints") is not None
    ]
    gone_keys = {(r["schema_name"], r["table_name"]) for r in gone_tables}
    for key, old in old_relations.items():
        ends = ((key[0], key[1]), (key[3], key[4]))
        touches_gone = any(e in gone_keys for e in ends)
        if key in relation_keys or not (touches_gone or all(e in ids for e in ends)):
            continue
        if old.get("constraint_name") is None:
            continue
        if delete_missing:
            await w.delete("mappings_relation", old)
        if not touches_gone or delete_missing:
            action = "deleted" if delete_missing else "missing"
            report("relation", key[0], key[1], f"{key[1]}.{old['graphql_field']}", action)
    current_columns = {(c["schema_name"], c["table_name"], c["pg_column"]) for c in columns}
    for key, old in old_columns.items():
        if key in current_columns or not in_scope(*key[:2]) or old.get("pg_constraints") is None:
            continue
        if delete_missing:
            await w.delete("mappings_column", old)
        if key[:2] not in gone_keys or delete_missing:
            report("column", *key, "deleted" if delete_missing else "missing")
    for old in gone_tables:
        if delete_missing:
            await w.delete("mappings_table", old)
        key = (old["schema_name"], old["table_name"])
        report("table", *key, key[1], "deleted" if delete_missing else "missing")
    await log_change(conn, schema_sql, w.log)
    return summary


async def _upsert(
    w: _Writer,
    table: str,
    stored: dict[str, Any] | None,
    new: dict[str, Any],
    catalog: tuple[str, ...],
    derived: tuple[str, ...],
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None,
) -> tuple[dict[str, Any], str, list[str], list[str]]:
    """Insert or update one row: (row, action, changed fields, kept fields)."""
    if stored is None:
        return await w.insert(table, new), "inserted", [], []
    writes, kept = merge_row(stored, new, catalog, derived, derive)
    if not writes:
        return stored, "unchanged", [], kept
    return await w.update(table, stored, writes), "updated", sorted(writes), kept
