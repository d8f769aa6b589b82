"""/api/v1/groups, and workspace access granted to a whole group."""

from __future__ import annotations

from typing import Any


async def test_group_crud_and_membership(api: Any) -> None:
    admin = await api.user(admin=True)
    member = await api.user("m@example.com")
    r = await api.client.post("/api/v1/groups", json={"name": "analysts"}, headers=admin.headers)
    assert r.status_code == 201
    group = r.json()
    assert group["members"] == []
    r = await api.client.put(
        f"/api/v1/groups/{group['id']}/members/{member.id}", headers=admin.headers
    )
    assert r.status_code == 204
    # Adding twice is harmless.
    await api.client.put(f"/api/v1/groups/{group['id']}/members/{member.id}", headers=admin.headers)
    r = await api.client.get(f"/api/v1/groups/{group['id']}", headers=admin.headers)
    assert [m["email"] for m in r.json()["members"]] == ["m@example.com"]
    r = await api.client.get("/api/v1/groups?q=analy", headers=admin.headers)
    assert r.json()["total"] == 1

    r = await api.client.post("/api/v1/groups", json={"name": "analysts"}, headers=admin.headers)
    assert r.status_code == 409

    r = await api.client.delete(
        f"/api/v1/groups/{group['id']}/members/{member.id}", headers=admin.headers
    )
    assert r.status_code == 204
    r = await api.client.delete(f"/api/v1/groups/{group['id']}", headers=admin.headers)
    assert r.status_code == 204
    r = await api.client.get(f"/api/v1/groups/{group['id']}", headers=admin.headers)
    assert r.status_code == 404


async def test_only_admins_manage_groups(api: Any) -> None:
    user = await api.user()
    r = await api.client.post("/api/v1/groups", json={"name": "g"}, headers=user.headers)
    assert r.status_code == 403


async def test_group_membership_grants_workspace_access(api: Any) -> None:
    admin = await api.user(admin=True)
    owner = await api.user("owner@example.com")
    member = await api.user("member@example.com")
    workspace = await api.workspace(owner, "Shared")
    flow = await api.flow(owner, workspace["id"])
    r = await api.client.get(f"/api/v1/flows/{flow['id']}", headers=member.headers)
    assert r.status_code == 404

    group = (
        await api.client.post("/api/v1/groups", json={"name": "readers"}, headers=admin.headers)
    ).json()
    await api.client.put(f"/api/v1/groups/{group['id']}/members/{member.id}", headers=admin.headers)
    r = await api.client.put(
        f"/api/v1/workspaces/{workspace['id']}/members",
        json={"group_id": group["id"], "role": "viewer"},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["group_name"] == "readers"

    r = await api.client.get(f"/api/v1/flows/{flow['id']}", headers=member.headers)
    assert r.status_code == 200
    r = await api.client.get("/api/v1/workspaces", headers=member.headers)
    assert [(w["name"], w["role"]) for w in r.json()["items"]] == [("Shared", "viewer")]
    # Viewer through the group: reading yes, writing no.
    r = await api.client.delete(f"/api/v1/flows/{flow['id']}", headers=member.headers)
    assert r.status_code == 403
    # A direct editor role beats the group's viewer role.
    await api.add_member(owner, workspace["id"], member, "editor")
    r = await api.client.get(f"/api/v1/workspaces/{workspace['id']}", headers=member.headers)
    assert r.json()["role"] == "editor"
