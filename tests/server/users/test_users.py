"""/api/v1/users: the caller's profile and administrators' user management."""

from __future__ import annotations

from typing import Any


async def test_me_and_profile_update(api: Any) -> None:
    user = await api.user("grace@example.com")
    r = await api.client.get("/api/v1/users/me", headers=user.headers)
    assert r.status_code == 200
    body = r.json()
    assert (body["email"], body["is_admin"], body["is_active"]) == (
        "grace@example.com",
        False,
        True,
    )
    assert "password" not in str(body)
    r = await api.client.patch(
        "/api/v1/users/me", json={"full_name": "Grace Hopper"}, headers=user.headers
    )
    assert r.json()["full_name"] == "Grace Hopper"


async def test_change_own_password(api: Any) -> None:
    user = await api.user()
    r = await api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": "wrong one", "new_password": "a brand new pass"},
        headers=user.headers,
    )
    assert r.status_code == 401
    assert "current_password" in r.json()["error"]["message"]
    r = await api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": user.password, "new_password": "a brand new pass"},
        headers=user.headers,
    )
    assert r.status_code == 204
    login = {"email": user.email, "password": "a brand new pass"}
    assert (await api.client.post("/api/v1/auth/login", json=login)).status_code == 200
    login["password"] = user.password
    assert (await api.client.post("/api/v1/auth/login", json=login)).status_code == 401


async def test_new_password_too_short_is_422(api: Any) -> None:
    user = await api.user()
    r = await api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": user.password, "new_password": "short"},
        headers=user.headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.new_password"
    assert "at least 8" in r.json()["error"]["message"]


async def test_admin_creates_lists_reads_and_updates_users(api: Any) -> None:
    admin = await api.user("root@example.com", admin=True)
    r = await api.client.post(
        "/api/v1/users",
        json={"email": "New.Person@Example.com", "password": "long enough", "full_name": "New"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["email"] == "new.person@example.com" and not created["is_admin"]

    r = await api.client.get("/api/v1/users?q=new.per", headers=admin.headers)
    assert [u["email"] for u in r.json()["items"]] == ["new.person@example.com"]
    r = await api.client.get("/api/v1/users?limit=1&offset=1", headers=admin.headers)
    assert r.json()["total"] == 2 and len(r.json()["items"]) == 1

    r = await api.client.get(f"/api/v1/users/{created['id']}", headers=admin.headers)
    assert r.json()["full_name"] == "New"
    r = await api.client.patch(
        f"/api/v1/users/{created['id']}", json={"is_admin": True}, headers=admin.headers
    )
    assert r.json()["is_admin"] is True


async def test_duplicate_email_is_409(api: Any) -> None:
    admin = await api.user(admin=True)
    body = {"email": "dup@example.com", "password": "long enough"}
    assert (
        await api.client.post("/api/v1/users", json=body, headers=admin.headers)
    ).status_code == 201
    body["email"] = "DUP@example.com"
    r = await api.client.post("/api/v1/users", json=body, headers=admin.headers)
    assert r.status_code == 409
    assert "dup@example.com" in r.json()["error"]["message"]


async def test_bad_email_is_422(api: Any) -> None:
    admin = await api.user(admin=True)
    r = await api.client.post(
        "/api/v1/users",
        json={"email": "not-an-email", "password": "long enough"},
        headers=admin.headers,
    )
    assert r.status_code == 422
    assert "email address" in r.json()["error"]["message"]


async def test_non_admin_cannot_manage_users(api: Any) -> None:
    user = await api.user()
    r = await api.client.get("/api/v1/users", headers=user.headers)
    assert r.status_code == 403
    assert "administrator" in r.json()["error"]["message"]
    r = await api.client.post(
        "/api/v1/users",
        json={"email": "x@example.com", "password": "long enough"},
        headers=user.headers,
    )
    assert r.status_code == 403


async def test_admin_cannot_lock_themselves_out(api: Any) -> None:
    admin = await api.user(admin=True)
    for change in ({"is_active": False}, {"is_admin": False}):
        r = await api.client.patch(f"/api/v1/users/{admin.id}", json=change, headers=admin.headers)
        assert r.status_code == 409


async def test_unknown_user_id_is_404(api: Any) -> None:
    admin = await api.user(admin=True)
    r = await api.client.get(
        "/api/v1/users/00000000-0000-4000-8000-000000000000", headers=admin.headers
    )
    assert r.status_code == 404


async def test_racing_duplicate_creations_end_in_one_user_and_a_409(api: Any) -> None:
    import asyncio

    admin = await api.user(admin=True)
    body = {"email": "race@example.com", "password": "long enough"}
    replies = await asyncio.gather(
        *(api.client.post("/api/v1/users", json=body, headers=admin.headers) for _ in range(3))
    )
    codes = sorted(r.status_code for r in replies)
    assert codes == [201, 409, 409], [r.text for r in replies]
    for r in replies:
        if r.status_code == 409:
            assert r.json()["error"]["code"] in ("email_taken", "conflict")
            assert "Traceback" not in r.text and "INSERT" not in r.text
    r = await api.client.get("/api/v1/users?q=race", headers=admin.headers)
    assert r.json()["total"] == 1
