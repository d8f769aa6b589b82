"""/api/v1/workspaces: CRUD, search and paging, members and roles, object-level checks."""

from __future__ import annotations

from typing import Any


async def test_create_read_update_delete(api: Any) -> None:
    owner = await api.user()
    workspace = await api.workspace(owner, "Sales")
    assert workspace["role"] == "admin"
    wid = workspace["id"]
    r = await api.client.patch(
        f"/api/v1/workspaces/{wid}", json={"description": "EMEA"}, headers=owner.headers
    )
    assert (r.status_code, r.json()["name"], r.json()["description"]) == (200, "Sales", "EMEA")
    await api.flow(owner, wid)
    r = await api.client.delete(f"/api/v1/workspaces/{wid}", headers=owner.headers)
    assert r.status_code == 204
    assert (
        await api.client.get(f"/api/v1/workspaces/{wid}", headers=owner.headers)
    ).status_code == 404
    # Its flows went with it.
    r = await api.client.get("/api/v1/flows", headers=owner.headers)
    assert r.json()["total"] == 0


async def test_list_shows_only_my_workspaces_with_search_and_paging(api: Any) -> None:
    me = await api.user()
    other = await api.user()
    for name in ("Alpha", "Beta", "Gamma"):
        await api.workspace(me, name)
    await api.workspace(other, "Alpha of someone else")
    r = await api.client.get("/api/v1/workspaces", headers=me.headers)
    assert [w["name"] for w in r.json()["items"]] == ["Alpha", "Beta", "Gamma"]
    assert r.json()["total"] == 3
    r = await api.client.get("/api/v1/workspaces?q=alph", headers=me.headers)
    assert [w["name"] for w in r.json()["items"]] == ["Alpha"]
    r = await api.client.get("/api/v1/workspaces?limit=2&offset=2", headers=me.headers)
    body = r.json()
    assert ([w["name"] for w in body["items"]], body["total"], body["limit"], body["offset"]) == (
        ["Gamma"],
        3,
        2,
        2,
    )


async def test_search_treats_wildcards_literally(api: Any) -> None:
    me = await api.user()
    await api.workspace(me, "100% done")
    await api.workspace(me, "1000 rows")
    r = await api.client.get("/api/v1/workspaces", params={"q": "0%"}, headers=me.headers)
    assert [w["name"] for w in r.json()["items"]] == ["100% done"]


async def test_foreign_workspace_is_404_like_a_missing_one(api: Any) -> None:
    owner = await api.user()
    stranger = await api.user()
    wid = (await api.workspace(owner))["id"]
    foreign = await api.client.get(f"/api/v1/workspaces/{wid}", headers=stranger.headers)
    missing = await api.client.get(
        "/api/v1/workspaces/00000000-0000-4000-8000-000000000000", headers=stranger.headers
    )
    assert foreign.status_code == missing.status_code == 404
    assert "Sales" not in foreign.text
    r = await api.client.delete(f"/api/v1/workspaces/{wid}", headers=stranger.headers)
    assert r.status_code == 404


async def test_server_admin_sees_every_workspace(api: Any) -> None:
    owner = await api.user()
    admin = await api.user(admin=True)
    wid = (await api.workspace(owner))["id"]
    r = await api.client.get(f"/api/v1/workspaces/{wid}", headers=admin.headers)
    assert (r.status_code, r.json()["role"]) == (200, "admin")


