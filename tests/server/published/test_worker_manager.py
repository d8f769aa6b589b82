"""WorkerManager: one build per (endpoint, version), LRU and idle eviction, republish drops."""

from __future__ import annotations

import asyncio

import pytest

from flows.errors import FlowValidationError
from flows.executor import FlowExecutor
from max_dp_server.published.worker_manager import WorkerManager


def doc(rows: int = 1) -> dict:
    return {
        "name": "d",
        "nodes": [
            {"id": "s", "type": "static_data", "config": {"rows": [{"a": i} for i in range(rows)]}},
            {"id": "out", "type": "display_results"},
        ],
        "edges": [{"source": "s", "target": "out"}],
    }


class Loader:
    """Counts how often the document was loaded (= how often the flow was built)."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.calls = 0

    async def __call__(self) -> dict:
        self.calls += 1
        await asyncio.sleep(0.01)  # a database round trip: lets concurrent callers pile up
        return self.document


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_cached_executor_runs_and_is_built_once():
    manager, load = WorkerManager(), Loader(doc(3))
    executors = await asyncio.gather(*(manager.get("e", 1, load) for _ in range(20)))
    assert load.calls == 1 and all(x is executors[0] for x in executors)
    result = await executors[0].run()
    assert result.outputs["out"]["a"].tolist() == [0, 1, 2]
    stats = manager.stats()
    assert stats["misses"] == 1 and stats["hits"] == 19 and stats["cached"] == 1
    assert stats["executors"][0]["memory_estimate_bytes"] > 0


async def test_versions_are_separate_and_drop_keeps_the_current_one():
    manager = WorkerManager()
    v1 = await manager.get("e", 1, Loader(doc(1)))
    v2 = await manager.get("e", 2, Loader(doc(2)))
    assert v1 is not v2 and len(manager) == 2
    assert manager.drop("e", keep_version=2) == 1
    assert ("e", 2) in manager and ("e", 1) not in manager
    # A call that already holds v1 finishes on it.
    assert (await v1.run()).outputs["out"]["a"].tolist() == [0]


async def test_lru_eviction_past_max_active():
    manager = WorkerManager(max_active=2)
    await manager.get("a", 1, Loader(doc()))
    await manager.get("b", 1, Loader(doc()))
    await manager.get("a", 1, Loader(doc()))  # a is now the most recently used
    await manager.get("c", 1, Loader(doc()))
    assert ("b", 1) not in manager and ("a", 1) in manager and ("c", 1) in manager
    assert manager.stats()["evictions"]["lru"] == 1


async def test_idle_eviction():
    clock = Clock()
    manager = WorkerManager(inactive_ttl_s=60, clock=clock)
    await manager.get("old", 1, Loader(doc()))
    clock.now += 45
    await manager.get("new", 1, Loader(doc()))
    clock.now += 30  # old idle 75 s, new idle 30 s
    assert manager.evict_idle() == 1
    assert ("old", 1) not in manager and ("new", 1) in manager


async def test_failed_build_is_not_cached_and_reaches_every_waiter():
    manager = WorkerManager()
    bad = Loader({"name": "bad", "nodes": [{"id": "x", "type": "nope"}]})
    results = await asyncio.gather(
        *(manager.get("e", 1, bad) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, FlowValidationError) for r in results)
    assert len(manager) == 0 and manager.stats()["builds_failed"] == 1
    with pytest.raises(FlowValidationError):
        await manager.get("e", 1, bad)
    assert bad.calls == 2  # tried again, not served from a cache of failures


async def test_an_async_builder_is_used_once_per_key():
    built = []

    async def build(document: dict) -> FlowExecutor:
        built.append(document["name"])
        await asyncio.sleep(0.01)  # building in a thread, as the server does
        return FlowExecutor(document)

    manager = WorkerManager()
    executors = await asyncio.gather(
        *(manager.get("e", 1, Loader(doc(2)), build) for _ in range(5))
    )
    assert built == ["d"] and all(x is executors[0] for x in executors)
    assert (await executors[0].run()).outputs["out"]["a"].tolist() == [0, 1]
