"""Pieces shared by the HTTP nodes: http connections, ``@param`` values, JSON bodies.

>>> query = {"q": "@term", "raw": "@@at", "n": [1, "@n"]}
>>> substitute_params(query, {"term": "kim", "n": 2}, "query")
{'q': 'kim', 'raw': '@at', 'n': [1, 2]}
>>> render_json_template('{"name": "{{name}}", "n": "{{n}}", "note": "hi {{name}}"}',
...                      {"name": 'A "quoted" name', "n": 3}, field="body_template")
{'name': 'A "quoted" name', 'n': 3, 'note': 'hi A "quoted" name'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import httpx
import pandas as pd

from flows.errors import NodeError
from nodes.connections import connections_from
from nodes.messaging.templates import VARIABLE, format_value

__all__ = [
    "http_base",
    "json_records",
    "param_names",
    "rename_params",
    "render_json_template",
    "substitute_params",
    "target_url",
]

_PARAM = re.compile(r"^@([A-Za-z_][A-Za-z0-9_]*)$")
_WHOLE = re.compile(r"^\{\{\s*([^{}]*?)\s*\}\}$")


def param_names(value: Any) -> set[str]:
    """``@name`` strings anywhere in a JSON-like value."""
    if isinstance(value, str):
        match = _PARAM.match(value)
        return {match.group(1)} if match else set()
    if isinstance(value, dict):
        return set().union(*(param_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(param_names(v) for v in value)) if value else set()
    return set()


def rename_params(value: Any, old: str, new: str) -> Any:
    """``value`` with each string that is exactly ``@old`` written ``@new``."""
    if isinstance(value, str):
        return f"@{new}" if value == f"@{old}" else value
    if isinstance(value, dict):
        return {k: rename_params(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [rename_params(v, old, new) for v in value]
    return value


def substitute_params(value: Any, params: Mapping[str, Any], field: str) -> Any:
    """Replace each string that is exactly ``@name`` by the parameter (``@@x`` is ``@x``)."""
    if isinstance(value, str):
        if value.startswith("@@"):
            return value[1:]
        match = _PARAM.match(value)
        if match is None:
            return value
        if match.group(1) not in params:
            raise NodeError(f"{field}: parameter @{match.group(1)} has no value")
        return params[match.group(1)]
    if isinstance(value, dict):
        return {k: substitute_params(v, params, field) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_params(v, params, field) for v in value]
    return value


async def http_base(ctx: Any, connection: str | None) -> tuple[httpx.URL | None, dict[str, str]]:
    """An http connection's base URL and secret headers (None, {} without a connection)."""
    if connection is None:
        return None, {}
    spec = await connections_from(ctx).spec(connection)
    if spec.kind != "http":
        raise NodeError(f"connection: {connection!r} is a {spec.kind} connection, not http")
    return httpx.URL(spec.base_url()), {k: v.get_secret_value() for k, v in spec.headers.items()}


def target_url(base: httpx.URL | None, url: str, connection: str | None) -> str:
    """``url`` resolved against the connection's base; it may not leave the base's host."""
    scheme = httpx.URL(url).scheme
    if scheme and scheme not in ("http", "https"):
        raise NodeError(f"url: only http and https URLs are allowed, not {scheme}:")
    if base is None:
        if not httpx.URL(url).is_absolute_url:
            raise NodeError(f"url: {url!r} is not an absolute URL (or set connection)")
        return url
    target = base.join(url)
    if target.host != base.host or target.scheme != base.scheme or target.port != base.port:
        # The connection's secret headers must never travel to another host.
        raise NodeError(f"url: {url!r} leaves the host of connection {connection!r}")
    return str(target)


def json_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: nulls as None, timestamps as ISO text, numpy as Python."""
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise NodeError(f"in: column {dup!r} appears twice; rename it before sending")
    return json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))


def _render_string(text: str, values: Mapping[str, Any], field: str) -> Any:
    whole = _WHOLE.match(text)
    if whole:
        return _lookup(values, whole.group(1), field)  # keeps its JSON type

    return VARIABLE.sub(lambda m: _as_text(_lookup(values, m.group(1), field)), text)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return format_value(value)


def _lookup(values: Mapping[str, Any], name: str, field: str) -> Any:
    if name not in values:
        known = ", ".join(map(str, values)) or "none"
        raise NodeError(f"{field}: variable {{{{{name}}}}} is not available (have: {known})")
    return values[name]


def _render_tree(node: Any, values: Mapping[str, Any], field: str) -> Any:
    if isinstance(node, str):
        return _render_string(node, values, field)
    if isinstance(node, dict):
        return {
            _render_string(k, values, field) if isinstance(k, str) else k: _render_tree(
                v, values, field
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_render_tree(v, values, field) for v in node]
    return node


def render_json_template(template: str, values: Mapping[str, Any], *, field: str) -> Any:
    """A JSON template rendered inside its strings: values can never break the JSON."""
    try:
        tree = json.loads(template)
    except ValueError:
        raise NodeError(f"{field}: not valid JSON") from None
    return _render_tree(tree, values, field)


def is_json_template(template: str) -> bool:
    try:
        json.loads(template)
    except ValueError:
        return False
    return True


def render_text_template(template: str, values: Mapping[str, Any], *, field: str) -> str:
    rendered = _render_string(template, values, field)
    return rendered if isinstance(rendered, str) else json.dumps(rendered, ensure_ascii=False)
