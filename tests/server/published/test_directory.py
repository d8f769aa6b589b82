"""What one server process publishes, republishes, unpublishes or revokes is served by another
within the directory's refresh interval; by the process that made the change, at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.server.conftest import Api
from tests.server.published.helpers import expected_orders, orders_doc, publish

REFRESH_S = 0.1


@pytest.fixture
async def two_apps(app_factory: Any) -> AsyncIterator[list[Api]]:
    fast = {"endpoint_refresh_seconds": REFRESH_S}
    async with (
        app_factory(**fast) as first,
        app_factory(keep_data=True, **fast) as second,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://b") as b,
    ):
        yield [Api(first, a), Api(second, b)]


async def _eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll ``check`` (async, truthy when done); the bound is asserted in docs, not timed here."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the change never showed"
        await asyncio.sleep(REFRESH_S / 2)


async def test_changes_reach_the_other_process(two_apps: list[Api]) -> None:
    first, second = two_apps
    owner = await first.user()
    ws = (await first.workspace(owner))["id"]
    made = await publish(first, owner, ws, orders_doc("v1"), "spread")
    key = {"X-API-Key": made.key}

    async def served(api: Api, marker: str | None) -> bool:
        r = await api.client.get("/execute/spread", headers=key)
        if marker is None:
            return r.status_code == 404
        return r.status_code == 200 and r.json()["outputs"]["result"] == expected_orders(0, marker)

    await _eventually(lambda: served(second, "v1"))

    await first.client.put(
        f"/api/v1/flows/{made.flow_id}", json={"document": orders_doc("v2")}, headers=owner.headers
    )
    await first.client.post(f"/api/v1/flows/{made.flow_id}/versions", headers=owner.headers)
    r = await first.client.post(
        f"/api/v1/flows/{made.flow_id}/publish",
        json={"endpoint": "spread", "version": 2},
        headers=owner.headers,
    )
    assert r.status_code == 200
    assert await served(first, "v2")  # this process: at once
    await _eventually(lambda: served(second, "v2"))
    await _eventually(lambda: _not_cached(second, ("spread", 1)))

    r = await first.client.get(f"/api/v1/workspaces/{ws}/api-keys", headers=owner.headers)
    key_id = r.json()["items"][0]["id"]
    r = await first.client.delete(
        f"/api/v1/workspaces/{ws}/api-keys/{key_id}", headers=owner.headers
    )
    assert r.status_code == 204
    assert (await first.client.get("/execute/spread", headers=key)).status_code == 401

    async def revoked() -> bool:
        return (await second.client.get("/execute/spread", headers=key)).status_code == 401

    await _eventually(revoked)

    assert (
        await first.client.delete(f"/api/v1/flows/{made.flow_id}/publish", headers=owner.headers)
    ).status_code == 204
    await _eventually(lambda: _gone(second))


async def _not_cached(api: Api, key: tuple[str, int]) -> bool:
    return key not in api.state.workers


async def _gone(api: Api) -> bool:
    return (await api.client.get("/execute/spread")).status_code == 404
