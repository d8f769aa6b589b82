"""Published endpoints through real HTTP: a uvicorn server process on a loopback port.

Every error status of /execute, the rate limit at its exact boundary, and republishing while
calls keep arriving (none fails; the answers switch to the new version).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.server.published.helpers import assert_error, expected_orders, failing_doc, orders_doc
from tests.server.published.live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("live")) as live:
        yield live


class Setup:
    """Workspaces, flows, endpoints and keys made through the API of the live server."""

    def __init__(self, client: httpx.AsyncClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin

    async def workspace(self, name: str) -> str:
        r = await self.client.post("/api/v1/workspaces", json={"name": name}, headers=self.admin)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def flow(self, workspace: str, doc: dict[str, Any]) -> str:
        r = await self.client.post(
            "/api/v1/flows", json={"workspace_id": workspace, "document": doc}, headers=self.admin
        )
        assert r.status_code == 201, r.text
        flow_id = r.json()["id"]
        await self.version(flow_id)
        return flow_id

    async def version(self, flow_id: str, doc: dict[str, Any] | None = None) -> int:
        if doc is not None:
            r = await self.client.put(
                f"/api/v1/flows/{flow_id}", json={"document": doc}, headers=self.admin
            )
            assert r.status_code == 200, r.text
        r = await self.client.post(
            f"/api/v1/flows/{flow_id}/versions", json={"comment": "v"}, headers=self.admin
        )
        assert r.status_code == 201, r.text
        return r.json()["version"]

    async def publish(self, flow_id: str, endpoint: str, **options: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/flows/{flow_id}/publish",
            json={"endpoint": endpoint, **options},
            headers=self.admin,
        )

    async def key(self, workspace: str, **body: Any) -> dict[str, Any]:
        r = await self.client.post(
            f"/api/v1/workspaces/{workspace}/api-keys",
            json={"name": "k", **body},
            headers=self.admin,
        )
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
async def setup(server: LiveServer) -> Any:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield Setup(client, server.admin)


async def test_every_error_status(setup: Setup) -> None:
    c = setup.client
    sales, other = await setup.workspace("Sales"), await setup.workspace("Other")
    orders = await setup.flow(sales, orders_doc())
    assert (await setup.publish(orders, "live-orders")).status_code == 201
    fails = await setup.flow(sales, failing_doc())
    assert (await setup.publish(fails, "live-fails")).status_code == 201
    slow_doc = {
        **orders_doc(),
        "timeout_s": 0.3,
        "nodes": [*orders_doc()["nodes"], {"id": "nap", "type": "test_sleep", "config": {
            "seconds": 5}}],
        "edges": [{"source": "src", "target": "nap"}, {"source": "nap", "target": "keep"},
                  {"source": "keep", "target": "out"}],
    }  # fmt: skip
    slow = await setup.flow(sales, slow_doc)
    assert (await setup.publish(slow, "live-slow")).status_code == 201
    key = (await setup.key(sales))["key"]
    other_key = (await setup.key(other))["key"]
    narrow_key = (await setup.key(sales, endpoints=["live-fails"]))["key"]
    revoked = await setup.key(sales)
    r = await c.delete(f"/api/v1/workspaces/{sales}/api-keys/{revoked['id']}", headers=setup.admin)
    assert r.status_code == 204

    ok = await c.get("/execute/live-orders?min_amount=20", headers={"X-API-Key": key})
    assert ok.status_code == 200, ok.text
    assert ok.json()["outputs"]["result"] == expected_orders(20)

    assert_error(await c.get("/execute/nope", headers={"X-API-Key": key}), 404, "not_found")
    error = assert_error(await c.get("/execute/live-orders"), 401, "missing_api_key")
    assert "X-API-Key" in error["message"]
    wrong = {"X-API-Key": key[:-4] + "AAAA"}
    assert_error(await c.get("/execute/live-orders", headers=wrong), 401, "invalid_api_key")
    gone = {"Authorization": f"Bearer {revoked['key']}"}
    assert_error(await c.get("/execute/live-orders", headers=gone), 401, "revoked_api_key")
    theirs = {"X-API-Key": other_key}
    assert_error(await c.get("/execute/live-orders", headers=theirs), 403, "key_wrong_workspace")
    narrow = {"X-API-Key": narrow_key}
    error = assert_error(
        await c.get("/execute/live-orders", headers=narrow), 403, "key_wrong_endpoint"
    )
    assert "live-fails" in error["message"]

    r = await c.get("/execute/live-orders?min_amount=lots&colour=red", headers={"X-API-Key": key})
    error = assert_error(r, 422, "invalid_parameters")
    assert {d["field"] for d in error["details"]} == {"min_amount", "colour"}
    assert "'lots'" in error["message"]

    r = await c.get("/execute/live-slow", headers={"X-API-Key": key})
    error = assert_error(r, 504, "timeout")
    assert "0.3" in error["message"]

    r = await c.post("/execute/live-fails", json={}, headers=narrow)
    error = assert_error(r, 500, "node_failed")
    assert (error["node_id"], error["node_type"]) == ("bad", "filter_rows")
    assert "missing" in error["message"]


async def test_rate_limit_is_exact_at_the_boundary(setup: Setup) -> None:
    c = setup.client
    sales = await setup.workspace("Limits")
    flow = await setup.flow(sales, orders_doc())
    assert (await setup.publish(flow, "live-limited", rate_limit=5)).status_code == 201
    first, second = (await setup.key(sales))["key"], (await setup.key(sales))["key"]

    answers = [await c.get("/execute/live-limited", headers={"X-API-Key": first}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    refused = await c.get("/execute/live-limited", headers={"X-API-Key": first})
    error = assert_error(refused, 429, "rate_limited")
    retry_after = refused.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    assert error["details"]["retry_after"] == int(retry_after)
    # Limits are per caller: another key of the workspace still has its five.
    other = await c.get("/execute/live-limited", headers={"X-API-Key": second})
    assert other.status_code == 200


async def test_republish_under_load_fails_nothing_and_switches(setup: Setup) -> None:
    c = setup.client
    ws = await setup.workspace("Load")
    flow = await setup.flow(ws, orders_doc("v1"))
    assert (await setup.publish(flow, "live-load", auth="public")).status_code == 201
    assert (await setup.version(flow, orders_doc("v2"))) == 2

    answers: list[tuple[float, int, str | None]] = []
    stop = asyncio.Event()

    async def caller() -> None:
        async with httpx.AsyncClient(base_url=c.base_url, timeout=30) as own:
            while not stop.is_set():
                sent = time.monotonic()
                r = await own.get("/execute/live-load")
                marker = None
                if r.status_code == 200:
                    marker = r.json()["outputs"]["result"][0]["version"]
                answers.append((sent, r.status_code, marker))

    callers = [asyncio.create_task(caller()) for _ in range(6)]
    await asyncio.sleep(0.5)
    r = await setup.publish(flow, "live-load", auth="public", version=2)
    assert r.status_code == 200, r.text
    switched = time.monotonic()
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*callers)

    assert answers and all(status == 200 for _, status, _ in answers), {s for _, s, _ in answers}
    before = [m for sent, _, m in answers if sent < switched]
    after = [m for sent, _, m in answers if sent > switched]
    assert "v1" in before and after and set(after) == {"v2"}
    stats = await c.get("/execute/worker-stats", headers=setup.admin)
    assert stats.status_code == 200
    cached = [(e["endpoint"], e["version"]) for e in stats.json()["executors"]]
    assert ("live-load", 2) in cached and ("live-load", 1) not in cached
