"""sort_data: order the rows by one or more columns."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import OrderBy
from nodes.tables import require_columns, single_table

__all__ = ["SortData", "SortDataConfig"]


class SortDataConfig(NodeConfig):
    by: OrderBy = Field(
        min_length=1,
        description="Sort keys, first key first: {column, ascending} or a column name.",
    )
    na_position: Literal["first", "last"] = Field(
        default="last", description="Where rows with a null key go."
    )


class SortData(MaxDPNode):
    """Sorts the rows by the `by` keys, each ascending or descending; nulls go `na_position`.

    The sort is stable (rows with equal keys keep their order) and keeps the row labels:
    `df.sort_values(by=[...], ascending=[...], na_position=..., kind="stable")`.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["b", "a", "b"], "n": [1, 2, 3]})
    >>> node = SortData("s", {"by": ["city", {"column": "n", "ascending": False}]})
    >>> node.invoke({"in": df})["out"]
      city  n
    1    a  2
    2    b  3
    0    b  1
    """

    type = "sort_data"
    category = "Rows"
    title = "Sort data"
    Config = SortDataConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        keys = self.config.by
        columns = [k.column for k in keys]
        require_columns(df, columns, field="by")
        try:
            out = df.sort_values(
                by=columns,
                ascending=[k.ascending for k in keys],
                na_position=self.config.na_position,
                kind="stable",
            )
        except (TypeError, ValueError) as exc:
            raise NodeError(f"by: {_why_unsortable(df, columns, exc)}") from None
        return {"out": out}


def _why_unsortable(df: pd.DataFrame, columns: list[str], exc: Exception) -> str:
    """Name the column that cannot be sorted: a repeated label or values of mixed types."""
    for col in columns:
        if isinstance(df[col], pd.DataFrame):
            return f"column {col!r} appears more than once in the table"
    for col in columns:
        kinds = sorted({type(v).__name__ for v in df[col].dropna()})
        if len(kinds) > 1:
            return f"column {col!r} mixes values of types {', '.join(kinds)} that cannot be ordered"
    return f"cannot sort: {exc}"
