"""filter_rows: keep the rows where a condition holds; the others go to `rejected`."""

from __future__ import annotations

from typing import Any, ClassVar

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.expressions import evaluate_mask
from nodes.fields import expression_field
from nodes.tables import single_table

__all__ = ["FilterRows", "FilterRowsConfig"]


class FilterRowsConfig(NodeConfig):
    condition: str = expression_field(
        description="Rows where this is true go to `out`, e.g. amount > 5 and region == @region."
    )


class FilterRows(MaxDPNode):
    """Splits the rows on `condition`: true rows to `out`, false or null rows to `rejected`.

    The condition is an expression (see `nodes.expressions`). As in SQL, a comparison with null
    is null, not true, so such rows are rejected (`amount != 5` rejects a null amount). Row
    labels and order are kept, as pandas boolean indexing keeps them.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["KR", "US", "KR"], "amount": [10, 20, None]})
    >>> result = FilterRows("f", {"condition": "region == 'KR' and amount > 5"}).invoke({"in": df})
    >>> result["out"]
      region  amount
    0     KR    10.0
    >>> result["rejected"]
      region  amount
    1     US    20.0
    2     KR     NaN
    """

    type = "filter_rows"
    category = "Rows"
    title = "Filter rows"
    outputs: ClassVar[tuple[Port, ...]] = (
        Port(name="out", description="Rows where the condition is true."),
        Port(name="rejected", description="Rows where it is false or null."),
    )
    Config = FilterRowsConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        try:
            mask = evaluate_mask(self.expressions["condition"], df, ctx.params).to_numpy()
        except NodeError as exc:
            raise NodeError(f"condition: {exc.message}") from exc
        # A numpy mask selects by position: no index alignment, so duplicate labels are fine.
        if ctx.wanted is not None and "rejected" not in ctx.wanted:
            return {"out": df[mask]}  # nothing reads the rejected rows: don't copy them
        return {"out": df[mask], "rejected": df[~mask]}
