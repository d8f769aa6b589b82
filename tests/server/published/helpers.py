"""Flow documents and set-up helpers shared by the published-endpoint tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

ROWS = [
    {"region": "KR", "amount": 10},
    {"region": "US", "amount": 30},
    {"region": "ÜS-Ost", "amount": 50},
    {"region": None, "amount": 70},
]


def orders_doc(marker: str = "v1") -> dict[str, Any]:
    """static rows (+ a ``version`` column holding ``marker``) -> amount > @min_amount."""
    rows = [{**row, "version": marker} for row in ROWS]
    return {
        "name": "orders",
        "parameters": [
            {"name": "min_amount", "type": "integer", "default": 0},
            {"name": "region", "type": "string", "required": False},
        ],
        "nodes": [
            {"id": "src", "type": "static_data", "config": {"rows": rows}},
            {"id": "keep", "type": "filter_rows", "config": {"condition": "amount > @min_amount"}},
            {"id": "out", "type": "display_results", "config": {"name": "result"}},
        ],
        "edges": [{"source": "src", "target": "keep"}, {"source": "keep", "target": "out"}],
    }


def expected_orders(min_amount: int = 0, marker: str = "v1") -> list[dict[str, Any]]:
    """What a person would compute with pandas, as JSON records."""
    df = pd.DataFrame([{**row, "version": marker} for row in ROWS])
    kept = df[df["amount"] > min_amount]
    return [
        {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        for rec in kept.to_dict(orient="records")
    ]


def two_outputs_doc() -> dict[str, Any]:
    return {
        "name": "two outputs",
        "nodes": [
            {"id": "src", "type": "static_data", "config": {"rows": ROWS}},
            {"id": "a", "type": "display_results", "config": {"name": "first"}},
            {"id": "b", "type": "display_results", "config": {"name": "second"}},
        ],
        "edges": [{"source": "src", "target": "a"}, {"source": "src", "target": "b"}],
    }


def webhook_doc() -> dict[str, Any]:
    return {
        "name": "hook",
        "parameters": [{"name": "tag", "type": "string", "default": "none"}],
        "nodes": [
            {"id": "hook", "type": "webhook_listener", "config": {"records_path": "items"}},
            {"id": "tagged", "type": "add_modify_column", "config": {
                "column": "tag", "expression": "@tag"}},
            {"id": "out", "type": "display_results", "config": {"name": "rows"}},
        ],
        "edges": [{"source": "hook", "target": "tagged"}, {"source": "tagged", "target": "out"}],
    }  # fmt: skip


def failing_doc() -> dict[str, Any]:
    """A node that fails at run time: the condition names a column the table lacks."""
    return {
        "name": "fails",
        "nodes": [
            {"id": "src", "type": "static_data", "config": {"rows": [{"a": 1}]}},
            {"id": "bad", "type": "filter_rows", "config": {"condition": "missing > 1"}},
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "src", "target": "bad"}, {"source": "bad", "target": "out"}],
    }


@dataclass
class Published:
    flow_id: str
    workspace_id: str
    endpoint: str
    key: str | None = None


async def publish(
    api: Any,
    owner: Any,
    workspace_id: str,
    document: dict[str, Any],
    endpoint: str,
    *,
    key: bool = True,
    **options: Any,
) -> Published:
    """Create the flow, save a version, publish it (and make an API key of its workspace)."""
    flow = await api.flow(owner, workspace_id, document)
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/versions", json={"comment": "v1"}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/publish",
        json={"endpoint": endpoint, **options},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    made = Published(flow["id"], workspace_id, endpoint)
    if key:
        r = await api.client.post(
            f"/api/v1/workspaces/{workspace_id}/api-keys",
            json={"name": f"key for {endpoint}"},
            headers=owner.headers,
        )
        assert r.status_code == 201, r.text
        made.key = r.json()["key"]
    return made


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    """The API's error shape, with no trace in it."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body["error"]
