"""melt: turn columns into rows (wide to long), the inverse of a pivot."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table


class MeltConfig(NodeConfig):
    id_vars: Columns = columns_field([], "Columns kept on every output row.")
    value_vars: Columns = columns_field([], "Columns turned into rows; default all the others.")
    var_name: str = Field(default="variable", min_length=1, description="Column of the names.")
    value_name: str = Field(default="value", min_length=1, description="Column of the values.")


class Melt(MaxDPNode):
    """Unpivots `value_vars` into two columns: `var_name` (the column name) and `value_name`.

    Each input row gives one output row per value column, keeping the `id_vars` columns; rows
    come out column by column, as pandas `melt` does.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["Seoul", "Busan"], "2023": [3, 1], "2024": [4, 2]})
    >>> Melt("m", {"id_vars": "city", "var_name": "year"}).invoke({"in": df})["out"]
        city  year  value
    0  Seoul  2023      3
    1  Busan  2023      1
    2  Seoul  2024      4
    3  Busan  2024      2
    """

    type = "melt"
    category = "Aggregate and reshape"
    title = "Melt (unpivot)"
    Config = MeltConfig

    def setup(self) -> None:
        cfg = self.config
        if cfg.var_name == cfg.value_name:
            raise ConfigError(
                f"value_name: {cfg.value_name!r} is also the var_name", field="value_name"
            )
        for name in (cfg.var_name, cfg.value_name):
            if name in cfg.id_vars:
                raise ConfigError(
                    f"id_vars: {name!r} is also an output column name (var_name/value_name)",
                    field="id_vars",
                )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        require_columns(df, cfg.id_vars, field="id_vars")
        require_columns(df, cfg.value_vars, field="value_vars")
        try:
            out = df.melt(
                id_vars=cfg.id_vars or None,
                value_vars=cfg.value_vars or None,
                var_name=cfg.var_name,
                value_name=cfg.value_name,
            )
        except (ValueError, TypeError) as exc:
            raise NodeError(f"value_name: {exc}") from None
        return {"out": out}
