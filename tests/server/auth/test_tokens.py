"""Access tokens (expired, forged, alg=none, missing claims) and refresh-token rotation."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import jwt
import pytest

from max_dp_server.auth.security import create_access_token

ME = "/api/v1/users/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(api: Any, user: Any) -> dict[str, Any]:
    r = await api.client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": user.password}
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_no_token_says_how_to_get_one(api: Any) -> None:
    r = await api.client.get(ME)
    assert r.status_code == 401
    assert "POST /api/v1/auth/login" in r.json()["error"]["message"]


async def test_expired_token_is_401_telling_to_refresh(api: Any, app: Any) -> None:
    user = await api.user()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    token = create_access_token(str(user.id), app.state.maxdp.secret_key, minutes=5, now=past)
    r = await api.client.get(ME, headers=bearer(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_expired"
    assert "/api/v1/auth/refresh" in r.json()["error"]["message"]


async def test_token_signed_with_another_key_is_refused(api: Any) -> None:
    user = await api.user()
    forged = create_access_token(str(user.id), "another-key-" + "x" * 40, minutes=5)
    r = await api.client.get(ME, headers=bearer(forged))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_alg_none_token_is_refused(api: Any) -> None:
    user = await api.user()
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims = {"sub": str(user.id), "iat": now, "exp": now + 600, "type": "access"}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    r = await api.client.get(ME, headers=bearer(unsigned))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_token"


async def test_token_using_another_hmac_algorithm_is_refused(api: Any, app: Any) -> None:
    user = await api.user()
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(user.id),
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        "type": "access",
    }
    token = jwt.encode(claims, app.state.maxdp.secret_key, algorithm="HS512")
    assert (await api.client.get(ME, headers=bearer(token))).status_code == 401


@pytest.mark.parametrize("missing", ["exp", "iat", "sub"])
async def test_token_without_a_required_claim_is_refused(api: Any, app: Any, missing: str) -> None:
    user = await api.user()
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(user.id),
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        "type": "access",
    }
    del claims[missing]
    token = jwt.encode(claims, app.state.maxdp.secret_key, algorithm="HS256")
    r = await api.client.get(ME, headers=bearer(token))
    assert r.status_code == 401
    assert missing in r.json()["error"]["message"]


async def test_garbage_and_non_access_tokens_are_refused(api: Any, app: Any) -> None:
    user = await api.user()
    assert (await api.client.get(ME, headers=bearer("not.a.jwt"))).status_code == 401
    now = dt.datetime.now(dt.UTC)
    other = jwt.encode(
        {"sub": str(user.id), "iat": now, "exp": now + dt.timedelta(minutes=5), "type": "refresh"},
        app.state.maxdp.secret_key,
        algorithm="HS256",
    )
    r = await api.client.get(ME, headers=bearer(other))
    assert r.status_code == 401
    assert "not an access token" in r.json()["error"]["message"]
    r = await api.client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401


async def test_token_of_a_deleted_or_disabled_user_is_refused(api: Any) -> None:
    admin = await api.user(admin=True)
    user = await api.user()
    await api.client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers
    )
    r = await api.client.get(ME, headers=user.headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "inactive_user"
    ghost = create_access_token(
        "6f1c0b8e-0000-4000-8000-000000000000", api.state.secret_key, minutes=5
    )
    assert (await api.client.get(ME, headers=bearer(ghost))).status_code == 401


async def test_refresh_rotates_the_token(api: Any) -> None:
    user = await api.user()
    first = await login(api, user)
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await api.client.get(ME, headers=bearer(second["access_token"]))).status_code == 200
    # The new one rotates again.
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert r.status_code == 200


async def test_reused_refresh_token_revokes_the_whole_family(api: Any) -> None:
    user = await api.user()
    first = await login(api, user)
    other_login = await login(api, user)
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    rotated = r.json()["refresh_token"]

    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_reused"
    assert "Log in again" in r.json()["error"]["message"]
    # The revocation was committed although the request failed: the rotated token is dead too.
    r = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": rotated})
    assert r.status_code == 401
    # Another login (another family) is untouched.
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
    )
    assert r.status_code == 200


async def test_unknown_and_expired_refresh_tokens(api: Any, app: Any) -> None:
    user = await api.user()
    r = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_token")
    tokens = await login(api, user)
    from sqlalchemy import update

    from max_dp_server.models import RefreshToken

    async with app.state.maxdp.sessionmaker.begin() as session:
        await session.execute(
            update(RefreshToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        )
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (401, "token_expired")


async def test_refresh_tokens_are_stored_hashed(api: Any, app: Any) -> None:
    user = await api.user()
    tokens = await login(api, user)
    from sqlalchemy import select

    from max_dp_server.models import RefreshToken

    async with app.state.maxdp.sessionmaker() as session:
        stored = (await session.scalars(select(RefreshToken.token_hash))).all()
    assert len(stored) == 1
    assert tokens["refresh_token"] not in stored[0] and len(stored[0]) == 64


async def test_logout_revokes_the_refresh_token(api: Any) -> None:
    user = await api.user()
    tokens = await login(api, user)
    r = await api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 204
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 401
    # Logging out twice (or with an unknown token) is harmless.
    r = await api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 204


async def test_refresh_for_a_disabled_user_is_refused(api: Any) -> None:
    admin = await api.user(admin=True)
    user = await api.user()
    tokens = await login(api, user)
    await api.client.patch(
        f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin.headers
    )
    r = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert r.status_code == 401
