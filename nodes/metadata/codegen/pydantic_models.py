"""Pydantic models (Python source) from the metadata: one model per table, validating rows.

Fields are keyed by the database column (the alias) and named in snake_case Python; types
follow ``pg_type`` (``int``, ``Decimal``, ``datetime`` …, ``Literal`` for allowed values),
lengths and bounds follow the column's rules. A field is required when ``is_required``; others
default to None. Every user-written text (labels, values) enters the source through ``repr``,
so the module always imports and never runs anything but its own definitions.

>>> from nodes.metadata.codegen.model import model_from_rows
>>> model = model_from_rows(
...     [{"table_name": "tags", "graphql_type": "Tag", "label": "Tags"}],
...     [{"table_name": "tags", "pg_column": "Name", "pg_type": "VARCHAR(5)",
...       "is_required": True, "label": "Name'); import os; ('"}])
>>> source = render_pydantic(model)[0].content
>>> namespace: dict = {}
>>> exec(compile(source, "models.py", "exec"), namespace)
>>> namespace["Tag"].model_validate({"Name": "abc"})
Tag(name='abc')
"""

from __future__ import annotations

import keyword

from pydantic import BaseModel

from flows.errors import NodeError
from nodes.metadata.codegen.common import HEADER, Artifact
from nodes.metadata.codegen.model import MetaColumn, MetaModel, check_type_names
from nodes.metadata.naming import python_name, unique_name
from nodes.metadata.typemap import parse_pg_type

__all__ = ["render_pydantic"]

_TYPES = {
    "SMALLINT": "int", "INTEGER": "int", "BIGINT": "int", "SMALLSERIAL": "int",
    "SERIAL": "int", "BIGSERIAL": "int", "NUMERIC": "_Decimal", "MONEY": "_Decimal",
    "REAL": "float", "DOUBLE PRECISION": "float", "BOOLEAN": "bool", "DATE": "_dt.date",
    "TIMESTAMP": "_dt.datetime", "TIMESTAMPTZ": "_dt.datetime", "TIME": "_dt.time",
    "TIMETZ": "_dt.time", "INTERVAL": "_dt.timedelta", "UUID": "_uuid.UUID", "JSON": "_Any",
    "JSONB": "_Any", "BYTEA": "bytes",
}  # fmt: skip
# The module's own imports go by private names, so no column or class name can shadow them.
_IMPORTS = [
    "import datetime as _dt",
    "import uuid as _uuid",
    "from decimal import Decimal as _Decimal",
    "from typing import Any as _Any",
    "from typing import Literal as _Literal",
    "",
    "from pydantic import BaseModel as _BaseModel",
    "from pydantic import ConfigDict as _ConfigDict",
    "from pydantic import Field as _Field",
]
_RULES = {"min": "ge", "exclusiveMin": "gt", "max": "le", "exclusiveMax": "lt"}
_TAKEN = set(dir(BaseModel))


def _py_type(col: MetaColumn) -> str:
    values = col.values
    parsed = parse_pg_type(col.pg_type or "") if not col.pg_constraints.get("userType") else None
    if values and (parsed is None or parsed.dims == 0):
        return f"_Literal[{', '.join(repr(str(v)) for v in values)}]"
    if parsed is None:
        return "str" if col.pg_constraints.get("enum") else "_Any"
    base = _TYPES.get(parsed.base, "str")
    for _ in range(parsed.dims):
        base = f"list[{base}]"
    return base


def _field_args(col: MetaColumn, required: bool) -> list[str]:
    args = [] if required else ["default=None"]
    args.append(f"alias={col.pg_column!r}")
    parsed = parse_pg_type(col.pg_type or "")
    text = parsed is not None and not parsed.dims and parsed.base in ("VARCHAR", "CHAR")
    if text and parsed is not None and parsed.args and not col.values:
        args.append(f"max_length={parsed.args[0]}")
    rules = col.validation_rules or {}
    for key, arg in _RULES.items():
        value = rules.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            args.append(f"{arg}={value!r}")
    if col.label:
        args.append(f"description={col.label!r}")
    return args


def render_pydantic(model: MetaModel) -> list[Artifact]:
    classes = _class_names(check_type_names(model, "pydantic"))
    names = ", ".join(repr(v) for v in sorted(classes.values()))
    lines = [f'"""{HEADER}"""', "", "from __future__ import annotations", "", *_IMPORTS, ""]
    lines.append(f"__all__ = [{names}]")
    for table in model.tables:
        name = classes[(table.schema, table.name)]
        title = table.label + (f": {table.description}" if table.description else "")
        lines += ["", "", f"class {name}(_BaseModel):"]
        lines.append(f"    model_config = _ConfigDict(populate_by_name=True, title={title!r})")
        taken = set(_TAKEN)
        for col in table.columns:
            field = python_name(col.pg_column)
            if field in taken or field.startswith("model_"):
                field += "_"
            field = unique_name(field, taken)
            required = col.is_required and not col.auto
            annotation = _py_type(col) + ("" if required else " | None")
            args = ", ".join(_field_args(col, required))
            lines.append(f"    {field}: {annotation} = _Field({args})")
    return [Artifact("pydantic", None, "pydantic/models.py", "\n".join(lines) + "\n")]


def _class_names(types: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    for (schema, table), name in types.items():
        if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.startswith("_"):
            raise NodeError(
                f"pydantic: mappings_table {schema}.{table} has graphql_type {name!r}, which "
                "the generated module cannot use as a class name; rename it"
            )
    return types
