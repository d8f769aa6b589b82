"""Catalog facts -> rows of ``mappings_table`` and ``mappings_column``.

Each row has *catalog* fields, which always follow the database (``pg_type``,
``pg_constraints``, ``default_value``, keys, ``comment``; a table's ``primary_key``,
``table_constraints``, ``indexes``), and *derived* fields computed from them (GraphQL names
and types, label, form type, required, validation rules, options, order). A derived field is
a pure function of the row's catalog fields, so a re-run can tell what it wrote last time from
what a person wrote: a stored derived value that differs from the derivation of the stored
catalog fields was edited by hand, and is kept.

>>> from nodes.metadata.typemap import PgType
>>> from nodes.metadata.introspect import CatalogColumn, CatalogTable, KeyConstraint
>>> users = CatalogTable("public", "users", columns=[
...     CatalogColumn("id", 1, PgType("BIGSERIAL"), "BIGSERIAL", True, None),
...     CatalogColumn("e_mail", 2, PgType("VARCHAR", (255,)), "VARCHAR(255)", True, None, "메일")],
...     primary_key=KeyConstraint("users_pkey", ["id"]))
>>> table_row(users)["graphql_type"], table_row(users)["label"]
('User', 'Users')
>>> {k: column_rows(users)[1][k] for k in ("graphql_field", "label", "form_type", "is_required")}
{'graphql_field': 'eMail', 'label': '메일', 'form_type': 'email', 'is_required': True}
"""

from __future__ import annotations

from typing import Any

from nodes.metadata.introspect import CatalogColumn, CatalogTable
from nodes.metadata.naming import camel_case, humanise, pascal_case, singular, unique_name
from nodes.metadata.typemap import (
    form_type,
    graphql_type,
    is_text_type,
    parse_pg_type,
    validation_rules,
)

__all__ = [
    "COLUMN_CATALOG",
    "COLUMN_DERIVED",
    "TABLE_CATALOG",
    "TABLE_DERIVED",
    "column_derived",
    "column_rows",
    "table_derived",
    "table_row",
]

TABLE_CATALOG = ("primary_key", "table_constraints", "indexes")
TABLE_DERIVED = ("graphql_type", "label", "description")
COLUMN_CATALOG = (
    "table_id", "pg_type", "pg_constraints", "default_value", "is_primary_key", "is_unique",
    "is_indexed", "comment",
)  # fmt: skip
COLUMN_DERIVED = (
    "graphql_field", "graphql_type", "label", "form_type", "is_required", "is_graphql_input",
    "sort_order", "enum_options", "validation_rules",
)  # fmt: skip
_LABEL_MAX = 200


def _label(comment: str | None, name: str) -> str:
    first = (comment or "").strip().splitlines()[0].strip() if (comment or "").strip() else ""
    return (first or humanise(name))[:_LABEL_MAX]


# -- tables ---------------------------------------------------------------------------------
def table_row(table: CatalogTable) -> dict[str, Any]:
    pk = table.primary_key
    constraints = {
        "primaryKey": {"name": pk.name, "columns": pk.columns} if pk else None,
        "unique": [{"name": u.name, "columns": u.columns} for u in table.uniques],
        "checks": [{"name": c.name, "condition": c.condition} for c in table.checks],
        "foreignKeys": [
            {
                "name": fk.name,
                "columns": fk.columns,
                "references": {
                    "schema": fk.ref_schema,
                    "table": fk.ref_table,
                    "columns": fk.ref_columns,
                },
                "onDelete": fk.on_delete,
                "onUpdate": fk.on_update,
            }
            for fk in table.foreign_keys
        ],
        # The comment the description was derived from (see the module doc).
        "comment": table.comment,
    }
    joined = ",".join(pk.columns) if pk else None
    row = {
        "schema_name": table.schema,
        "table_name": table.name,
        "primary_key": joined if joined is None or len(joined) <= 100 else None,
        "table_constraints": constraints,
        "indexes": [i.as_json() for i in table.indexes],
    }
    return row | table_derived(row)


