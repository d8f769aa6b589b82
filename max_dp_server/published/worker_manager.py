"""WorkerManager: the process's cache of built FlowExecutors for published endpoints.

Building an executor validates the flow, orders it and compiles every node; a published endpoint
pays that once per (endpoint, version), not once per call as Langflow does. The cache holds at
most ``max_active`` executors (least recently used evicted first) and drops those idle for longer
than ``inactive_ttl_s`` when ``evict_idle`` runs (an APScheduler job in the app's lifespan).

It is the one piece of process-wide mutable state: the app creates one in its lifespan.

>>> import asyncio
>>> node = {"id": "s", "type": "static_data", "config": {"rows": [{"a": 1}]}}
>>> doc = {"name": "d", "nodes": [node]}
>>> async def load():
...     return doc
>>> async def demo():
...     manager = WorkerManager(max_active=2)
...     first = await manager.get("orders", 1, load)
...     again = await manager.get("orders", 1, load)
...     return first is again, manager.stats()["hits"], manager.stats()["misses"]
>>> asyncio.run(demo())
(True, 1, 1)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from flows.executor import FlowExecutor

__all__ = ["WorkerManager"]

Key = tuple[str, int]
Loader = Callable[[], Awaitable[Mapping[str, Any]]]
# The server builds through ``runs.service.build_executor`` (async: it builds in a thread).
AsyncBuild = Callable[[Mapping[str, Any]], Awaitable[FlowExecutor]]


@dataclass(slots=True)
class _Entry:
    executor: FlowExecutor
    built_at: dt.datetime
    build_ms: float
    memory_bytes: int
    last_used: float  # monotonic seconds
    last_used_at: dt.datetime
    hits: int = 0


@dataclass(slots=True)
class _Counters:
    hits: int = 0
    misses: int = 0
    builds_failed: int = 0
    evicted_lru: int = 0
    evicted_idle: int = 0
    dropped: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)


def estimate_memory(executor: FlowExecutor) -> int:
    """Rough bytes held by a built flow: tables kept by nodes plus the document itself."""
    total = len(executor.flow.model_dump_json())
    for node in executor.graph.nodes.values():
        for value in vars(node).values():
            if isinstance(value, pd.DataFrame):
                total += int(value.memory_usage(index=True, deep=True).sum())
    return total


class WorkerManager:
    def __init__(
        self,
        *,
        max_active: int = 50,
        inactive_ttl_s: float = 2 * 3600,
        build: Callable[[Mapping[str, Any]], FlowExecutor] = FlowExecutor,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_active < 1:
            raise ValueError("max_active must be at least 1")
        self.max_active = max_active
        self.inactive_ttl_s = inactive_ttl_s
        self._build = build
        self._clock = clock
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        # One build per key at a time: concurrent first calls wait for the same build.
        self._building: dict[Key, asyncio.Future[FlowExecutor]] = {}
        self._counters = _Counters()

    async def get(
        self, endpoint: str, version: int, load: Loader, build: AsyncBuild | None = None
    ) -> FlowExecutor:
        """The executor for ``endpoint`` at ``version``, built from ``load()`` on a miss (by
        ``build`` when given, else by the manager's own synchronous builder)."""
        key = (endpoint, version)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            entry.hits += 1
            entry.last_used = self._clock()
            entry.last_used_at = dt.datetime.now(dt.UTC)
            self._counters.hits += 1
            return entry.executor
        pending = self._building.get(key)
        if pending is not None:
            self._counters.hits += 1
            return await asyncio.shield(pending)
        self._counters.misses += 1
        future: asyncio.Future[FlowExecutor] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            t0 = time.perf_counter()
            document = await load()
            executor = await build(document) if build is not None else self._build(document)
            build_ms = (time.perf_counter() - t0) * 1000
        except BaseException as exc:
            self._counters.builds_failed += 1
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as unhandled
            raise
        finally:
            self._building.pop(key, None)
        now = dt.datetime.now(dt.UTC)
        self._entries[key] = _Entry(
            executor, now, build_ms, estimate_memory(executor), self._clock(), now
        )
        self._evict_over_capacity()
        future.set_result(executor)
        return executor

    def drop(self, endpoint: str, *, keep_version: int | None = None) -> int:
        """Forget ``endpoint``'s executors (but ``keep_version``); calls in flight keep theirs."""
        keys = [k for k in self._entries if k[0] == endpoint and k[1] != keep_version]
        for key in keys:
            del self._entries[key]
        self._counters.dropped += len(keys)
        return len(keys)

    def evict_idle(self) -> int:
        """Drop executors unused for ``inactive_ttl_s``; returns how many."""
        limit = self._clock() - self.inactive_ttl_s
        idle = [k for k, e in self._entries.items() if e.last_used < limit]
        for key in idle:
            del self._entries[key]
        self._counters.evicted_idle += len(idle)
        return len(idle)

    def _evict_over_capacity(self) -> None:
        while len(self._entries) > self.max_active:
            self._entries.popitem(last=False)
            self._counters.evicted_lru += 1

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def stats(self) -> dict[str, Any]:
        c = self._counters
        return {
            "cached": len(self._entries),
            "max_active": self.max_active,
            "inactive_ttl_s": self.inactive_ttl_s,
            "hits": c.hits,
            "misses": c.misses,
            "builds_failed": c.builds_failed,
            "evictions": {"lru": c.evicted_lru, "idle": c.evicted_idle, "dropped": c.dropped},
            "memory_estimate_bytes": sum(e.memory_bytes for e in self._entries.values()),
            "executors": [
                {
                    "endpoint": endpoint,
                    "version": version,
                    "hits": e.hits,
                    "built_at": e.built_at.isoformat(),
                    "build_ms": round(e.build_ms, 3),
                    "last_used_at": e.last_used_at.isoformat(),
                    "memory_estimate_bytes": e.memory_bytes,
                }
                for (endpoint, version), e in self._entries.items()
            ],
        }
