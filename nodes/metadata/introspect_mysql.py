"""Reading a MySQL/MariaDB catalog (``information_schema``) into ``CatalogTable`` records.

Types become their PostgreSQL spelling (``typemap``), defaults and CHECK conditions PostgreSQL
syntax (backquoted names double-quoted, ``current_timestamp()`` -> ``now()``), an ENUM a
VARCHAR plus a CHECK of its values, MariaDB's JSON (LONGTEXT with ``json_valid``) JSONB, and
key names PostgreSQL's defaults: the metadata reads the same whichever database it came from.

>>> mysql_default("'it''s'", "varchar", is_mariadb=True)
"'it''s'"
>>> mysql_default("1", "tinyint(1)", is_mariadb=True)
'true'
>>> mysql_condition("`size` in ('S','M')")
'"size" in (\\'S\\',\\'M\\')'
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from nodes.metadata import catalog_sql
from nodes.metadata.introspect import (
    CatalogColumn,
    CatalogTable,
    Check,
    ForeignKey,
    Index,
    KeyConstraint,
    catalog_rows,
    strip_parens,
)
from nodes.metadata.typemap import PgType, mysql_pg_type, parse_sql_strings

__all__ = ["mysql_condition", "mysql_default", "read_mysql"]


async def read_mysql(conn: AsyncConnection, schemas: list[str]) -> dict[tuple, CatalogTable]:
    mariadb = bool(getattr(conn.dialect, "is_mariadb", False))
    tables = {
        (r["schema"], r["name"]): CatalogTable(r["schema"], r["name"], r["comment"] or None)
        for r in await catalog_rows(conn, catalog_sql.MY_TABLES, schemas)
    }
    checks_sql = catalog_sql.MARIADB_CHECKS if mariadb else catalog_sql.MYSQL_CHECKS
    json_columns: set[tuple[str, str, str]] = set()
    for r in await catalog_rows(conn, checks_sql, schemas):
        table = tables.get((r["schema"], r["table"]))
        if table is None:
            continue
        condition = mysql_condition(strip_parens(r["condition"]))
        valid = re.fullmatch(r'json_valid\("((?:[^"]|"")+)"\)', condition, re.IGNORECASE)
        if valid:  # MariaDB's JSON: LONGTEXT plus this check
            json_columns.add((*table.key, valid.group(1).replace('""', '"')))
        else:
            table.checks.append(Check(r["name"], condition))
    for r in await catalog_rows(conn, catalog_sql.MY_COLUMNS, schemas):
        table = tables.get((r["schema"], r["table"]))
        if table is not None:
            is_json = (*table.key, r["name"]) in json_columns
            table.columns.append(_mysql_column(r, is_json=is_json, mariadb=mariadb))
            _enum_check(table, r)
    _mysql_keys(tables, await catalog_rows(conn, catalog_sql.MY_KEYS, schemas))
    _mysql_indexes(tables, await catalog_rows(conn, catalog_sql.MY_INDEXES, schemas))
    for table in tables.values():
        _postgres_names(table)
    return tables


def _postgres_names(table: CatalogTable) -> None:
    """MySQL names keys per table (``PRIMARY``, ``email``); PostgreSQL names their indexes per
    schema. Use PostgreSQL's own default names so two tables' keys never collide."""
    renamed: dict[str, str] = {}
    keys = ([table.primary_key] if table.primary_key is not None else []) + table.uniques
    for key in keys:
        suffix = "pkey" if key is table.primary_key else f"{'_'.join(key.columns)}_key"
        renamed[key.name] = f"{table.name}_{suffix}"
        key.name = renamed[key.name]
    for index in table.indexes:
        if index.name in renamed:
            index.name = renamed[index.name]
        elif not any(fk.name == index.name for fk in table.foreign_keys):
            index.name = f"{table.name}_{'_'.join(index.columns) or index.name}_idx"


def _mysql_column(r: dict[str, Any], *, is_json: bool, mariadb: bool) -> CatalogColumn:
    auto = "auto_increment" in (r["extra"] or "").lower()
    pg = (
        PgType("JSONB")
        if is_json
        else mysql_pg_type(r["column_type"], r["data_type"], auto_increment=auto)
    )
    generated = r.get("generation") or None
    expression = "DEFAULT_GENERATED" in (r["extra"] or "").upper()
    default = None
    if not (auto or generated):
        default = mysql_default(
            r["default"], r["column_type"], is_mariadb=mariadb, expression=expression
        )
    return CatalogColumn(
        name=r["name"],
        position=int(r["position"]),
        pg=pg,
        pg_type=pg.render(),
        not_null=r["nullable"] == "NO",
        default=default,
        comment=r["comment"] or None,
        generated=mysql_condition(generated) if generated else None,
        source_type=r["column_type"],
    )


def _enum_check(table: CatalogTable, r: dict[str, Any]) -> None:
    """A MySQL ENUM becomes VARCHAR plus a CHECK of its values, as PostgreSQL would spell it."""
    if r["data_type"].lower() != "enum":
        return
    values = ", ".join(
        "'" + v.replace("'", "''") + "'" for v in parse_sql_strings(r["column_type"])
    )
    quoted = '"' + r["name"].replace('"', '""') + '"'
    table.checks.append(Check(f"{table.name}_{r['name']}_check", f"{quoted} IN ({values})"))


def _mysql_keys(tables: dict[tuple, CatalogTable], rows: list[dict[str, Any]]) -> None:
    grouped: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["schema"], r["table"], r["name"], r["type"])
        entry = grouped.setdefault(key, {**r, "columns": [], "ref_columns": []})
        entry["columns"].append(r["column"])
        if r["ref_column"] is not None:
            entry["ref_columns"].append(r["ref_column"])
    for (schema, name, cname, kind), r in grouped.items():
        table = tables.get((schema, name))
        if table is None:
            continue
        if kind == "PRIMARY KEY":
            table.primary_key = KeyConstraint(cname, r["columns"])
        elif kind == "UNIQUE":
            table.uniques.append(KeyConstraint(cname, r["columns"]))
        else:
            table.foreign_keys.append(
                ForeignKey(
                    cname,
                    r["columns"],
                    r["ref_schema"],
                    r["ref_table"],
                    r["ref_columns"],
                    _mysql_rule(r["on_delete"]),
                    _mysql_rule(r["on_update"]),
                )
            )


def _mysql_rule(rule: str | None) -> str:
    # InnoDB checks RESTRICT and NO ACTION alike, at once, and MariaDB reports an unspecified
    # rule as RESTRICT: both are PostgreSQL's default, NO ACTION.
    return "NO ACTION" if rule in (None, "RESTRICT") else rule


def _mysql_indexes(tables: dict[tuple, CatalogTable], rows: list[dict[str, Any]]) -> None:
    grouped: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        grouped.setdefault((r["schema"], r["table"], r["name"]), []).append(r)
    for (schema, name, iname), parts in grouped.items():
        table = tables.get((schema, name))
        if table is None:
            continue
        backed = iname == "PRIMARY" or any(u.name == iname for u in table.uniques)
        columns = [p["column"] for p in parts if p["column"] is not None]
        if len(columns) != len(parts):
            columns = []  # a functional index part: an expression index
        table.indexes.append(
            Index(
                iname,
                columns,
                not int(parts[0]["non_unique"]),
                parts[0]["method"].lower(),
                None,
                backed,
            )
        )


_MYSQL_NOW = re.compile(r"^(current_timestamp|now|localtimestamp|localtime)(\(\d*\))?$", re.I)


def mysql_default(
    value: str | None, column_type: str, *, is_mariadb: bool, expression: bool = False
) -> str | None:
    """A MySQL/MariaDB ``COLUMN_DEFAULT`` in PostgreSQL syntax (None: no default).

    MariaDB quotes string defaults and writes ``NULL`` for none; MySQL gives strings bare and
    marks expressions with ``DEFAULT_GENERATED``.
    """
    if value is None or (is_mariadb and value.upper() == "NULL"):
        return None
    ctype = column_type.lower()
    if _MYSQL_NOW.match(value.strip()):
        return "now()"
    if ctype.startswith("tinyint(1)") and value.strip("'") in ("0", "1"):
        return "true" if value.strip("'") == "1" else "false"
    is_text = bool(re.match(r"(var)?char|.*text|enum|set|date|time|year|json", ctype))
    if is_mariadb or expression:
        if re.fullmatch(r"'(?:[^']|'')*'", value) and not is_text and not expression:
            return value.strip("'")  # a quoted number
        return mysql_condition(value)
    if is_text:
        return "'" + value.replace("'", "''") + "'"
    return value


def mysql_condition(text: str) -> str:
    """A MySQL expression with its backquoted names double-quoted (strings left alone)."""
    out, i = [], 0
    for match in re.finditer(r"'(?:[^'\\]|''|\\.)*'|`((?:[^`]|``)*)`", text):
        out.append(text[i : match.start()])
        if match.group(1) is not None:
            out.append('"' + match.group(1).replace("``", "`").replace('"', '""') + '"')
        else:
            out.append(match.group(0))
        i = match.end()
    out.append(text[i:])
    return "".join(out)