async def test_members_roles_and_their_limits(api: Any) -> None:
    owner = await api.user()
    viewer = await api.user("viewer@example.com")
    editor = await api.user("editor@example.com")
    wid = (await api.workspace(owner))["id"]
    await api.add_member(owner, wid, viewer, "viewer")
    r = await api.client.put(
        f"/api/v1/workspaces/{wid}/members",
        json={"email": "EDITOR@example.com", "role": "editor"},
        headers=owner.headers,
    )
    assert (r.status_code, r.json()["email"], r.json()["role"]) == (
        200,
        "editor@example.com",
        "editor",
    )

    r = await api.client.get(f"/api/v1/workspaces/{wid}/members", headers=viewer.headers)
    assert sorted((m["email"], m["role"]) for m in r.json()) == [
        ("editor@example.com", "editor"),
        ("user1@example.com", "admin"),
        ("viewer@example.com", "viewer"),
    ]
    # Only workspace admins manage members or the workspace itself.
    for who in (viewer, editor):
        r = await api.client.patch(
            f"/api/v1/workspaces/{wid}", json={"name": "x"}, headers=who.headers
        )
        assert r.status_code == 403
        assert "admin" in r.json()["error"]["message"]
        r = await api.client.put(
            f"/api/v1/workspaces/{wid}/members",
            json={"user_id": str(who.id), "role": "admin"},
            headers=who.headers,
        )
        assert r.status_code == 403


async def test_viewer_cannot_write_flows(api: Any, make_flow_doc: Any) -> None:
    owner = await api.user()
    viewer = await api.user()
    wid = (await api.workspace(owner))["id"]
    flow = await api.flow(owner, wid)
    await api.add_member(owner, wid, viewer, "viewer")
    r = await api.client.post(
        "/api/v1/flows",
        json={"workspace_id": wid, "document": make_flow_doc()},
        headers=viewer.headers,
    )
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "forbidden"
    assert "your role in workspace 'Sales' is viewer" in error["message"]
    assert error["details"] == {"role": "viewer", "needed": "editor"}
    for method, path, body in (
        ("PUT", f"/api/v1/flows/{flow['id']}", {"document": make_flow_doc()}),
        ("DELETE", f"/api/v1/flows/{flow['id']}", None),
        ("POST", f"/api/v1/flows/{flow['id']}/versions", {"comment": "x"}),
        ("POST", f"/api/v1/flows/{flow['id']}/run", {}),
    ):
        r = await api.client.request(method, path, json=body, headers=viewer.headers)
        assert r.status_code == 403, (method, path, r.text)
    # Reading is fine.
    assert (
        await api.client.get(f"/api/v1/flows/{flow['id']}", headers=viewer.headers)
    ).status_code == 200


async def test_last_admin_cannot_be_removed_or_demoted(api: Any) -> None:
    owner = await api.user()
    other = await api.user()
    wid = (await api.workspace(owner))["id"]
    members = (
        await api.client.get(f"/api/v1/workspaces/{wid}/members", headers=owner.headers)
    ).json()
    mine = members[0]["id"]
    r = await api.client.delete(f"/api/v1/workspaces/{wid}/members/{mine}", headers=owner.headers)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "last_admin")
    r = await api.client.put(
        f"/api/v1/workspaces/{wid}/members",
        json={"user_id": str(owner.id), "role": "viewer"},
        headers=owner.headers,
    )
    assert r.status_code == 409
    # With a second admin, the first can step down.
    await api.add_member(owner, wid, other, "admin")
    r = await api.client.delete(f"/api/v1/workspaces/{wid}/members/{mine}", headers=owner.headers)
    assert r.status_code == 204
    assert (
        await api.client.get(f"/api/v1/workspaces/{wid}", headers=owner.headers)
    ).status_code == 404


async def test_member_target_must_be_exactly_one(api: Any) -> None:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    r = await api.client.put(
        f"/api/v1/workspaces/{wid}/members", json={"role": "viewer"}, headers=owner.headers
    )
    assert r.status_code == 422
    assert "exactly one of user_id, email or group_id" in r.json()["error"]["message"]
    r = await api.client.put(
        f"/api/v1/workspaces/{wid}/members",
        json={"email": "ghost@example.com", "role": "viewer"},
        headers=owner.headers,
    )
    assert r.status_code == 404
    r = await api.client.put(
        f"/api/v1/workspaces/{wid}/members",
        json={"email": "ghost@example.com", "role": "owner"},
        headers=owner.headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.role"
