"""Run progress events: a live log per active run, replay of stored runs, SSE framing.

Every event is ``{"seq", "kind", "run_id", "node_id", "status", "data"}`` with ``kind`` one of
run_started, node_started, node_finished, run_finished. ``seq`` numbers them from 1, and is the
SSE ``id``, so a client reconnecting with ``Last-Event-ID`` misses nothing.

>>> log = EventLog("r1")
>>> log.emit("node_started", node_id="a", status="running")["seq"]
1
>>> sse(log.events[0]).splitlines()[:2]
['id: 1', 'event: node_started']
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from flows.serialize import jsonable
from max_dp_server.models import NodeRunRecord, RunRecord

__all__ = ["EventLog", "replay", "sse"]


class EventLog:
    """Events of one run as it happens; subscribers get every event after their snapshot."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.events: list[dict[str, Any]] = []
        self.closed = False
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def emit(
        self,
        kind: str,
        *,
        node_id: str | None = None,
        status: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        event = {
            "seq": len(self.events) + 1,
            "kind": kind,
            "run_id": self.run_id,
            "node_id": node_id,
            "status": status,
            "data": jsonable(data or {}),
        }
        self.events.append(event)
        for queue in self._queues:
            queue.put_nowait(event)
        return event

    def subscribe(self) -> tuple[list[dict[str, Any]], asyncio.Queue[dict[str, Any] | None]]:
        # Snapshot and registration happen without an await in between: nothing is lost.
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._queues.add(queue)
        return list(self.events), queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._queues.discard(queue)

    def close(self) -> None:
        self.closed = True
        for queue in self._queues:
            queue.put_nowait(None)


def replay(run: RunRecord, nodes: list[NodeRunRecord]) -> Iterator[dict[str, Any]]:
    """The events of a finished run, rebuilt from its records (same shapes as live events)."""
    log = EventLog(str(run.id))
    log.emit("run_started", status="running")
    for node in nodes:
        if node.started_at is not None:
            log.emit("node_started", node_id=node.node_id, status="running")
        log.emit(
            "node_finished",
            node_id=node.node_id,
            status=node.status,
            data={
                "duration_ms": node.duration_ms,
                "rows_in": node.rows_in,
                "rows_out": node.rows_out,
                "error": node.error,
                "reason": node.reason,
            },
        )
    log.emit("run_finished", status=run.status, data=finished_data(run))
    return iter(log.events)


def finished_data(run: RunRecord) -> dict[str, Any]:
    return {"duration_ms": run.duration_ms, "error": run.error}


def sse(event: dict[str, Any]) -> str:
    """One event in text/event-stream framing."""
    return f"id: {event['seq']}\nevent: {event['kind']}\ndata: {json.dumps(event)}\n\n"
