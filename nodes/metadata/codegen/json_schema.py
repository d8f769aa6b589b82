"""A JSON Schema (draft 2020-12) form per table, from the metadata's UI settings.

Properties are keyed by column; each has the label as ``title``, a JSON type (``null`` added
when the column may be null), ``format`` (date, date-time, time, uuid, email, uri),
``maxLength``, ``enum`` for allowed values and bounds from ``validation_rules``. Form hints
the schema vocabulary has no word for are ``x-`` keywords: ``x-form-type``,
``x-sort-order``, ``x-placeholder``, ``x-help-text``, ``x-visible``. Columns the database
fills (serial, identity, generated) are ``readOnly`` and never required.

>>> from nodes.metadata.codegen.model import model_from_rows
>>> model = model_from_rows(
...     [{"table_name": "tags", "label": "Tags"}],
...     [{"table_name": "tags", "pg_column": "email", "pg_type": "VARCHAR(80)", "label": "Mail",
...       "form_type": "email", "is_required": True, "pg_constraints": {"notNull": True}}])
>>> import json
>>> schema = json.loads(render_json_schema(model)[0].content)
>>> schema["properties"]["email"], schema["required"]
({'title': 'Mail', 'type': 'string', 'maxLength': 80, 'format': 'email',
  'x-form-type': 'email', 'x-sort-order': 0}, ['email'])
"""

from __future__ import annotations

import json
from typing import Any

from nodes.metadata.codegen.common import Artifact, file_stem
from nodes.metadata.codegen.model import MetaColumn, MetaModel, MetaTable
from nodes.metadata.typemap import parse_pg_type

__all__ = ["render_json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_JSON_TYPES = {
    "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer", "SMALLSERIAL": "integer",
    "SERIAL": "integer", "BIGSERIAL": "integer", "NUMERIC": "number", "MONEY": "number",
    "REAL": "number", "DOUBLE PRECISION": "number", "BOOLEAN": "boolean",
}  # fmt: skip
_FORMATS = {
    "DATE": "date", "TIMESTAMP": "date-time", "TIMESTAMPTZ": "date-time", "TIME": "time",
    "TIMETZ": "time", "UUID": "uuid", "INTERVAL": "duration",
}  # fmt: skip
_FORM_FORMATS = {"email": "email", "url": "uri"}
_BOUNDS = {
    "min": "minimum",
    "exclusiveMin": "exclusiveMinimum",
    "max": "maximum",
    "exclusiveMax": "exclusiveMaximum",
}


def _value_schema(col: MetaColumn) -> dict[str, Any]:
    """The schema of one (non-null) value of ``col``."""
    parsed = parse_pg_type(col.pg_type or "") if not col.pg_constraints.get("userType") else None
    out: dict[str, Any] = {}
    if parsed is None or parsed.base in ("JSON", "JSONB"):
        if parsed is None:
            out["type"] = "string"
    else:
        out["type"] = _JSON_TYPES.get(parsed.base, "string")
        if parsed.base in ("VARCHAR", "CHAR") and parsed.args:
            out["maxLength"] = parsed.args[0]
        if parsed.base in _FORMATS:
            out["format"] = _FORMATS[parsed.base]
    if col.form_type in _FORM_FORMATS and out.get("type") == "string":
        out["format"] = _FORM_FORMATS[col.form_type]
    rules = col.validation_rules or {}
    if out.get("type") in ("integer", "number"):
        for key, word in _BOUNDS.items():
            value = rules.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[word] = value
    if parsed is not None and parsed.dims:
        for _ in range(parsed.dims):
            out = {"type": "array", "items": out}
    return out


def _property(col: MetaColumn) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": col.label or col.pg_column}
    if col.help_text or col.comment:
        prop["description"] = col.help_text or col.comment
    value = _value_schema(col)
    if not col.not_null and "type" in value:
        value["type"] = [value["type"], "null"]
    prop.update(value)
    values = col.values
    if values:
        prop["enum"] = list(values) + ([] if col.not_null else [None])
    if col.auto:
        prop["readOnly"] = True
    prop["x-form-type"] = col.form_type or "text"
    prop["x-sort-order"] = col.sort_order
    if col.placeholder:
        prop["x-placeholder"] = col.placeholder
    if not col.is_visible:
        prop["x-visible"] = False
    return prop


def table_schema(table: MetaTable) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"urn:maxdp:metadata:{table.schema}:{table.name}",
        "title": table.label,
    }
    if table.description:
        schema["description"] = table.description
    schema["type"] = "object"
    schema["properties"] = {c.pg_column: _property(c) for c in table.columns}
    schema["required"] = [c.pg_column for c in table.columns if c.is_required and not c.auto]
    schema["additionalProperties"] = False
    if table.graphql_type:
        schema["x-graphql-type"] = table.graphql_type
    return schema


def render_json_schema(model: MetaModel) -> list[Artifact]:
    return [
        Artifact(
            "json_schema",
            t.where,
            f"json_schema/{file_stem(t.schema, t.name)}.schema.json",
            json.dumps(table_schema(t), ensure_ascii=False, indent=2) + "\n",
        )
        for t in model.tables
    ]
