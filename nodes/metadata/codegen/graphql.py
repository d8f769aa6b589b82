"""GraphQL SDL from the metadata: scalars, a type per table with its relations, create and
patch inputs, and Query / Mutation fields.

Tables with ``is_api_enabled`` false are left out, and so are relations to them. A column is
an output field when ``is_graphql_output``, an input field when ``is_graphql_input``;
``NOT NULL`` columns are non-null outputs, ``is_required`` ones non-null create inputs, and
every patch field is optional. Lists by id use the primary key (every key column an
argument); a table without one gets the list query and the create mutation only.
Descriptions are JSON-escaped GraphQL strings, so no label can end them.

>>> from nodes.metadata.codegen.model import model_from_rows
>>> model = model_from_rows(
...     [{"table_name": "tags", "graphql_type": "Tag", "label": "Tags"}],
...     [{"table_name": "tags", "pg_column": "id", "graphql_field": "id", "graphql_type": "ID",
...       "is_primary_key": True, "is_graphql_input": False, "label": "ID"},
...      {"table_name": "tags", "pg_column": "name", "graphql_field": "name",
...       "graphql_type": "String", "is_required": True, "label": "Name"}])
>>> sdl = render_graphql(model)[0].content
>>> print(sdl[sdl.index("type Query"):])
type Query {
  tag(id: ID!): Tag
  tags(limit: Int, offset: Int): [Tag!]!
}
<BLANKLINE>
type Mutation {
  createTag(input: TagInput!): Tag!
  updateTag(id: ID!, patch: TagPatch!): Tag
  deleteTag(id: ID!): Boolean!
}
<BLANKLINE>
"""

from __future__ import annotations

import json
import re

from flows.errors import NodeError
from nodes.metadata.codegen.common import HEADER, Artifact
from nodes.metadata.codegen.model import (
    MetaModel,
    MetaRelation,
    MetaTable,
    check_type_names,
    graphql_name,
)
from nodes.metadata.naming import camel_case, plural, unique_name
from nodes.metadata.typemap import GRAPHQL_SCALARS

__all__ = ["api_tables", "parse_type_ref", "render_graphql"]

BUILTIN = ("ID", "String", "Int", "Float", "Boolean")
_REF = re.compile(r"^(\[)?\s*([_A-Za-z][_0-9A-Za-z]*)\s*(!)?\s*(\])?\s*(!)?$")


def parse_type_ref(text: str | None, *, where: str, target: str) -> tuple[str, bool, bool]:
    """``String`` / ``[String]`` / ``[String!]`` -> (named type, is list, items non-null)."""
    match = _REF.match(text or "")
    if match is None or bool(match[1]) != bool(match[4]) or (match[3] and not match[1]):
        raise NodeError(f"{target}: {where} has graphql_type {text!r}, not a GraphQL type")
    return match[2], bool(match[1]), bool(match[3])


def _desc(text: str | None, indent: str = "") -> str:
    if not text:
        return ""
    return f"{indent}{json.dumps(text, ensure_ascii=False)}\n"


def api_tables(model: MetaModel) -> MetaModel:
    """The model without tables whose API is disabled (and relations to them)."""
    kept = [
        t for t in model.tables if t.is_api_enabled and any(c.is_graphql_output for c in t.columns)
    ]
    keys = {(t.schema, t.name) for t in kept}
    relations = [
        r
        for r in model.relations
        if (r.from_schema, r.from_table) in keys and (r.to_schema, r.to_table) in keys
    ]
    return MetaModel(kept, relations)


def _relation_type(rel: MetaRelation, target: str, model: MetaModel, table: MetaTable) -> str:
    if rel.relation_type in ("OneToMany", "ManyToMany"):
        return f"[{target}!]!"
    col = next((c for c in table.columns if c.pg_column == rel.from_column), None)
    forward = col is not None and rel.from_column not in table.key_columns()
    if rel.relation_type == "ManyToOne" or forward:
        return f"{target}!" if col is not None and col.not_null else target
    return target  # the referenced side of a OneToOne may have no row


