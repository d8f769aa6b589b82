"""target_preview: the selected targets passed through, with their counts and a sample."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.messaging.templates import is_missing
from nodes.tables import single_table


class TargetPreviewConfig(NodeConfig):
    sample_size: int = Field(default=10, ge=0, le=1000, description="Rows shown per column.")


class TargetPreview(MaxDPNode):
    """Passes its rows through on `out` and describes them on `stats`, one row per column.

    `stats` has `column`, `dtype`, `count` (rows), `nulls`, and `sample`: the column's values
    in the first `sample_size` rows (nulls as None), so a person can check the targets
    before messages go out.

    >>> df = pd.DataFrame({"name": ["Ann", None, "Bo"], "phone": ["010", "011", None]})
    >>> out = TargetPreview("p", {"sample_size": 2}).run({"in": df}, NodeContext())
    >>> out["stats"]
      column dtype  count  nulls       sample
    0   name   str      3      1  [Ann, None]
    1  phone   str      3      1   [010, 011]
    """

    type = "target_preview"
    category = "Message automation"
    title = "Target preview"
    outputs: ClassVar[tuple[Port, ...]] = (
        Port(name="out", description="The rows, unchanged."),
        Port(name="stats", description="One row per column: count, nulls, sample."),
    )
    Config = TargetPreviewConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        head = df.head(self.config.sample_size)
        nulls = df.isna().sum()
        stats = pd.DataFrame(
            {
                "column": [str(c) for c in df.columns],
                "dtype": [str(t) for t in df.dtypes],
                "count": [len(df)] * df.shape[1],
                "nulls": [int(n) for n in nulls.to_numpy()],
                "sample": [
                    [None if is_missing(v) else v for v in head.iloc[:, i].tolist()]
                    for i in range(df.shape[1])
                ],
            },
            columns=["column", "dtype", "count", "nulls", "sample"],
        )
        return {"out": df, "stats": stats}
