"""API keys: shown once, stored as SHA-256, listed without the secret, revoked; and what each
kind of wrong key gets from /execute."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from max_dp_server.models import ApiKey
from tests.server.conftest import Api
from tests.server.published.helpers import assert_error, orders_doc, publish


async def _key(api: Any, user: Any, ws: str, **body: Any) -> Any:
    return await api.client.post(
        f"/api/v1/workspaces/{ws}/api-keys", json={"name": "crm", **body}, headers=user.headers
    )


async def test_a_key_is_shown_once_and_stored_as_its_sha256(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    r = await _key(api, owner, ws, endpoints=["b-end", "a-end", "a-end"])
    assert r.status_code == 201, r.text
    created = r.json()
    key = created["key"]
    assert key.startswith(f"mdp_{created['prefix']}_") and len(key) > 50
    assert created["endpoints"] == ["a-end", "b-end"] and created["scopes"] == ["execute"]
    assert created["last_used_at"] is None and created["revoked_at"] is None

    async with api.state.sessionmaker() as session:
        (row,) = (await session.scalars(select(ApiKey))).all()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = {c.name: getattr(row, c.key) for c in ApiKey.__table__.columns}
    assert not any(key in str(v) for v in stored.values())

    r = await api.client.get(f"/api/v1/workspaces/{ws}/api-keys", headers=owner.headers)
    (listed,) = r.json()["items"]
    assert "key" not in listed and listed["prefix"] == created["prefix"]
    assert listed["name"] == "crm" and listed["id"] == created["id"]


async def test_bad_key_requests_name_the_field(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    for body, field in (
        ({"name": ""}, "body.name"),
        ({"endpoints": ["Not An Endpoint"]}, "body.endpoints.0"),
        ({"scopes": ["admin"]}, "body.scopes.0"),
        ({"scopes": []}, "body.scopes"),
        ({"secret": "x"}, "body.secret"),
    ):
        r = await _key(api, owner, ws, **body)
        error = assert_error(r, 422, "validation_error")
        assert error["details"][0]["field"] == field, body


async def test_only_editors_manage_keys(api: Any) -> None:
    owner, editor, viewer, outsider = [await api.user() for _ in range(4)]
    ws = (await api.workspace(owner))["id"]
    await api.add_member(owner, ws, editor, "editor")
    await api.add_member(owner, ws, viewer, "viewer")
    assert (await _key(api, editor, ws)).status_code == 201
    assert_error(await _key(api, viewer, ws), 403, "forbidden")
    assert_error(await _key(api, outsider, ws), 404, "not_found")
    r = await api.client.get(f"/api/v1/workspaces/{ws}/api-keys", headers=viewer.headers)
    assert_error(r, 403, "forbidden")
    assert_error(await api.client.post(f"/api/v1/workspaces/{ws}/api-keys", json={}), 401,
                 "unauthorized")  # fmt: skip


async def test_revoked_keys_are_refused_and_listed_on_request(api: Any) -> None:
    owner = await api.user()
    ws = (await api.workspace(owner))["id"]
    made = await publish(api, owner, ws, orders_doc(), "keyed")
    keys = (await api.client.get(f"/api/v1/workspaces/{ws}/api-keys", headers=owner.headers)).json()
    key_id = keys["items"][0]["id"]
    assert (await api.client.get("/execute/keyed", headers={"X-API-Key": made.key})).is_success

    url = f"/api/v1/workspaces/{ws}/api-keys/{key_id}"
    assert (await api.client.delete(url, headers=owner.headers)).status_code == 204
    assert (await api.client.delete(url, headers=owner.headers)).status_code == 204  # idempotent
    r = await api.client.get("/execute/keyed", headers={"X-API-Key": made.key})
    assert_error(r, 401, "revoked_api_key")
    r = await api.client.get(f"/api/v1/workspaces/{ws}/api-keys", headers=owner.headers)
    assert r.json()["items"] == []
    r = await api.client.get(
        f"/api/v1/workspaces/{ws}/api-keys?revoked=true", headers=owner.headers
    )
    (listed,) = r.json()["items"]
    assert listed["revoked_at"] is not None
    r = await api.client.delete(
        f"/api/v1/workspaces/{ws}/api-keys/{uuid.uuid4()}", headers=owner.headers
    )
    assert_error(r, 404, "not_found")
    other_ws = (await api.workspace(owner, "Other"))["id"]
    r = await api.client.delete(
        f"/api/v1/workspaces/{other_ws}/api-keys/{key_id}", headers=owner.headers
    )
    assert_error(r, 404, "not_found")


async def test_wrong_keys_get_401_or_403(api: Any) -> None:
    owner = await api.user()
    sales = (await api.workspace(owner, "Sales"))["id"]
    other = (await api.workspace(owner, "Other"))["id"]
    made = await publish(api, owner, sales, orders_doc(), "guarded")
    await publish(api, owner, sales, orders_doc(), "second", key=False)
    other_key = (await _key(api, owner, other)).json()["key"]
    narrow_key = (await _key(api, owner, sales, endpoints=["second"])).json()["key"]
    c = api.client

    assert_error(await c.get("/execute/guarded"), 401, "missing_api_key")
    wrong = made.key[:-6] + "abcdef"
    assert_error(await c.get("/execute/guarded", headers={"X-API-Key": wrong}), 401,
                 "invalid_api_key")  # fmt: skip
    assert_error(await c.get("/execute/guarded", headers={"X-API-Key": "plain"}), 401,
                 "invalid_api_key")  # fmt: skip
    r = await c.get("/execute/guarded", headers={"X-API-Key": other_key})
    assert_error(r, 403, "key_wrong_workspace")
    r = await c.get("/execute/guarded", headers={"Authorization": f"Bearer {narrow_key}"})
    error = assert_error(r, 403, "key_wrong_endpoint")
    assert "'guarded'" in error["message"] and "second" in error["message"]
    # The same keys where they belong.
    r = await c.get("/execute/second", headers={"Authorization": f"Bearer {narrow_key}"})
    assert r.status_code == 200
    r = await c.get("/execute/guarded", headers={"Authorization": f"Bearer {made.key}"})
    assert r.status_code == 200


async def test_last_use_is_recorded_in_batches(app_factory: Any) -> None:
    async with (
        app_factory(run_record_interval_seconds=3600) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        await app.state.maxdp.published.directory.reload()
        api = Api(app, client)
        owner = await api.user()
        ws = (await api.workspace(owner))["id"]
        made = await publish(api, owner, ws, orders_doc(), "used", record_runs="none")
        for _ in range(3):
            assert (await client.get("/execute/used", headers={"X-API-Key": made.key})).is_success
        url = f"/api/v1/workspaces/{ws}/api-keys"
        r = await client.get(url, headers=owner.headers)
        assert r.json()["items"][0]["last_used_at"] is None  # not written per request
        await api.state.published.recorder.flush()
        r = await client.get(url, headers=owner.headers)
        assert r.json()["items"][0]["last_used_at"] is not None
