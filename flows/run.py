"""One run of a flow: its mutable state and the loop that moves tables between nodes.

``FlowExecutor`` (``flows.executor``) builds a flow once; each ``run``/``run_until`` makes a
``Run``, which lives and dies with that run: which nodes wait for which, what each produced,
the run's events and its records.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from flows.errors import ConfigError, MaxDPError
from flows.records import NodeRun, RunEvent, RunResult
from nodes.base import MaxDPNode, NodeContext

if TYPE_CHECKING:
    from flows.executor import FlowExecutor

__all__ = ["INLINE_ROWS", "EventCallback", "Run"]

log = logging.getLogger("maxdp.executor")

# Below this many input rows a synchronous node runs on the event loop itself.
INLINE_ROWS = 20_000
_SKIP = object()

EventCallback = Callable[[RunEvent], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rows(value: Any) -> int:
    if isinstance(value, pd.DataFrame):
        return len(value)
    if isinstance(value, dict):
        return sum(len(v) for v in value.values() if isinstance(v, pd.DataFrame))
    return 0


def _error(
    node_id: str, node_type: str, exc: BaseException, timeout: float | None
) -> dict[str, Any]:
    if isinstance(exc, TimeoutError):
        code, message = "timeout", f"timed out after {timeout:g} s"
    elif isinstance(exc, MaxDPError):
        code, message = exc.code, exc.message
    else:
        # An unexpected exception: keep its type and text, never its traceback.
        code, message = "node_failed", f"{type(exc).__name__}: {exc}"
        log.warning("node %s (%s) raised", node_id, node_type, exc_info=exc)
    return {"node_id": node_id, "node_type": node_type, "code": code, "message": message[:2000]}


class Run:
    """The mutable state of one run. Everything here lives and dies with the run."""

    def __init__(
        self,
        ex: FlowExecutor,
        order: list[str],
        params: dict[str, Any],
        run_id: str | None,
        request_body: Any,
        on_event: EventCallback | None,
        *,
        preview_limit: int | None = None,
        source_limit: int | None = None,
    ) -> None:
        self.ex = ex
        self.graph = ex.graph
        self.order = order
        self.params = params
        self.run_id = run_id or uuid.uuid4().hex
        self.request_body = request_body
        self.on_event = on_event
        self.preview_limit = preview_limit
        self.source_limit = source_limit
        in_run = set(order)
        self.records = {nid: NodeRun(nid, self.graph.specs[nid].type) for nid in order}
        self.waiting = {nid: len(self.graph.upstream[nid] & in_run) for nid in order}
        self.in_run = in_run
        self.results: dict[str, dict[str, Any]] = {}
        self.caught: dict[str, list[dict[str, Any]]] = {}
        self.fatal: dict[str, Any] | None = None
        self.ready: deque[str] = deque(nid for nid in order if self.waiting[nid] == 0)

    # -- the loop -------------------------------------------------------------------------
    async def execute(self, timeout_s: float | None, cancel: asyncio.Event | None) -> RunResult:
        started, t0 = _now(), time.perf_counter()
        self._emit("run_started")
        status = "succeeded"
        inflight: dict[asyncio.Future[Any], str] = {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s if timeout_s else None
        cancel_wait = asyncio.ensure_future(cancel.wait()) if cancel is not None else None
        try:
            while self.ready or inflight:
                while self.ready and self.fatal is None:
                    self._launch(self.ready.popleft(), inflight)
                if self.fatal is not None or not inflight:
                    break
                waits: set[asyncio.Future[Any]] = set(inflight)
                if cancel_wait is not None:
                    waits.add(cancel_wait)
                timeout = None if deadline is None else max(0.0, deadline - loop.time())
                done, _ = await asyncio.wait(
                    waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if cancel_wait is not None and cancel_wait in done:
                    status = "canceled"
                    break
                if not done:
                    status = "timed_out"
                    break
                for task in done:
                    self._collect(inflight.pop(task), task)
            if (
                deadline is not None
                and status == "succeeded"
                and loop.time() > deadline
                and self.ready
            ):
                status = "timed_out"
        except asyncio.CancelledError:
            status = "canceled"
            raise
        finally:
            if cancel_wait is not None:
                cancel_wait.cancel()
            for task, nid in inflight.items():
                task.cancel()
                self._close(
                    nid, "canceled", reason=f"run {status}" if status != "succeeded" else None
                )
        if self.fatal is not None:
            status = "failed"
        error = self.fatal
        if status == "timed_out":
            error = {
                "node_id": None,
                "node_type": None,
                "code": "timeout",
                "message": f"flow timed out after {timeout_s:g} s",
            }
        elif status == "canceled":
            error = {
                "node_id": None,
                "node_type": None,
                "code": "canceled",
                "message": "run canceled",
            }
        for record in self.records.values():
            if record.status == "pending":
                record.status = "skipped"
                record.reason = record.reason or f"run {status}"
        result = RunResult(
            run_id=self.run_id,
            status=status,
            started_at=started,
            finished_at=_now(),
            duration_ms=(time.perf_counter() - t0) * 1000,
            nodes=list(self.records.values()),
            outputs=self._outputs(),
            previews=self._previews(),
            error=error,
            params=self.params,
        )
        self._emit(
            "run_finished", status=status, data={"duration_ms": result.duration_ms, "error": error}
        )
        return result

    def _launch(self, nid: str, inflight: dict[asyncio.Future[Any], str]) -> None:
        inputs = self._gather(nid)
        if inputs is _SKIP:
            self._done(nid)
            return
        node = self.graph.nodes[nid]
        spec = self.graph.specs[nid]
        record = self.records[nid]
        record.rows_in = sum(_rows(v) for v in inputs.values())
        record.status, record.started_at = "running", _now()
        record.duration_ms = time.perf_counter()  # start mark; replaced by the duration
        self._emit("node_started", nid, "running")
        ctx = self._context(nid)
        inline = (
            not node.is_async
            and not node.always_offload
            and spec.timeout_s is None
            and spec.retries == 0
            and record.rows_in < INLINE_ROWS
        )
        if inline:
            record.attempts = 1
            try:
                outputs = node.run(inputs, ctx)
            except Exception as exc:
                self._failed(nid, exc)
            else:
                self._succeeded(nid, outputs)
            self._done(nid)
            return
        inflight[
            asyncio.ensure_future(
                self._attempts(
                    node, spec.timeout_s, spec.retries, spec.retry_backoff_s, inputs, ctx
                )
            )
        ] = nid

    async def _attempts(
        self,
        node: MaxDPNode,
        timeout: float | None,
        retries: int,
        backoff: float,
        inputs: dict[str, Any],
        ctx: NodeContext,
    ) -> dict[str, Any]:
        record = self.records[node.node_id]
        for attempt in range(retries + 1):
            record.attempts = attempt + 1
            work = (
                node.arun(inputs, ctx)
                if node.is_async
                else asyncio.to_thread(node.run, inputs, ctx)
            )
            try:
                return await asyncio.wait_for(work, timeout) if timeout else await work
            except ConfigError:
                raise  # the same config fails the same way every time
            except Exception:
                if attempt == retries:
                    raise
                await asyncio.sleep(backoff * (2**attempt))
        raise AssertionError("unreachable")

    def _collect(self, nid: str, task: asyncio.Future[Any]) -> None:
        exc = task.exception()
        if exc is not None:
            self._failed(nid, exc)
        else:
            self._succeeded(nid, task.result())
        self._done(nid)

    # -- node outcomes ----------------------------------------------------------------------
    def _succeeded(self, nid: str, outputs: Any) -> None:
        node = self.graph.nodes[nid]
        declared = {p.name for p in node.outputs}
        if not isinstance(outputs, Mapping) or not set(outputs) <= declared:
            got = sorted(outputs) if isinstance(outputs, Mapping) else type(outputs).__name__
            self._failed(nid, MaxDPError(f"returned {got}, expected ports {sorted(declared)}"))
            return
        self.results[nid] = dict(outputs)
        main = next((outputs[p.name] for p in node.outputs if p.name in outputs), None)
        self.records[nid].rows_out = _rows(main) if main is not None else 0
        self._close(nid, "succeeded")

    def _failed(self, nid: str, exc: BaseException) -> None:
        spec = self.graph.specs[nid]
        error = _error(nid, spec.type, exc, spec.timeout_s)
        self.records[nid].error = error
        self._close(nid, "failed")
        watchers = [w for w in self.graph.watchers.get(nid, ()) if w in self.in_run]
        if not watchers:
            self.fatal = self.fatal or error
            return
        row = {
            "node_id": nid,
            "node_type": spec.type,
            "error_type": error["code"],
            "message": error["message"],
        }
        for watcher in watchers:
            self.caught.setdefault(watcher, []).append(row)

    def _close(self, nid: str, status: str, reason: str | None = None) -> None:
        record = self.records[nid]
        record.status, record.reason = status, reason
        if record.started_at is not None:
            record.finished_at = _now()
            record.duration_ms = (time.perf_counter() - (record.duration_ms or 0.0)) * 1000
        self._emit(
            "node_finished",
            nid,
            status,
            {
                "duration_ms": record.duration_ms,
                "rows_in": record.rows_in,
                "rows_out": record.rows_out,
                "error": record.error,
                "reason": reason,
            },
        )

    def _done(self, nid: str) -> None:
        for down in self.graph.downstream[nid]:
            if down in self.in_run:
                self.waiting[down] -= 1
                if self.waiting[down] == 0:
                    self.ready.append(down)

    # -- inputs -----------------------------------------------------------------------------
    def _gather(self, nid: str) -> Any:
        """Input values by port, or _SKIP (the node is marked skipped with the reason)."""
        node = self.graph.nodes[nid]
        edges = self.graph.inbound[nid]
        failed = [e.source for e in edges if self.records[e.source].status == "failed"]
        if failed:
            return self._skip(nid, f"upstream node {failed[0]!r} failed")
        inputs: dict[str, Any] = {}
        for port in node.inputs:
            arrived = {
                e.source: self.results[e.source][e.source_port]
                for e in edges
                if e.target_port == port.name and e.source_port in self.results.get(e.source, ())
            }
            if port.many:
                if arrived:
                    inputs[port.name] = arrived
                elif not port.optional:
                    return self._skip(nid, f"nothing arrived at input {port.name!r}")
            elif arrived:
                inputs[port.name] = next(iter(arrived.values()))
            elif not port.optional:
                wired = any(e.target_port == port.name for e in edges)
                if wired:
                    return self._skip(
                        nid, f"input {port.name!r} received nothing (branch not taken)"
                    )
        return inputs

    def _skip(self, nid: str, reason: str) -> Any:
        self.records[nid].status, self.records[nid].reason = "skipped", reason
        self._emit("node_finished", nid, "skipped", {"reason": reason})
        return _SKIP

    def _context(self, nid: str) -> NodeContext:
        return NodeContext(
            node_id=nid,
            params=self.params,
            data_dir=self.ex.data_dir,
            run_id=self.run_id,
            request_body=self.request_body,
            row_limit=self.source_limit,
            preview=self.preview_limit is not None,
            failures=self.caught.get(nid, []),
            # A preview shows every node's main output, wired or not.
            wanted=None if self.preview_limit is not None else self.graph.wanted[nid],
            services=self.ex.services,
        )

    # -- results ----------------------------------------------------------------------------
    def _outputs(self) -> dict[str, pd.DataFrame]:
        outputs = {}
        for nid in self.order:
            node = self.graph.nodes[nid]
            if node.is_output and nid in self.results and "out" in self.results[nid]:
                outputs[node.output_name] = self.results[nid]["out"]  # type: ignore[attr-defined]
        return outputs

    def _previews(self) -> dict[str, pd.DataFrame]:
        if self.preview_limit is None:
            return {}
        previews = {}
        for nid, outputs in self.results.items():
            node = self.graph.nodes[nid]
            main = next((outputs[p.name] for p in node.outputs if p.name in outputs), None)
            if isinstance(main, pd.DataFrame):
                previews[nid] = main.head(self.preview_limit)
        return previews

    def _emit(
        self,
        kind: str,
        node_id: str | None = None,
        status: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        if self.on_event is not None:
            self.on_event(RunEvent(kind, self.run_id, node_id, status, data or {}))
