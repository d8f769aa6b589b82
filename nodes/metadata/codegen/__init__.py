"""Code generators over the metadata: one module per target.

``render(model, targets)`` returns the artifacts of each target in the order asked.

>>> from nodes.metadata.codegen.model import model_from_rows
>>> model = model_from_rows([{"table_name": "tags", "graphql_type": "Tag", "label": "Tags"}],
...     [{"table_name": "tags", "pg_column": "id", "pg_type": "SERIAL", "graphql_field": "id",
...       "graphql_type": "ID", "is_primary_key": True, "label": "ID"}])
>>> [(a.kind, a.path) for a in render(model, ["graphql", "json_schema"])]
[('graphql', 'graphql/schema.graphql'), ('json_schema', 'json_schema/public.tags.schema.json')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from nodes.metadata.codegen.common import Artifact
from nodes.metadata.codegen.ddl import render_ddl
from nodes.metadata.codegen.graphql import render_graphql
from nodes.metadata.codegen.json_schema import render_json_schema
from nodes.metadata.codegen.model import MetaModel, load_model, model_from_rows
from nodes.metadata.codegen.pydantic_models import render_pydantic
from nodes.metadata.codegen.typescript import render_typescript

__all__ = ["TARGETS", "Artifact", "Target", "load_model", "model_from_rows", "render"]

Target = Literal["ddl", "graphql", "typescript", "pydantic", "json_schema"]
TARGETS: dict[str, Callable[[MetaModel], list[Artifact]]] = {
    "ddl": render_ddl,
    "graphql": render_graphql,
    "typescript": render_typescript,
    "pydantic": render_pydantic,
    "json_schema": render_json_schema,
}


def render(model: MetaModel, targets: Sequence[str]) -> list[Artifact]:
    return [artifact for target in targets for artifact in TARGETS[target](model)]
