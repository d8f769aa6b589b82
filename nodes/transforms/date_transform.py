"""date_transform: parse, format, extract, diff, shift or truncate a date/time column."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import column_field
from nodes.tables import require_columns, single_table

__all__ = ["DateTransform", "DateTransformConfig"]

Operation = Literal["parse", "format", "extract", "diff", "shift", "truncate"]
Part = Literal[
    "year", "quarter", "month", "week", "day", "weekday", "hour", "minute", "second", "dayofyear"
]
Unit = Literal["years", "quarter", "months", "weeks", "days", "hours", "minutes", "seconds",
               "year", "month", "week", "day", "hour"]  # fmt: skip

DIFF_UNITS = ("days", "hours", "minutes", "seconds", "weeks")
SHIFT_UNITS = ("days", "weeks", "months", "years", "hours", "minutes")
TRUNCATE_UNITS = ("year", "quarter", "month", "week", "day", "hour")
# Which optional fields each operation reads; any other one set is a mistake worth reporting.
ARGUMENTS: dict[str, set[str]] = {
    "parse": {"format", "errors"},
    "format": {"format"},
    "extract": {"part"},
    "diff": {"other_column", "to", "unit"},
    "shift": {"amount", "unit"},
    "truncate": {"unit"},
}
PERIODS = {"year": "Y", "quarter": "Q", "month": "M"}
# pandas deprecates the short spellings the flow format uses.
ACCESSORS = {"weekday": "day_of_week", "dayofyear": "day_of_year"}


class DateTransformConfig(NodeConfig):
    column: str = column_field(description="The date/time column.")
    operation: Operation = Field(description="What to do; each operation reads its own fields.")
    target: str | None = Field(
        default=None, min_length=1, description="Write to this column; default: in place."
    )
    format: str | None = Field(
        default=None, min_length=1, description="parse: input format; format: strftime output."
    )
    errors: Literal["raise", "coerce"] = Field(
        default="raise", description="parse: fail on a bad value, or make it null."
    )
    part: Part | None = Field(default=None, description="extract: which part.")
    other_column: str | None = column_field(None, description="diff: the end column.")
    to: str | None = Field(default=None, description='diff: the end, "now" or an ISO date.')
    unit: Unit | None = Field(
        default=None,
        description="diff: days|hours|minutes|seconds|weeks; shift: days|weeks|months|years|"
        "hours|minutes; truncate: year|quarter|month|week|day|hour.",
    )
    amount: int | None = Field(default=None, description="shift: how many units (negative: back).")


class DateTransform(MaxDPNode):
    """Parses, formats, extracts from, diffs, shifts or truncates the dates of `column`.

    One flat config: `operation` picks the job and each operation reads only its own fields
    (setting another one is refused):
    `parse` (`format` optional, `errors` raise|coerce) -> datetime64;
    `format` (`format`, strftime) -> text;
    `extract` (`part`: year, quarter, month, week (ISO), day, weekday (Monday=0), hour, minute,
    second, dayofyear) -> nullable Int64;
    `diff` (`other_column`, or `to`: an ISO date or "now", the server's clock in the
    column's time zone, naive local time for a naive column; `unit` days (default), hours,
    minutes, seconds, weeks) -> float, the time from `column` to the end (end minus `column`);
    `shift` (`amount`, `unit` days (default), weeks, months, years, hours, minutes; months and
    years by calendar via `pd.DateOffset`, so Jan 31 + 1 month is Feb 29 in a leap year);
    `truncate` (`unit` year, quarter, month, week (to Monday), day, hour) -> start of the period.
    For every operation but parse, a column that is not datetime yet is parsed first with
    `pd.to_datetime(errors="coerce")`: text pandas cannot read becomes null. The result goes to
    `target` (added at the end, or replacing it) or back into `column`.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"at": ["2024-01-31 10:30", None]})
    >>> DateTransform("d", {"column": "at", "operation": "shift", "amount": 1,
    ...                     "unit": "months"}).invoke({"in": df})["out"]
                       at
    0 2024-02-29 10:30:00
    1                 NaT
    >>> DateTransform("d", {"column": "at", "operation": "extract", "part": "quarter",
    ...                     "target": "q"}).invoke({"in": df})["out"]["q"].tolist()
    [1, <NA>]
    """

    type = "date_transform"
    category = "Columns"
    title = "Date transform"
    Config = DateTransformConfig

    def setup(self) -> None:
        cfg = self.config
        allowed = ARGUMENTS[cfg.operation]
        for name in sorted(cfg.model_fields_set - {"column", "operation", "target"} - allowed):
            if getattr(cfg, name) is not None:
                raise ConfigError(f"{name}: not used by operation {cfg.operation}", field=name)
        required = {"format": "format", "extract": "part", "shift": "amount", "truncate": "unit"}
        field = required.get(cfg.operation)
        if field and getattr(cfg, field) is None:
            raise ConfigError(f"{field}: required by operation {cfg.operation}", field=field)
        units = {"diff": DIFF_UNITS, "shift": SHIFT_UNITS, "truncate": TRUNCATE_UNITS}
        if cfg.unit is not None and cfg.unit not in units[cfg.operation]:
            raise ConfigError(
                f"unit: {cfg.operation} takes {', '.join(units[cfg.operation])}, not {cfg.unit!r}",
                field="unit",
            )
        self._to: pd.Timestamp | None = None
        if cfg.operation == "diff":
            if (cfg.other_column is None) == (cfg.to is None):
                raise ConfigError(
                    "other_column: diff needs other_column or to", field="other_column"
                )
            if cfg.to is not None and cfg.to != "now":
                try:
                    self._to = pd.Timestamp(cfg.to)
                except ValueError:
                    raise ConfigError(
                        f'to: {cfg.to!r} is neither "now" nor an ISO date', field="to"
                    ) from None

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        columns = [cfg.column] + ([cfg.other_column] if cfg.other_column else [])
        require_columns(df, [cfg.column], field="column")
        require_columns(df, columns[1:], field="other_column")
        for col in columns:
            if isinstance(df[col], pd.DataFrame):
                raise NodeError(f"column: the table has more than one column named {col!r}")
        source = df[cfg.column]
        if cfg.operation == "parse":
            result = self._parse(source)
        else:
            result = self._transform(_as_datetime(source, "column"), df)
        out = df.copy(deep=False)
        out[cfg.target or cfg.column] = result
        return {"out": out}

    def _parse(self, s: pd.Series) -> pd.Series:
        cfg = self.config
        if cfg.format is None and ptypes.is_datetime64_any_dtype(s.dtype):
            return s
        try:
            parsed = pd.to_datetime(s, format=cfg.format, errors="coerce")
        except (TypeError, ValueError) as exc:  # mixed time zones, ...
            raise NodeError(f"column: cannot parse {cfg.column!r} as datetimes: {exc}") from None
        if cfg.errors == "raise":
            bad = parsed.isna().to_numpy(dtype=bool) & _present(s)
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                value = s.iloc[pos]
                value = value.item() if isinstance(value, np.generic) else value
                hint = "" if cfg.format else " (set format, e.g. '%d/%m/%Y', 'ISO8601' or 'mixed')"
                raise NodeError(
                    f"column: cannot parse {value!r} (row {pos}) of {cfg.column!r} "
                    f"as a datetime{hint}"
                )
        return parsed

    def _transform(self, s: pd.Series, df: pd.DataFrame) -> pd.Series:
        cfg = self.config
        try:
            if cfg.operation == "format":
                return s.dt.strftime(cfg.format)
            if cfg.operation == "extract":
                return _extract(s, cfg.part or "year")
            if cfg.operation == "diff":
                other = df[cfg.other_column] if cfg.other_column else None
                end = self._end(s) if other is None else _as_datetime(other, "other_column")
                return (end - s) / pd.Timedelta(**{cfg.unit or "days": 1})
            if cfg.operation == "shift":
                return s + _offset(cfg.amount or 0, cfg.unit or "days")
            return _truncate(s, cfg.unit or "day")
        except (TypeError, ValueError, OverflowError) as exc:
            # Naive against time-zone-aware values, dates out of the representable range, ...
            field = {"diff": "other_column" if cfg.other_column else "to"}.get(cfg.operation)
            raise NodeError(f"{field or 'column'}: {cfg.operation} failed: {exc}") from None

    def _end(self, s: pd.Series) -> pd.Timestamp:
        if self._to is not None:
            return self._to
        return pd.Timestamp.now(tz=s.dt.tz)


def _present(s: pd.Series) -> np.ndarray:
    """Rows holding a value: not null and not blank text."""
    present = s.notna().to_numpy(dtype=bool)
    if ptypes.is_object_dtype(s.dtype) or ptypes.is_string_dtype(s.dtype):
        blank = (s.str.strip() == "").fillna(False).to_numpy(dtype=bool)
        present = present & ~blank
    return present


def _as_datetime(s: pd.Series, field: str) -> pd.Series:
    if ptypes.is_datetime64_any_dtype(s.dtype):
        return s
    try:
        return pd.to_datetime(s, errors="coerce")
    except (TypeError, ValueError) as exc:
        raise NodeError(f"{field}: cannot read {s.name!r} as datetimes: {exc}") from None


def _extract(s: pd.Series, part: str) -> pd.Series:
    if part == "week":
        return s.dt.isocalendar().week.astype("Int64")
    return getattr(s.dt, ACCESSORS.get(part, part)).astype("Int64")


def _offset(amount: int, unit: str) -> pd.Timedelta | pd.DateOffset:
    if unit in ("months", "years"):
        return pd.DateOffset(**{unit: amount})
    return pd.Timedelta(**{unit: amount})


def _truncate(s: pd.Series, unit: str) -> pd.Series:
    tz = s.dt.tz
    # Work on wall-clock time so periods start at local midnight, then put the zone back.
    wall = s.dt.tz_localize(None) if tz is not None else s
    if unit in PERIODS:
        start = wall.dt.to_period(PERIODS[unit]).dt.to_timestamp().dt.as_unit(wall.dt.unit)
    elif unit == "week":
        day = wall.dt.normalize()
        start = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    elif unit == "day":
        start = wall.dt.normalize()
    else:
        start = wall.dt.floor("h")
    if tz is not None:
        start = start.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    return start
