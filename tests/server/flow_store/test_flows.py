"""/api/v1/flows: CRUD, search and paging, import/export, validation, object-level checks."""

from __future__ import annotations

import copy
from typing import Any


async def test_create_read_save_delete(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, wid, make_flow_doc("orders", description="first"))
    assert (flow["name"], flow["description"], flow["latest_version"]) == ("orders", "first", 0)
    assert flow["created_by"] == str(owner.id)

    doc = make_flow_doc("orders renamed", description="second")
    r = await api.client.put(
        f"/api/v1/flows/{flow['id']}", json={"document": doc}, headers=owner.headers
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["description"]) == ("orders renamed", "second")
    r = await api.client.get(f"/api/v1/flows/{flow['id']}", headers=owner.headers)
    assert r.json()["document"] == doc

    r = await api.client.delete(f"/api/v1/flows/{flow['id']}", headers=owner.headers)
    assert r.status_code == 204
    assert (
        await api.client.get(f"/api/v1/flows/{flow['id']}", headers=owner.headers)
    ).status_code == 404


async def test_list_with_search_paging_and_workspace_filter(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    ws1 = (await api.workspace(owner, "One"))["id"]
    ws2 = (await api.workspace(owner, "Two"))["id"]
    for i in range(5):
        await api.flow(owner, ws1, make_flow_doc(f"daily report {i}"))
    await api.flow(owner, ws2, make_flow_doc("weekly ünïcode ✓", description="totals"))

    r = await api.client.get("/api/v1/flows?limit=2", headers=owner.headers)
    body = r.json()
    assert (body["total"], len(body["items"])) == (6, 2)
    assert "document" not in body["items"][0]  # lists stay light
    # Newest change first.
    assert body["items"][0]["name"] == "weekly ünïcode ✓"

    r = await api.client.get(
        "/api/v1/flows", params={"q": "DAILY", "workspace_id": ws1}, headers=owner.headers
    )
    assert r.json()["total"] == 5
    r = await api.client.get("/api/v1/flows", params={"q": "ünïcode"}, headers=owner.headers)
    assert [f["name"] for f in r.json()["items"]] == ["weekly ünïcode ✓"]
    r = await api.client.get("/api/v1/flows", params={"q": "totals"}, headers=owner.headers)
    assert r.json()["total"] == 1
    pages = []
    for offset in (0, 2, 4):
        r = await api.client.get(
            f"/api/v1/flows?workspace_id={ws1}&limit=2&offset={offset}", headers=owner.headers
        )
        pages += [f["name"] for f in r.json()["items"]]
    assert sorted(pages) == [f"daily report {i}" for i in range(5)]


async def test_other_users_flows_are_invisible(api: Any) -> None:
    owner = await api.user()
    stranger = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, wid)
    await api.workspace(stranger, "Mine")

    r = await api.client.get(f"/api/v1/flows/{flow['id']}", headers=stranger.headers)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == f"no flow with id {flow['id']}"
    for path in ("export", "versions"):
        r = await api.client.get(f"/api/v1/flows/{flow['id']}/{path}", headers=stranger.headers)
        assert r.status_code == 404
    assert (await api.client.get("/api/v1/flows", headers=stranger.headers)).json()["total"] == 0
    r = await api.client.get(f"/api/v1/flows?workspace_id={wid}", headers=stranger.headers)
    assert r.status_code == 404
    r = await api.client.post(
        "/api/v1/flows",
        json={"workspace_id": wid, "document": flow["document"]},
        headers=stranger.headers,
    )
    assert r.status_code == 404


