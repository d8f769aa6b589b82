"""metadata_introspect: a database's catalog into ``mappings_table/column/relation``."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa
from pydantic import ConfigDict, Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.connections import connection_field, connections_from
from nodes.metadata.derive import column_rows, table_row
from nodes.metadata.introspect import read_catalog
from nodes.metadata.metadata_init import AFTER, metadata_connection
from nodes.metadata.relations import infer_relations
from nodes.metadata.sync import SUMMARY_COLUMNS, check_metadata_schema, sync_metadata
from nodes.sql import check_identifier, quote_identifier

__all__ = ["MetadataIntrospect", "MetadataIntrospectConfig"]


class MetadataIntrospectConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    source: str = connection_field(
        "postgresql", "mysql", "supabase", description="The database whose catalog is read."
    )
    schemas: list[str] = Field(
        default=[],
        description="Schemas (MySQL: databases) to read; empty = the connection's default.",
    )
    tables: list[str] = Field(default=[], description="Only these tables; empty = all tables.")
    target: str | None = Field(
        default=None,
        min_length=1,
        description="The PostgreSQL connection holding the metadata schema; default: source.",
        json_schema_extra={
            "x-maxdp-widget": "connection",
            "x-maxdp-connection-kinds": ["postgresql", "supabase"],
        },
    )
    metadata_schema: str = Field(default="_metadata", min_length=1)
    delete_missing: bool = Field(
        default=False,
        description="Delete the metadata of tables, columns and relations the catalog no "
        "longer has (within schemas/tables); otherwise they are reported as missing.",
    )


class MetadataIntrospect(MaxDPNode):
    """Reads a PostgreSQL or MySQL catalog into the metadata tables, keeping hand edits.

    Tables, columns (types, nullability, defaults, keys, CHECKs, comments) and foreign keys of
    `schemas` become rows of `mappings_table` (graphql_type in PascalCase), `mappings_column`
    (graphql_field in camelCase, graphql_type, label from the comment or the humanised name,
    form_type, is_primary_key, is_unique, is_required …) and `mappings_relation` (ManyToOne,
    OneToMany, OneToOne, ManyToMany through join tables). Re-runs update what the database
    changed and keep labels and UI settings edited by hand; every change is logged in
    `metadata_sync_log` with the old and new row. The output is one summary row per table,
    column and relation: `inserted`, `updated`, `unchanged`, `missing` or `deleted`.

    >>> import asyncio
    >>> from nodes.connections import Connections, ConnectionSpec
    >>> conns = Connections([ConnectionSpec(name="lite", kind="sqlite", database=":memory:")])
    >>> node = MetadataIntrospect("scan", {"source": "lite"})
    >>> asyncio.run(node.arun({}, NodeContext(services={"connections": conns})))
    Traceback (most recent call last):
    ...
    flows.errors.NodeError: source: metadata_introspect reads PostgreSQL or MySQL catalogs,
    and 'lite' is a sqlite connection
    """

    type = "metadata_introspect"
    category = "Metadata"
    title = "Metadata introspect"
    inputs: ClassVar[tuple[Port, ...]] = (AFTER,)
    outputs: ClassVar[tuple[Port, ...]] = (
        Port(name="out", description="kind, schema, table, name, action, changed, kept."),
    )
    Config = MetadataIntrospectConfig
    is_async = True

    def setup(self) -> None:
        check_identifier(self.config.metadata_schema, "postgresql", field="metadata_schema")

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        spec = await conns.spec(cfg.source)
        if spec.dialect_name not in ("postgresql", "mysql"):
            raise NodeError(
                f"source: {self.type} reads PostgreSQL or MySQL catalogs, and {cfg.source!r} "
                f"is a {spec.kind} connection"
            )
        target = cfg.target or cfg.source
        field = "target" if cfg.target else "source"
        await metadata_connection(conns, target, node=self.type, field=field)

        async with conns.session(cfg.source) as conn:
            schemas = list(cfg.schemas)
            if not schemas:
                default = "SELECT current_schema()" if spec.dialect_name == "postgresql" else (
                    "SELECT DATABASE()"
                )  # fmt: skip
                schemas = [(await conn.execute(sa.text(default))).scalar_one()]
            for name in schemas:
                check_identifier(name, spec.dialect_name, field="schemas")
            catalog = await read_catalog(conn, schemas, cfg.tables)
        found = {t.name for t in catalog}
        for name in cfg.tables:
            if name not in found:
                raise NodeError(
                    f"tables: table {name!r} not found in {', '.join(schemas)} on connection "
                    f"{cfg.source!r}"
                )

        tables = [table_row(t) for t in catalog]
        columns = [row for t in catalog for row in column_rows(t)]
        fields: dict[tuple[str, str], set[str]] = {}
        for row in columns:
            fields.setdefault((row["schema_name"], row["table_name"]), set()).add(
                row["graphql_field"]
            )
        relations = infer_relations(catalog, fields)

        async with conns.session(target, write=True) as conn:
            await check_metadata_schema(conn, cfg.metadata_schema, target, field)
            summary = await sync_metadata(
                conn,
                cfg.metadata_schema,
                quote_identifier(conn.dialect, cfg.metadata_schema),
                tables,
                columns,
                relations,
                schemas=schemas,
                only_tables=set(cfg.tables),
                delete_missing=cfg.delete_missing,
            )
        return {"out": pd.DataFrame(summary, columns=SUMMARY_COLUMNS)}
