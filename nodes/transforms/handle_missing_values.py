"""handle_missing_values: drop or fill the nulls of some or all columns."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

__all__ = ["HandleMissingValues", "HandleMissingValuesConfig"]

Strategy = Literal["drop_rows", "fill_value", "mean", "median", "mode", "ffill", "bfill"]


class HandleMissingValuesConfig(NodeConfig):
    columns: Columns = columns_field([], description="Columns to treat; empty means all columns.")
    strategy: Strategy = Field(description="What to do with the nulls.")
    value: Any = Field(default=None, description="The fill value (strategy fill_value).")


class HandleMissingValues(MaxDPNode):
    """Drops the rows with nulls in `columns`, or fills those nulls by `strategy`.

    `drop_rows` is `df.dropna(subset=columns)`; `fill_value` fills with `value`; `mean`/`median`
    fill with the column's mean/median and need numeric (non-bool) columns: a column named in
    `columns` that is not numeric fails the node, and with the default (all columns) such
    columns are skipped. `mode` fills with the most frequent value (the smallest on a tie);
    `ffill`/`bfill` carry the previous/next value (leading/trailing nulls stay). Only columns
    that hold nulls change. A value the column's type cannot hold widens the column as pandas
    does, but explicitly: integer columns become float for a fractional fill, others object
    (text given to a datetime column is parsed as a timestamp first).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, None, 3.0], "s": ["a", None, "a"]})
    >>> HandleMissingValues("h", {"strategy": "mean"}).invoke({"in": df})["out"]
         x    s
    0  1.0    a
    1  2.0  NaN
    2  3.0    a
    """

    type = "handle_missing_values"
    category = "Columns"
    title = "Handle missing values"
    Config = HandleMissingValuesConfig

    def setup(self) -> None:
        cfg = self.config
        if cfg.strategy == "fill_value" and cfg.value is None:
            raise ConfigError("value: required by strategy fill_value", field="value")
        if cfg.strategy != "fill_value" and cfg.value is not None:
            raise ConfigError(f"value: not used by strategy {cfg.strategy}", field="value")

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        named = list(dict.fromkeys(cfg.columns))
        require_columns(df, named, field="columns")
        if cfg.strategy == "drop_rows":
            return {"out": df.dropna(subset=named or None)}
        columns = named or list(dict.fromkeys(df.columns))
        for col in columns:
            if isinstance(df[col], pd.DataFrame):
                raise NodeError(f"columns: the table has more than one column named {col!r}")
        if cfg.strategy in ("mean", "median"):
            columns = self._numeric(df, columns, explicit=bool(named))
        out = df.copy(deep=False)
        for col in columns:
            source = df[col]
            if source.hasnans:
                out[col] = self._fill(source)
        return {"out": out}

    def _numeric(self, df: pd.DataFrame, columns: list[Any], *, explicit: bool) -> list[Any]:
        numeric = []
        for col in columns:
            dtype = df[col].dtype
            if ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype):
                numeric.append(col)
            elif explicit:
                raise NodeError(
                    f"columns: column {col!r} is not numeric ({dtype}); "
                    f"strategy {self.config.strategy} needs numbers"
                )
        return numeric

    def _fill(self, s: pd.Series) -> pd.Series:
        strategy = self.config.strategy
        if strategy == "ffill":
            return s.ffill()
        if strategy == "bfill":
            return s.bfill()
        if strategy == "fill_value":
            s, value = _prepared(s, self.config.value)
        elif strategy == "mode":
            modes = s.mode()
            if modes.empty:  # all null: nothing to fill with
                return s
            value = modes.iloc[0]
        else:
            value = s.mean() if strategy == "mean" else s.median()
            if pd.isna(value):
                return s
            if ptypes.is_integer_dtype(s.dtype) and not float(value).is_integer():
                s = s.astype("Float64")
        return s.fillna(value)


def _prepared(s: pd.Series, value: Any) -> tuple[pd.Series, Any]:
    """`s` in a dtype that can hold the JSON `value`, so fillna neither fails nor warns."""
    dtype = s.dtype
    if ptypes.is_object_dtype(dtype):
        return s, value
    if isinstance(value, bool):
        fits = ptypes.is_bool_dtype(dtype)
    elif isinstance(value, int | float):
        if ptypes.is_integer_dtype(dtype) and not float(value).is_integer():
            return s.astype("Float64"), value
        fits = ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)
    elif isinstance(value, str) and ptypes.is_datetime64_any_dtype(dtype):
        try:
            stamp = pd.Timestamp(value)
        except ValueError:
            return s.astype(object), value
        if (stamp.tz is None) == (getattr(dtype, "tz", None) is None):
            return s, stamp
        fits = False
    elif isinstance(value, str):
        fits = ptypes.is_string_dtype(dtype)
    else:
        fits = False
    if isinstance(dtype, pd.CategoricalDtype):
        fits = value in dtype.categories
    return (s, value) if fits else (s.astype(object), value)
