"""Differences between two flow documents, by node id, edge endpoints and parameter name.

>>> a = {"name": "f", "nodes": [{"id": "s", "type": "static_data", "config": {"rows": []}},
...                             {"id": "o", "type": "display_results"}],
...      "edges": [{"source": "s", "target": "o"}]}
>>> b = {"name": "f", "nodes": [{"id": "s", "type": "static_data", "config": {"rows": [{"x": 1}]}},
...                             {"id": "t", "type": "display_results"}],
...      "edges": [{"source": "s", "target": "t"}]}
>>> d = diff_documents(a, b)
>>> d["nodes"]["added"], d["nodes"]["removed"], d["nodes"]["changed"]
(['t'], ['o'], [{'node_id': 's', 'fields': ['config.rows']}])
>>> [(e["source"], e["target"]) for e in d["edges"]["added"] + d["edges"]["removed"]]
[('s', 't'), ('s', 'o')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["diff_documents"]

_TOP_LEVEL = ("name", "description", "schema_version", "timeout_s")
_EDGE_KEY = ("source", "source_port", "target", "target_port")


def _by(items: Any, key: str) -> dict[str, Mapping[str, Any]]:
    return {
        str(item[key]): item for item in items or [] if isinstance(item, Mapping) and key in item
    }


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    fields = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == "config" and isinstance(before, Mapping) and isinstance(after, Mapping):
            fields.extend(
                f"config.{k}"
                for k in sorted(set(before) | set(after))
                if before.get(k) != after.get(k)
            )
        else:
            fields.append(name)
    return fields


def _section(
    old: dict[str, Mapping[str, Any]], new: dict[str, Mapping[str, Any]], label: str
) -> dict[str, Any]:
    changed = [
        {label: key, "fields": fields}
        for key in old
        if key in new and (fields := _changed_fields(old[key], new[key]))
    ]
    return {
        "added": [k for k in new if k not in old],
        "removed": [k for k in old if k not in new],
        "changed": changed,
    }


def _edges(doc: Mapping[str, Any]) -> dict[tuple[Any, ...], Mapping[str, Any]]:
    edges = {}
    for edge in doc.get("edges") or []:
        if isinstance(edge, Mapping):
            edges[tuple(edge.get(k) for k in _EDGE_KEY)] = edge
    return edges


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: nodes, edges, parameters and top-level fields."""
    old_edges, new_edges = _edges(old), _edges(new)
    return {
        "fields": [f for f in _TOP_LEVEL if old.get(f) != new.get(f)],
        "nodes": _section(_by(old.get("nodes"), "id"), _by(new.get("nodes"), "id"), "node_id"),
        "edges": {
            "added": [
                dict(zip(_EDGE_KEY, k, strict=True)) for k in new_edges if k not in old_edges
            ],
            "removed": [
                dict(zip(_EDGE_KEY, k, strict=True)) for k in old_edges if k not in new_edges
            ],
            # Edges are identified by their endpoints; only their other fields (id) can change.
            "changed": [
                {**dict(zip(_EDGE_KEY, k, strict=True)), "fields": fields}
                for k in old_edges
                if k in new_edges and (fields := _changed_fields(old_edges[k], new_edges[k]))
            ],
        },
        "parameters": _section(
            _by(old.get("parameters"), "name"), _by(new.get("parameters"), "name"), "name"
        ),
    }
