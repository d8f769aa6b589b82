"""select_columns: keep or drop columns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

__all__ = ["SelectColumns", "SelectColumnsConfig"]


class SelectColumnsConfig(NodeConfig):
    columns: Columns = columns_field(description="Columns to keep (in this order) or to drop.")
    mode: Literal["keep", "drop"] = Field(default="keep", description="Keep or drop `columns`.")


class SelectColumns(MaxDPNode):
    """Keeps only `columns`, in the order given, or drops them (`mode: drop`).

    A column named twice in `columns` is kept once, at its first place. A name that is not in
    the table fails the node in both modes, so a typo never passes silently.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    >>> SelectColumns("s", {"columns": ["c", "a"]}).invoke({"in": df})["out"]
       c  a
    0  3  1
    >>> SelectColumns("s", {"columns": "b", "mode": "drop"}).invoke({"in": df})["out"]
       a  c
    0  1  3
    """

    type = "select_columns"
    category = "Columns"
    title = "Select columns"
    Config = SelectColumnsConfig

    def setup(self) -> None:
        self._columns = list(dict.fromkeys(self.config.columns))

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        require_columns(df, self._columns, field="columns")
        if self.config.mode == "drop":
            return {"out": df.drop(columns=self._columns)}
        return {"out": df[self._columns]}
