"""POST /api/v1/flows/{id}/preview: run up to a node, the head of each node's output."""

from __future__ import annotations

from typing import Any

import pandas as pd

ROWS = [{"n": i, "label": f"row {i}"} for i in range(30)]


def _doc(make_flow_doc: Any) -> dict[str, Any]:
    doc = make_flow_doc()
    doc["nodes"][0]["config"]["rows"] = ROWS
    doc["nodes"][1]["config"]["by"] = [{"column": "n", "ascending": False}]
    return doc


async def _flow(api: Any, doc: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    return owner, await api.flow(owner, wid, doc)


async def test_preview_returns_the_head_of_each_node_up_to_the_target(
    api: Any, make_flow_doc: Any
) -> None:
    owner, flow = await _flow(api, _doc(make_flow_doc))
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/preview",
        json={"node_id": "sorted", "row_limit": 5},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["node_id"], body["status"]) == ("sorted", "succeeded")
    assert set(body["nodes"]) == {"orders", "sorted"}  # "out" is downstream: not run
    sorted_node = body["nodes"]["sorted"]
    expected = pd.DataFrame(ROWS).sort_values("n", ascending=False).head(5)
    assert sorted_node["rows"] == expected.to_dict("records")
    assert sorted_node["row_count"] == 30
    assert [(c["name"], c["dtype"]) for c in sorted_node["columns"]] == [
        ("n", "int64"),
        ("label", str(pd.DataFrame(ROWS)["label"].dtype)),
    ]
    assert body["nodes"]["orders"]["rows"] == ROWS[:5]
    # Previews are not runs.
    assert (await api.client.get("/api/v1/runs", headers=owner.headers)).json()["total"] == 0


async def test_preview_an_unsaved_document(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, _doc(make_flow_doc))
    draft = _doc(make_flow_doc)
    draft["nodes"][1]["config"]["by"] = [{"column": "n", "ascending": True}]
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/preview",
        json={"node_id": "out", "row_limit": 2, "document": draft},
        headers=owner.headers,
    )
    assert [row["n"] for row in r.json()["nodes"]["out"]["rows"]] == [0, 1]
    draft["nodes"][1]["config"] = {"by": "n", "typo": True}
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/preview",
        json={"node_id": "out", "document": draft},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_flow"
    assert any(p["node_id"] == "sorted" for p in r.json()["error"]["details"])


async def test_preview_of_a_failing_node_reports_its_error(api: Any, make_flow_doc: Any) -> None:
    doc = _doc(make_flow_doc)
    doc["nodes"][1]["config"]["by"] = [{"column": "missing"}]
    owner, flow = await _flow(api, doc)
    r = await api.client.post(
        f"/api/v1/flows/{flow['id']}/preview", json={"node_id": "sorted"}, headers=owner.headers
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "failed"
    assert body["nodes"]["sorted"]["status"] == "failed"
    assert "missing" in body["nodes"]["sorted"]["error"]["message"]
    assert body["nodes"]["sorted"]["rows"] == [] and body["nodes"]["sorted"]["row_count"] is None


async def test_preview_bad_requests(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, _doc(make_flow_doc))
    url = f"/api/v1/flows/{flow['id']}/preview"
    r = await api.client.post(url, json={"node_id": "nope"}, headers=owner.headers)
    assert r.status_code == 422
    assert "nope" in r.json()["error"]["message"]
    r = await api.client.post(
        url, json={"node_id": "sorted", "row_limit": 0}, headers=owner.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.row_limit"
    r = await api.client.post(url, json={}, headers=owner.headers)
    assert r.json()["error"]["details"][0]["field"] == "body.node_id"


async def test_viewers_and_strangers_cannot_preview(api: Any, make_flow_doc: Any) -> None:
    owner, flow = await _flow(api, _doc(make_flow_doc))
    viewer = await api.user()
    stranger = await api.user()
    await api.add_member(owner, flow["workspace_id"], viewer, "viewer")
    url = f"/api/v1/flows/{flow['id']}/preview"
    assert (
        await api.client.post(url, json={"node_id": "out"}, headers=viewer.headers)
    ).status_code == 403
    assert (
        await api.client.post(url, json={"node_id": "out"}, headers=stranger.headers)
    ).status_code == 404
