"""GET /api/v1/nodes: the catalog the designer builds its palette and forms from."""

from __future__ import annotations

from typing import Any

from nodes.registry import default_registry


async def test_catalog_lists_every_registered_node_with_schema_and_ports(api: Any) -> None:
    user = await api.user()
    r = await api.client.get("/api/v1/nodes", headers=user.headers)
    assert r.status_code == 200
    entries = {e["type"]: e for e in r.json()}
    # Every built-in, plus the test node this app was built with.
    assert set(default_registry().types()) | {"test_wait"} == set(entries)
    static = entries["static_data"]
    assert static["category"] == "Sources" and static["inputs"] == []
    assert [p["name"] for p in static["outputs"]] == ["out"]
    assert static["config_schema"]["type"] == "object"
    assert "rows" in static["config_schema"]["properties"]
    assert static["docs"] and static["description"]


async def test_one_node_and_the_flow_schema(api: Any) -> None:
    user = await api.user()
    r = await api.client.get("/api/v1/nodes/sort_data", headers=user.headers)
    assert r.json()["type"] == "sort_data"
    r = await api.client.get("/api/v1/nodes/nope", headers=user.headers)
    assert r.status_code == 404
    assert "GET /api/v1/nodes" in r.json()["error"]["message"]
    r = await api.client.get("/api/v1/schema/flow", headers=user.headers)
    assert r.status_code == 200
    assert {"nodes", "edges", "parameters"} <= set(r.json()["properties"])


async def test_catalog_needs_a_login(api: Any) -> None:
    assert (await api.client.get("/api/v1/nodes")).status_code == 401
