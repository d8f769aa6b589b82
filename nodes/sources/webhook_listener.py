"""webhook_listener: the JSON body of the request that started the run, as a table."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port


class WebhookListenerConfig(NodeConfig):
    records_path: str = Field(
        default="",
        description="Dotted path to the records inside the body, e.g. data.items; "
        "empty = the body itself. A number selects a list item (items.0).",
    )
    sample: Any = Field(
        default=None,
        description="A body to use when the flow runs without a request (preview, schedules).",
    )


class WebhookListener(MaxDPNode):
    """Turns the JSON body of the `/execute` call into a table.

    `records_path` walks into the body (`data.items`). An object becomes one row, a list of
    objects one row each (nested values stay as they are), a list of plain values one column
    named `value`. Without a request (preview) the `sample` body is used; with neither, the
    table is empty.

    >>> body = {"data": {"items": [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}]}}
    >>> node = WebhookListener("hook", {"records_path": "data.items"})
    >>> node.run({}, NodeContext(request_body=body))["out"]
       id name
    0   1  Ann
    1   2   Bo
    """

    type = "webhook_listener"
    category = "Sources"
    title = "Webhook listener"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = WebhookListenerConfig

    def setup(self) -> None:
        path = self.config.records_path.strip()
        self._segments = path.split(".") if path else []
        if any(not seg for seg in self._segments):
            raise ConfigError(f"records_path: {path!r} has an empty segment", field="records_path")

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        body = ctx.request_body if ctx.request_body is not None else self.config.sample
        if body is None:
            return {"out": pd.DataFrame()}
        return {"out": _to_table(self._walk(body))}

    def _walk(self, body: Any) -> Any:
        current = body
        for depth, seg in enumerate(self._segments):
            where = ".".join(self._segments[:depth]) or "the body"
            if isinstance(current, dict) and seg in current:
                current = current[seg]
            elif isinstance(current, list) and seg.isdigit() and int(seg) < len(current):
                current = current[int(seg)]
            else:
                raise NodeError(f"records_path: segment {seg!r} not found in {where}")
        return current


def _to_table(records: Any) -> pd.DataFrame:
    if isinstance(records, dict):
        return pd.DataFrame.from_records([records])
    if not isinstance(records, list):
        raise NodeError(
            f"records_path: expected an object or a list, found {type(records).__name__}"
        )
    if not records:
        return pd.DataFrame()
    if all(isinstance(r, dict) for r in records):
        return pd.DataFrame.from_records(records)
    if any(isinstance(r, dict) for r in records):
        first = next(i for i, r in enumerate(records) if not isinstance(r, dict))
        raise NodeError(
            f"records_path: item {first} is a {type(records[first]).__name__}, "
            "not an object like the others"
        )
    return pd.DataFrame({"value": records})
