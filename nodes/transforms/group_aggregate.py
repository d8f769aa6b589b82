"""group_aggregate: one row per group with aggregated columns (SQL GROUP BY)."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

AggFunction = Literal[
    "sum",
    "mean",
    "median",
    "min",
    "max",
    "count",
    "count_distinct",
    "std",
    "var",
    "first",
    "last",
    "concat",
    "percentile",
]

# Functions pandas runs in compiled code, by their pandas names.
_BUILTIN: dict[str, str] = {
    "sum": "sum",
    "mean": "mean",
    "median": "median",
    "min": "min",
    "max": "max",
    "count": "count",
    "count_distinct": "nunique",
    "std": "std",
    "var": "var",
    "first": "first",
    "last": "last",
}
# What pandas raises for a function that does not fit a column's dtype.
_AGG_ERRORS = (TypeError, ValueError, NotImplementedError, pd.errors.DataError)
# Results that keep the input column's dtype (whole-table path builds them from scalars).
_SAME_DTYPE = {"min", "max", "first", "last"}


class Aggregation(NodeConfig):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    column: str | None = Field(
        default=None, description="Input column; may be omitted for count (counts rows)."
    )
    function: AggFunction
    as_: str | None = Field(
        default=None, alias="as", description="Output column; default {column}_{function}."
    )
    q: float | None = Field(default=None, description="Quantile in [0, 1] for percentile.")
    separator: str = Field(default=", ", description="Separator for concat.")

    @property
    def output(self) -> str:
        if self.as_:
            return self.as_
        return f"{self.column}_{self.function}" if self.column is not None else "count"


class GroupAggregateConfig(NodeConfig):
    group_by: Columns = columns_field([], "Group columns; empty = the whole table (one row).")
    aggregations: list[Aggregation] = Field(default_factory=list)


def _concat(values: pd.Series, sep: str) -> Any:
    # SQL string_agg: nulls are skipped; a group with no values gives null, not "".
    present = values.dropna()
    return sep.join(present.astype(str)) if len(present) else None


def _first_valid(values: pd.Series, last: bool = False) -> Any:
    present = values.dropna()
    if not len(present):
        return None
    return present.iloc[-1] if last else present.iloc[0]


def _one_value(value: Any, dtype: Any) -> pd.Series:
    """A one-row column, in the input's dtype when the value fits (an int column has no null)."""
    missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
    # numpy bool/int columns have no null (and NaN cast to bool would read as True).
    no_null = isinstance(dtype, np.dtype) and dtype.kind in "biu"
    if dtype is not None and not (missing and no_null):
        try:
            return pd.Series([value], dtype=dtype)
        except (TypeError, ValueError):
            pass
    return pd.Series([value])


class GroupAggregate(MaxDPNode):
    """Groups rows by `group_by` and computes `aggregations`, one output row per group.

    As in SQL the null group is kept, group keys become ordinary columns (sorted), and an empty
    `group_by` aggregates the whole table into exactly one row (even when the table is empty).
    `count` counts non-null values (all rows when `column` is omitted); `concat` joins the
    non-null values as text with `separator`; `percentile` interpolates linearly at `q`.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["KR", "US", "KR", None], "amount": [10, 5, 20, 1]})
    >>> GroupAggregate("g", {"group_by": "region", "aggregations": [
    ...     {"column": "amount", "function": "sum", "as": "total"},
    ...     {"function": "count"}]}).invoke({"in": df})["out"]
      region  total  count
    0     KR     30      2
    1     US      5      1
    2    NaN      1      1
    """

    type = "group_aggregate"
    category = "Aggregate and reshape"
    title = "Group and aggregate"
    Config = GroupAggregateConfig

    def setup(self) -> None:
        cfg = self.config
        if not cfg.aggregations and not cfg.group_by:
            raise ConfigError(
                "aggregations: give at least one aggregation or a group_by column",
                field="aggregations",
            )
        seen = set(cfg.group_by)
        for i, agg in enumerate(cfg.aggregations):
            where = f"aggregations.{i}"
            if agg.column is None and agg.function != "count":
                raise ConfigError(f"{where}.column: {agg.function} needs a column", field=where)
            if agg.function == "percentile" and (agg.q is None or not 0 <= agg.q <= 1):
                raise ConfigError(
                    f"{where}.q: percentile needs q between 0 and 1, got {agg.q}",
                    field=f"{where}.q",
                )
            if agg.output in seen:
                raise ConfigError(
                    f"{where}.as: output column {agg.output!r} is produced twice",
                    field=f"{where}.as",
                )
            seen.add(agg.output)

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        require_columns(df, cfg.group_by, field="group_by")
        used = [a.column for a in cfg.aggregations if a.column is not None]
        require_columns(df, used, field="aggregations")
        try:
            if cfg.group_by:
                return {"out": self._grouped(df)}
            return {"out": self._whole_table(df)}
        except _AGG_ERRORS as exc:
            raise self._explain(df, exc) from None

    def _grouped(self, df: pd.DataFrame) -> pd.DataFrame:
        keys = self.config.group_by
        grouped = df.groupby(keys, dropna=False, sort=True, observed=True, as_index=False)
        named: dict[str, pd.NamedAgg] = {}
        quantiles: list[Aggregation] = []
        for agg in self.config.aggregations:
            if agg.function == "percentile":
                quantiles.append(agg)  # vectorised below, much faster than a per-group lambda
            elif agg.column is None:
                named[agg.output] = pd.NamedAgg(keys[0], "size")
            elif agg.function == "concat":
                named[agg.output] = pd.NamedAgg(agg.column, partial(_concat, sep=agg.separator))
            else:
                named[agg.output] = pd.NamedAgg(agg.column, _BUILTIN[agg.function])
        # No built-in aggregation (only percentiles): start from the group keys alone.
        out = grouped.agg(**named) if named else grouped.size().iloc[:, : len(keys)]
        # Same groupby, same sort: the quantile rows line up with the agg rows one to one.
        for agg in quantiles:
            result = grouped[agg.column].quantile(agg.q)
            out[agg.output] = result[agg.column].to_numpy()
        return out[[*keys, *(a.output for a in self.config.aggregations)]]

    def _whole_table(self, df: pd.DataFrame) -> pd.DataFrame:
        columns: dict[str, pd.Series] = {}
        for agg in self.config.aggregations:
            if agg.column is None:
                columns[agg.output] = pd.Series([len(df)], dtype="int64")
                continue
            values = df[agg.column]
            value = self._scalar(values, agg)
            dtype = values.dtype if agg.function in _SAME_DTYPE else None
            columns[agg.output] = _one_value(value, dtype)
        return pd.DataFrame(columns)

    @staticmethod
    def _scalar(values: pd.Series, agg: Aggregation) -> Any:
        fn = agg.function
        if fn == "concat":
            return _concat(values, agg.separator)
        if fn == "percentile":
            return values.quantile(agg.q)
        if fn in ("first", "last"):
            return _first_valid(values, last=fn == "last")
        return getattr(values, _BUILTIN[fn])()

    def _explain(self, df: pd.DataFrame, exc: Exception) -> NodeError:
        """Find which aggregation failed (only on the error path) and name it."""
        for i, agg in enumerate(self.config.aggregations):
            if agg.column is None:
                continue
            try:
                self._scalar(df[agg.column], agg)
            except _AGG_ERRORS:
                dtype = df[agg.column].dtype
                return NodeError(
                    f"aggregations.{i}: cannot compute {agg.function} of column "
                    f"{agg.column!r} ({dtype})"
                )
        return NodeError(f"aggregations: {exc}")
