"""Rate limits: the sliding window in memory and on Redis (shared by two app instances)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from max_dp_server.published.ratelimit import MemoryLimiter, RedisLimiter
from tests.server.conftest import Api
from tests.server.published.helpers import assert_error, orders_doc, publish

REDIS_ENV = "MAXDP_TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("MAXDP_REQUIRE_DB_TESTS") == "1":
            pytest.fail(f"Redis is required (MAXDP_REQUIRE_DB_TESTS=1) but {REDIS_ENV} is unset")
        pytest.skip(f"Redis tests skipped: set {REDIS_ENV}=redis://127.0.0.1:6379/0")
    return url


@pytest.fixture
def prefix() -> str:
    """Keys of one test run only, so runs in parallel or leftovers never interfere."""
    return f"maxdp-test-{secrets.token_hex(6)}:"


def test_memory_window_is_exact_and_slides() -> None:
    limiter = MemoryLimiter()
    assert [limiter.check("a", 3, now=t) for t in (0.0, 10.0, 20.0)] == [0, 0, 0]
    assert limiter.check("a", 3, now=30.0) == 30  # the call at 0 leaves the window at 60
    assert limiter.check("a", 3, now=59.5) == 1  # never 0 while refused
    assert limiter.check("b", 3, now=30.0) == 0  # another caller has its own window
    assert limiter.check("a", 3, now=60.0) == 0  # the call at 0 has left
    assert limiter.check("a", 3, now=60.1) == 10  # 10, 20, 60 are in; 10 leaves at 70
    # Refused calls are not counted: waiting out the window is enough.
    assert limiter.check("a", 3, now=70.0) == 0
    # A limit lowered since: wait until enough calls have left to be under it.
    assert limiter.check("a", 2, now=71.0) == 49  # 20 and 60 must leave: at 120


async def test_redis_window_is_exact(redis_url: str, prefix: str) -> None:
    limiter = RedisLimiter(redis_url, prefix)
    try:
        answers = [await limiter.hit("e|k", 4) for _ in range(5)]
        assert answers[:4] == [0] * 4
        assert 59 <= answers[4] <= 60
        assert await limiter.hit("e|other", 4) == 0
    finally:
        await limiter.close()


async def test_unreachable_redis_falls_back_to_the_process(prefix: str) -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0", prefix)
    try:
        assert [await limiter.hit("e|k", 2) for _ in range(3)][:2] == [0, 0]
        assert await limiter.hit("e|k", 2) > 0
    finally:
        await limiter.close()


@pytest.fixture
async def two_apps(app_factory: Any, redis_url: str, prefix: str) -> AsyncIterator[list[Api]]:
    """Two app instances (two 'server processes') on one database and one Redis."""
    shared = {"redis_url": redis_url, "redis_prefix": prefix}
    async with (
        app_factory(**shared) as first,
        app_factory(keep_data=True, **shared) as second,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://b") as b,
    ):
        yield [Api(first, a), Api(second, b)]


async def test_the_limit_holds_across_two_app_instances(two_apps: list[Api]) -> None:
    first, second = two_apps
    owner = await first.user()
    ws = (await first.workspace(owner))["id"]
    made = await publish(first, owner, ws, orders_doc(), "shared", rate_limit=3)
    await second.state.published.directory.reload()  # as its refresh would within 2 s
    key = {"X-API-Key": made.key}

    statuses = [
        (await api.client.get("/execute/shared", headers=key)).status_code
        for api in (first, second, first)
    ]
    assert statuses == [200, 200, 200]
    for api in (second, first):
        r = await api.client.get("/execute/shared", headers=key)
        error = assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) == error["details"]["retry_after"] >= 1