async def test_export_then_import_round_trips(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    doc = make_flow_doc("Orders / by region")
    doc["parameters"] = [{"name": "region", "type": "string", "default": "KR"}]
    flow = await api.flow(owner, wid, doc)
    r = await api.client.get(f"/api/v1/flows/{flow['id']}/export", headers=owner.headers)
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="Orders_by_region.json"'
    assert r.json() == doc

    r = await api.client.post(
        f"/api/v1/flows/import?workspace_id={wid}", json=r.json(), headers=owner.headers
    )
    assert r.status_code == 201
    imported = r.json()
    assert imported["id"] != flow["id"] and imported["document"] == doc


async def test_validate_lists_every_problem_with_node_ids(api: Any, make_flow_doc: Any) -> None:
    user = await api.user()
    doc = make_flow_doc()
    doc["nodes"].append({"id": "ghost", "type": "no_such_node"})
    doc["nodes"][1]["config"] = {"by": [{"column": "amount"}], "bogus": 1}
    doc["edges"].append({"source": "out", "target": "missing"})
    r = await api.client.post("/api/v1/flows/validate", json=doc, headers=user.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False
    by_node = {p["node_id"] for p in body["problems"]}
    assert {"ghost", "sorted"} <= by_node
    assert any("no_such_node" in p["message"] for p in body["problems"])
    assert any("missing" in p["message"] for p in body["problems"])
    assert len(body["problems"]) >= 3

    r = await api.client.post("/api/v1/flows/validate", json=make_flow_doc(), headers=user.headers)
    assert r.json() == {"valid": True, "problems": []}


async def test_unknown_fields_in_a_flow_document_are_refused(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    doc = make_flow_doc()
    doc["colour"] = "blue"
    doc["nodes"][0]["positon"] = {"x": 1}
    r = await api.client.post(
        "/api/v1/flows", json={"workspace_id": wid, "document": doc}, headers=owner.headers
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_flow"
    messages = " | ".join(p["message"] for p in error["details"])
    assert "colour" in messages and "positon" in messages
    assert "(and 1 more)" in error["message"]
    assert (await api.client.get("/api/v1/flows", headers=owner.headers)).json()["total"] == 0


async def test_failed_save_leaves_the_flow_and_versions_intact(
    api: Any, make_flow_doc: Any
) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    good = make_flow_doc()
    flow = await api.flow(owner, wid, good)
    await api.client.post(
        f"/api/v1/flows/{flow['id']}/versions", json={"comment": "v1"}, headers=owner.headers
    )

    bad = copy.deepcopy(good)
    bad["name"] = "broken"
    bad["nodes"][1]["config"] = {"by": [{"colum": "amount"}]}  # a typo in the config
    r = await api.client.put(
        f"/api/v1/flows/{flow['id']}", json={"document": bad}, headers=owner.headers
    )
    assert r.status_code == 422
    problems = r.json()["error"]["details"]
    assert problems[0]["node_id"] == "sorted"
    assert any("by.0.colum" in p["message"] for p in problems)

    r = await api.client.get(f"/api/v1/flows/{flow['id']}", headers=owner.headers)
    assert (r.json()["name"], r.json()["document"], r.json()["latest_version"]) == (
        "orders",
        good,
        1,
    )
    r = await api.client.get(f"/api/v1/flows/{flow['id']}/versions/1", headers=owner.headers)
    assert r.json()["document"] == good


async def test_document_that_is_not_an_object_is_422(api: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    r = await api.client.post(
        "/api/v1/flows", json={"workspace_id": wid, "document": ["nodes"]}, headers=owner.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.document"
    r = await api.client.post("/api/v1/flows/validate", json=[1, 2], headers=owner.headers)
    assert r.status_code == 422


async def test_documents_keep_their_key_order(api: Any, make_flow_doc: Any) -> None:
    # Key order is meaningful (static_data rows give the column order), on every database.
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    doc = make_flow_doc()
    doc["nodes"][0]["config"]["rows"] = [{"zeta": 1, "alpha": 2, "mid": 3}]
    doc["nodes"][1]["config"]["by"] = [{"column": "zeta"}]
    flow = await api.flow(owner, wid, doc)
    r = await api.client.get(f"/api/v1/flows/{flow['id']}/export", headers=owner.headers)
    assert list(r.json()["nodes"][0]["config"]["rows"][0]) == ["zeta", "alpha", "mid"]
    assert list(r.json()) == list(doc)
    run = (await api.client.post(f"/api/v1/flows/{flow['id']}/run", headers=owner.headers)).json()
    assert [c["name"] for c in run["outputs"]["result"]["columns"]] == ["zeta", "alpha", "mid"]


async def test_rename_parameter_rewrites_its_uses_and_stores_nothing(api: Any) -> None:
    owner = await api.user()
    doc = {
        "name": "renamed",
        "parameters": [{"name": "min", "type": "integer", "default": 2}],
        "nodes": [
            {"id": "src", "type": "static_data", "config": {"rows": [{"x": 1}, {"x": 3}]}},
            {"id": "keep", "type": "filter_rows", "config": {"condition": "x > @min"}},
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "src", "target": "keep"}, {"source": "keep", "target": "out"}],
    }
    url = "/api/v1/flows/rename-parameter"
    body = {"document": doc, "old": "min", "new": "floor"}
    r = await api.client.post(url, json=body, headers=owner.headers)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["document"]["parameters"][0]["name"] == "floor"
    assert answer["document"]["nodes"][1]["config"] == {"condition": "x > @floor"}
    assert answer["changed"] == [{"node_id": "keep", "field": "condition", "reason": None}]
    assert answer["skipped"] == []
    r = await api.client.post(
        "/api/v1/flows/validate", json=answer["document"], headers=owner.headers
    )
    assert r.json() == {"valid": True, "problems": []}

    r = await api.client.post(url, json={**body, "new": "2x"}, headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("new: '2x' is not a parameter name")
    r = await api.client.post(url, json={**body, "old": "max"}, headers=owner.headers)
    assert r.status_code == 422 and "no parameter named 'max'" in r.json()["error"]["message"]
    assert (await api.client.post(url, json=body)).status_code == 401
    assert (await api.client.get("/api/v1/flows", headers=owner.headers)).json()["total"] == 0
