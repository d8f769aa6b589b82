"""Due fires and misfire policies (pure: cron, next fire, now)."""

from __future__ import annotations

import datetime as dt

from max_dp_server.schedules.cron import CronSchedule
from max_dp_server.schedules.planner import plan_fires

GRACE = dt.timedelta(seconds=60)
T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
MINUTELY = CronSchedule.parse("* * * * *", "UTC")


def minutes(*offsets: int) -> list[dt.datetime]:
    return [T0 + dt.timedelta(minutes=m) for m in offsets]


def test_nothing_due_before_the_next_fire() -> None:
    plan = plan_fires(MINUTELY, T0, T0 - dt.timedelta(seconds=1), "skip", grace=GRACE, limit=3)
    assert (plan.on_time, plan.skipped, plan.catch_up, plan.next_fire_at) == ([], None, None, T0)


def test_a_due_fire_runs_and_the_next_one_is_set() -> None:
    plan = plan_fires(MINUTELY, T0, T0 + dt.timedelta(seconds=2), "skip", grace=GRACE, limit=3)
    assert plan.on_time == [T0]
    assert plan.next_fire_at == T0 + dt.timedelta(minutes=1)
    assert plan.last_fire == T0


def test_late_fires_within_grace_run_a_few_per_tick() -> None:
    every_2s = CronSchedule.parse("*/2 * * * * *", "UTC")
    now = T0 + dt.timedelta(seconds=20)  # 11 fires due, all within the grace
    plan = plan_fires(every_2s, T0, now, "skip", grace=GRACE, limit=3)
    assert plan.on_time == [T0 + dt.timedelta(seconds=s) for s in (0, 2, 4)]
    assert plan.next_fire_at == T0 + dt.timedelta(seconds=6)  # the rest on the next ticks
    assert (plan.skipped, plan.catch_up) == (None, None)


def test_skip_records_the_gap_once_and_runs_nothing_missed() -> None:
    now = T0 + dt.timedelta(hours=2, seconds=30)
    plan = plan_fires(MINUTELY, T0, now, "skip", grace=GRACE, limit=3)
    assert plan.skipped == T0 and plan.catch_up is None
    # Only the fires within the last minute are still on time.
    assert plan.on_time == minutes(120)
    assert plan.next_fire_at == T0 + dt.timedelta(minutes=121)
    assert plan.last_fire == T0 + dt.timedelta(minutes=120)


def test_run_once_runs_one_catch_up_fire() -> None:
    daily = CronSchedule.parse("0 12 * * *", "UTC")
    now = T0 + dt.timedelta(days=3, hours=1)  # three daily fires missed
    plan = plan_fires(daily, T0, now, "run_once", grace=GRACE, limit=3)
    assert plan.catch_up == T0 and plan.skipped is None
    assert plan.on_time == []
    assert plan.next_fire_at == T0 + dt.timedelta(days=4)
