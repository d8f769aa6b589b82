"""Cron expressions with a time zone, and their fire times, DST-correct.

An expression has 5 fields (``minute hour day month day-of-week``) or 6 with seconds first
(``second minute hour day month day-of-week``); ``@hourly``, ``@daily``, ``@weekly``,
``@monthly`` and ``@yearly`` are accepted too, as are ``L`` (or ``last``) for the last day of
the month and ``?`` for "any" day. Fields are matched by APScheduler's
``CronTrigger`` fields, with two cron rules APScheduler does not follow by itself:

- day of week counts from Sunday (0 or 7 = Sunday, 1 = Monday), as in crontab(5);
- when both day of month and day of week are restricted, a day matching either one fires.

Daylight saving time follows Vixie cron. A job at a fixed time (no ``*`` in its minute or
hour field) runs once when the clock falls back, and a fixed time the clock skips in spring
runs at the moment of the jump. A job with ``*`` in its minute or hour field runs on the wall
clock as it is: in both passes of a repeated hour, and not in the skipped one.

Fire times are computed over wall-clock time with a trigger in UTC, then placed on the real
time line segment by segment (the zone's offset is constant between two transitions), so
APScheduler's own DST handling, which fires a daily 01:30 job twice on the night the clock
falls back, is never involved.

>>> cron = CronSchedule.parse("30 1 * * *", "America/New_York")
>>> after = dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)
>>> [t.astimezone(cron.zone).isoformat() for t in cron.upcoming(after, 2)]
['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zoneinfo
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from flows.errors import MaxDPError

__all__ = ["CronError", "CronSchedule", "TimezoneError", "cached_cron", "check_timezone"]

FIELDS_5 = ("minute", "hour", "day", "month", "day_of_week")
FIELDS_6 = ("second", *FIELDS_5)
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# crontab numbering: 0 and 7 are Sunday. APScheduler takes names, so numbers become names.
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_APS_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A fire time more than this many zone transitions away is not searched for.
_MAX_TRANSITIONS = 64
_STEP = dt.timedelta(days=1)  # no zone changes its offset twice within a day
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class CronError(MaxDPError):
    status_code = 422
    code = "invalid_cron"

    def __init__(self, message: str, *, part: str | None = None) -> None:
        super().__init__(f"cron: {message}", details={"field": "cron", "part": part})


class TimezoneError(MaxDPError):
    status_code = 422
    code = "invalid_timezone"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"timezone: {name!r} is not an IANA time zone name "
            "(examples: UTC, Europe/Berlin, America/New_York, Asia/Seoul)",
            details={"field": "timezone", "value": name},
        )


@functools.cache
def _zone_names() -> frozenset[str]:
    # localtime and posixrules are links some systems add: not names a schedule should carry.
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules"})


def check_timezone(name: str) -> zoneinfo.ZoneInfo:
    """The zone, or TimezoneError. Only IANA names (not file paths, not ``localtime``)."""
    if name not in _zone_names():
        raise TimezoneError(name)
    return zoneinfo.ZoneInfo(name)


def _day_number(token: str, field: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token.lower() in _CRON_DAYS:
        return _CRON_DAYS.index(token.lower())
    where = f" in {field!r}" if field != token else ""
    raise CronError(
        f"day of week {token!r}{where} is not 0-7 (0 and 7 = Sunday) or sun-sat",
        part="day_of_week",
    )


def _weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler day names (its own numbers start Monday)."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(
                    f"step {step_text!r} in {field!r} is not a positive number", part="day_of_week"
                )
            step = int(step_text)
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _day_number(first, field), _day_number(last, field)
            if high < low:  # fri-mon wraps through the weekend
                high += 7
        else:
            low = _day_number(base, field)
            high = 7 if slash else low  # "1/2" is 1-7/2, as in cronie
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(name for name in _APS_ORDER if _CRON_DAYS.index(name) in days)


def _fields(expression: str) -> dict[str, str]:
    text = " ".join(expression.split())
    text = MACROS.get(text.lower(), text)
    parts = text.split(" ")
    if len(parts) == 5:
        fields = dict(zip(FIELDS_5, parts, strict=True))
        fields["second"] = "0"
    elif len(parts) == 6:
        fields = dict(zip(FIELDS_6, parts, strict=True))
    else:
        raise CronError(
            f"{expression!r} has {len(parts)} fields; write 5 (minute hour day month "
            "day-of-week) or 6 with seconds first (second minute hour day month day-of-week)"
        )
    # Quartz's "no specific value" and "last day of the month", in APScheduler's words.
    fields["day"] = {"?": "*", "L": "last"}.get(fields["day"], fields["day"])
    return fields


def _trigger(fields: dict[str, str], **override: str) -> CronTrigger:
    values = {**fields, **override}
    try:
        return CronTrigger(**values, timezone=dt.UTC)
    except ValueError as exc:
        # Find the field at fault, so the message names it.
        for name, value in values.items():
            try:
                CronTrigger(**{name: value}, timezone=dt.UTC)
            except ValueError as field_exc:
                raise CronError(
                    f"the {name.replace('_', ' ')} field {value!r} is not valid ({field_exc})",
                    part=name,
                ) from None
        raise CronError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class CronSchedule:
    expression: str
    zone: zoneinfo.ZoneInfo
    # Vixie cron's "fixed time" job: no * in minute or hour (see the module docstring).
    fixed_time: bool
    # Matched against wall-clock times labelled UTC; two when day and weekday are OR-ed.
    triggers: tuple[CronTrigger, ...]

    @classmethod
    def parse(cls, expression: str, timezone: str) -> CronSchedule:
        zone = check_timezone(timezone)
        fields = _fields(expression)
        day_star = fields["day"].startswith("*")
        weekday_star = fields["day_of_week"].startswith("*") or fields["day_of_week"] == "?"
        fields["day_of_week"] = _weekdays(fields["day_of_week"])
        if day_star or weekday_star:
            triggers: tuple[CronTrigger, ...] = (_trigger(fields),)
        else:
            triggers = (_trigger(fields, day_of_week="*"), _trigger(fields, day="*"))
        fixed = not (fields["minute"].startswith("*") or fields["hour"].startswith("*"))
        schedule = cls(expression, zone, fixed, triggers)
        if schedule.next_after(dt.datetime.now(dt.UTC)) is None:
            raise CronError(f"{expression!r} never fires (no such date)")
        return schedule

    # -- fire times -----------------------------------------------------------------------------
    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after ``after`` (aware), in UTC; None if none is left."""
        after = after.astimezone(dt.UTC)
        instant = after
        wall_from = self._wall(after) + dt.timedelta(microseconds=1)
        if self.fixed_time and after.astimezone(self.zone).fold:
            # In the second pass of a repeated hour: its fixed times already ran in the first.
            first_pass = after.astimezone(self.zone).replace(fold=0).astimezone(dt.UTC)
            change = self._first_transition(first_pass, after)
            if change is not None:
                wall_from = max(wall_from, (change + self._offset(first_pass)).replace(tzinfo=None))
        for _ in range(_MAX_TRANSITIONS):
            offset = self._offset(instant)
            wall = self._first_wall(wall_from)
            if wall is None:
                return None
            candidate = (wall - offset).replace(tzinfo=dt.UTC)
            change = self._first_transition(instant, candidate)
            if change is None:
                return candidate
            new_offset = self._offset(change)
            old_end = (change + offset).replace(tzinfo=None)
            new_start = (change + new_offset).replace(tzinfo=None)
            if new_offset > offset:  # spring forward: wall times [old_end, new_start) never occur
                if self.fixed_time:
                    skipped = self._first_wall(old_end)
                    if skipped is not None and skipped < new_start:
                        return change
                wall_from = new_start
            else:  # fall back: wall times [new_start, old_end) occur a second time
                wall_from = old_end if self.fixed_time else new_start
            instant = change
        return None

    def upcoming(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        times: list[dt.datetime] = []
        current: dt.datetime | None = after
        while len(times) < count and current is not None:
            current = self.next_after(current)
            if current is not None:
                times.append(current)
        return times

    # -- internals ------------------------------------------------------------------------------
    def _wall(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone).replace(tzinfo=None, fold=0)

    def _offset(self, instant: dt.datetime) -> dt.timedelta:
        offset = instant.astimezone(self.zone).utcoffset()
        assert offset is not None
        return offset

    def _first_wall(self, wall: dt.datetime) -> dt.datetime | None:
        """The first matching wall-clock time at or after ``wall`` (naive)."""
        labelled = wall.replace(tzinfo=dt.UTC)
        found = [t.get_next_fire_time(None, labelled) for t in self.triggers]
        times = [t for t in found if t is not None]
        return min(times).replace(tzinfo=None) if times else None

    def _first_transition(self, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """The first instant in (start, end] where the zone's UTC offset changes."""
        offset = self._offset(start)
        low = start
        while low < end:
            high = min(low + _STEP, end)
            if self._offset(high) != offset:
                return self._bisect(low, high, offset)
            low = high
        return None

    def _bisect(self, low: dt.datetime, high: dt.datetime, offset: dt.timedelta) -> dt.datetime:
        # Zone transitions fall on whole seconds: search seconds since the epoch.
        lo = int((low - _EPOCH).total_seconds())
        hi = math.ceil((high - _EPOCH).total_seconds())
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._offset(_EPOCH + dt.timedelta(seconds=mid)) == offset:
                lo = mid
            else:
                hi = mid
        return _EPOCH + dt.timedelta(seconds=hi)


@functools.lru_cache(maxsize=1024)
def cached_cron(expression: str, timezone: str) -> CronSchedule:
    """Parsed once per (expression, zone): the scheduler and the API read them again and again.
    Errors are not cached (lru_cache keeps results only)."""
    return CronSchedule.parse(expression, timezone)
