"""ScheduleRunner: this process's part in firing schedules.

Two APScheduler jobs on the app's AsyncIOScheduler:

- ``lease`` (every ``scheduler_lease_renew_seconds``) takes the lease row when it is free or
  expired, and renews it while this process holds it;
- ``tick`` (every ``scheduler_poll_seconds``) does nothing unless this process holds the lease;
  then, in one transaction, it fences the lease (renews it only if still held with the same
  token), locks the due schedules, claims their due fires by INSERTing (schedule, fire time)
  under the unique key, and moves each schedule's ``next_fire_at`` on. After the commit, each
  claimed fire's run starts through the RunManager with trigger ``schedule``.

Safety does not rest on the lease alone: a fire is run only by the process whose INSERT of its
key succeeded, so even two processes that both believe they hold the lease never run one fire
twice. A fire is run at most once: a process that dies between its claim and the start of the
run leaves the fire ``claimed``; the next holder records it as failed, and does not run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from flows.errors import MaxDPError
from max_dp_server.flow_store import repository as flow_versions
from max_dp_server.models import FlowVersion, Schedule
from max_dp_server.runs.manager import RunPlan
from max_dp_server.runs.service import build_executor
from max_dp_server.schedules import lease, repository
from max_dp_server.schedules.cron import cached_cron
from max_dp_server.schedules.planner import plan_fires

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from max_dp_server.state import ServerState

__all__ = ["ScheduleRunner"]

log = logging.getLogger("maxdp.schedules")

MAX_SCHEDULES_PER_TICK = 100
MAX_FIRES_PER_TICK = 3  # per schedule: a backlog drains over a few ticks, not in one burst
STOP_GRACE_S = 10.0
LOST_MESSAGE = (
    "lost: the scheduler process that claimed this fire stopped before starting its run; "
    "the fire is not run again"
)


@dataclass(frozen=True, slots=True)
class _Fire:
    """What starting a claimed fire needs, copied out of the tick's session."""

    fire_id: int
    fire_time: dt.datetime
    schedule_id: uuid.UUID
    flow_id: uuid.UUID
    workspace_id: uuid.UUID
    version: int | None
    params: dict[str, Any]
    created_by: uuid.UUID | None


