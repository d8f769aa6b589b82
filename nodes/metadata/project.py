"""The ``project`` row of ``metadata_init``: its config model and the single-row upsert."""

from __future__ import annotations

import json
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, Field
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from nodes.base import NodeConfig
from nodes.metadata.ddl import ENUMS

__all__ = ["ProjectConfig", "log_change", "upsert_project"]

Template = Literal[ENUMS["project_template_enum"]]  # type: ignore[valid-type]
Status = Literal[ENUMS["project_status_enum"]]  # type: ignore[valid-type]
Json = dict[str, Any] | list[Any] | None


class ProjectConfig(NodeConfig):
    """The columns of ``_metadata.project`` a flow may set; unset ones keep their value (or the
    guide's default on the first run)."""

    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(min_length=1, max_length=100, description="e.g. 'my-ecommerce'.")
    project_name: str = Field(min_length=1, max_length=200)
    root_path: str = Field(min_length=1, max_length=500, description="e.g. '/workspace/app'.")
    description: str | None = None
    backend_path: str | None = Field(default=None, max_length=200)
    frontend_path: str | None = Field(default=None, max_length=200)
    database_path: str | None = Field(default=None, max_length=200)
    template: Template | None = None  # type: ignore[valid-type]
    status: Status | None = None  # type: ignore[valid-type]
    version: str | None = Field(default=None, max_length=50)
    tech_stack: Json = None
    package_manager: str | None = Field(default=None, max_length=20)
    node_version: str | None = Field(default=None, max_length=20)
    database_config: Json = None
    default_schema: str | None = Field(default=None, max_length=100)
    generation_config: Json = None
    auto_generation: bool | None = None
    watch_mode: bool | None = None
    git_repository: str | None = Field(default=None, max_length=500)
    git_branch: str | None = Field(default=None, max_length=100)
    owner_id: int | None = None
    team_members: Json = None
    deployment_config: Json = None
    environments: Json = None
    api_config: Json = None
    external_services: Json = None
    dev_tools_config: Json = None
    linting_config: Json = None
    testing_config: Json = None
    plugins: Json = None
    custom_generators: Json = None
    readme_template: str | None = None
    documentation_config: Json = None
    tags: Json = None
    metadata: Json = None
    created_by: int | None = None
    updated_by: int | None = None


_JSON_FIELDS = frozenset(
    name for name, info in ProjectConfig.model_fields.items() if info.annotation == Json
)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values (the database hands JSONB back as dicts, numbers may widen)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or a == b


async def log_change(
    conn: AsyncConnection,
    schema_sql: str,
    entries: list[dict[str, Any]],
) -> None:
    """Rows of ``metadata_sync_log``: ``{table_name, operation, record_id, old_data, new_data}``."""
    if not entries:
        return
    stmt = sa.text(
        f"INSERT INTO {schema_sql}.metadata_sync_log "  # noqa: S608 (quoted schema only)
        "(table_name, operation, record_id, old_data, new_data) "
        "VALUES (:table_name, :operation, :record_id, :old_data, :new_data)"
    ).bindparams(sa.bindparam("old_data", type_=JSONB), sa.bindparam("new_data", type_=JSONB))
    await conn.execute(stmt, entries)


async def upsert_project(conn: AsyncConnection, schema_sql: str, project: ProjectConfig) -> str:
    """Insert row 1 or update the fields the config sets: ``created``, ``updated`` or
    ``exists`` (nothing to change)."""
    values = project.model_dump(exclude_unset=True)
    values.update(project.model_dump(include={"project_id", "project_name", "root_path"}))
    table = f"{schema_sql}.project"
    current = (
        await conn.execute(sa.text(f"SELECT to_jsonb(p) FROM {table} AS p WHERE id = 1"))  # noqa: S608
    ).scalar_one_or_none()
    binds = [sa.bindparam(k, type_=JSONB) for k in values if k in _JSON_FIELDS]
    if current is None:
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        stmt = sa.text(
            f"INSERT INTO {table} AS p (id, {names}) VALUES (1, {marks}) RETURNING to_jsonb(p)"  # noqa: S608
        )
        new = (await conn.execute(stmt.bindparams(*binds), values)).scalar_one()
        await log_change(conn, schema_sql, [_entry("INSERT", None, new)])
        return "created"
    changed = {k: v for k, v in values.items() if not _same(current.get(k), v)}
    if not changed:
        return "exists"
    sets = ", ".join(f"{k} = :{k}" for k in changed)
    stmt = sa.text(f"UPDATE {table} AS p SET {sets} WHERE id = 1 RETURNING to_jsonb(p)")  # noqa: S608
    binds = [b for b in binds if b.key in changed]
    new = (await conn.execute(stmt.bindparams(*binds), changed)).scalar_one()
    await log_change(conn, schema_sql, [_entry("UPDATE", current, new)])
    return "updated"


def _entry(operation: str, old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    return {
        "table_name": "project",
        "operation": operation,
        "record_id": new.get("id"),
        "old_data": old,
        "new_data": new,
    }
