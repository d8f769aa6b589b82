"""Everything ``/execute`` keeps in a process: the endpoint directory, the rate limiter, the run
recorder, asynchronous calls and their results. The app's lifespan creates one.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.executor import FlowExecutor, RunResult
from max_dp_server.config import Settings
from max_dp_server.db import utcnow
from max_dp_server.errors import NotFoundError
from max_dp_server.metrics import Metrics
from max_dp_server.models import FlowVersion
from max_dp_server.published.answers import ResultStore
from max_dp_server.published.directory import Directory, EndpointInfo
from max_dp_server.published.ratelimit import Limiter, MemoryLimiter, RedisLimiter
from max_dp_server.published.recorder import Call, RunRecorder, wants_record
from max_dp_server.published.shared_results import SharedResults
from max_dp_server.published.worker_manager import WorkerManager
from max_dp_server.runs.manager import RunManager
from max_dp_server.runs.service import build_executor

if TYPE_CHECKING:
    from max_dp_server.state import ServerState

__all__ = ["PublishedRuntime"]

log = logging.getLogger("maxdp.published")

SHUTDOWN_GRACE_S = 10.0


class PublishedRuntime:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        workers: WorkerManager,
        metrics: Metrics,
        runs: RunManager,
    ) -> None:
        self.settings = settings
        self._sessions = sessionmaker
        self.workers = workers
        self.metrics = metrics
        self.directory = Directory(sessionmaker, workers, settings.endpoint_refresh_seconds)
        self.limiter: Limiter = (
            RedisLimiter(settings.redis_url, settings.redis_prefix)
            if settings.redis_url
            else MemoryLimiter()
        )
        self.recorder = RunRecorder(
            runs.write,
            dialect=settings.database_kind,
            owner=runs.instance_id,
            interval_s=settings.run_record_interval_seconds,
            batch_size=settings.run_record_batch_size,
            metrics=metrics,
        )
        self.results = ResultStore(settings.execute_result_ttl_seconds)
        self.shared = SharedResults(
            sessionmaker,
            settings.execute_result_ttl_seconds,
            int(settings.execute_result_shared_max_mb * 2**20),
        )
        self.in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        metrics.watch(
            "gauge",
            "maxdp_runs_in_flight:kind",
            "Runs executing in this process: endpoint calls and managed runs.",
            lambda: {"execute": self.in_flight, "managed": runs.active_count},
        )
        metrics.watch(
            "gauge",
            "maxdp_run_records_pending",
            "Run records waiting for their batch.",
            lambda: self.recorder.pending,
        )
        _watch_workers(metrics, workers)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        await self.directory.start()
        await self.recorder.start()

    async def stop(self) -> None:
        """Cancel asynchronous calls (recorded as canceled), then write the last records."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_S)
        await self.directory.stop()
        await self.recorder.stop()
        await self.limiter.close()

    # -- executors ----------------------------------------------------------------------------
    async def executor(self, state: ServerState, info: EndpointInfo) -> FlowExecutor:
        """The cached executor of the endpoint's version, built on the first call."""

        async def load() -> Mapping[str, Any]:
            async with self._sessions() as session:
                document = await session.scalar(
                    select(FlowVersion.document).where(
                        FlowVersion.flow_id == info.flow_id, FlowVersion.version == info.version
                    )
                )
            if document is None:  # deleted since the directory was read
                raise NotFoundError(f"no published endpoint {info.endpoint!r}")
            return document

        build = _builder(state, info.workspace_id)
        return await self.workers.get(info.endpoint, info.version, load, build)

    async def warm(
        self,
        state: ServerState,
        endpoint: str,
        version: int,
        document: Mapping[str, Any],
        workspace_id: uuid.UUID,
    ) -> FlowExecutor:
        """Build (and cache) an executor before the endpoint is announced."""

        async def load() -> Mapping[str, Any]:
            return document

        return await self.workers.get(endpoint, version, load, _builder(state, workspace_id))

    def timeout_for(self, executor: FlowExecutor) -> float:
        limits = (executor.flow.timeout_s, self.settings.execute_timeout_seconds)
        return min(t for t in limits if t)

    # -- running ------------------------------------------------------------------------------
    async def run(
        self,
        executor: FlowExecutor,
        info: EndpointInfo,
        run_id: uuid.UUID,
        params: Mapping[str, Any],
        body: Any,
        user_id: uuid.UUID | None,
    ) -> RunResult:
        """Run synchronously; records it (per the endpoint's record_runs) and counts it."""
        created = utcnow()
        self.in_flight += 1
        try:
            result = await executor.run(
                params,
                run_id=str(run_id),
                request_body=body,
                timeout_s=self.timeout_for(executor),
            )
        finally:
            self.in_flight -= 1
        self.metrics.executions.labels(info.endpoint, result.status).inc()
        if wants_record(info.record_runs, result.status):
            call = RunRecorder.call(run_id, info, user_id, created, params)
            call.result = result
            self.recorder.finished(call)
        return result

    async def submit(
        self,
        executor: FlowExecutor,
        info: EndpointInfo,
        params: Mapping[str, Any],
        body: Any,
        user_id: uuid.UUID | None,
    ) -> uuid.UUID:
        """Start an asynchronous call (parameters already checked); its run id. The call is
        stored as running before the id is handed out, so any process can answer its polls."""
        run_id = uuid.uuid4()
        call = RunRecorder.call(run_id, info, user_id, utcnow(), params)
        self.results.begin(run_id, info.id)
        await self.shared.begin(run_id, info.id, self.timeout_for(executor))
        if info.record_runs == "all":
            self.recorder.started(call)  # visible as running in history, with a heartbeat
        task = asyncio.create_task(
            self._run_async(executor, info, call, body), name=f"maxdp-execute-{run_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return run_id

    async def _run_async(
        self, executor: FlowExecutor, info: EndpointInfo, call: Call, body: Any
    ) -> None:
        self.in_flight += 1
        t0 = time.perf_counter()
        try:
            call.result = await executor.run(
                call.params,
                run_id=str(call.run_id),
                request_body=body,
                timeout_s=self.timeout_for(executor),
            )
        except asyncio.CancelledError:
            call.status = "canceled"
            call.error = _server_error("canceled", "the server stopped during the run")
            raise
        except Exception as exc:
            log.exception("asynchronous call %s of %s crashed", call.run_id, info.endpoint)
            call.status = "crashed"
            call.error = _server_error(
                "crashed", f"the run stopped unexpectedly ({type(exc).__name__})"
            )
        finally:
            self.in_flight -= 1
            status = call.result.status if call.result is not None else call.status
            self.results.finish(call.run_id, call.result, status=call.status, error=call.error)
            self.metrics.executions.labels(info.endpoint, status).inc()
            self.metrics.latency.labels(info.endpoint).observe(time.perf_counter() - t0)
            if wants_record(info.record_runs, status):
                self.recorder.finished(call)
            # Last: a cancel (server stopping) interrupts this wait, not the write.
            await asyncio.shield(self.shared.finish(call.run_id, call.result, status, call.error))


def _server_error(code: str, message: str) -> dict[str, Any]:
    return {"node_id": None, "node_type": None, "code": code, "message": message}


def _builder(
    state: ServerState, workspace_id: uuid.UUID
) -> Callable[[Mapping[str, Any]], Awaitable[FlowExecutor]]:
    """Builds through ``runs.service.build_executor``: the workspace's services come along."""

    async def build(document: Mapping[str, Any]) -> FlowExecutor:
        return await build_executor(state, document, workspace_id)

    return build


def _watch_workers(metrics: Metrics, workers: WorkerManager) -> None:
    metrics.watch(
        "counter",
        "maxdp_worker_cache_hits",
        "Endpoint calls served by a cached executor.",
        lambda: workers.stats()["hits"],
    )
    metrics.watch(
        "counter",
        "maxdp_worker_cache_misses",
        "Endpoint calls that had to build their executor.",
        lambda: workers.stats()["misses"],
    )
    metrics.watch(
        "counter",
        "maxdp_worker_cache_evictions:reason",
        "Executors dropped from the cache, by reason (lru, idle, dropped on republish).",
        lambda: workers.stats()["evictions"],
    )
    metrics.watch(
        "gauge", "maxdp_worker_cache_executors", "Executors cached.", lambda: len(workers)
    )
