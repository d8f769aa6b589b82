"""Per-endpoint, per-caller rate limits for ``/execute``: requests per minute.

Both limiters keep a sliding window log: the time of every accepted call in the last 60 s.
A call is accepted while fewer than ``limit`` calls were accepted in the 60 s before it, so the
Nth call in a minute passes and the N+1th is refused, whenever in the minute they come. A fixed
window (one counter per calendar minute) would be a single INCR, but lets a caller send 2N calls
in two seconds across a minute boundary; the log costs one small sorted set per active caller
and never allows more than N in any 60 s. Refused calls are not logged, so a caller hammering
a closed window does not push its own reopening further away.

``Retry-After`` is the whole seconds until the oldest logged call leaves the window (at least 1).

>>> limiter = MemoryLimiter()
>>> [limiter.check("k", 2, now=t) for t in (0.0, 1.0, 2.0)]
[0, 0, 58]
>>> limiter.check("k", 2, now=60.5)
0
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections import deque
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["WINDOW_S", "Limiter", "MemoryLimiter", "RedisLimiter"]

log = logging.getLogger("maxdp.published")

WINDOW_S = 60.0
# Past this many tracked callers, those with nothing in the window are swept.
_SWEEP_AT = 10_000

# KEYS[1] the caller's log; ARGV: limit, window in microseconds, a unique member suffix.
# The time is the Redis server's, so processes on machines with skewed clocks agree.
_SLIDING_LOG = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, t[1] .. '.' .. t[2] .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return 0
end
-- The call whose leaving brings the count under the limit (the oldest, unless the limit
-- was lowered since those calls were logged).
local entry = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return tonumber(entry[2]) + window - now
"""


class Limiter(Protocol):
    async def hit(self, key: str, limit: int) -> int:
        """Record a call; 0 when allowed, else the whole seconds to wait."""
        ...

    async def close(self) -> None: ...


class MemoryLimiter:
    """The limiter of one process (no ``MAXDP_REDIS_URL``)."""

    def __init__(self) -> None:
        self._logs: dict[str, deque[float]] = {}

    def check(self, key: str, limit: int, *, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        log_ = self._logs.get(key)
        if log_ is None:
            if len(self._logs) >= _SWEEP_AT:
                self._sweep(now)
            log_ = self._logs[key] = deque()
        cutoff = now - WINDOW_S
        while log_ and log_[0] <= cutoff:
            log_.popleft()
        if len(log_) >= limit:
            return max(1, math.ceil(log_[-limit] + WINDOW_S - now))
        log_.append(now)
        return 0

    async def hit(self, key: str, limit: int) -> int:
        return self.check(key, limit)

    def _sweep(self, now: float) -> None:
        cutoff = now - WINDOW_S
        for key in [k for k, v in self._logs.items() if not v or v[-1] <= cutoff]:
            del self._logs[key]

    async def close(self) -> None:
        self._logs.clear()


class RedisLimiter:
    """The limiter shared by every process on one Redis: one round trip (a Lua script) a call.

    When Redis cannot be reached the process falls back to its own in-memory limiter, so the
    endpoint keeps answering and each process still enforces the limit on its own share.
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._redis: Redis = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script: Any = self._redis.register_script(_SLIDING_LOG)
        self._prefix = f"{prefix}ratelimit:"
        self._fallback = MemoryLimiter()
        self._window_us = int(WINDOW_S * 1_000_000)
        self._failing = False

    async def hit(self, key: str, limit: int) -> int:
        try:
            wait_us = int(
                await self._script(
                    keys=[self._prefix + key],
                    args=[limit, self._window_us, secrets.token_hex(4)],
                )
            )
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.warning("rate limits: Redis unreachable (%s); limiting per process", exc)
                self._failing = True
            return self._fallback.check(key, limit)
        if self._failing:
            log.warning("rate limits: Redis reachable again")
            self._failing = False
        return 0 if wait_us <= 0 else max(1, math.ceil(wait_us / 1_000_000))

    async def close(self) -> None:
        await self._redis.aclose()