def process_name() -> str:
    """Unique per process start: host, pid (what an operator looks for) and a random tag."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


class ScheduleRunner:
    def __init__(self, state: ServerState) -> None:
        settings = state.settings
        self._state = state
        self._sessions = state.sessionmaker
        self.holder = process_name()
        self.token: int | None = None
        self._ttl = dt.timedelta(seconds=settings.scheduler_lease_ttl_seconds)
        self._grace = dt.timedelta(seconds=settings.scheduler_misfire_grace_seconds)
        self._busy = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduler: AsyncIOScheduler | None = None
        self._stopped = False
        self._last_purge = 0.0

    @property
    def is_leader(self) -> bool:
        return self.token is not None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, scheduler: AsyncIOScheduler) -> None:
        """Add the lease and tick jobs; both run at once, then every period."""
        settings = self._state.settings
        now = dt.datetime.now(dt.UTC)
        common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "next_run_time": now}
        scheduler.add_job(
            self._lease_job,
            "interval",
            seconds=settings.scheduler_lease_renew_seconds,
            id=f"maxdp-schedules-lease-{self.holder}",
            **common,
        )
        scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=settings.scheduler_poll_seconds,
            id=f"maxdp-schedules-tick-{self.holder}",
            **common,
        )
        self._scheduler = scheduler

    async def stop(self) -> None:
        """Stop ticking, let started fires reach the RunManager, and give the lease up."""
        self._stopped = True
        if self._scheduler is not None:
            for job_id in ("lease", "tick"):
                with contextlib.suppress(Exception):  # already gone when the scheduler stopped
                    self._scheduler.remove_job(f"maxdp-schedules-{job_id}-{self.holder}")
        async with self._busy:  # the tick in progress, if any, finishes first
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=STOP_GRACE_S)
            token, self.token = self.token, None
            if token is not None:
                try:
                    async with self._sessions.begin() as session:
                        await lease.release(session, self.holder, token)
                except Exception:
                    log.exception("could not release the scheduler lease; it expires by itself")

    # -- jobs -----------------------------------------------------------------------------------
    async def _lease_job(self) -> None:
        try:
            await self.renew()
        except Exception:
            log.exception("scheduler lease: could not take or renew it; will retry")

    async def _tick_job(self) -> None:
        try:
            await self.tick()
        except Exception:
            log.exception("scheduler tick failed; will retry")

    async def renew(self) -> bool:
        """Take or renew the lease; whether this process holds it now."""
        if self._stopped:
            return False
        async with self._busy:
            async with self._sessions.begin() as session:
                now = await lease.database_now(session)
                token = await lease.acquire(session, self.holder, self._ttl, now)
                if token is not None and token != self.token:
                    orphans = await repository.fail_orphans(
                        session, holder=self.holder, before=now, message=LOST_MESSAGE
                    )
                    log.info(
                        "this process (%s) is now the scheduler (lease token %d)%s",
                        self.holder,
                        token,
                        f"; {orphans} fires claimed by a stopped process recorded as lost"
                        if orphans
                        else "",
                    )
                elif token is None and self.token is not None:
                    log.warning("scheduler lease lost to another process; stopped firing")
                if token is not None:
                    await self._purge(session, now)
            self.token = token  # only once the transaction committed
            return token is not None

    async def tick(self) -> list[int]:
        """Claim and start the due fires (leader only); the ids of the fires claimed to run."""
        if self.token is None or self._stopped:
            return []
        async with self._busy:
            token = self.token
            if token is None or self._stopped:
                return []
            async with self._sessions() as session:
                if not await repository.any_due(session, await lease.database_now(session)):
                    return []
            claimed: list[_Fire] = []
            async with self._sessions.begin() as session:
                now = await lease.database_now(session)
                if not await lease.fence(session, self.holder, token, self._ttl, now):
                    log.warning("scheduler lease expired or taken over; stopped firing")
                    self.token = None
                    return []
                for schedule in await repository.lock_due(session, now, MAX_SCHEDULES_PER_TICK):
                    claimed += await self._claim(session, schedule, now)
            for fire in claimed:
                task = asyncio.create_task(self._start(fire), name=f"maxdp-fire-{fire.fire_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return [fire.fire_id for fire in claimed]

    async def wait_started(self) -> None:
        """Wait until every claimed fire has started its run or failed (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    # -- internals ------------------------------------------------------------------------------
    async def _claim(
        self, session: AsyncSession, schedule: Schedule, now: dt.datetime
    ) -> list[_Fire]:
        assert schedule.next_fire_at is not None
        try:
            cron = cached_cron(schedule.cron, schedule.timezone)
        except MaxDPError as exc:
            # Saved valid, invalid now (a time zone removed from tzdata): stop, and say why.
            await repository.claim_fire(
                session,
                schedule.id,
                schedule.next_fire_at,
                holder=self.holder,
                now=now,
                status="failed",
                message=f"{exc.message}; the schedule is disabled",
            )
            await repository.advance(session, schedule.id, enabled=False, next_fire_at=None)
            return []
        plan = plan_fires(
            cron,
            schedule.next_fire_at,
            now,
            schedule.misfire_policy,
            grace=self._grace,
            limit=MAX_FIRES_PER_TICK,
        )
        if plan.skipped is not None:
            await repository.claim_fire(
                session,
                schedule.id,
                plan.skipped,
                holder=self.holder,
                now=now,
                status="skipped",
                message=f"missed: no scheduler ran between {plan.skipped.isoformat()} and "
                f"{(now - self._grace).isoformat()}; misfire policy skip drops these fires",
            )
        to_run = [(t, None) for t in plan.on_time]
        if plan.catch_up is not None:
            message = (
                f"catch-up: runs once for the fires missed since {plan.catch_up.isoformat()} "
                "(misfire policy run_once)"
            )
            to_run.insert(0, (plan.catch_up, message))
        claimed = []
        for fire_time, message in to_run:
            fire_id = await repository.claim_fire(
                session, schedule.id, fire_time, holder=self.holder, now=now, message=message
            )
            if fire_id is None:
                continue  # someone else has it: theirs to run
            claimed.append(
                _Fire(
                    fire_id,
                    fire_time,
                    schedule.id,
                    schedule.flow_id,
                    schedule.workspace_id,
                    schedule.version,
                    dict(schedule.params or {}),
                    schedule.created_by,
                )
            )
        moved: dict[str, object] = {"next_fire_at": plan.next_fire_at}
        if plan.last_fire is not None:
            moved["last_fire_at"] = plan.last_fire
        await repository.advance(session, schedule.id, **moved)
        return claimed

    async def _start(self, fire: _Fire) -> None:
        status, run_id, message = "failed", None, None
        try:
            run_id = await self._submit(fire)
            status = "started"
        except MaxDPError as exc:
            message = exc.message
        except Exception as exc:
            log.exception("schedule %s: could not start fire %s", fire.schedule_id, fire.fire_id)
            message = f"could not start the run ({type(exc).__name__}); see the server log"
        if status == "failed":
            log.warning(
                "schedule %s fire at %s failed: %s",
                fire.schedule_id,
                fire.fire_time.isoformat(),
                message,
            )
        try:
            async with self._sessions.begin() as session:
                recorded = await repository.finish_fire(
                    session, fire.fire_id, status=status, run_id=run_id, message=message
                )
            if not recorded:
                log.warning("fire %s was given up as lost before it started", fire.fire_id)
        except Exception:
            log.exception("could not record fire %s (%s)", fire.fire_id, status)
        self._count(status)

    async def _submit(self, fire: _Fire) -> uuid.UUID:
        async with self._sessions() as session:
            found: FlowVersion | None
            if fire.version is not None:
                found = await flow_versions.get_version(session, fire.flow_id, fire.version)
            else:
                found = await repository.latest_version(session, fire.flow_id)
        if found is None:
            if fire.version is not None:
                raise MaxDPError(f"the flow has no version {fire.version}", code="no_version")
            raise MaxDPError(
                "the flow has no saved version to run; save one (POST /api/v1/flows/"
                f"{fire.flow_id}/versions) or pin the schedule to a version",
                code="no_version",
            )
        executor = await build_executor(self._state, found.document, fire.workspace_id)
        executor.bind_params(fire.params)  # ParameterError names each bad parameter
        return await self._state.runs.submit(
            RunPlan(
                executor=executor,
                flow_id=fire.flow_id,
                workspace_id=fire.workspace_id,
                version=found.version,
                params=fire.params,
                user_id=fire.created_by,
                trigger="schedule",
            )
        )

    async def _purge(self, session: AsyncSession, now: dt.datetime) -> None:
        settings = self._state.settings
        interval = settings.retention_interval_minutes * 60
        if not (interval and settings.run_retention_days):
            return
        if time.monotonic() - self._last_purge < interval:
            return
        self._last_purge = time.monotonic()
        deleted = await repository.purge_fires(
            session, now - dt.timedelta(days=settings.run_retention_days)
        )
        if deleted:
            log.info("retention: deleted %d old schedule fires", deleted)

    def _count(self, status: str) -> None:
        # maxdp_scheduler_fires_total counts the fires this process started a run for.
        metrics = getattr(self._state, "metrics", None)
        if status == "started" and metrics is not None:
            metrics.scheduler_fires.inc()
