"""/api/v1/workspaces/{id}/mappings and /api/v1/mappings/{id}: CRUD, validation, roles, foreign
ids, and a mapping whose connection is deleted."""

from __future__ import annotations

from typing import Any

# The PRD's example (3.1.2), camelCase keys as the PRD writes them.
PRD_FIELDS = {
    "customer_id": {"displayName": "고객ID", "type": "number", "filterable": True},
    "name": {"displayName": "고객명", "type": "string", "filterable": True},
    "phone": {"displayName": "휴대폰번호", "type": "string", "filterable": True},
    "email": {"displayName": "이메일", "type": "string", "filterable": True},
}


def prd_mapping(name: str = "customers", **extra: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "connection": "crm",
        "table": "customers",
        "displayName": "고객 정보",
        "description": "고객 기본 정보 및 연락처",
        "fields": PRD_FIELDS,
    }
    body.update(extra)
    return body


async def _workspace(api: Any, *, connection: bool = True) -> tuple[Any, str]:
    owner = await api.user()
    wid = (await api.workspace(owner))["id"]
    if connection:
        body = {"name": "crm", "kind": "mysql", "host": "db", "user": "r", "database": "shop"}
        r = await api.client.post(
            f"/api/v1/workspaces/{wid}/connections", json=body, headers=owner.headers
        )
        assert r.status_code == 201, r.text
    return owner, wid


