"""Which fires of a schedule are due now, and what the misfire policy does with missed ones.

Pure functions of (cron, next fire, now): the scheduler calls them inside its tick transaction.

A fire is *on time* while it is at most ``grace`` old; the scheduler runs it, late or not, a
few per tick (so a backlog drains over a few ticks instead of starting a burst). A fire older
than ``grace`` was *missed*: no scheduler ran at that moment (all processes down, or the
lease changing hands for longer than the grace). Missed fires are never run one by one:

- ``skip`` records one ``skipped`` fire, at the first missed time, naming the gap;
- ``run_once`` runs one catch-up fire, at the first missed time.

>>> from max_dp_server.schedules.cron import CronSchedule
>>> cron = CronSchedule.parse("0 * * * *", "UTC")
>>> start = dt.datetime(2026, 1, 1, 0, tzinfo=dt.UTC)
>>> plan = plan_fires(cron, start, start + dt.timedelta(hours=5, seconds=5), "run_once",
...                   grace=dt.timedelta(seconds=60), limit=3)
>>> plan.catch_up == start, [t.hour for t in plan.on_time], plan.next_fire_at.hour
(True, [5], 6)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from max_dp_server.schedules.cron import CronSchedule

__all__ = ["FirePlan", "plan_fires"]

_TINY = dt.timedelta(microseconds=1)


@dataclass(slots=True)
class FirePlan:
    on_time: list[dt.datetime] = field(default_factory=list)
    # The first missed fire time, when fires were missed; what happens to it is the policy's.
    catch_up: dt.datetime | None = None
    skipped: dt.datetime | None = None
    next_fire_at: dt.datetime | None = None

    @property
    def last_fire(self) -> dt.datetime | None:
        times = [*self.on_time, *(t for t in (self.catch_up,) if t is not None)]
        return max(times) if times else None


def plan_fires(
    cron: CronSchedule,
    next_fire_at: dt.datetime,
    now: dt.datetime,
    policy: str,
    *,
    grace: dt.timedelta,
    limit: int,
) -> FirePlan:
    """The fires to claim now, and the schedule's new ``next_fire_at``."""
    plan = FirePlan(next_fire_at=next_fire_at)
    current: dt.datetime | None = next_fire_at
    if next_fire_at > now:
        return plan
    if now - next_fire_at > grace:
        if policy == "run_once":
            plan.catch_up = next_fire_at
        else:
            plan.skipped = next_fire_at
        # Jump over the gap: the first fire that is still on time.
        current = cron.next_after(now - grace - _TINY)
    while current is not None and current <= now and len(plan.on_time) < limit:
        plan.on_time.append(current)
        current = cron.next_after(current)
    plan.next_fire_at = current
    return plan