def render_graphql(model: MetaModel) -> list[Artifact]:
    model = api_tables(model)
    types = check_type_names(model, "graphql")
    objects = set(types.values())
    scalars: set[str] = set()
    blocks, queries, mutations = [], [], []
    op_names: set[str] = set()
    for table in model.tables:
        type_name = types[(table.schema, table.name)]
        fields, inputs, patches, used = [], [], [], set()
        for col in table.columns:
            where = f"mappings_column {table.where}.{col.pg_column}"
            name = graphql_name(
                col.graphql_field, target="graphql", where=where, field_name="graphql_field"
            )
            named, is_list, items = parse_type_ref(col.graphql_type, where=where, target="graphql")
            if named in objects:
                raise NodeError(f"graphql: {where} has graphql_type {named!r}, a table's type")
            if named not in BUILTIN:
                scalars.add(named)
            ref = f"[{named}{'!' if items else ''}]" if is_list else named
            if col.is_graphql_output:
                if name in used:
                    raise NodeError(f"graphql: {where}: graphql_field {name!r} is used twice")
                used.add(name)
                fields.append(
                    f"{_desc(col.label, '  ')}  {name}: {ref}{'!' if col.not_null else ''}"
                )
            if col.is_graphql_input and not col.auto:
                inputs.append(f"  {name}: {ref}{'!' if col.is_required else ''}")
                patches.append(f"  {name}: {ref}")
        for rel in model.relations_of(table):
            where = f"mappings_relation {table.where}.{rel.graphql_field}"
            name = graphql_name(
                rel.graphql_field, target="graphql", where=where, field_name="graphql_field"
            )
            if name in used:
                raise NodeError(f"graphql: {where}: graphql_field {name!r} is used twice")
            used.add(name)
            target = types[(rel.to_schema, rel.to_table)]
            fields.append(f"  {name}: {_relation_type(rel, target, model, table)}")
        text = table.label + (f"\n\n{table.description}" if table.description else "")
        blocks.append(f"{_desc(text)}type {type_name} {{\n" + "\n".join(fields) + "\n}")
        if inputs:
            blocks.append(f"input {type_name}Input {{\n" + "\n".join(inputs) + "\n}")
            blocks.append(f"input {type_name}Patch {{\n" + "\n".join(patches) + "\n}")
        one = unique_name(camel_case(type_name), op_names)
        many = unique_name(_many(type_name), op_names)
        key_args = _key_args(table)
        if key_args:
            queries.append(f"  {one}({key_args}): {type_name}")
        queries.append(f"  {many}(limit: Int, offset: Int): [{type_name}!]!")
        if inputs:
            mutations.append(f"  create{type_name}(input: {type_name}Input!): {type_name}!")
            if key_args:
                mutations.append(
                    f"  update{type_name}({key_args}, patch: {type_name}Patch!): {type_name}"
                )
        if key_args:
            mutations.append(f"  delete{type_name}({key_args}): Boolean!")
    parts = [f"# {HEADER}"]
    parts += [f"scalar {s}" for s in sorted(scalars, key=lambda s: (s not in GRAPHQL_SCALARS, s))]
    parts += blocks
    if not queries:  # a schema needs a Query type with a field, even with no table mapped
        queries.append('  "No table is mapped yet."\n  _empty: Boolean')
    parts.append("type Query {\n" + "\n".join(queries) + "\n}")
    if mutations:
        parts.append("type Mutation {\n" + "\n".join(mutations) + "\n}")
    return [Artifact("graphql", None, "graphql/schema.graphql", "\n\n".join(parts) + "\n")]


def _many(type_name: str) -> str:
    many = camel_case(plural(type_name))
    return many if many != camel_case(type_name) else many + "List"


def _key_args(table: MetaTable) -> str:
    args = []
    for key in table.key_columns():
        col = next((c for c in table.columns if c.pg_column == key), None)
        if col is None or not col.is_graphql_output:
            return ""
        named, is_list, _items = parse_type_ref(
            col.graphql_type, where=table.where, target="graphql"
        )
        if is_list:
            return ""
        args.append(f"{col.graphql_field}: {named}!")
    return ", ".join(args)
