"""Run records of ``/execute`` calls, written in batches off the request path.

A call only appends to an in-memory queue. A background task writes the queue every
``MAXDP_RUN_RECORD_INTERVAL_SECONDS`` (1 s), or sooner once ``MAXDP_RUN_RECORD_BATCH_SIZE``
records wait, each batch in ONE transaction (runs, their node records and API keys' last use):
a crash loses at most the records of the last interval and never leaves half a batch behind.

Asynchronous calls are written twice: a ``running`` row first (with this process as ``owner``,
so its heartbeat keeps it alive and a crash is detected), then its final state.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flows.executor import RunResult
from flows.serialize import jsonable
from max_dp_server.db import utcnow
from max_dp_server.metrics import Metrics
from max_dp_server.models import ApiKey, StoredFlow
from max_dp_server.published.directory import EndpointInfo
from max_dp_server.published.rows import RowEncoder, output_summary

__all__ = ["Call", "RunRecorder", "wants_record"]

log = logging.getLogger("maxdp.published")

TRIGGER = "api"
# How many batches' worth of records may wait while the database is unreachable.
_BACKLOG_BATCHES = 20


def wants_record(record_runs: str, status: str) -> bool:
    """Whether an endpoint with ``record_runs`` keeps a run that ended ``status``."""
    return record_runs == "all" or (record_runs == "errors" and status != "succeeded")


Row = tuple[Any, ...]


@dataclass(slots=True)
class Call:
    """One call as the runtime reports it; made into rows at once and then let go."""

    run_id: uuid.UUID
    info: EndpointInfo
    user_id: uuid.UUID | None
    created_at: dt.datetime
    params: Mapping[str, Any]
    result: RunResult | None = None
    # For a run that ended without a result (the server stopped under it).
    status: str | None = None
    error: dict[str, Any] | None = None


def _run_values(call: Call, owner: str | None) -> tuple[Any, ...]:
    """The run's maxdp_runs values in RUN_COLUMNS order (a tuple: no dict per call)."""
    result, info = call.result, call.info
    if result is not None:
        params = jsonable(result.params)
        status, started, finished = result.status, result.started_at, result.finished_at
        duration, error = result.duration_ms, jsonable(result.error) if result.error else None
        outputs = {name: output_summary(frame) for name, frame in result.outputs.items()}
    else:
        params, started = jsonable(dict(call.params)), call.created_at
        status, finished, duration, error, outputs = "running", None, None, None, None
        if call.status is not None:  # ended without a result
            status, finished, error = call.status, utcnow(), call.error
    heartbeat = call.created_at if owner else None
    return (
        call.run_id, info.flow_id, info.workspace_id, info.version, status, TRIGGER, params,
        call.user_id, call.created_at, started, finished, duration, error, outputs, owner,
        heartbeat,
    )  # fmt: skip


def _node_values(call: Call) -> list[tuple[Any, ...]]:
    """Its maxdp_node_runs values in NODE_COLUMNS order, one tuple per node."""
    if call.result is None:
        return []
    return [
        (
            call.run_id,
            position,
            node.node_id,
            node.node_type,
            node.status,
            node.started_at,
            node.finished_at,
            node.duration_ms,
            node.rows_in,
            node.rows_out,
            node.attempts,
            jsonable(node.error) if node.error else None,
            node.reason,
        )
        for position, node in enumerate(call.result.nodes)
    ]