def table_derived(row: dict[str, Any]) -> dict[str, Any]:
    """The derived fields of a ``mappings_table`` row, from its catalog fields."""
    comment = (row.get("table_constraints") or {}).get("comment")
    name = row["table_name"]
    # A table's comment is usually a sentence: it becomes the description, not the label.
    return {
        "graphql_type": pascal_case(singular(name))[:100],
        "label": humanise(name)[:_LABEL_MAX],
        "description": comment,
    }


# -- columns --------------------------------------------------------------------------------
def column_rows(table: CatalogTable) -> list[dict[str, Any]]:
    pk = set(table.primary_key.columns) if table.primary_key else set()
    singles = {next(iter(s)) for s in table.unique_sets() if len(s) == 1}
    leading = {i.columns[0] for i in table.indexes if i.columns}
    refs = {fk.columns[0]: fk for fk in table.foreign_keys if len(fk.columns) == 1}
    fields: set[str] = set()
    rows = []
    for col in table.columns:
        checks = table.column_checks(col.name)
        fk = refs.get(col.name)
        constraints = {
            "notNull": col.not_null,
            "default": col.default,
            "check": " AND ".join(checks) or None,
            "checks": checks,
            "values": table.allowed_values(col),
            "enum": bool(col.enum_values),
            "primaryKey": col.name in pk,
            "unique": col.name in singles,
            "autoIncrement": col.pg is not None and col.pg.is_serial,
            "identity": col.identity,
            "generated": col.generated,
            "userType": _user_type(col),
            "references": {
                "schema": fk.ref_schema,
                "table": fk.ref_table,
                "column": fk.ref_columns[0],
                "constraint": fk.name,
                "onDelete": fk.on_delete,
            }
            if fk
            else None,
            "position": col.position,
            "sourceType": col.source_type,
        }
        row = {
            "schema_name": table.schema,
            "table_name": table.name,
            "pg_column": col.name,
            "pg_type": col.pg_type,
            "pg_constraints": constraints,
            "default_value": col.default,
            "is_primary_key": col.name in pk,
            "is_unique": col.name in singles,
            "is_indexed": col.name in leading,
            "comment": col.comment,
        }
        derived = column_derived(row)
        derived["graphql_field"] = unique_name(derived["graphql_field"], fields)
        rows.append(row | derived)
    return rows


def _user_type(col: CatalogColumn) -> dict[str, str] | None:
    if col.user_type is None:
        return None
    return {"schema": col.user_type[0], "name": col.user_type[1]}


def column_derived(row: dict[str, Any]) -> dict[str, Any]:
    """The derived fields of a ``mappings_column`` row, from its catalog fields."""
    name = row["pg_column"]
    cons = row.get("pg_constraints") or {}
    pg = parse_pg_type(row.get("pg_type") or "") if not cons.get("userType") else None
    auto = bool(cons.get("autoIncrement") or cons.get("identity") or cons.get("generated"))
    values = cons.get("values") or None
    form = form_type(name, pg, values=values, auto=auto, is_text=is_text_type(pg))
    is_id = bool(cons.get("primaryKey") or cons.get("references"))
    not_null = cons.get("notNull", bool(row.get("is_primary_key")))
    return {
        "graphql_field": camel_case(name)[:100],
        "graphql_type": graphql_type(pg, is_id=is_id),
        "label": _label(row.get("comment"), name),
        "form_type": form,
        "is_required": bool(not_null and row.get("default_value") is None and not auto),
        "is_graphql_input": not auto,
        "sort_order": int(cons.get("position") or 0),
        "enum_options": [{"value": v, "label": v} for v in values] if values else None,
        "validation_rules": validation_rules(pg, form, list(cons.get("checks") or []), name),
    }
