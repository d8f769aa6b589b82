"""The metadata as the code generators read it: tables with their columns, and relations.

``load_model`` reads ``mappings_table``, ``mappings_column`` and ``mappings_relation``;
``model_from_rows`` builds the same model from plain dicts (tests, doctests). Rows may have
been edited by hand, so every generator checks the names it emits: ``graphql_name`` raises a
NodeError naming the table, column and value when a name is not a GraphQL name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.errors import NodeError
from nodes.metadata.naming import GRAPHQL_NAME

__all__ = [
    "MetaColumn",
    "MetaModel",
    "MetaRelation",
    "MetaTable",
    "graphql_name",
    "load_model",
    "model_from_rows",
]

_RESERVED = {"Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID"}


@dataclass
class MetaColumn:
    pg_column: str
    pg_type: str | None = None
    pg_constraints: dict[str, Any] = field(default_factory=dict)
    graphql_field: str | None = None
    graphql_type: str | None = None
    label: str = ""
    form_type: str | None = "text"
    is_required: bool = False
    is_visible: bool = True
    is_graphql_input: bool = True
    is_graphql_output: bool = True
    default_value: str | None = None
    enum_options: list[dict[str, Any]] | None = None
    validation_rules: dict[str, Any] | None = None
    is_primary_key: bool = False
    is_unique: bool = False
    comment: str | None = None
    placeholder: str | None = None
    help_text: str | None = None
    sort_order: int = 0

    @property
    def not_null(self) -> bool:
        """NOT NULL in the database: the catalog fact, else (hand-added rows) is_required."""
        value = self.pg_constraints.get("notNull")
        return bool(value) if value is not None else self.is_required or self.is_primary_key

    @property
    def auto(self) -> bool:
        c = self.pg_constraints
        serial = (self.pg_type or "").upper().endswith("SERIAL")
        return bool(c.get("autoIncrement") or c.get("identity") or c.get("generated") or serial)

    @property
    def values(self) -> list[str] | None:
        if self.enum_options:
            return [str(o.get("value")) for o in self.enum_options if isinstance(o, dict)]
        return self.pg_constraints.get("values") or None


@dataclass
class MetaTable:
    schema: str
    name: str
    graphql_type: str | None
    label: str
    description: str | None = None
    primary_key: str | None = None
    table_constraints: dict[str, Any] = field(default_factory=dict)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    is_api_enabled: bool = True
    columns: list[MetaColumn] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.schema}.{self.name}"

    def key_columns(self) -> list[str]:
        """The primary key: from the catalog facts, else the columns marked as key."""
        pk = self.table_constraints.get("primaryKey")
        if isinstance(pk, dict) and pk.get("columns"):
            return list(pk["columns"])
        return [c.pg_column for c in self.columns if c.is_primary_key]


@dataclass
class MetaRelation:
    from_schema: str
    from_table: str
    from_column: str
    to_schema: str
    to_table: str
    to_column: str
    relation_type: str
    graphql_field: str | None
    is_cascade_delete: bool = False
    constraint_name: str | None = None


@dataclass
class MetaModel:
    tables: list[MetaTable]
    relations: list[MetaRelation]

    def table(self, schema: str, name: str) -> MetaTable | None:
        return next((t for t in self.tables if t.schema == schema and t.name == name), None)

    def only(self, schemas: Iterable[str]) -> MetaModel:
        """The tables of ``schemas`` and the relations among them."""
        keep = set(schemas)
        tables = [t for t in self.tables if t.schema in keep]
        relations = [r for r in self.relations if r.from_schema in keep and r.to_schema in keep]
        return MetaModel(tables, relations)

    def relations_of(self, table: MetaTable) -> list[MetaRelation]:
        """Relations starting at ``table`` whose other end is in the model."""
        return [
            r
            for r in self.relations
            if (r.from_schema, r.from_table) == (table.schema, table.name)
            and self.table(r.to_schema, r.to_table) is not None
        ]


def graphql_name(value: str | None, *, target: str, where: str, field_name: str) -> str:
    """``value`` if it is a GraphQL name, else a NodeError saying which row holds it."""
    if not value or not GRAPHQL_NAME.match(value) or value.startswith("__"):
        raise NodeError(
            f"{target}: {where} has {field_name} {value!r}, which is not a GraphQL name"
        )
    return value


def model_from_rows(
    tables: Iterable[dict[str, Any]],
    columns: Iterable[dict[str, Any]],
    relations: Iterable[dict[str, Any]] = (),
) -> MetaModel:
    """A model from rows shaped like the metadata tables (unknown keys are ignored)."""
    by_key: dict[tuple[str, str], MetaTable] = {}
    for row in tables:
        t = MetaTable(
            schema=row.get("schema_name") or "public",
            name=row["table_name"],
            graphql_type=row.get("graphql_type"),
            label=row.get("label") or row["table_name"],
            description=row.get("description"),
            primary_key=row.get("primary_key"),
            table_constraints=row.get("table_constraints") or {},
            indexes=row.get("indexes") or [],
            is_api_enabled=row.get("is_api_enabled") is not False,
        )
        by_key[(t.schema, t.name)] = t
    names = set(MetaColumn.__dataclass_fields__)
    for row in sorted(columns, key=lambda r: (r.get("sort_order") or 0, r.get("id") or 0)):
        table = by_key.get((row.get("schema_name") or "public", row["table_name"]))
        if table is None:
            continue
        values = {k: v for k, v in row.items() if k in names and v is not None}
        values["pg_constraints"] = row.get("pg_constraints") or {}
        table.columns.append(MetaColumn(**values))
    rels = [
        MetaRelation(**{k: row.get(k) for k in MetaRelation.__dataclass_fields__})
        for row in relations
    ]
    ordered = sorted(by_key.values(), key=lambda t: (t.schema, t.name))
    return MetaModel(ordered, rels)


async def load_model(conn: AsyncConnection, schema_sql: str) -> MetaModel:
    """The model held in the metadata schema ``schema_sql`` (already quoted)."""

    async def rows(table: str, order: str) -> list[dict[str, Any]]:
        sql = f"SELECT to_jsonb(t) FROM {schema_sql}.{table} AS t ORDER BY {order}"  # noqa: S608
        return list((await conn.execute(sa.text(sql))).scalars().all())

    return model_from_rows(
        await rows("mappings_table", "schema_name, table_name"),
        await rows("mappings_column", "schema_name, table_name, sort_order, id"),
        await rows("mappings_relation", "id"),
    )


def check_type_names(model: MetaModel, target: str) -> dict[tuple[str, str], str]:
    """Each table's GraphQL type name, checked: a GraphQL name, not reserved, not shared."""
    seen: dict[str, str] = {}
    out = {}
    for t in model.tables:
        name = graphql_name(
            t.graphql_type, target=target, where=f"mappings_table {t.where}",
            field_name="graphql_type",
        )  # fmt: skip
        if name in _RESERVED:
            raise NodeError(
                f"{target}: mappings_table {t.where} has graphql_type {name!r}, which GraphQL "
                "reserves; rename it"
            )
        if name in seen:
            raise NodeError(
                f"{target}: mappings_table {t.where} and {seen[name]} share graphql_type "
                f"{name!r}; rename one"
            )
        seen[name] = t.where
        out[(t.schema, t.name)] = name
    return out
