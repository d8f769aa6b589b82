"""display_results: marks a table as an output of the flow."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.tables import single_table


class DisplayResultsConfig(NodeConfig):
    name: str | None = Field(
        default=None, description="Key of this output in the response; default the node id."
    )
    limit: int | None = Field(default=None, ge=0, description="Keep at most this many rows.")


class DisplayResults(MaxDPNode):
    """Marks its input as a flow output named `name` (default the node id), cut to `limit` rows.

    >>> import pandas as pd
    >>> node = DisplayResults("shown", {"limit": 1})
    >>> node.output_name, node.invoke({"in": pd.DataFrame({"x": [1, 2]})})["out"]
    ('shown',    x
    0  1)
    """

    type = "display_results"
    category = "Sinks"
    title = "Display results"
    Config = DisplayResultsConfig
    is_output = True

    @property
    def output_name(self) -> str:
        return self.config.name or self.node_id

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        limit = self.config.limit
        return {"out": df.head(limit) if limit is not None else df}
