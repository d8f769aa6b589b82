"""Publishing, republishing and unpublishing flows; listing endpoints; who may do it."""

from __future__ import annotations

from typing import Any

from tests.server.published.helpers import assert_error, expected_orders, orders_doc, publish


async def _flow(api: Any, owner: Any, ws: str, doc: dict[str, Any], versions: int = 1) -> str:
    flow = await api.flow(owner, ws, doc)
    for _ in range(versions):
        r = await api.client.post(
            f"/api/v1/flows/{flow['id']}/versions", json={"comment": ""}, headers=owner.headers
        )
        assert r.status_code == 201
    return flow["id"]


async def test_publish_defaults_to_the_latest_version_and_serves_it(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flow_id = await _flow(api, owner, ws, orders_doc("v1"))
    await api.client.put(
        f"/api/v1/flows/{flow_id}", json={"document": orders_doc("v2")}, headers=owner.headers
    )
    await api.client.post(f"/api/v1/flows/{flow_id}/versions", json={}, headers=owner.headers)
    # The current document (not a saved version) must never be what is served.
    await api.client.put(
        f"/api/v1/flows/{flow_id}", json={"document": orders_doc("draft")}, headers=owner.headers
    )

    r = await api.client.post(
        f"/api/v1/flows/{flow_id}/publish",
        json={"endpoint": "orders", "auth": "public"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["version"], body["auth"], body["mode"], body["record_runs"]) == (
        2,
        "public",
        "sync",
        "all",
    )
    assert body["url"] == "/execute/orders" and body["rate_limit"] is None
    r = await api.client.get("/execute/orders")
    assert r.json()["outputs"]["result"] == expected_orders(0, "v2")

    r = await api.client.post(
        f"/api/v1/flows/{flow_id}/publish",
        json={"endpoint": "orders", "auth": "public", "version": 1},
        headers=owner.headers,
    )
    assert r.status_code == 200 and r.json()["version"] == 1
    r = await api.client.get("/execute/orders")
    assert r.json()["outputs"]["result"] == expected_orders(0, "v1")
    # The version no longer served is dropped from the executor cache.
    assert ("orders", 1) in api.state.workers and ("orders", 2) not in api.state.workers


async def test_a_flow_without_a_saved_version_cannot_be_published(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flow_id = await _flow(api, owner, ws, orders_doc(), versions=0)
    r = await api.client.post(
        f"/api/v1/flows/{flow_id}/publish", json={"endpoint": "orders"}, headers=owner.headers
    )
    error = assert_error(r, 422, "no_saved_version")
    assert f"/api/v1/flows/{flow_id}/versions" in error["message"]


async def test_bad_requests_name_their_field(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    flow_id = await _flow(api, owner, ws, orders_doc())
    url = f"/api/v1/flows/{flow_id}/publish"
    for name in ("Orders", "-x", "a", "x" * 64, "has space", "ünïcode"):
        r = await api.client.post(url, json={"endpoint": name}, headers=owner.headers)
        error = assert_error(r, 422, "validation_error")
        assert error["details"][0]["field"] == "body.endpoint", name
    r = await api.client.post(url, json={"endpoint": "health"}, headers=owner.headers)
    assert "reserved" in assert_error(r, 422, "validation_error")["message"]
    r = await api.client.post(url, json={"endpoint": "ok", "version": 9}, headers=owner.headers)
    error = assert_error(r, 422, "validation_error")
    assert error["details"][0]["field"] == "version" and "1..1" in error["message"]
    r = await api.client.post(
        url, json={"endpoint": "ok", "auth": "password", "rate_limit": 0}, headers=owner.headers
    )
    fields = {d["field"] for d in assert_error(r, 422, "validation_error")["details"]}
    assert fields == {"body.auth", "body.rate_limit"}


async def test_endpoint_names_are_unique(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    await publish(api, owner, ws, orders_doc(), "taken", key=False)
    other = await _flow(api, owner, ws, orders_doc())
    r = await api.client.post(
        f"/api/v1/flows/{other}/publish", json={"endpoint": "taken"}, headers=owner.headers
    )
    assert_error(r, 409, "endpoint_taken")


async def test_roles_viewers_list_editors_publish_outsiders_see_nothing(api: Any) -> None:
    owner, viewer, editor, outsider = [await api.user() for _ in range(4)]
    ws = (await api.workspace(owner))["id"]
    await api.add_member(owner, ws, viewer, "viewer")
    await api.add_member(owner, ws, editor, "editor")
    made = await publish(api, owner, ws, orders_doc(), "roles", key=False)
    url = f"/api/v1/flows/{made.flow_id}/publish"

    r = await api.client.post(url, json={"endpoint": "roles-2"}, headers=viewer.headers)
    assert_error(r, 403, "forbidden")
    r = await api.client.delete(url, headers=viewer.headers)
    assert_error(r, 403, "forbidden")
    r = await api.client.get(url, headers=viewer.headers)
    assert [e["endpoint"] for e in r.json()] == ["roles"]
    r = await api.client.post(url, json={"endpoint": "roles-2"}, headers=editor.headers)
    assert r.status_code == 201
    r = await api.client.post(url, json={"endpoint": "roles-3"}, headers=outsider.headers)
    assert_error(r, 404, "not_found")

    r = await api.client.get("/api/v1/endpoints", headers=viewer.headers)
    assert [e["endpoint"] for e in r.json()["items"]] == ["roles", "roles-2"]
    r = await api.client.get("/api/v1/endpoints", headers=outsider.headers)
    assert r.json()["items"] == [] and r.json()["total"] == 0
    r = await api.client.get(f"/api/v1/endpoints?workspace_id={ws}", headers=outsider.headers)
    assert_error(r, 404, "not_found")


async def test_unpublish_stops_serving(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, orders_doc(), "gone", auth="public", key=False)
    url = f"/api/v1/flows/{made.flow_id}/publish"
    r = await api.client.post(
        url, json={"endpoint": "also", "auth": "public"}, headers=owner.headers
    )
    assert r.status_code == 201
    assert (await api.client.get("/execute/gone")).status_code == 200

    r = await api.client.delete(f"{url}?endpoint=gone", headers=owner.headers)
    assert r.status_code == 204
    assert_error(await api.client.get("/execute/gone"), 404, "not_found")
    assert (await api.client.get("/execute/also")).status_code == 200
    assert not any(e["endpoint"] == "gone" for e in api.state.workers.stats()["executors"])

    assert (await api.client.delete(url, headers=owner.headers)).status_code == 204
    assert_error(await api.client.get("/execute/also"), 404, "not_found")
    assert_error(await api.client.delete(url, headers=owner.headers), 404, "not_found")
    # The name is free again, for any flow.
    other = await _flow(api, owner, ws, orders_doc("v9"))
    r = await api.client.post(
        f"/api/v1/flows/{other}/publish",
        json={"endpoint": "gone", "auth": "public"},
        headers=owner.headers,
    )
    assert r.status_code == 201
    r = await api.client.get("/execute/gone")
    assert r.json()["outputs"]["result"] == expected_orders(0, "v9")


async def test_disabled_endpoint_answers_404(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    await publish(api, owner, ws, orders_doc(), "off", auth="public", enabled=False, key=False)
    assert_error(await api.client.get("/execute/off"), 404, "not_found")
