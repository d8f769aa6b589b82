"""Reading a PostgreSQL or MySQL/MariaDB catalog into plain ``CatalogTable`` records.

A handful of catalog queries per schema list (``pg_catalog`` on PostgreSQL,
``information_schema`` on MySQL), not one round trip per table. Types come back in the one
PostgreSQL spelling of ``typemap``; MySQL defaults and CHECK conditions are translated to
PostgreSQL syntax (backquoted names become double-quoted, ``current_timestamp()`` becomes
``now()``), so the metadata reads the same whichever database it came from. Naming, type and
relation rules live in ``naming``, ``typemap`` and ``relations``; MySQL specifics in
``introspect_mysql``.

>>> strip_parens("((price >= (0)::numeric))"), strip_parens("(a > 0) AND (b > 0)")
('price >= (0)::numeric', '(a > 0) AND (b > 0)')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from nodes.metadata import catalog_sql
from nodes.metadata.typemap import PgType, check_values, parse_pg_type

__all__ = [
    "CatalogColumn",
    "CatalogTable",
    "Check",
    "ForeignKey",
    "Index",
    "KeyConstraint",
    "catalog_rows",
    "read_catalog",
    "strip_parens",
]

_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@dataclass
class CatalogColumn:
    name: str
    position: int
    pg: PgType | None  # None: a user type (enum, composite …), named by ``user_type``
    pg_type: str  # canonical PostgreSQL spelling, or the user type's name
    not_null: bool
    default: str | None  # PostgreSQL syntax
    comment: str | None = None
    identity: str | None = None  # ALWAYS / BY DEFAULT
    generated: str | None = None  # expression of a stored generated column
    user_type: tuple[str, str] | None = None  # (schema, name)
    enum_values: list[str] | None = None  # labels of an enum type
    source_type: str = ""

    @property
    def auto(self) -> bool:
        """Filled by the database: serial, identity, auto_increment or generated."""
        return bool((self.pg is not None and self.pg.is_serial) or self.identity or self.generated)


@dataclass
class KeyConstraint:
    name: str
    columns: list[str]


@dataclass
class ForeignKey:
    name: str
    columns: list[str]
    ref_schema: str
    ref_table: str
    ref_columns: list[str]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"


@dataclass
class Check:
    name: str
    condition: str  # PostgreSQL syntax, without the CHECK keyword


@dataclass
class Index:
    name: str
    columns: list[str]  # empty for an expression index
    unique: bool
    method: str
    where: str | None = None
    constraint: bool = False  # the index of a PRIMARY KEY or UNIQUE constraint

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": self.columns,
            "type": "UNIQUE" if self.unique else self.method.upper(),
            "method": self.method,
            "unique": self.unique,
            "where": self.where,
            "constraint": self.constraint,
            "expression": not self.columns,
        }


@dataclass
class CatalogTable:
    schema: str
    name: str
    comment: str | None = None
    columns: list[CatalogColumn] = field(default_factory=list)
    primary_key: KeyConstraint | None = None
    uniques: list[KeyConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema, self.name)

    def column(self, name: str) -> CatalogColumn | None:
        return next((c for c in self.columns if c.name == name), None)

    def unique_sets(self) -> list[frozenset[str]]:
        """Column sets the database keeps unique: the primary key, UNIQUE constraints and
        unique indexes without a predicate."""
        sets = [frozenset(u.columns) for u in self.uniques]
        if self.primary_key is not None:
            sets.append(frozenset(self.primary_key.columns))
        sets += [
            frozenset(i.columns) for i in self.indexes if i.unique and i.columns and not i.where
        ]
        return sets

    def column_checks(self, column: str) -> list[str]:
        """Conditions of the CHECK constraints that name only ``column``."""
        return [c.condition for c in self.checks if _only_column(c.condition, column, self)]

    def allowed_values(self, column: CatalogColumn) -> list[str] | None:
        if column.enum_values:
            return column.enum_values
        for condition in self.column_checks(column.name):
            values = check_values(condition, column.name)
            if values:
                return values
        return None


def _only_column(condition: str, column: str, table: CatalogTable) -> bool:
    code = re.sub(r"'(?:[^']|'')*'", "''", condition)
    names = {c.name for c in table.columns if c.name != column}
    mentions = re.findall(r'"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_$]*)\b', code)
    used = {q.replace('""', '"') or bare for q, bare in mentions}
    return column in used and not (used & names)


async def read_catalog(
    conn: AsyncConnection, schemas: Sequence[str], tables: Sequence[str] = ()
) -> list[CatalogTable]:
    """The base tables of ``schemas`` (only ``tables`` when given), sorted by schema, name."""
    if conn.dialect.name == "postgresql":
        found = await _read_postgres(conn, list(schemas))
    else:
        from nodes.metadata.introspect_mysql import read_mysql

        found = await read_mysql(conn, list(schemas))
    wanted = set(tables)
    picked = [t for t in found.values() if not wanted or t.name in wanted]
    return sorted(picked, key=lambda t: t.key)


async def catalog_rows(conn: AsyncConnection, sql: str, schemas: list[str]) -> list[dict[str, Any]]:
    stmt = sa.text(sql)
    if conn.dialect.name != "postgresql":  # MySQL: IN :schemas, one bound value per schema
        stmt = stmt.bindparams(sa.bindparam("schemas", expanding=True))
    result = await conn.execute(stmt, {"schemas": schemas})
    return [dict(r) for r in result.mappings().all()]


# -- PostgreSQL -----------------------------------------------------------------------------
async def _read_postgres(conn: AsyncConnection, schemas: list[str]) -> dict[tuple, CatalogTable]:
    tables = {
        (r["schema"], r["name"]): CatalogTable(r["schema"], r["name"], r["comment"])
        for r in await catalog_rows(conn, catalog_sql.PG_TABLES, schemas)
    }
    for r in await catalog_rows(conn, catalog_sql.PG_COLUMNS, schemas):
        table = tables.get((r["schema"], r["table"]))
        if table is not None:
            table.columns.append(_pg_column(r))
    for r in await catalog_rows(conn, catalog_sql.PG_CONSTRAINTS, schemas):
        table = tables.get((r["schema"], r["table"]))
        if table is None:
            continue
        kind, name, cols = r["type"], r["name"], list(r["columns"])
        if kind == "p":
            table.primary_key = KeyConstraint(name, cols)
        elif kind == "u":
            table.uniques.append(KeyConstraint(name, cols))
        elif kind == "c":
            table.checks.append(Check(name, strip_parens(r["condition"])))
        elif kind == "f":
            table.foreign_keys.append(
                ForeignKey(
                    name,
                    cols,
                    r["ref_schema"],
                    r["ref_table"],
                    list(r["ref_columns"]),
                    _RULES.get(r["on_delete"], "NO ACTION"),
                    _RULES.get(r["on_update"], "NO ACTION"),
                )
            )
    for r in await catalog_rows(conn, catalog_sql.PG_INDEXES, schemas):
        table = tables.get((r["schema"], r["table"]))
        if table is not None:
            columns = [] if r["expression"] else [c for c in r["columns"] if c is not None]
            table.indexes.append(
                Index(r["name"], columns, r["unique"], r["method"], r["where"], r["constraint"])
            )
    return tables


def _pg_column(r: dict[str, Any]) -> CatalogColumn:
    pg = parse_pg_type(r["type"])
    user_type = None
    if pg is None:
        user_type = (r["type_schema"], r["type_name"])
    default = r["default"]
    identity = {"a": "ALWAYS", "d": "BY DEFAULT"}.get(r["identity"] or "")
    generated = default if r["generated"] == "s" else None
    if generated:
        default = None
    if pg is not None and r["serial"] and not identity and pg.base in _SERIALS:
        pg, default = PgType(_SERIALS[pg.base]), None  # the default is the serial's nextval()
    return CatalogColumn(
        name=r["name"],
        position=r["position"],
        pg=pg,
        pg_type=pg.render() if pg is not None else r["type_name"],
        not_null=r["not_null"],
        default=default,
        comment=r["comment"],
        identity=identity,
        generated=generated,
        user_type=user_type,
        enum_values=list(r["labels"]) if r["labels"] is not None else None,
        source_type=r["type"],
    )


_SERIALS = {"SMALLINT": "SMALLSERIAL", "INTEGER": "SERIAL", "BIGINT": "BIGSERIAL"}


def strip_parens(condition: str) -> str:
    """``(price >= 0)`` -> ``price >= 0`` when the outer parentheses enclose everything."""
    text = condition.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"'(?:[^']|'')*'", "''", text):
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0
