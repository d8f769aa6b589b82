"""RunManager: owns every run's task, its cancel switch and its live events.

Run records are written here in short transactions of their own (not the request's session):
a background run outlives its request, and a synchronous run must be visible to other requests
(events, cancel, lists) while it is still going.

Each process stamps its runs with its ``instance_id`` (``owner``) and renews their
``heartbeat_at`` every ``MAXDP_RUN_HEARTBEAT_SECONDS``; a queued or running run whose heartbeat
is older than ``MAXDP_RUN_CRASH_AFTER_SECONDS`` belonged to a process that died, and is marked
``crashed`` (at start, and then at every heartbeat, by whichever process is alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.executor import FlowExecutor, RunEvent, RunResult
from flows.serialize import jsonable
from max_dp_server.config import Settings
from max_dp_server.db import utcnow
from max_dp_server.models import NodeRunRecord, RunRecord
from max_dp_server.models.run import ACTIVE_STATUSES
from max_dp_server.runs import repository
from max_dp_server.runs.events import EventLog

__all__ = ["ActiveRun", "RunManager", "RunPlan"]

log = logging.getLogger("maxdp.runs")

# How long shutdown lets canceled runs record themselves before their tasks are killed.
SHUTDOWN_GRACE_S = 10.0


@dataclass(slots=True)
class RunPlan:
    """Everything a run needs, prepared (and access-checked) by the request that starts it."""

    executor: FlowExecutor
    flow_id: uuid.UUID
    workspace_id: uuid.UUID
    version: int | None
    params: dict[str, Any]
    user_id: uuid.UUID | None
    trigger: str = "manual"


@dataclass(slots=True)
class ActiveRun:
    run_id: uuid.UUID
    events: EventLog
    record: RunRecord  # as first stored (detached); the final state is in the database
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[RunResult | None] | None = None


class RunManager:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessionmaker
        self._settings = settings
        self._active: dict[uuid.UUID, ActiveRun] = {}
        self._retention: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        # Unique per process start (a pid alone is reused); fits RunRecord.owner.
        self.instance_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        # SQLite has one writer at a time; a second one sleeps in SQLite's busy handler (up
        # to 100 ms a turn). Queueing run writes here instead keeps the latency tail short.
        self._write_lock = asyncio.Lock() if settings.database_kind == "sqlite" else None

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction of the run manager's own."""
        async with contextlib.AsyncExitStack() as stack:
            if self._write_lock is not None:
                await stack.enter_async_context(self._write_lock)
            yield await stack.enter_async_context(self._sessions.begin())

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A write transaction queued like the manager's own (for other writers of run records)."""
        return self._write()

    @property
    def active_count(self) -> int:
        return len(self._active)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        crashed = await self.sweep_crashed()
        if crashed:
            log.warning("marked %d runs of stopped server processes as crashed", crashed)
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="maxdp-heartbeat")
        if self._settings.retention_interval_minutes:
            self._retention = asyncio.create_task(self._retention_loop(), name="maxdp-retention")

    async def stop(self) -> None:
        """Cancel every run, give them a moment to record that, then end their tasks."""
        for task in (self._retention, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        tasks = [a.task for a in self._active.values() if a.task is not None]
        for active in self._active.values():
            active.cancel.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    # -- starting runs ------------------------------------------------------------------------
    async def run(self, plan: RunPlan) -> tuple[RunRecord, RunResult | None]:
        """Run and wait; the record as created, and the result (None if the run crashed).

        The run is a task of its own, so a caller that goes away (or is canceled) does not
        take the run with it; it still finishes and is recorded.
        """
        active = await self._begin(plan, "running")
        assert active.task is not None
        return active.record, await asyncio.shield(active.task)

    async def submit(self, plan: RunPlan) -> uuid.UUID:
        """Queue a background run; returns its id at once."""
        return (await self._begin(plan, "queued")).run_id

    def cancel(self, run_id: uuid.UUID) -> bool:
        """Ask an active run to stop. False when it is not running in this process."""
        active = self._active.get(run_id)
        if active is None:
            return False
        active.cancel.set()
        return True

    def events(self, run_id: uuid.UUID) -> EventLog | None:
        active = self._active.get(run_id)
        return active.events if active is not None else None

    def is_active(self, run_id: uuid.UUID) -> bool:
        return run_id in self._active

    # -- internals ----------------------------------------------------------------------------
    async def _begin(self, plan: RunPlan, status: str) -> ActiveRun:
        run_id = uuid.uuid4()
        now = utcnow()
        record = RunRecord(
            id=run_id,
            flow_id=plan.flow_id,
            workspace_id=plan.workspace_id,
            version=plan.version,
            status=status,
            trigger=plan.trigger,
            params=jsonable(plan.params),
            created_by=plan.user_id,
            created_at=now,
            started_at=now if status == "running" else None,
            owner=self.instance_id,
            heartbeat_at=now,
        )
        async with self._write() as session:
            session.add(record)
        active = ActiveRun(run_id, EventLog(str(run_id)), record)
        self._active[run_id] = active
        active.task = asyncio.create_task(
            self._execute(plan, active, queued=status == "queued"), name=f"maxdp-run-{run_id}"
        )
        return active

    async def _execute(self, plan: RunPlan, active: ActiveRun, *, queued: bool) -> RunResult | None:
        result: RunResult | None = None
        crash: dict[str, Any] | None = None
        try:
            if queued:
                await self._set(active.run_id, status="running", started_at=utcnow())

            def on_event(event: RunEvent) -> None:
                # run_finished is announced after the record is stored (below), so a client
                # that reads the run on that event sees the final record.
                if event.kind != "run_finished":
                    active.events.emit(
                        event.kind, node_id=event.node_id, status=event.status, data=event.data
                    )

            result = await plan.executor.run(
                plan.params,
                run_id=str(active.run_id),
                cancel=active.cancel,
                on_event=on_event,
                timeout_s=self._settings.run_timeout_seconds,
            )
        except asyncio.CancelledError:
            crash = {"code": "canceled", "message": "the server stopped during the run"}
            raise
        except Exception as exc:
            log.exception("run %s crashed", active.run_id)
            crash = {
                "code": "crashed",
                "message": f"the run stopped unexpectedly ({type(exc).__name__})",
            }
        finally:
            await asyncio.shield(self._finish(active, result, crash))
        return result

    async def _finish(
        self, active: ActiveRun, result: RunResult | None, crash: dict[str, Any] | None
    ) -> None:
        try:
            if result is not None:
                await self._store(active.run_id, result)
                status, data = (
                    result.status,
                    {"duration_ms": result.duration_ms, "error": result.error},
                )
            else:
                status = "canceled" if crash and crash["code"] == "canceled" else "crashed"
                error = {"node_id": None, "node_type": None, **(crash or {})}
                await self._set(active.run_id, status=status, finished_at=utcnow(), error=error)
                data = {"duration_ms": None, "error": error}
            active.events.emit("run_finished", status=status, data=data)
        except Exception:
            log.exception("could not record the end of run %s", active.run_id)
        finally:
            active.events.close()
            self._active.pop(active.run_id, None)

    async def _set(self, run_id: uuid.UUID, **values: Any) -> None:
        async with self._write() as session:
            await session.execute(update(RunRecord).where(RunRecord.id == run_id).values(**values))

    async def _store(self, run_id: uuid.UUID, result: RunResult) -> None:
        async with self._write() as session:
            run = await session.get(RunRecord, run_id)
            if run is None:
                return  # its flow or workspace was deleted while it ran
            run.status = result.status
            run.started_at = run.started_at or result.started_at
            run.finished_at = result.finished_at
            run.duration_ms = result.duration_ms
            run.params = jsonable(result.params)  # as bound: coerced, defaults filled in
            run.error = jsonable(result.error) if result.error else None
            run.outputs = {
                name: {
                    "row_count": len(frame),
                    "columns": [{"name": str(c), "dtype": str(t)} for c, t in frame.dtypes.items()],
                }
                for name, frame in result.outputs.items()
            }
            session.add_all(
                NodeRunRecord(
                    run_id=run_id,
                    position=position,
                    node_id=node.node_id,
                    node_type=node.node_type,
                    status=node.status,
                    started_at=node.started_at,
                    finished_at=node.finished_at,
                    duration_ms=node.duration_ms,
                    rows_in=node.rows_in,
                    rows_out=node.rows_out,
                    attempts=node.attempts,
                    error=jsonable(node.error) if node.error else None,
                    reason=node.reason,
                )
                for position, node in enumerate(result.nodes)
            )

    async def purge_now(self) -> int:
        settings = self._settings
        async with self._write() as session:
            return await repository.purge(
                session,
                days=settings.run_retention_days,
                per_flow=settings.run_retention_per_flow,
                now=utcnow(),
            )

    # -- heartbeats and crashed runs ----------------------------------------------------------
    async def beat(self) -> None:
        """Renew the heartbeat of every active run this process owns."""
        async with self._write() as session:
            await session.execute(
                update(RunRecord)
                .where(RunRecord.owner == self.instance_id, RunRecord.status.in_(ACTIVE_STATUSES))
                .values(heartbeat_at=utcnow()),
                execution_options={"synchronize_session": False},
            )

    async def sweep_crashed(self) -> int:
        """Mark crashed the active runs of other processes whose heartbeat is too old."""
        now = utcnow()
        limit = self._settings.run_crash_after_seconds
        cutoff = now - dt.timedelta(seconds=limit)
        stale = or_(
            RunRecord.heartbeat_at < cutoff,
            and_(RunRecord.heartbeat_at.is_(None), RunRecord.created_at < cutoff),
        )
        error = {
            "node_id": None,
            "node_type": None,
            "code": "crashed",
            "message": f"the server process running it stopped (no heartbeat for {limit:g} s)",
        }
        async with self._write() as session:
            result = await session.execute(
                update(RunRecord)
                .where(
                    RunRecord.status.in_(ACTIVE_STATUSES),
                    or_(RunRecord.owner.is_(None), RunRecord.owner != self.instance_id),
                    stale,
                )
                .values(status="crashed", finished_at=now, error=error),
                execution_options={"synchronize_session": False},
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self._settings.run_heartbeat_seconds)
            try:
                await self.beat()
                crashed = await self.sweep_crashed()
                if crashed:
                    log.warning("marked %d runs of stopped server processes as crashed", crashed)
            except Exception:
                log.exception("run heartbeat failed; will retry")

    async def _retention_loop(self) -> None:
        while True:
            try:
                deleted = await self.purge_now()
                if deleted:
                    log.info("retention: deleted %d old runs", deleted)
            except Exception:
                log.exception("retention cleanup failed; will retry")
            await asyncio.sleep(self._settings.retention_interval_minutes * 60)
