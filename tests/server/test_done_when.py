"""The issue's "done when", entirely through the API: log in, create a workspace and a flow,
save two versions, run it, and read the run with per-node timings."""

from __future__ import annotations

from typing import Any

import pandas as pd


async def test_login_workspace_flow_versions_run_and_read(api: Any, make_flow_doc: Any) -> None:
    client = api.client
    await api.user("ada@example.com")

    r = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}
    )
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}

    r = await client.post("/api/v1/workspaces", json={"name": "Sales"}, headers=auth)
    assert r.status_code == 201
    workspace_id = r.json()["id"]

    doc = make_flow_doc("orders")
    r = await client.post(
        "/api/v1/flows", json={"workspace_id": workspace_id, "document": doc}, headers=auth
    )
    assert r.status_code == 201
    flow_id = r.json()["id"]

    r = await client.post(
        f"/api/v1/flows/{flow_id}/versions", json={"comment": "first"}, headers=auth
    )
    assert (r.status_code, r.json()["version"]) == (201, 1)
    doc["nodes"][1]["config"]["by"] = [{"column": "amount", "ascending": True}]
    r = await client.put(f"/api/v1/flows/{flow_id}", json={"document": doc}, headers=auth)
    assert r.status_code == 200
    r = await client.post(
        f"/api/v1/flows/{flow_id}/versions", json={"comment": "ascending"}, headers=auth
    )
    assert (r.status_code, r.json()["version"]) == (201, 2)

    r = await client.post(f"/api/v1/flows/{flow_id}/run", json={}, headers=auth)
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["status"] == "succeeded"
    # The output is what the plain pandas code gives.
    rows = [{"region": "KR", "amount": 10}, {"region": "US", "amount": 30}]
    expected = pd.DataFrame(rows).sort_values("amount", ascending=True)
    assert run["outputs"]["result"]["rows"] == expected.to_dict("records")

    r = await client.get(f"/api/v1/runs/{run['id']}", headers=auth)
    assert r.status_code == 200
    stored = r.json()
    assert stored["status"] == "succeeded"
    assert [n["node_id"] for n in stored["nodes"]] == ["orders", "sorted", "out"]
    for node in stored["nodes"]:
        assert node["status"] == "succeeded"
        assert node["duration_ms"] is not None and node["duration_ms"] >= 0
        assert node["started_at"] <= node["finished_at"]
    assert [n["rows_out"] for n in stored["nodes"]] == [2, 2, 2]
    assert stored["outputs"]["result"]["row_count"] == 2

    r = await client.get(f"/api/v1/flows/{flow_id}/versions", headers=auth)
    assert [v["comment"] for v in r.json()["items"]] == ["ascending", "first"]
