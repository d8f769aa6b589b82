"""``SandboxPool``: warm worker processes that run user code, one run per worker at a time.

>>> import asyncio, pandas as pd
>>> async def demo():
...     async with SandboxPool(size=1) as pool:
...         out = await pool.run("script", "result = df.assign(b=df['a'] * 2)",
...                              {"src": pd.DataFrame({"a": [1, 2]})}, {})
...         return out.table
>>> asyncio.run(demo())
   a  b
0  1  2
1  2  4

A run that hits a limit (CPU, memory, wall clock) or trips a guard fails with a ``NodeError``;
its worker is replaced in the background while the other workers keep serving. Workers are also
replaced after ``runs_per_worker`` runs. A pool belongs to the event loop that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flows.errors import NodeError
from nodes.code.sandbox import copying, protocol, remote, shm
from nodes.code.sandbox.channel import WallClockExceeded, WorkerDied, WorkerProcess
from nodes.code.sandbox.limits import SandboxLimits

__all__ = ["SandboxPool", "SandboxResult", "decode_answer"]

log = logging.getLogger(__name__)

KINDS = ("script", "apply")


@dataclass(frozen=True)
class SandboxResult:
    table: pd.DataFrame
    printed: str = ""
    seconds: float = 0.0


@dataclass
class _Outcome:
    result: SandboxResult | None = None
    error: str | None = None
    keep_worker: bool = True


class SandboxPool:
    """A pool of ``size`` sandbox workers.

    ``maxima`` are the server-wide caps (also the workers' hard kernel limits); ``defaults``
    apply where a node sets nothing. A node's own values are capped by ``maxima``. Each worker
    gets a shared-memory region of ``shared_memory_mb`` where tables cross (0: pipes only);
    a table larger than what is left of it crosses the pipe.
    """

    def __init__(
        self,
        size: int = 2,
        *,
        maxima: SandboxLimits | None = None,
        defaults: SandboxLimits | None = None,
        start_timeout: float = 60.0,
        shared_memory_mb: int = shm.DEFAULT_MB,
        read_worker_memory: bool = True,
    ) -> None:
        if size < 1:
            raise ValueError("a sandbox pool needs at least one worker")
        if shared_memory_mb < 0:
            raise ValueError("shared_memory_mb must be 0 (off) or more")
        self.size = size
        self.shared_bytes = shared_memory_mb * 2**20
        self.read_worker_memory = read_worker_memory
        self.maxima = maxima or SandboxLimits()
        self.defaults = (defaults or self.maxima).capped(self.maxima)
        self.start_timeout = start_timeout
        self._idle: asyncio.Queue[WorkerProcess] | None = None
        self._workers: set[WorkerProcess] = set()
        self._spawning = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._started = False
        self._last_error = ""
        self._runner = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sandbox-run")
        # Each run thread may hand half of a large copy to one of these (see ``copying``).
        self._copier = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sandbox-copy")
        self._spawner = ThreadPoolExecutor(
            max_workers=max(2, min(size, 4)), thread_name_prefix="sandbox-spawn"
        )

    # -- life cycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every worker and wait until they are ready."""
        if self._started:
            return
        self._started = True
        self._idle = asyncio.Queue()
        results = await asyncio.gather(
            *(self._spawn_once() for _ in range(self.size)), return_exceptions=True
        )
        if not self._workers:
            await self.close()
            first = next((r for r in results if isinstance(r, BaseException)), None)
            raise NodeError(f"sandbox: no worker could be started: {first}")

    async def close(self) -> None:
        """Stop every worker (in-flight runs fail) and the helper threads."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        loop = asyncio.get_running_loop()
        # Wait for spawns already running in threads: their workers close themselves.
        await loop.run_in_executor(None, self._spawner.shutdown)
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(loop.run_in_executor(None, w.close, 1.0) for w in workers))
        self._runner.shutdown(wait=False)
        self._copier.shutdown(wait=False)

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def live_workers(self) -> int:
        return len(self._workers)

    def worker_pids(self) -> list[int]:
        return sorted(w.proc.pid for w in self._workers)

    def walls(self) -> dict[str, Any]:
        """The isolation a worker reported at start (uid, network, …), for /info and tests."""
        return next(iter(self._workers)).walls if self._workers else {}

    async def _spawn_once(self) -> None:
        loop = asyncio.get_running_loop()
        self._spawning += 1
        try:
            worker = await loop.run_in_executor(self._spawner, self._start_worker)
        except Exception as exc:
            self._last_error = str(exc)
            log.warning("sandbox worker failed to start: %s", exc)
            raise
        finally:
            self._spawning -= 1
        if self._closed:
            await loop.run_in_executor(None, worker.close)
            return
        self._workers.add(worker)
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def _start_worker(self) -> WorkerProcess:
        worker = WorkerProcess.start(
            self.maxima.cpu_seconds,
            self.maxima.memory_mb,
            self.defaults.runs_per_worker,
            self.start_timeout,
            self.shared_bytes,
            self.read_worker_memory,
        )
        if self._closed:  # the pool closed while this one was starting
            worker.close(timeout=1.0)
            raise RuntimeError("pool closed")
        return worker

    def _replace_later(self) -> None:
        if self._closed:
            return

        async def replace() -> None:
            for attempt in range(3):
                try:
                    await self._spawn_once()
                    return
                except Exception:
                    if self._closed:
                        return
                    await asyncio.sleep(0.5 * 2**attempt)

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _retire(self, worker: WorkerProcess, *, kill: bool) -> None:
        self._workers.discard(worker)
        self._replace_later()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, worker.kill if kill else worker.close)

    async def _acquire(self) -> WorkerProcess:
        if not self._started:
            await self.start()
        assert self._idle is not None
        while True:
            if self._closed:
                raise NodeError("sandbox: the pool is closed")
            if not self._workers and self._spawning == 0 and not self._tasks:
                raise NodeError(f"sandbox: no worker is available: {self._last_error}")
            if not self._idle.empty():  # the common case: no task, no timer
                worker = self._idle.get_nowait()
                if worker in self._workers:
                    return worker
                continue
            with contextlib.suppress(TimeoutError):
                worker = await asyncio.wait_for(self._idle.get(), timeout=0.5)
                if worker in self._workers:
                    return worker

    # -- running -------------------------------------------------------------------------------

    def limits_for(self, node_limits: Mapping[str, Any] | SandboxLimits | None) -> SandboxLimits:
        """A node's limits: its own values over the defaults, capped by the maxima."""
        return self.defaults.merged(node_limits).capped(self.maxima)

    async def run(
        self,
        kind: str,
        code: str,
        tables: Mapping[str, pd.DataFrame],
        params: Mapping[str, Any],
        limits: Mapping[str, Any] | SandboxLimits | None = None,
        *,
        options: Mapping[str, Any] | None = None,
    ) -> SandboxResult:
        """Run ``code`` on ``tables`` in a worker; on failure raise ``NodeError`` with why."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        effective = self.limits_for(limits)
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(
            self._runner,
            self._exchange,
            worker,
            kind,
            code,
            dict(tables),
            dict(params),
            effective,
            dict(options or {}),
        )
        try:
            outcome = await asyncio.shield(call)
        except asyncio.CancelledError:
            # The run is abandoned (flow timeout, client gone): the worker's state is unknown.
            await self._retire(worker, kill=True)
            raise
        except BaseException:
            await self._retire(worker, kill=True)
            raise
        worker.runs += 1
        if not outcome.keep_worker:
            await self._retire(worker, kill=True)
        elif worker.runs >= self.defaults.runs_per_worker or self._closed:
            await self._retire(worker, kill=False)
        else:
            assert self._idle is not None
            self._idle.put_nowait(worker)
        if outcome.error is not None:
            raise NodeError(outcome.error)
        assert outcome.result is not None
        return outcome.result

    def _exchange(
        self,
        worker: WorkerProcess,
        kind: str,
        code: str,
        tables: dict[str, pd.DataFrame],
        params: dict[str, Any],
        limits: SandboxLimits,
        options: dict[str, Any],
    ) -> _Outcome:
        """One request/response, in a thread. Table encoding happens here, off the event loop."""
        started = time.monotonic()
        try:
            encoded = [protocol.encode_table(df) for df in tables.values()]
        except (protocol.TableError, TypeError) as exc:
            return _Outcome(error=f"input: {exc}")
        # The inputs' headers go into the region now, their values while the worker reads the
        # request and decodes what it can (see ``worker._decode_inputs``).
        values: list[copying.Pair] = []
        try:
            metas, blobs = _place_inputs(worker, encoded, values)
        except ValueError:  # the region was unmapped: the worker was killed meanwhile
            return _Outcome(error="sandbox: the run was abandoned", keep_worker=False)
        try:
            header = {
                "kind": kind,
                "code": code,
                "names": list(tables),
                "params": params,
                "limits": limits.for_worker(),
                "options": options,
                "tables": metas,
                protocol.REMOTE: worker.reader is not None,
                protocol.GO: bool(values),
            }
            parts = protocol.pack(header, blobs)
        except TypeError as exc:
            return _Outcome(error=f"params: {exc}")
        del encoded, blobs
        deadline = started + limits.wall_seconds
        max_bytes = limits.memory_mb * 2**21
        try:
            worker.send(parts, deadline)
            del parts
            if values:
                if not _write_values(values, self._copier):
                    worker.kill()
                    return _Outcome(error="sandbox: the run was abandoned", keep_worker=False)
                del values
                worker.go(deadline)
            answer, blobs = worker.receive(deadline, max_table_bytes=max_bytes)
        except WallClockExceeded:
            worker.kill()
            return _Outcome(
                error=f"limit: wall clock exceeded {limits.wall_seconds:g} s", keep_worker=False
            )
        except WorkerDied:
            reason = worker.death_reason(limits.memory_mb, limits.cpu_seconds)
            return _Outcome(error=reason, keep_worker=False)
        except (protocol.TableError, ValueError) as exc:
            worker.kill()
            return _Outcome(error=f"sandbox: bad answer from the worker: {exc}", keep_worker=False)
        if not isinstance(answer, dict):
            worker.kill()
            return _Outcome(error="sandbox: bad answer from the worker", keep_worker=False)
        keep = not answer.get("recycle", False)
        if not answer.get("ok"):
            return _Outcome(error=str(answer.get("error", "sandbox: run failed")), keep_worker=keep)
        try:
            table = decode_answer(
                worker.region, answer, blobs, max_bytes, self._copier, worker.reader
            )
        except Exception as exc:  # any failure on untrusted bytes is the worker's doing
            return _Outcome(error=f"sandbox: bad answer from the worker: {exc}", keep_worker=False)
        result = SandboxResult(table, str(answer.get("printed", "")), time.monotonic() - started)
        return _Outcome(result=result, keep_worker=keep)


def _place_inputs(
    worker: WorkerProcess,
    encoded: list[tuple[dict[str, Any], protocol.OutTable]],
    values: list[copying.Pair],
) -> tuple[list[dict[str, Any]], list[protocol.OutTable | None]]:
    """Write the headers of the input tables that fit into the worker's region (their values'
    copies are added to ``values``, for ``_write_values``); the others go by pipe."""
    metas = [meta for meta, _ in encoded]
    blobs: list[protocol.OutTable | None] = [blob for _, blob in encoded]
    region = worker.region
    if region is None:
        return metas, blobs
    for i, offset in enumerate(region.place([blob.size for _, blob in encoded])):
        if offset is not None:
            region.write(encoded[i][1], offset, deferred=values)
            metas[i] = {**metas[i], protocol.SHARED: [offset, encoded[i][1].size]}
            blobs[i] = None
    return metas, blobs


def _write_values(values: list[copying.Pair], helper: Executor) -> bool:
    """Copy the inputs' values into the region; False when it was unmapped meanwhile (the
    worker was killed)."""
    try:
        copying.copy(values, helper)
    except ValueError:
        return False
    return True


def decode_answer(
    region: shm.Region | None,
    answer: dict[str, Any],
    blobs: list[Any],
    max_bytes: int,
    helper: Executor | None = None,
    reader: remote.Reader | None = None,
) -> pd.DataFrame:
    """The result table of a worker's answer. Nothing in it is trusted: a table in the region
    (and the buffers it left in the worker's memory, read with ``reader``) is bounds-checked
    and copied out before Arrow reads it, then fully validated."""
    meta = answer["tables"][0]
    if not isinstance(meta, dict):
        raise protocol.TableError(f"bad table entry {meta!r}")
    data = blobs[0]
    if data is None:
        if region is None:
            raise protocol.TableError("a table in shared memory, but this worker has none")
        offset, length = region.span(meta[protocol.SHARED], max_bytes)
        if protocol.REMOTE not in meta:
            data = region.copy_out(offset, length, helper)
        elif reader is None:
            raise protocol.TableError("a result in the worker's memory, which is not readable")
        else:
            source = np.frombuffer(region.view(offset, length), dtype=np.uint8)
            data = remote.gather(source, meta[protocol.REMOTE], reader, helper)
    return protocol.decode_table(meta, data, validate=True, helper=helper)
