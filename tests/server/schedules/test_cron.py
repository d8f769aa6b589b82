"""Cron parsing and fire times, checked against a brute-force matcher and hand-worked DST days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from max_dp_server.schedules.cron import CronError, CronSchedule, TimezoneError

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def brute(
    match: Callable[[dt.datetime], bool],
    start: dt.datetime,
    end: dt.datetime,
    zone: str = "UTC",
    step: dt.timedelta = dt.timedelta(minutes=1),
) -> list[dt.datetime]:
    """Every instant in (start, end] on a ``step`` grid whose local wall time matches: the
    plain definition of a cron on a clock, computed without the code under test."""
    tz = ZoneInfo(zone)
    found = []
    t = start + step
    while t <= end:
        if match(t.astimezone(tz)):
            found.append(t)
        t += step
    return found


def upcoming(expr: str, zone: str, after: dt.datetime, count: int) -> list[dt.datetime]:
    return CronSchedule.parse(expr, zone).upcoming(after, count)


# -- matching, against brute force ----------------------------------------------------------------
def test_weekdays_count_from_sunday_as_in_crontab() -> None:
    start = utc(2026, 11, 1)  # a Sunday
    got = upcoming("0 12 * * 1-5", "UTC", start, 10)
    want = brute(lambda t: t.hour == 12 and t.minute == 0 and t.weekday() < 5, start, got[-1])
    assert got == want
    assert {t.weekday() for t in got} == {0, 1, 2, 3, 4}  # Monday..Friday, as cron means
    sundays = upcoming("30 8 * * 0", "UTC", start, 3)
    assert (
        sundays
        == upcoming("30 8 * * 7", "UTC", start, 3)
        == upcoming("30 8 * * sun", "UTC", start, 3)
    )
    assert [t.weekday() for t in sundays] == [6, 6, 6]


def test_weekday_steps_and_wrapping_ranges() -> None:
    start = utc(2026, 11, 1)
    every_other = upcoming("0 0 * * */2", "UTC", start, 8)  # 0,2,4,6 = Sun, Tue, Thu, Sat
    assert {t.weekday() for t in every_other} == {6, 1, 3, 5}
    weekend = upcoming("0 0 * * fri-mon", "UTC", start, 8)
    assert {t.weekday() for t in weekend} == {4, 5, 6, 0}


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    start = utc(2026, 1, 1)
    got = upcoming("0 0 13 * 5", "UTC", start, 12)
    want = brute(
        lambda t: t.hour == 0 and t.minute == 0 and (t.day == 13 or t.weekday() == 4),
        start,
        got[-1],
        step=dt.timedelta(hours=1),
    )
    assert got == want
    assert utc(2026, 1, 13) in got and utc(2026, 1, 2) in got  # a Tuesday 13th; a Friday


def test_six_fields_put_seconds_first() -> None:
    start = utc(2026, 5, 1, 10, 0, 0)
    got = upcoming("*/2 * * * * *", "UTC", start, 5)
    assert got == [start + dt.timedelta(seconds=2 * i) for i in range(1, 6)]
    got = upcoming("15 30 9 * * *", "UTC", start, 2)
    assert got == [utc(2026, 5, 2, 9, 30, 15), utc(2026, 5, 3, 9, 30, 15)]


def test_macros_and_quartz_spellings() -> None:
    start = utc(2026, 5, 1, 10, 17)
    assert upcoming("@hourly", "UTC", start, 1) == [utc(2026, 5, 1, 11)]
    assert upcoming("@daily", "UTC", start, 1) == [utc(2026, 5, 2)]
    assert upcoming("@weekly", "UTC", start, 1) == [utc(2026, 5, 3)]  # Sunday
    assert upcoming("@monthly", "UTC", start, 1) == [utc(2026, 6, 1)]
    assert upcoming("@yearly", "UTC", start, 1) == [utc(2027, 1, 1)]
    assert upcoming("0 0 0 L * ?", "UTC", start, 2) == [utc(2026, 5, 31), utc(2026, 6, 30)]


def test_time_zone_shifts_fire_times() -> None:
    got = upcoming("0 9 * * *", "Asia/Seoul", utc(2026, 4, 30, 12), 2)
    assert got == [utc(2026, 5, 1, 0), utc(2026, 5, 2, 0)]  # 09:00 KST is midnight UTC


def test_leap_day_fires_every_four_years() -> None:
    assert upcoming("0 0 29 2 *", "UTC", utc(2026, 1, 1), 2) == [utc(2028, 2, 29), utc(2032, 2, 29)]


# -- daylight saving time ----------------------------------------------------------------
# America/New_York, 2026: 02:00 EST -> 03:00 EDT on 8 March (07:00 UTC);
# 02:00 EDT -> 01:00 EST on 1 November (06:00 UTC).


def test_fixed_time_in_the_skipped_hour_runs_at_the_jump() -> None:
    got = upcoming("30 2 * * *", "America/New_York", utc(2026, 3, 7, 12), 2)
    assert got == [utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]  # 03:00 EDT, then 02:30 EDT


def test_fixed_time_in_the_repeated_hour_runs_once() -> None:
    got = upcoming("30 1 * * *", "America/New_York", utc(2026, 10, 31, 12), 2)
    assert got == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]  # 01:30 EDT, 01:30 EST
    # Asked during the second pass of the hour (01:10 EST): it already ran in the first.
    assert upcoming("30 1 * * *", "America/New_York", utc(2026, 11, 1, 6, 10), 1) == [
        utc(2026, 11, 2, 6, 30)
    ]


def test_wildcard_jobs_follow_the_wall_clock_through_both_transitions() -> None:
    def half_hours(t: dt.datetime) -> bool:
        return t.minute in (0, 30)

    start = utc(2026, 11, 1, 4)
    got = upcoming("*/30 * * * *", "America/New_York", start, 8)
    assert got == brute(half_hours, start, got[-1], "America/New_York")
    assert utc(2026, 11, 1, 5, 30) in got and utc(2026, 11, 1, 6, 30) in got  # 01:30 twice
    start = utc(2026, 3, 8, 5)
    got = upcoming("0 * * * *", "America/New_York", start, 4)
    assert got == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 7), utc(2026, 3, 8, 8), utc(2026, 3, 8, 9)]


def test_every_two_seconds_across_the_berlin_fall_back() -> None:
    # 03:00 CEST -> 02:00 CET at 01:00 UTC on 25 October 2026: no gap, no double fire.
    start = utc(2026, 10, 25, 0, 59, 50)
    got = upcoming("*/2 * * * * *", "Europe/Berlin", start, 10)
    assert got == [start + dt.timedelta(seconds=2 * i) for i in range(1, 11)]


def test_half_hour_shift_of_lord_howe() -> None:
    # Australia/Lord_Howe: 02:00 +11:00 -> 01:30 +10:30 on 5 April 2026 (15:00 UTC on the 4th).
    got = upcoming("45 1 * * *", "Australia/Lord_Howe", utc(2026, 4, 4, 12), 2)
    assert got == [utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)]


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "part", "words"),
    [
        ("* * * *", None, "has 4 fields"),
        ("* * * * * * *", None, "has 7 fields"),
        ("61 * * * *", "minute", "minute field '61'"),
        ("* 24 * * *", "hour", "hour field '24'"),
        ("0 0 * 13 *", "month", "month field '13'"),
        ("x * * * *", "minute", "minute field 'x'"),
        ("*/0 * * * *", "minute", "minute field '*/0'"),
        ("* * * * 8", "day_of_week", "day of week '8'"),
        ("* * * * mon-funday", "day_of_week", "'funday'"),
        ("0 0 30 2 *", None, "never fires"),
    ],
)
def test_bad_cron_names_the_field(expr: str, part: str | None, words: str) -> None:
    with pytest.raises(CronError) as info:
        CronSchedule.parse(expr, "UTC")
    assert info.value.message.startswith("cron: ")
    assert words in info.value.message
    assert info.value.details == {"field": "cron", "part": part}
    assert info.value.status_code == 422


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "localtime", "", "utc "])
def test_bad_time_zone(zone: str) -> None:
    with pytest.raises(TimezoneError) as info:
        CronSchedule.parse("* * * * *", zone)
    assert info.value.message.startswith(f"timezone: {zone!r} is not an IANA time zone name")
    assert info.value.details == {"field": "timezone", "value": zone}
