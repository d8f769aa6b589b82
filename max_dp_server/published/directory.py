"""The in-memory directory of published endpoints and API keys that ``/execute`` reads.

No call of an endpoint queries the database for its endpoint or key. The whole (small) tables
are loaded at start and reloaded every ``MAXDP_ENDPOINT_REFRESH_SECONDS`` (2 s), so a publish,
unpublish or key revocation made by another server process shows here within that interval plus
one query. Changes made through this process are applied at once, after their commit.

JWT callers are checked against workspace membership, cached per (user, workspace) for the same
interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from max_dp_server.models import ApiKey, PublishedEndpoint, User
from max_dp_server.published.worker_manager import WorkerManager
from max_dp_server.workspaces.repository import roles_of

__all__ = ["Directory", "EndpointInfo", "KeyInfo"]

log = logging.getLogger("maxdp.published")

# Past this many cached memberships the cache is emptied (it refills on demand).
_MEMBERS_MAX = 10_000
# A local change during a reload makes the reload stale; it is retried this many times.
_RELOAD_TRIES = 3


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    """One published endpoint as ``/execute`` needs it (an immutable snapshot of the row)."""

    id: uuid.UUID
    endpoint: str
    flow_id: uuid.UUID
    workspace_id: uuid.UUID
    version: int
    auth: str
    rate_limit: int | None
    record_runs: str
    mode: str
    enabled: bool

    @classmethod
    def of(cls, row: Any) -> EndpointInfo:
        """From a PublishedEndpoint, or a row of its columns."""
        return cls(
            row.id,
            row.endpoint,
            row.flow_id,
            row.workspace_id,
            row.version,
            row.auth,
            row.rate_limit,
            row.record_runs,
            row.mode,
            row.enabled,
        )

    def same_build(self, other: EndpointInfo) -> bool:
        """Whether ``other`` serves the same flow version (the cached executor stays valid)."""
        return (self.id, self.flow_id, self.version) == (other.id, other.flow_id, other.version)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: uuid.UUID
    workspace_id: uuid.UUID
    endpoints: frozenset[str] | None
    scopes: frozenset[str]
    revoked: bool

    @classmethod
    def of(cls, row: Any) -> KeyInfo:
        """From an ApiKey, or a row of its columns."""
        endpoints = frozenset(row.endpoints) if row.endpoints is not None else None
        return cls(
            row.id, row.workspace_id, endpoints, frozenset(row.scopes), row.revoked_at is not None
        )


_ENDPOINT_COLUMNS = (
    PublishedEndpoint.id,
    PublishedEndpoint.endpoint,
    PublishedEndpoint.flow_id,
    PublishedEndpoint.workspace_id,
    PublishedEndpoint.version,
    PublishedEndpoint.auth,
    PublishedEndpoint.rate_limit,
    PublishedEndpoint.record_runs,
    PublishedEndpoint.mode,
    PublishedEndpoint.enabled,
)
_KEY_COLUMNS = (
    ApiKey.id,
    ApiKey.key_hash,
    ApiKey.workspace_id,
    ApiKey.endpoints,
    ApiKey.scopes,
    ApiKey.revoked_at,
)


class Directory:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        workers: WorkerManager,
        refresh_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessionmaker
        self._workers = workers
        self.refresh_s = refresh_s
        self._clock = clock
        self.endpoints: dict[str, EndpointInfo] = {}
        self.keys: dict[str, KeyInfo] = {}  # by SHA-256 hex digest
        self._members: dict[tuple[uuid.UUID, uuid.UUID], tuple[float, str]] = {}
        self._generation = 0  # bumped by every local change
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        await self.reload()
        self._task = asyncio.create_task(self._loop(), name="maxdp-endpoint-directory")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_s)
            try:
                await self.reload()
            except Exception:
                log.exception("reloading the endpoint directory failed; serving the last copy")

    async def reload(self) -> None:
        """Replace both tables with the database's, unless this process changed one meanwhile
        (then the snapshot may predate that change and is read again)."""
        for _ in range(_RELOAD_TRIES):
            generation = self._generation
            async with self._sessions() as session:
                # Plain rows of the columns used (no ORM objects): cheap even for many keys.
                endpoint_rows = (await session.execute(select(*_ENDPOINT_COLUMNS))).all()
                key_rows = (await session.execute(select(*_KEY_COLUMNS))).all()
            if generation != self._generation:
                continue
            endpoints = {row.endpoint: EndpointInfo.of(row) for row in endpoint_rows}
            self._forget_changed(self.endpoints, endpoints)
            self.endpoints = endpoints
            self.keys = {row.key_hash: KeyInfo.of(row) for row in key_rows}
            self._members.clear()
            return

    def _forget_changed(self, old: dict[str, EndpointInfo], new: dict[str, EndpointInfo]) -> None:
        for name, before in old.items():
            after = new.get(name)
            if after is None:
                self._workers.drop(name)
            elif not before.same_build(after):
                same_flow = (before.id, before.flow_id) == (after.id, after.flow_id)
                self._workers.drop(name, keep_version=after.version if same_flow else None)

    # -- local changes (after their commit) ---------------------------------------------------
    def put_endpoint(self, info: EndpointInfo) -> None:
        """Serve ``info`` from now on. Calls in flight keep the executor they hold; the old
        version's executor is dropped from the cache."""
        self._generation += 1
        before = self.endpoints.get(info.endpoint)
        # One dict assignment: every call after this line sees the new version.
        self.endpoints = {**self.endpoints, info.endpoint: info}
        if before is not None:
            self._forget_changed({info.endpoint: before}, {info.endpoint: info})

    def remove_endpoint(self, name: str) -> None:
        self._generation += 1
        self.endpoints = {k: v for k, v in self.endpoints.items() if k != name}
        self._workers.drop(name)

    def put_key(self, key_hash: str, info: KeyInfo) -> None:
        self._generation += 1
        self.keys = {**self.keys, key_hash: info}

    # -- JWT callers --------------------------------------------------------------------------
    async def membership(self, user_id: uuid.UUID, workspace_id: uuid.UUID) -> str:
        """``member`` (or a server admin), ``outsider``, or ``inactive`` (no such active user)."""
        now = self._clock()
        cached = self._members.get((user_id, workspace_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None or not user.is_active:
                status = "inactive"
            elif user.is_admin or workspace_id in await roles_of(session, user_id, [workspace_id]):
                status = "member"
            else:
                status = "outsider"
        if len(self._members) > _MEMBERS_MAX:
            self._members.clear()
        self._members[(user_id, workspace_id)] = (now + self.refresh_s, status)
        return status
