"""The explicit node registry and the ``maxdp.nodes`` entry-point plugins.

Built-in nodes are listed here by module and class; nothing registers itself on import.
Third-party packages add nodes through the ``maxdp.nodes`` entry-point group, each entry point
naming a ``MaxDPNode`` subclass.

>>> registry = default_registry()
>>> registry.get("filter_rows").category
'Rows'
>>> "static_data" in registry
True
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any

from flows.errors import MaxDPError
from nodes.base import MaxDPNode

__all__ = ["BUILTIN_NODES", "NodeRegistry", "builtin_nodes", "default_registry"]

ENTRY_POINT_GROUP = "maxdp.nodes"

# Order is catalog order.
BUILTIN_NODES: tuple[str, ...] = (
    "nodes.sources.static_data:StaticData",
    "nodes.sources.file_input:FileInput",
    "nodes.sources.webhook_listener:WebhookListener",
    "nodes.transforms.filter_rows:FilterRows",
    "nodes.transforms.sample_rows:SampleRows",
    "nodes.transforms.sort_data:SortData",
    "nodes.transforms.deduplicate:Deduplicate",
    "nodes.transforms.select_columns:SelectColumns",
    "nodes.transforms.rename_columns:RenameColumns",
    "nodes.transforms.add_modify_column:AddModifyColumn",
    "nodes.transforms.change_data_type:ChangeDataType",
    "nodes.transforms.split_column:SplitColumn",
    "nodes.transforms.map_values:MapValues",
    "nodes.transforms.handle_missing_values:HandleMissingValues",
    "nodes.transforms.text_transform:TextTransform",
    "nodes.transforms.date_transform:DateTransform",
    "nodes.transforms.group_aggregate:GroupAggregate",
    "nodes.transforms.pivot_table:PivotTable",
    "nodes.transforms.melt:Melt",
    "nodes.transforms.window_functions:WindowFunctions",
    "nodes.transforms.join_merge:JoinMerge",
    "nodes.transforms.union_concatenate:UnionConcatenate",
    "nodes.control.merge:Merge",
    "nodes.control.conditional_branch:ConditionalBranch",
    "nodes.control.try_catch:TryCatch",
    "nodes.code.run_python_script:RunPythonScript",
    "nodes.code.apply_function:ApplyFunction",
    "nodes.sinks.display_results:DisplayResults",
    "nodes.sinks.file_writer:FileWriter",
    "nodes.databases.table_reader:TableReader",
    "nodes.databases.custom_sql:CustomSql",
    "nodes.databases.table_writer:TableWriter",
    "nodes.messaging.api_endpoint:ApiEndpoint",
    "nodes.messaging.api_request:ApiRequest",
    "nodes.messaging.send_notification:SendNotification",
    "nodes.messaging.mapped_table_search:MappedTableSearch",
    "nodes.messaging.target_preview:TargetPreview",
    "nodes.messaging.template_render:TemplateRender",
    "nodes.databases.supabase_reader:SupabaseReader",
    "nodes.databases.supabase_writer:SupabaseWriter",
    "nodes.metadata.metadata_init:MetadataInit",
    "nodes.metadata.metadata_introspect:MetadataIntrospect",
    "nodes.metadata.metadata_read:MetadataRead",
    "nodes.metadata.metadata_codegen:MetadataCodegen",
)


def _load(path: str) -> type[MaxDPNode]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def builtin_nodes() -> list[type[MaxDPNode]]:
    return [_load(path) for path in BUILTIN_NODES]


class NodeRegistry:
    """An immutable mapping of node type -> node class."""

    def __init__(self, classes: Iterable[type[MaxDPNode]]) -> None:
        table: dict[str, type[MaxDPNode]] = {}
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, MaxDPNode)):
                raise MaxDPError(f"{cls!r} is not a MaxDPNode subclass")
            if cls.type in table:
                raise MaxDPError(f"node type {cls.type!r} is registered twice")
            table[cls.type] = cls
        self._table = MappingProxyType(table)

    def get(self, node_type: str) -> type[MaxDPNode]:
        try:
            return self._table[node_type]
        except KeyError:
            raise MaxDPError(
                f"unknown node type {node_type!r}", 422, code="unknown_node_type"
            ) from None

    def __contains__(self, node_type: object) -> bool:
        return node_type in self._table

    def __iter__(self) -> Iterator[type[MaxDPNode]]:
        return iter(self._table.values())

    def __len__(self) -> int:
        return len(self._table)

    def types(self) -> list[str]:
        return list(self._table)

    def catalog(self) -> list[dict[str, Any]]:
        return [cls.describe() for cls in self._table.values()]


def plugin_nodes() -> list[type[MaxDPNode]]:
    return [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]


@functools.cache
def default_registry() -> NodeRegistry:
    """Built-in nodes plus installed plugins. Immutable, so one shared instance is safe."""
    return NodeRegistry([*builtin_nodes(), *plugin_nodes()])