async def test_crud_keeps_the_prd_mapping_and_its_field_order(api: Any) -> None:
    owner, wid = await _workspace(api)
    base = f"/api/v1/workspaces/{wid}/mappings"
    # Not alphabetical on purpose: the field order is the display order.
    fields = {"phone": PRD_FIELDS["phone"], **PRD_FIELDS, "plan": {"display_name": "요금제"}}
    r = await api.client.post(base, json=prd_mapping(fields=fields), headers=owner.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["name"], created["connection"], created["table"]) == (
        "customers",
        "crm",
        "customers",
    )
    assert created["display_name"] == "고객 정보" and created["schema"] is None
    assert list(created["fields"]) == ["phone", "customer_id", "name", "email", "plan"]
    assert created["fields"]["customer_id"] == {
        "display_name": "고객ID",
        "type": "number",
        "filterable": True,
        "description": "",
    }
    assert created["fields"]["plan"] == {
        "display_name": "요금제",
        "type": "string",
        "filterable": False,
        "description": "",
    }
    assert created["filterable_fields"] == ["phone", "customer_id", "name", "email"]

    mid = created["id"]
    r = await api.client.get(f"/api/v1/mappings/{mid}", headers=owner.headers)
    assert list(r.json()["fields"]) == ["phone", "customer_id", "name", "email", "plan"]

    r = await api.client.patch(
        f"/api/v1/mappings/{mid}",
        json={"displayName": "고객", "fields": {"name": {"display_name": "이름"}}},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "고객"
    assert r.json()["fields"] == {
        "name": {"display_name": "이름", "type": "string", "filterable": False, "description": ""}
    }
    assert r.json()["description"] == "고객 기본 정보 및 연락처"  # left out: kept

    await api.client.post(
        base, json=prd_mapping("payments", table="payments"), headers=owner.headers
    )
    r = await api.client.get(base, headers=owner.headers)
    assert [m["name"] for m in r.json()["items"]] == ["customers", "payments"]
    r = await api.client.get(base, params={"q": "pay"}, headers=owner.headers)
    assert [m["name"] for m in r.json()["items"]] == ["payments"]

    r = await api.client.delete(f"/api/v1/mappings/{mid}", headers=owner.headers)
    assert r.status_code == 204
    assert (
        await api.client.get(f"/api/v1/mappings/{mid}", headers=owner.headers)
    ).status_code == 404


async def test_invalid_mappings_are_refused_with_the_field(api: Any) -> None:
    owner, wid = await _workspace(api)
    base = f"/api/v1/workspaces/{wid}/mappings"

    async def post(body: dict[str, Any]) -> Any:
        return await api.client.post(base, json=body, headers=owner.headers)

    same = {"a": {"display_name": "이름"}, "b": {"display_name": "이름"}}
    r = await post(prd_mapping(fields=same))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_mapping"
    assert "fields 'a' and 'b' share the display name '이름'" in r.json()["error"]["message"]

    r = await post(prd_mapping(fields={"a": {"type": "money"}}))
    assert r.status_code == 422 and "fields.a.type" in r.json()["error"]["message"]
    r = await post(prd_mapping(fields={"a": {"filterabel": True}}))
    assert r.status_code == 422 and "fields.a.filterabel" in r.json()["error"]["message"]
    r = await post(prd_mapping(fields={}))
    assert r.status_code == 422
    r = await post(prd_mapping(connection="nope"))
    assert r.status_code == 422
    assert r.json()["error"]["message"] == (
        "connection: no connection named 'nope' in this workspace (configured: crm)"
    )
    assert (await post(prd_mapping())).status_code == 201
    r = await post(prd_mapping())
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_name"


async def test_deleting_the_connection_leaves_the_mapping_without_one(api: Any) -> None:
    owner, wid = await _workspace(api)
    r = await api.client.post(
        f"/api/v1/workspaces/{wid}/mappings", json=prd_mapping(), headers=owner.headers
    )
    mid = r.json()["id"]
    r = await api.client.get(f"/api/v1/workspaces/{wid}/connections", headers=owner.headers)
    cid = r.json()["items"][0]["id"]
    assert (
        await api.client.delete(f"/api/v1/connections/{cid}", headers=owner.headers)
    ).status_code == 204
    r = await api.client.get(f"/api/v1/mappings/{mid}", headers=owner.headers)
    assert (r.json()["connection"], r.json()["connection_id"]) == (None, None)
    assert r.json()["table"] == "customers"


async def test_roles_and_foreign_ids(api: Any) -> None:
    owner, wid = await _workspace(api)
    viewer, stranger = await api.user(), await api.user()
    await api.add_member(owner, wid, viewer, "viewer")
    await api.workspace(stranger, "Mine")
    base = f"/api/v1/workspaces/{wid}/mappings"
    r = await api.client.post(base, json=prd_mapping(), headers=owner.headers)
    mid = r.json()["id"]

    assert (
        await api.client.post(base, json=prd_mapping("x"), headers=viewer.headers)
    ).status_code == 403
    assert (await api.client.get(base, headers=viewer.headers)).json()["total"] == 1
    assert (
        await api.client.get(f"/api/v1/mappings/{mid}", headers=viewer.headers)
    ).status_code == 200
    r = await api.client.patch(
        f"/api/v1/mappings/{mid}", json={"description": "x"}, headers=viewer.headers
    )
    assert r.status_code == 403
    assert (
        await api.client.delete(f"/api/v1/mappings/{mid}", headers=viewer.headers)
    ).status_code == 403
    r = await api.client.post(
        f"{base}/auto-map", json={"connection": "crm", "table": "customers"}, headers=viewer.headers
    )
    assert r.status_code == 403

    for method, path, body in (
        ("GET", base, None),
        ("POST", base, prd_mapping("y")),
        ("POST", f"{base}/auto-map", {"connection": "crm", "table": "customers"}),
    ):
        r = await api.client.request(method, path, json=body, headers=stranger.headers)
        assert r.status_code == 404, (method, path)
        assert r.json()["error"]["message"] == f"no workspace with id {wid}"
    for method in ("GET", "PATCH", "DELETE"):
        body = {"description": "x"} if method == "PATCH" else None
        r = await api.client.request(
            method, f"/api/v1/mappings/{mid}", json=body, headers=stranger.headers
        )
        assert r.status_code == 404
        assert r.json()["error"]["message"] == f"no table mapping with id {mid}"