class RunRecorder:
    """The queue of records and the task that writes it.

    Queued records are tuples of plain values keyed by the run id's text: the garbage collector
    stops tracking such tuples, so a second's worth of calls waiting for their batch costs it
    nothing (objects that stay alive that long would otherwise be walked by every full
    collection).
    """

    def __init__(
        self,
        write: Callable[[], AbstractAsyncContextManager[AsyncSession]],
        *,
        dialect: str,
        owner: str,
        interval_s: float,
        batch_size: int,
        metrics: Metrics,
    ) -> None:
        self._write = write
        self._rows = RowEncoder(dialect)
        self._owner = owner
        self.interval_s = interval_s
        self.batch_size = batch_size
        self._metrics = metrics
        self._starts: dict[str, Row] = {}  # running rows of asynchronous calls
        self._finals: dict[str, tuple[Row, tuple[Row, ...]]] = {}  # run row, node rows
        self._touched: dict[uuid.UUID, dt.datetime] = {}
        self._in_db: set[str] = set()  # running rows written, final state not yet
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # -- what calls report --------------------------------------------------------------------
    @staticmethod
    def call(
        run_id: uuid.UUID,
        info: EndpointInfo,
        user_id: uuid.UUID | None,
        created_at: dt.datetime,
        params: Mapping[str, Any],
    ) -> Call:
        return Call(run_id, info, user_id, created_at, params)

    def started(self, call: Call) -> None:
        row = self._rows.run(_run_values(call, self._owner))
        self._starts[row[0]] = row
        self._nudge()

    def finished(self, call: Call) -> None:
        """Queue the call's records (made now: its output tables can go at once)."""
        row = self._rows.run(_run_values(call, None))
        self._finals[row[0]] = (row, tuple(self._rows.node(n) for n in _node_values(call)))
        self._nudge()

    def touch_key(self, key_id: uuid.UUID) -> None:
        self._touched[key_id] = utcnow()

    def _nudge(self) -> None:
        pending = len(self._finals) + len(self._starts)
        if pending >= self.batch_size:
            self._wake.set()
        if pending > self.batch_size * _BACKLOG_BATCHES:
            # The database has been away for a while: keep the newest, count what goes.
            oldest = next(iter(self._finals), None)
            if oldest is not None:
                del self._finals[oldest]
                self._metrics.records_dropped.inc()

    @property
    def pending(self) -> int:
        return len(self._finals) + len(self._starts)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="maxdp-run-recorder")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)
            self._wake.clear()
            await self.flush()

    # -- writing ------------------------------------------------------------------------------
    async def flush(self) -> int:
        """Write everything queued in one transaction; the number of run records written."""
        async with self._lock:
            if not (self._starts or self._finals or self._touched):
                return 0
            starts, finals, touched = self._starts, self._finals, self._touched
            self._starts, self._finals, self._touched = {}, {}, {}
            try:
                written = await self._write_batch(starts, finals, touched)
            except Exception:
                log.exception("writing %d run records failed; will retry", len(finals))
                # Put them back ahead of anything queued since, to be tried next time.
                self._starts = {**starts, **self._starts}
                self._finals = {**finals, **self._finals}
                self._touched = {**touched, **self._touched}
                return 0
            self._in_db.update(k for k in starts if k not in finals)
            self._in_db.difference_update(finals)
            self._metrics.records_written.inc(written)
            return written

    async def _write_batch(
        self,
        starts: dict[str, Row],
        finals: dict[str, tuple[Row, tuple[Row, ...]]],
        touched: dict[uuid.UUID, dt.datetime],
    ) -> int:
        try:
            async with self._write() as session:
                return await self._insert(session, starts, finals, touched)
        except IntegrityError:
            # A flow (or user) was deleted since its call: write run by run, skipping those.
            log.warning("a run record batch hit a deleted reference; writing run by run")
        written = 0
        for run_id in {*starts, *finals}:
            one_start = {run_id: starts[run_id]} if run_id in starts else {}
            one_final = {run_id: finals[run_id]} if run_id in finals else {}
            try:
                async with self._write() as session:
                    written += await self._insert(session, one_start, one_final, {})
            except IntegrityError:
                self._metrics.records_dropped.inc()
        if touched:
            async with self._write() as session:
                await self._insert(session, {}, {}, touched)
        return written

    async def _insert(
        self,
        session: AsyncSession,
        starts: dict[str, Row],
        finals: dict[str, tuple[Row, tuple[Row, ...]]],
        touched: dict[uuid.UUID, dt.datetime],
    ) -> int:
        flows = {r[1] for r in starts.values()} | {r[1] for r, _ in finals.values()}
        if flows:
            # Calls of a flow deleted since then have nowhere to go.
            ids = [uuid.UUID(str(f)) for f in flows]
            found = await session.scalars(select(StoredFlow.id).where(StoredFlow.id.in_(ids)))
            alive = {self._rows.value("uuid", f) for f in found}
            starts = {k: r for k, r in starts.items() if r[1] in alive}
            finals = {k: f for k, f in finals.items() if f[0][1] in alive}
        new = [r for k, r in starts.items() if k not in finals]
        new += [r for k, (r, _) in finals.items() if k not in self._in_db]
        connection = await session.connection()
        if new:
            await connection.exec_driver_sql(self._rows.insert_runs, new)
        ended = [self._rows.final(r) for k, (r, _) in finals.items() if k in self._in_db]
        if ended:
            await connection.exec_driver_sql(self._rows.update_final, ended)
        nodes = [n for _, rows in finals.values() for n in rows]
        if nodes:
            await connection.exec_driver_sql(self._rows.insert_nodes, nodes)
        if touched:
            table = ApiKey.__table__
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("kid"))
                .values(last_used_at=bindparam("t")),
                [{"kid": k, "t": t} for k, t in touched.items()],
            )
        return len(finals)
