"""static_data: a small table typed into the flow itself."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from pydantic import Field, model_validator

from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port


class StaticDataConfig(NodeConfig):
    rows: list[dict[str, Any]] | None = Field(default=None, description="Rows as objects.")
    columns: list[str] | None = Field(default=None, description="Column names for `data`.")
    data: list[list[Any]] | None = Field(default=None, description="Rows as lists, with `columns`.")

    @model_validator(mode="after")
    def _one_shape(self) -> StaticDataConfig:
        if self.rows is not None and (self.columns is not None or self.data is not None):
            raise ValueError("give either rows, or columns + data, not both")
        if (self.columns is None) != (self.data is None):
            raise ValueError("columns and data go together")
        if self.data is not None and self.columns is not None:
            for i, row in enumerate(self.data):
                if len(row) != len(self.columns):
                    raise ValueError(
                        f"data row {i} has {len(row)} values for {len(self.columns)} columns"
                    )
        return self


class StaticData(MaxDPNode):
    """A fixed table written in the flow: `rows` as objects, or `columns` + `data`.

    The table is built once when the flow is built; each run gets its own copy.

    >>> node = StaticData("s", {"columns": ["city", "n"], "data": [["Seoul", 3], ["Busan", 1]]})
    >>> node.invoke({})["out"]
        city  n
    0  Seoul  3
    1  Busan  1
    """

    type = "static_data"
    category = "Sources"
    title = "Static data"
    inputs: ClassVar[tuple[Port, ...]] = ()
    Config = StaticDataConfig

    def setup(self) -> None:
        cfg = self.config
        if cfg.columns is not None:
            self._table = pd.DataFrame(cfg.data, columns=cfg.columns)
        else:
            self._table = pd.DataFrame.from_records(cfg.rows or [])

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        # Copy-on-write makes this cheap, and keeps downstream nodes from mutating the template.
        return {"out": self._table.copy(deep=False)}
