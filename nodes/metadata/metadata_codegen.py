"""metadata_codegen: DDL, GraphQL, TypeScript, pydantic and JSON Schema from the metadata."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from pydantic import ConfigDict, Field, field_validator

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.connections import connection_field, connections_from
from nodes.files import resolve_data_path
from nodes.metadata.codegen import TARGETS, Artifact, Target, load_model, render
from nodes.metadata.codegen.model import MetaModel
from nodes.metadata.metadata_init import AFTER, metadata_connection
from nodes.metadata.sync import check_metadata_schema
from nodes.sql import check_identifier, quote_identifier

__all__ = ["MetadataCodegen", "MetadataCodegenConfig", "artifact_frame", "write_artifacts"]

OUTPUT_COLUMNS = ["kind", "table", "path", "content"]


class MetadataCodegenConfig(NodeConfig):
    model_config = ConfigDict(populate_by_name=True)

    connection: str = connection_field("postgresql", "supabase")
    schema_: str = Field(
        default="_metadata", alias="schema", min_length=1, description="The metadata schema."
    )
    targets: list[Target] = Field(
        default=list(TARGETS),
        min_length=1,
        description="What to generate: ddl, graphql, typescript, pydantic, json_schema.",
    )
    schemas: list[str] = Field(
        default=[], description="Only the tables of these schemas; empty = every mapped table."
    )
    write_to: str | None = Field(
        default=None,
        min_length=1,
        description="Also write the files under this directory of the data directory.",
    )

    @field_validator("targets")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class MetadataCodegen(MaxDPNode):
    """Generates code from the metadata: one row per artifact (kind, table, path, content).

    `ddl` gives a CREATE script per table and `ddl/schema.sql` for the whole schema,
    `graphql` one SDL file (types, inputs, relations, Query and Mutation), `typescript` the
    matching interfaces, `pydantic` a module of models, `json_schema` a form schema per
    table. With `write_to`, the files are also written under that directory of the data
    directory, each one atomically (a reader sees the old file or the new one). Names and
    expressions from the metadata are checked first: a bad one fails the node naming the row.

    >>> from nodes.metadata.codegen.model import model_from_rows
    >>> model = model_from_rows([{"table_name": "tags", "graphql_type": "Tag", "label": "Tags"}],
    ...     [{"table_name": "tags", "pg_column": "name", "pg_type": "TEXT", "label": "Name",
    ...       "graphql_field": "name", "graphql_type": "String"}])
    >>> node = MetadataCodegen("gen", {"connection": "meta", "targets": ["typescript", "ddl"]})
    >>> node.artifacts(model)[["kind", "table", "path"]]
             kind        table                 path
    0  typescript          NaN  typescript/types.ts
    1         ddl  public.tags  ddl/public.tags.sql
    2         ddl          NaN       ddl/schema.sql
    """

    type = "metadata_codegen"
    category = "Metadata"
    title = "Metadata codegen"
    inputs: ClassVar[tuple[Port, ...]] = (AFTER,)
    outputs: ClassVar[tuple[Port, ...]] = (
        Port(name="out", description="One row per artifact: kind, table, path, content."),
    )
    Config = MetadataCodegenConfig
    is_async = True

    def setup(self) -> None:
        check_identifier(self.config.schema_, "postgresql", field="schema")

    def artifacts(self, model: MetaModel, prefix: str | None = None) -> pd.DataFrame:
        """The output rows for ``model``: what ``arun`` returns after loading it."""
        return artifact_frame(render(model, self.config.targets), prefix)

    async def arun(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        cfg = self.config
        conns = connections_from(ctx)
        await metadata_connection(conns, cfg.connection, node=self.type)
        async with conns.session(cfg.connection) as conn:
            await check_metadata_schema(conn, cfg.schema_, cfg.connection, "schema")
            model = await load_model(conn, quote_identifier(conn.dialect, cfg.schema_))
        if cfg.schemas:
            model = model.only(cfg.schemas)
        artifacts = render(model, cfg.targets)
        prefix = None
        if cfg.write_to is not None:
            prefix = cfg.write_to.strip().rstrip("/\\")
            await asyncio.to_thread(write_artifacts, ctx.data_dir, prefix, artifacts)
        return {"out": artifact_frame(artifacts, prefix)}


def artifact_frame(artifacts: list[Artifact], prefix: str | None = None) -> pd.DataFrame:
    rows = [
        {
            "kind": a.kind,
            "table": a.table,
            "path": f"{prefix}/{a.path}" if prefix else a.path,
            "content": a.content,
        }
        for a in artifacts
    ]
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def write_artifacts(data_dir: Path, write_to: str, artifacts: list[Artifact]) -> list[Path]:
    """Write each artifact under ``data_dir/write_to`` atomically; the paths written."""
    targets = []
    for artifact in artifacts:  # resolve every path before writing any file
        relative = f"{write_to}/{artifact.path}"
        targets.append(
            (resolve_data_path(data_dir, relative, must_exist=False, field="write_to"), artifact)
        )
    written = []
    for path, artifact in targets:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # A temporary file in the same directory, then one rename: never half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(artifact.content)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise NodeError(f"write_to: cannot write {artifact.path!r}: {exc.strerror}") from None
        written.append(path)
    return written
