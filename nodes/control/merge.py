"""merge: joins the branches that a conditional_branch split."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port


class MergeConfig(NodeConfig):
    mode: Literal["first_available", "concat"] = Field(
        default="first_available",
        description="first_available: the first input (in edge order) that arrived; "
        "concat: every arrived input stacked, columns matched by name.",
    )


class Merge(MaxDPNode):
    """Takes whatever arrives from its branches: the first table, or all of them stacked.

    Branches that were not taken send nothing; merge runs with what did arrive, and is skipped
    only when nothing did.

    >>> import pandas as pd
    >>> node = Merge("m", {"mode": "concat"})
    >>> node.invoke({"in": {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [2]})}})["out"]
       x
    0  1
    1  2
    """

    type = "merge"
    category = "Combine"
    title = "Merge branches"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in", many=True),)
    Config = MergeConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        arrived: dict[str, pd.DataFrame] = inputs.get("in") or {}
        tables = list(arrived.values())
        if not tables:
            return {"out": pd.DataFrame()}
        if self.config.mode == "first_available":
            return {"out": tables[0]}
        return {"out": pd.concat(tables, ignore_index=True, sort=False)}
