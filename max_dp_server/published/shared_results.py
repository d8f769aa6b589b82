"""Asynchronous calls' outcomes in the database, for polls that reach another server process.

The process that runs an async call answers its polls from memory (``answers.ResultStore``).
Behind a load balancer the poll may reach another process, so the call's outcome is also
stored in ``maxdp_execute_results``: a row when the run starts (``running``), its end with the
output tables when it finishes, kept ``ttl_s`` like the memory copy. Tables are stored as
Arrow IPC in the sandbox's framing (``nodes.code.sandbox.protocol``: exact dtypes, column
labels and mixed object columns come back as they were), so another process builds the very
same answer, JSON or CSV. Results larger than ``max_bytes`` (or that Arrow cannot carry) are
stored without their tables: other processes then say where the outputs are.

Writes happen in the call's own task, never on a request; a failed write is logged and the
call goes on (its own process still answers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.records import RunResult
from max_dp_server.db import utcnow
from max_dp_server.models import ExecuteResult
from nodes.code.sandbox import protocol

__all__ = ["SharedResults", "decode_outputs", "encode_outputs", "result_of"]

log = logging.getLogger("maxdp.published")


def encode_outputs(outputs: dict[str, pd.DataFrame], max_bytes: int) -> bytes | None:
    """The output tables as one message; ``None`` when larger than ``max_bytes`` or when a
    table cannot be carried."""
    try:
        encoded = [protocol.encode_table(frame) for frame in outputs.values()]
    except (protocol.TableError, TypeError, ValueError) as exc:
        log.info("async result not shared: %s", exc)
        return None
    size = sum(table.size for _, table in encoded)
    if size > max_bytes:
        return None
    metas = [{**meta, "name": name} for name, (meta, _) in zip(outputs, encoded, strict=True)]
    chunks: list[bytes] = []
    parts = protocol.pack({"tables": metas}, [table for _, table in encoded])
    protocol.write_parts(parts, lambda chunk: chunks.append(bytes(chunk)))
    return b"".join(chunks)


def decode_outputs(blob: bytes) -> dict[str, pd.DataFrame]:
    view = memoryview(blob)
    at = 0

    def read_exact(n: int) -> memoryview:
        nonlocal at
        if at + n > len(view):
            raise protocol.TableError("stored result is truncated")
        at += n
        return view[at - n : at]

    header, blobs = protocol.read_message(read_exact)
    return {
        meta["name"]: protocol.decode_table(meta, data)
        for meta, data in zip(header["tables"], blobs, strict=True)
    }


class SharedResults:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], ttl_s: float, max_bytes: int
    ) -> None:
        self._sessions = sessionmaker
        self.ttl = dt.timedelta(seconds=ttl_s)
        self.max_bytes = max_bytes

    async def begin(self, run_id: uuid.UUID, endpoint_id: uuid.UUID, timeout_s: float) -> None:
        # A running row outlives its run's timeout by ttl_s: one whose process died goes too.
        expires = utcnow() + dt.timedelta(seconds=timeout_s) + self.ttl
        row = ExecuteResult(
            run_id=run_id, endpoint_id=endpoint_id, status="running", expires_at=expires
        )
        await self._write(run_id, lambda session: _add(session, row))

    async def finish(
        self,
        run_id: uuid.UUID,
        result: RunResult | None,
        status: str,
        error: dict[str, Any] | None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "error": error, "finished_at": utcnow()}
        if result is not None:
            values.update(error=result.error, duration_ms=result.duration_ms)
            if result.status == "succeeded" and self.max_bytes > 0:
                values["outputs"] = await asyncio.to_thread(
                    encode_outputs, result.outputs, self.max_bytes
                )
        values["expires_at"] = values["finished_at"] + self.ttl
        statement = update(ExecuteResult).where(ExecuteResult.run_id == run_id).values(**values)
        await self._write(run_id, lambda session: session.execute(statement))

    async def get(self, run_id: uuid.UUID, endpoint_id: uuid.UUID) -> ExecuteResult | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(ExecuteResult).where(
                    ExecuteResult.run_id == run_id,
                    ExecuteResult.endpoint_id == endpoint_id,
                    ExecuteResult.expires_at > utcnow(),
                )
            )
        return row

    async def purge(self) -> int:
        """Delete expired results; how many."""
        async with self._sessions.begin() as session:
            done = await session.execute(
                delete(ExecuteResult).where(ExecuteResult.expires_at <= utcnow())
            )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    async def _write(self, run_id: uuid.UUID, change: Any) -> None:
        try:
            async with self._sessions.begin() as session:
                await change(session)
        except SQLAlchemyError as exc:
            log.warning("async result %s not stored for other processes: %s", run_id, exc)


async def _add(session: AsyncSession, row: ExecuteResult) -> None:
    session.add(row)


def result_of(row: ExecuteResult) -> RunResult | None:
    """A succeeded run with its stored tables, as a ``RunResult`` for ``answers.run_response``;
    ``None`` for any other run, or when the tables were not stored."""
    if row.status != "succeeded" or row.outputs is None:
        return None
    finished = row.finished_at or utcnow()
    took = row.duration_ms or 0.0
    return RunResult(
        run_id=str(row.run_id),
        status=row.status,
        started_at=finished - dt.timedelta(milliseconds=took),
        finished_at=finished,
        duration_ms=took,
        nodes=[],
        outputs=decode_outputs(row.outputs),
    )
