"""change_data_type: convert columns to another type (int, float, string, bool, dates, ...)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.tables import require_columns, single_table

__all__ = ["ChangeDataType", "ChangeDataTypeConfig"]

TypeName = Literal["int", "float", "string", "bool", "datetime", "date", "decimal", "category"]

# Words accepted as booleans, compared after strip() and lower().
BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
INT64_LIMIT = 2**63


class ChangeDataTypeConfig(NodeConfig):
    types: dict[str, TypeName] = Field(
        min_length=1, description="{column: target type}; other columns are left as they are."
    )
    errors: Literal["raise", "coerce"] = Field(
        default="raise",
        description="raise: fail on the first value that does not convert; coerce: make it null.",
    )
    formats: dict[str, str] = Field(
        default_factory=dict,
        description="{column: strftime format}: how to read a datetime/date, or how to write a "
        "datetime as string.",
    )


class ChangeDataType(MaxDPNode):
    """Converts each column in `types` to its target type (int, float, bool, dates, ...).

    Targets: int -> nullable `Int64` (nulls survive; 2.0 and "2" convert, 2.5 does not);
    float -> `float64`; string -> pandas `string`; bool -> nullable `boolean` from
    true/false/yes/no/1/0 (any case); datetime -> `pd.to_datetime(format=...)` (also accepts the
    pandas formats "ISO8601" and "mixed"); date -> the same, normalised to midnight and kept as
    datetime64 (not `datetime.date` objects, which pandas cannot compute with); decimal ->
    `decimal.Decimal` objects (floats go through their shortest repr, so 0.1 gives Decimal("0.1"));
    category -> `category`. Blank text counts as null. With `errors: raise` the first value that
    does not convert fails the node, naming the column and the 0-based row position; with
    `errors: coerce` such values become null. A format on a string conversion formats datetimes.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": ["1", "2", None], "ok": ["yes", "No", "1"]})
    >>> out = ChangeDataType("c", {"types": {"n": "int", "ok": "bool"}}).invoke({"in": df})["out"]
    >>> out.dtypes.astype(str).to_dict(), out["n"].tolist()
    ({'n': 'Int64', 'ok': 'boolean'}, [1, 2, <NA>])
    >>> ChangeDataType("c", {"types": {"n": "int"}}).invoke({"in": pd.DataFrame({"n": ["7", "x"]})})
    Traceback (most recent call last):
    ...
    flows.errors.NodeError: types.n: cannot convert 'x' (row 1) to int
    """

    type = "change_data_type"
    category = "Columns"
    title = "Change data type"
    Config = ChangeDataTypeConfig

    def setup(self) -> None:
        for col, fmt in self.config.formats.items():
            target = self.config.types.get(col)
            if target is None:
                raise ConfigError(f"formats.{col}: column is not listed in types", field="formats")
            if target not in ("datetime", "date", "string"):
                raise ConfigError(
                    f"formats.{col}: a format applies to datetime, date or string, not {target}",
                    field="formats",
                )
            if not fmt:
                raise ConfigError(f"formats.{col}: the format is empty", field="formats")

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        require_columns(df, self.config.types, field="types")
        out = df.copy(deep=False)
        for col, target in self.config.types.items():
            source = df[col]
            if isinstance(source, pd.DataFrame):
                raise NodeError(f"types.{col}: the table has more than one column named {col!r}")
            out[col] = self._convert(col, target, source)
        return {"out": out}

    def _convert(self, col: str, target: str, source: pd.Series) -> pd.Series:
        fmt = self.config.formats.get(col)
        values = _blanks_to_null(source) if target not in ("string", "category") else source
        try:
            converted = CONVERTERS[target](values, fmt)
        except (TypeError, ValueError, OverflowError) as exc:
            # Whole-column failures pandas raises even when coercing (mixed time zones,
            # unhashable values for category, ...).
            raise NodeError(f"types.{col}: cannot convert to {target}: {exc}") from None
        if self.config.errors == "raise":
            bad = converted.isna().to_numpy(dtype=bool) & values.notna().to_numpy(dtype=bool)
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                value = source.iloc[pos]
                if isinstance(value, np.generic):
                    value = value.item()
                hint = ""
                if target in ("datetime", "date") and fmt is None:
                    # pandas guesses one format from the first value and holds every row to it.
                    hint = f" (set formats.{col}, e.g. to '%d/%m/%Y', 'ISO8601' or 'mixed')"
                raise NodeError(
                    f"types.{col}: cannot convert {value!r} (row {pos}) to {target}{hint}"
                )
        return converted


def _blanks_to_null(s: pd.Series) -> pd.Series:
    """Empty or whitespace-only text is a missing value, not a bad one."""
    if not (ptypes.is_object_dtype(s.dtype) or ptypes.is_string_dtype(s.dtype)):
        return s
    blank = (s.str.strip() == "").fillna(False).astype(bool)
    return s.mask(blank) if blank.any() else s


def _integral(value: Any) -> int | None:
    """The int a value stands for, or None when it is not a whole number within Int64."""
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                return None
            if not as_float.is_integer():
                return None
            number = int(as_float)
    elif isinstance(value, float | np.floating | Decimal):
        try:
            if value % 1 != 0:
                return None
            number = int(value)
        except (ValueError, OverflowError, InvalidOperation):  # nan, inf
            return None
    else:
        return None
    return number if -INT64_LIMIT <= number < INT64_LIMIT else None


def _to_int(s: pd.Series, fmt: str | None) -> pd.Series:
    if ptypes.is_integer_dtype(s.dtype) or ptypes.is_bool_dtype(s.dtype):
        return s.astype("Int64")
    if ptypes.is_float_dtype(s.dtype):
        values = s.astype("float64")
        whole = (values % 1 == 0) & (values.abs() < INT64_LIMIT)
        return values.where(whole).astype("Int64")
    # Text and mixed objects go value by value: a vectorised float detour would round
    # integers beyond 2**53.
    mask = s.isna().to_numpy(dtype=bool)
    ints = [None if missing else _integral(v) for v, missing in zip(s, mask, strict=True)]
    return pd.Series(pd.array(ints, dtype="Int64"), index=s.index, name=s.name)


def _to_float(s: pd.Series, fmt: str | None) -> pd.Series:
    if ptypes.is_bool_dtype(s.dtype):
        return s.astype("float64")
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _to_string(s: pd.Series, fmt: str | None) -> pd.Series:
    if fmt and ptypes.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime(fmt).astype("string")
    return s.astype("string")


def _to_bool(s: pd.Series, fmt: str | None) -> pd.Series:
    if ptypes.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    if ptypes.is_numeric_dtype(s.dtype):
        return s.map({1: True, 0: False}).astype("boolean")
    words = s.astype("string").str.strip().str.lower()
    return words.map(BOOL_WORDS).astype("boolean")


def _to_datetime(s: pd.Series, fmt: str | None) -> pd.Series:
    if fmt is None and ptypes.is_datetime64_any_dtype(s.dtype):
        return s
    return pd.to_datetime(s, format=fmt, errors="coerce")


def _to_date(s: pd.Series, fmt: str | None) -> pd.Series:
    return _to_datetime(s, fmt).dt.normalize()


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool | np.bool_ | int | np.integer):
        number = Decimal(int(value))
    elif isinstance(value, float | np.floating):
        number = Decimal(repr(float(value)))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _to_decimal(s: pd.Series, fmt: str | None) -> pd.Series:
    mask = s.isna().to_numpy(dtype=bool)
    values = [None if missing else _decimal(v) for v, missing in zip(s, mask, strict=True)]
    return pd.Series(values, index=s.index, name=s.name, dtype=object)


def _to_category(s: pd.Series, fmt: str | None) -> pd.Series:
    return s.astype("category")


CONVERTERS: dict[str, Callable[[pd.Series, str | None], pd.Series]] = {
    "int": _to_int,
    "float": _to_float,
    "string": _to_string,
    "bool": _to_bool,
    "datetime": _to_datetime,
    "date": _to_date,
    "decimal": _to_decimal,
    "category": _to_category,
}
