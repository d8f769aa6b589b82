"""pivot_table: spread the values of key columns into new columns (a spreadsheet pivot)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

PivotFunction = Literal["sum", "mean", "count", "min", "max", "median", "first", "last"]


class PivotTableConfig(NodeConfig):
    index: Columns = columns_field([], "Row keys: one output row per combination.")
    columns: Columns = columns_field([], "Column keys: one output column per value.")
    values: Columns = columns_field([], "Columns to aggregate; default all the others.")
    aggfunc: PivotFunction = "mean"
    fill_value: str | int | float | bool | None = Field(
        default=None, description="Put in cells with no data."
    )
    dropna: bool = Field(
        default=True,
        description="As pandas: leave out rows with a null key and columns with no data.",
    )


def _label(part: Any) -> str:
    return "null" if pd.isna(part) else str(part)


def _flat(label: Any) -> str:
    if isinstance(label, tuple):
        return "_".join(_label(part) for part in label)
    return _label(label)


class PivotTable(MaxDPNode):
    """Pivots a table: one row per `index` key, one column per `columns` key, cells `aggfunc`.

    Output column names are strings. With one `values` column they are the keys of `columns`
    (`KR`, `US`); with several values, or several column keys, the parts are joined with `_`
    (`amount_KR`). The index keys come back as ordinary columns; an empty `index` gives one row.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"day": [1, 1, 2], "region": ["KR", "US", "KR"], "amount": [10, 5, 20]})
    >>> PivotTable("p", {"index": "day", "columns": "region", "values": "amount",
    ...                  "aggfunc": "sum", "fill_value": 0}).invoke({"in": df})["out"]
       day  KR  US
    0    1  10   5
    1    2  20   0
    """

    type = "pivot_table"
    category = "Aggregate and reshape"
    title = "Pivot table"
    Config = PivotTableConfig

    def setup(self) -> None:
        cfg = self.config
        if not cfg.index and not cfg.columns:
            raise ConfigError("columns: give index or columns (or both)", field="columns")
        keys = [*cfg.index, *cfg.columns]
        for col in cfg.values:
            if col in keys:
                raise ConfigError(
                    f"values: column {col!r} is also a key in index or columns", field="values"
                )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        require_columns(df, cfg.index, field="index")
        require_columns(df, cfg.columns, field="columns")
        require_columns(df, cfg.values, field="values")
        index = list(cfg.index)
        if not index:
            # A constant key gives the one-row, whole-table pivot; dropped again below.
            index = [_unused_name(df)]
            df = df.assign(**{index[0]: 0})
        # A single value column passed as a name (not a list) keeps its name out of the labels.
        values: str | list[str] | None = cfg.values[0] if len(cfg.values) == 1 else cfg.values
        try:
            table = pd.pivot_table(
                df,
                index=index,
                columns=cfg.columns or None,
                values=values or None,
                aggfunc=cfg.aggfunc,
                fill_value=cfg.fill_value,
                dropna=cfg.dropna,
                observed=True,
                sort=True,
            )
        except (TypeError, ValueError, NotImplementedError) as exc:
            raise NodeError(f"aggfunc: cannot compute {cfg.aggfunc}: {exc}") from None
        names = [_flat(label) for label in table.columns]
        counts = Counter(names)
        clashes = sorted(n for n, k in counts.items() if k > 1 or n in index)
        if clashes:
            raise NodeError(
                f"columns: pivoted column name {clashes[0]!r} is produced twice or clashes with "
                "an index column"
            )
        table.columns = names
        out = table.reset_index()
        if not cfg.index:
            out = out.drop(columns=index)
        return {"out": out}


def _unused_name(df: pd.DataFrame) -> str:
    name = "__all__"
    while name in df.columns:
        name = f"_{name}_"
    return name
