"""Renaming a flow parameter: its declaration and every use of it in the flow's nodes.

Each node type knows where it reads parameters (``MaxDPNode.rename_parameter``): ``@name`` in
expressions, ``:name`` in SQL, ``"@name"`` values of API calls, ``params['name']`` in code.
Text in quotes, comments and other names is left alone. A field that cannot be read (an
expression that does not scan) keeps its text and is reported, so nothing is half-renamed
without saying so.

>>> from nodes.registry import default_registry
>>> doc = {"name": "f", "parameters": [{"name": "min"}],
...        "nodes": [{"id": "keep", "type": "filter_rows", "config": {"condition": "x > @min"}}]}
>>> out = rename_parameter(doc, "min", "floor", default_registry())
>>> out.document["parameters"], out.document["nodes"][0]["config"], out.changed
([{'name': 'floor'}], {'condition': 'x > @floor'}, [{'node_id': 'keep', 'field': 'condition'}])
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.errors import ParameterError
from flows.model import Parameter
from nodes.registry import NodeRegistry

__all__ = ["ParameterRenamed", "rename_parameter"]

_NAME = re.compile(Parameter.model_fields["name"].metadata[0].pattern)


@dataclass
class ParameterRenamed:
    """The renamed document; the node fields that changed; those left as they were, and why."""

    document: dict[str, Any]
    changed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _declared(document: Mapping[str, Any]) -> list[Any]:
    params = document.get("parameters") or []
    if not isinstance(params, list):
        raise ParameterError("parameters: must be a list")
    return params


def rename_parameter(
    document: Mapping[str, Any], old: str, new: str, registry: NodeRegistry
) -> ParameterRenamed:
    """A copy of ``document`` with parameter ``old`` named ``new`` everywhere;
    ParameterError when ``old`` is not declared or ``new`` is not a free, valid name."""
    params = _declared(document)
    names = [p.get("name") for p in params if isinstance(p, dict)]
    if old not in names:
        shown = ", ".join(str(n) for n in names) or "none"
        raise ParameterError(f"old: no parameter named {old!r} is declared (declared: {shown})")
    if not _NAME.fullmatch(new):
        raise ParameterError(
            f"new: {new!r} is not a parameter name: a letter or _, then letters, digits or _ "
            "(at most 64)"
        )
    if new != old and new in names:
        raise ParameterError(f"new: a parameter named {new!r} is already declared")
    out = ParameterRenamed(copy.deepcopy(dict(document)))
    if new == old:
        return out
    for param in _declared(out.document):
        if isinstance(param, dict) and param.get("name") == old:
            param["name"] = new
    nodes = out.document.get("nodes")
    # A document being edited may be malformed: what cannot be a node is left to validation.
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict) or not isinstance(node.get("config", {}), dict):
            continue
        node_id = str(node.get("id"))
        kind = node.get("type")
        if not isinstance(kind, str) or kind not in registry:
            out.skipped.append({"node_id": node_id, "field": "type", "reason": "unknown node type"})
            continue
        renamed = registry.get(kind).rename_parameter(node.get("config", {}), old, new)
        if renamed.changed:
            node["config"] = renamed.config
        out.changed += [{"node_id": node_id, "field": f} for f in renamed.changed]
        out.skipped += [
            {"node_id": node_id, "field": f, "reason": why} for f, why in renamed.skipped.items()
        ]
    return out
