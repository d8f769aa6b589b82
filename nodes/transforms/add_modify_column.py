"""add_modify_column: set a column to the value of an expression."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import expression_field
from nodes.tables import single_table

__all__ = ["AddModifyColumn", "AddModifyColumnConfig"]


class AddModifyColumnConfig(NodeConfig):
    column: str = Field(min_length=1, description="Column to add, or to replace if it exists.")
    expression: str = expression_field(description="Its value, e.g. price * quantity.")


class AddModifyColumn(MaxDPNode):
    """Sets `column` to the value of `expression`, adding it (last) or replacing it in place.

    The expression is evaluated on the whole table at once (see `nodes.expressions`); a value
    that uses no column, like `'KR'` or `@rate * 2`, is repeated on every row. The input table
    is never changed: the result is a new table (`df.assign(column=...)` in pandas terms).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"price": [2.5, 4.0], "qty": [2, None]})
    >>> node = AddModifyColumn("a", {"column": "total", "expression": "price * qty"})
    >>> node.invoke({"in": df})["out"]
       price  qty  total
    0    2.5  2.0    5.0
    1    4.0  NaN    NaN
    """

    type = "add_modify_column"
    category = "Columns"
    title = "Add or modify column"
    Config = AddModifyColumnConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        try:
            value = self.expressions["expression"].evaluate(df, ctx.params)
        except NodeError as exc:
            raise NodeError(f"expression: {exc.message}") from exc
        out = df.copy(deep=False)  # copy-on-write: shares data until written
        if isinstance(value, pd.Series):
            # Assign the values, not the Series: a duplicate index must not be realigned.
            value = value.array
        out[self.config.column] = value
        return {"out": out}
