"""An in-memory sliding-window rate limiter (per process), used for logins per client IP.

>>> limiter = SlidingWindowLimiter(limit=2, window_s=60)
>>> limiter.hit("ip", now=0.0), limiter.hit("ip", now=1.0), limiter.hit("ip", now=2.0)
(0, 0, 58)
>>> limiter.hit("ip", now=61.0)
0
"""

from __future__ import annotations

import math
import time
from collections import deque

__all__ = ["SlidingWindowLimiter"]

# Past this many tracked clients, idle ones are swept so memory stays bounded.
_SWEEP_AT = 10_000


class SlidingWindowLimiter:
    def __init__(self, *, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, *, now: float | None = None) -> int:
        """Record an attempt. 0 when allowed, else the seconds to wait (the attempt is not kept)."""
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(key, deque())
        cutoff = now - self.window_s
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window_s - now))
        hits.append(now)
        if len(self._hits) > _SWEEP_AT:
            self._sweep(cutoff)
        return 0

    def _sweep(self, cutoff: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= cutoff]:
            del self._hits[key]

    def reset(self) -> None:
        self._hits.clear()
