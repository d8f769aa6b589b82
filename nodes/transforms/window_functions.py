"""window_functions: SQL window functions (OVER PARTITION BY ... ORDER BY ...) as new columns."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.core.groupby import DataFrameGroupBy
from pydantic import ConfigDict, Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, OrderBy, columns_field
from nodes.tables import require_columns, single_table

WindowName = Literal[
    "row_number",
    "rank",
    "dense_rank",
    "lag",
    "lead",
    "cumsum",
    "cummax",
    "cummin",
    "rolling_mean",
    "rolling_sum",
    "pct_change",
]
_RANKING = {"row_number", "rank", "dense_rank"}


class WindowFunction(NodeConfig):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    function: WindowName
    column: str | None = Field(default=None, description="Input column (not for ranking).")
    as_: str | None = Field(
        default=None, alias="as", description="Output column; default {column}_{function}."
    )
    offset: int = Field(default=1, ge=0, description="Rows back (lag), ahead (lead), pct_change.")
    window: int | None = Field(default=None, ge=1, description="Rows in a rolling window.")
    min_periods: int = Field(
        default=1, ge=0, description="Rolling: fewest rows that give a value (else null)."
    )

    @property
    def output(self) -> str:
        if self.as_:
            return self.as_
        return self.function if self.column is None else f"{self.column}_{self.function}"


class WindowFunctionsConfig(NodeConfig):
    partition_by: Columns = columns_field([], "Compute within each group of these columns.")
    order_by: OrderBy = Field(default_factory=list, description="Row order inside a partition.")
    functions: list[WindowFunction] = Field(min_length=1)


class WindowFunctions(MaxDPNode):
    """Adds one column per window function, computed over partitions in `order_by` order.

    Rows keep their input order and index. `rank` is SQL RANK (ties share the lowest rank, gaps
    follow), `dense_rank` has no gaps; both rank by the `order_by` keys, with nulls as peers.
    `lag`/`lead` look `offset` rows back/ahead, `pct_change` compares with `offset` rows back.
    `rolling_mean`/`rolling_sum` cover the current row and the `window - 1` before it, and give
    a value once `min_periods` rows (default 1) are in the window, like SQL
    `ROWS BETWEEN window-1 PRECEDING AND CURRENT ROW`. Nulls in keys form their own partition
    and sort last.

    >>> import pandas as pd
    >>> df = pd.DataFrame(
    ...     {"shop": ["a", "b", "a", "a"], "day": [2, 1, 1, 3], "sales": [5, 7, 3, 3]})
    >>> WindowFunctions("w", {"partition_by": "shop", "order_by": "day", "functions": [
    ...     {"function": "row_number"}, {"function": "cumsum", "column": "sales"}]}
    ... ).invoke({"in": df})["out"]
      shop  day  sales  row_number  sales_cumsum
    0    a    2      5           2             8
    1    b    1      7           1             7
    2    a    1      3           1             3
    3    a    3      3           3            11
    """

    type = "window_functions"
    category = "Aggregate and reshape"
    title = "Window functions"
    Config = WindowFunctionsConfig

    def setup(self) -> None:
        cfg = self.config
        seen: set[str] = set()
        for i, spec in enumerate(cfg.functions):
            where = f"functions.{i}"
            fn = spec.function
            if fn in _RANKING and spec.column is not None:
                raise ConfigError(
                    f"{where}.column: {fn} ranks by order_by and takes no column",
                    field=f"{where}.column",
                )
            if fn not in _RANKING and spec.column is None:
                raise ConfigError(f"{where}.column: {fn} needs a column", field=f"{where}.column")
            if fn in ("rank", "dense_rank") and not cfg.order_by:
                raise ConfigError(f"order_by: {fn} needs order_by", field="order_by")
            if fn.startswith("rolling_"):
                if spec.window is None:
                    raise ConfigError(f"{where}.window: {fn} needs a window", field=where)
                if spec.min_periods > spec.window:
                    raise ConfigError(
                        f"{where}.min_periods: {spec.min_periods} is more than the window "
                        f"({spec.window})",
                        field=f"{where}.min_periods",
                    )
            if spec.output in seen:
                raise ConfigError(
                    f"{where}.as: output column {spec.output!r} is produced twice",
                    field=f"{where}.as",
                )
            seen.add(spec.output)

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        require_columns(df, cfg.partition_by, field="partition_by")
        require_columns(df, [k.column for k in cfg.order_by], field="order_by")
        used = [f.column for f in cfg.functions if f.column is not None]
        require_columns(df, used, field="functions")

        # Work on positions (0..n-1) so a duplicate index cannot confuse the way back.
        work = df.reset_index(drop=True)
        if cfg.order_by:
            work = work.sort_values(
                [k.column for k in cfg.order_by],
                ascending=[k.ascending for k in cfg.order_by],
                kind="stable",
                na_position="last",
            )
        grouped = None
        if cfg.partition_by:
            grouped = work.groupby(cfg.partition_by, dropna=False, sort=False, observed=True)
        codes = None
        if any(f.function in ("rank", "dense_rank") for f in cfg.functions):
            # One code per distinct order_by tuple; rows are sorted, so codes rise with the order
            # and equal tuples (nulls included) share a code: ranking codes ranks the tuples.
            keys = [k.column for k in cfg.order_by]
            codes = work.groupby(keys, dropna=False, sort=False, observed=True).ngroup()

        new: dict[str, pd.Series] = {}
        for i, spec in enumerate(cfg.functions):
            try:
                result = self._compute(work, grouped, codes, spec)
            except (TypeError, ValueError, NotImplementedError, pd.errors.DataError) as exc:
                dtype = df[spec.column].dtype if spec.column is not None else ""
                raise NodeError(
                    f"functions.{i}: cannot compute {spec.function} of column "
                    f"{spec.column!r} ({dtype}): {exc}"
                ) from None
            # Back to input order, then onto the input's own index.
            new[spec.output] = result.sort_index().set_axis(df.index)
        out = df.copy(deep=False)
        for name, values in new.items():
            out[name] = values
        return {"out": out}

    def _compute(
        self,
        work: pd.DataFrame,
        grouped: DataFrameGroupBy | None,
        codes: pd.Series | None,
        spec: WindowFunction,
    ) -> pd.Series:
        fn = spec.function
        if fn == "row_number":
            if grouped is None:
                return pd.Series(np.arange(1, len(work) + 1), index=work.index)
            return grouped.cumcount() + 1
        if fn in ("rank", "dense_rank"):
            assert codes is not None  # computed in run when a rank function is present
            return self._rank(work, codes, "min" if fn == "rank" else "dense")
        col = spec.column
        assert col is not None  # checked in setup
        values = work[col] if grouped is None else grouped[col]
        if fn == "lag":
            return values.shift(spec.offset)
        if fn == "lead":
            return values.shift(-spec.offset)
        if fn == "pct_change":
            return values.pct_change(periods=spec.offset)
        if fn in ("cumsum", "cummax", "cummin"):
            return getattr(values, fn)()
        rolling = values.rolling(spec.window, min_periods=spec.min_periods)
        result = rolling.mean() if fn == "rolling_mean" else rolling.sum()
        if grouped is not None:
            # groupby().rolling() puts the partition keys in front of the row positions.
            result = result.droplevel(list(range(len(self.config.partition_by))))
        return result

    def _rank(
        self, work: pd.DataFrame, codes: pd.Series, method: Literal["min", "dense"]
    ) -> pd.Series:
        if self.config.partition_by:
            parts = [work[c] for c in self.config.partition_by]
            ranks = codes.groupby(parts, dropna=False, sort=False, observed=True).rank(method)
        else:
            ranks = codes.rank(method=method)
        return ranks.astype("int64")
