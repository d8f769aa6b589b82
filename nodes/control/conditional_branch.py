"""conditional_branch: routes rows, or the whole table, to a `true` or a `false` port."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.expressions import evaluate_mask
from nodes.fields import expression_field
from nodes.tables import single_table


class ConditionalBranchConfig(NodeConfig):
    condition: str = expression_field(
        description="rows mode: evaluated per row; table mode: one true/false for the table "
        "(may use row_count and @parameters)."
    )
    mode: Literal["rows", "table"] = Field(default="rows")


class ConditionalBranch(MaxDPNode):
    """Sends matching rows to `true`, the rest to `false`; in table mode, the whole table one way.

    In table mode only the taken port carries the table: nodes behind the other port are skipped.
    A null result counts as false, as in SQL.

    >>> import pandas as pd
    >>> node = ConditionalBranch("b", {"condition": "row_count > 2", "mode": "table"})
    >>> sorted(node.invoke({"in": pd.DataFrame({"x": [1, 2, 3]})}))
    ['true']
    """

    type = "conditional_branch"
    category = "Control"
    title = "Conditional branch"
    outputs: ClassVar[tuple[Port, ...]] = (Port(name="true"), Port(name="false"))
    Config = ConditionalBranchConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        expr = self.expressions["condition"]
        if self.config.mode == "rows":
            mask = evaluate_mask(expr, df, ctx.params, {"row_count": len(df)})
            return {"true": df[mask], "false": df[~mask]}
        value = expr.evaluate(df.iloc[0:0], ctx.params, {"row_count": len(df)})
        if isinstance(value, pd.Series):
            raise NodeError(
                "condition: in table mode the condition must give one value for the whole "
                "table (use row_count and @parameters, not columns)"
            )
        taken = "true" if (value is not None and value is not pd.NA and bool(value)) else "false"
        return {taken: df}
