"""POST /api/v1/auth/login: credentials, disabled accounts, the per-IP rate limit."""

from __future__ import annotations

from typing import Any

import jwt

from max_dp_server.auth.security import ALGORITHM


async def login(client: Any, email: str, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_login_returns_a_pinned_access_token_and_a_refresh_token(api: Any) -> None:
    user = await api.user("Ada@Example.com")
    r = await login(api.client, "  ADA@example.COM ", user.password)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert jwt.get_unverified_header(body["access_token"])["alg"] == ALGORITHM
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - claims["iat"] == 15 * 60
    me = await api.client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["email"] == "ada@example.com"
    assert me.json()["last_login_at"] is not None


async def test_wrong_password_and_unknown_email_answer_alike(api: Any) -> None:
    user = await api.user()
    wrong = await login(api.client, user.email, "not the password")
    unknown = await login(api.client, "nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == "wrong email or password"
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


async def test_disabled_user_cannot_log_in(api: Any) -> None:
    admin = await api.user(admin=True)
    user = await api.user()
    r = await api.client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers
    )
    assert r.status_code == 200
    r = await login(api.client, user.email, user.password)
    assert r.status_code == 401
    assert "disabled" in r.json()["error"]["message"]


async def test_login_is_rate_limited_per_client(api: Any) -> None:
    user = await api.user()
    limit = api.state.settings.login_rate_limit
    for _ in range(limit):
        assert (await login(api.client, user.email, "wrong password")).status_code == 401
    r = await login(api.client, user.email, user.password)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    error = r.json()["error"]
    assert error["code"] == "rate_limited"
    assert "try again in" in error["message"]
    assert error["details"]["retry_after"] == int(r.headers["Retry-After"])


async def test_missing_password_is_422_naming_the_field(api: Any) -> None:
    r = await api.client.post("/api/v1/auth/login", json={"email": "a@example.com"})
    assert r.status_code == 422
    assert r.json()["error"]["details"][0]["field"] == "body.password"
    assert "input" not in r.json()["error"]["details"][0]
