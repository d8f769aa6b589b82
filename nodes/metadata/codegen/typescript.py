"""TypeScript interfaces from the metadata, matching the generated GraphQL types.

One interface per API table (output fields, relations optional since a query may not select
them), plus ``<Type>Input`` and ``<Type>Patch`` like the GraphQL inputs. Scalars map to
``string`` (ID, dates, BigInt, Decimal: GraphQL sends them as strings), ``number``,
``boolean`` or ``unknown`` (JSON, unknown scalars); a column with allowed values becomes a
union of string literals. Labels go into ``/** */`` comments with ``*/`` broken up, and
literals are JSON strings, so the file always parses; it passes ``tsc --strict``.

>>> from nodes.metadata.codegen.model import model_from_rows
>>> model = model_from_rows(
...     [{"table_name": "tags", "graphql_type": "Tag", "label": "Tags */ oops"}],
...     [{"table_name": "tags", "pg_column": "kind", "graphql_field": "kind",
...       "graphql_type": "String", "label": "Kind", "pg_constraints": {"notNull": True},
...       "enum_options": [{"value": "a"}, {"value": "b"}]}])
>>> print(render_typescript(model)[0].content.split("\\n\\n")[1])
/** Tags *\\/ oops */
export interface Tag {
  /** Kind */
  kind: "a" | "b";
}
"""

from __future__ import annotations

import json

from flows.errors import NodeError
from nodes.metadata.codegen.common import HEADER, Artifact
from nodes.metadata.codegen.graphql import api_tables, parse_type_ref
from nodes.metadata.codegen.model import MetaColumn, MetaModel, check_type_names, graphql_name

__all__ = ["render_typescript"]

_SCALARS = {
    "ID": "string", "String": "string", "Date": "string", "DateTime": "string",
    "Time": "string", "BigInt": "string", "Decimal": "string", "Int": "number",
    "Float": "number", "Boolean": "boolean", "JSON": "unknown",
}  # fmt: skip
# Global types a module-level interface must not shadow.
_GLOBALS = {
    "Array", "Object", "String", "Number", "Boolean", "Date", "Record", "Promise", "Map",
    "Set", "Function", "Symbol", "Error", "RegExp", "JSON", "Math", "Partial", "Required",
    "Readonly", "Pick", "Omit", "Exclude", "Extract", "NonNullable", "ReadonlyArray",
}  # fmt: skip


def _comment(text: str | None, indent: str = "") -> str:
    if not text:
        return ""
    safe = text.replace("*/", "*\\/")  # the only sequence that ends a block comment
    return f"{indent}/** {safe} */\n"


def _ts_type(col: MetaColumn, where: str) -> str:
    named, is_list, items = parse_type_ref(col.graphql_type, where=where, target="typescript")
    values = col.values
    if values and not is_list:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in values)
    base = _SCALARS.get(named, "unknown")
    if is_list:
        return f"{base}[]" if items else f"({base} | null)[]"
    return base


def render_typescript(model: MetaModel) -> list[Artifact]:
    model = api_tables(model)
    types = check_type_names(model, "typescript")
    blocks = [f"// {HEADER}"]
    for table in model.tables:
        name = types[(table.schema, table.name)]
        if name in _GLOBALS:
            raise NodeError(
                f"typescript: mappings_table {table.where} has graphql_type {name!r}, a "
                "TypeScript global type; rename it"
            )
        out, inputs, patches = [], [], []
        for col in table.columns:
            where = f"mappings_column {table.where}.{col.pg_column}"
            field = graphql_name(
                col.graphql_field, target="typescript", where=where, field_name="graphql_field"
            )
            ts = _ts_type(col, where)
            nullable = "" if col.not_null else " | null"
            if col.is_graphql_output:
                out.append(f"{_comment(col.label, '  ')}  {field}: {ts}{nullable};")
            if col.is_graphql_input and not col.auto:
                optional = "" if col.is_required else "?"
                inputs.append(f"  {field}{optional}: {ts}{nullable};")
                patches.append(f"  {field}?: {ts}{nullable};")
        for rel in model.relations_of(table):
            target = types[(rel.to_schema, rel.to_table)]
            many = rel.relation_type in ("OneToMany", "ManyToMany")
            field = graphql_name(
                rel.graphql_field,
                target="typescript",
                where=f"mappings_relation {table.where}",
                field_name="graphql_field",
            )
            out.append(f"  {field}?: {target}{'[]' if many else ' | null'};")
        text = table.label + (f": {table.description}" if table.description else "")
        blocks.append(f"{_comment(text)}export interface {name} {{\n" + "\n".join(out) + "\n}")
        if inputs:
            blocks.append(f"export interface {name}Input {{\n" + "\n".join(inputs) + "\n}")
            blocks.append(f"export interface {name}Patch {{\n" + "\n".join(patches) + "\n}")
    return [Artifact("typescript", None, "typescript/types.ts", "\n\n".join(blocks) + "\n")]
