"""rename_columns: give columns new names."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.tables import require_columns, single_table

__all__ = ["RenameColumns", "RenameColumnsConfig"]


class RenameColumnsConfig(NodeConfig):
    mapping: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        description="{old name: new name}.",
    )


class RenameColumns(MaxDPNode):
    """Renames columns with `mapping` (`{old: new}`); other columns keep their names and order.

    Every old name must be in the table, and no rename may leave two columns with the same
    name. Swapping two names (`{"a": "b", "b": "a"}`) is allowed.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1], "b": [2]})
    >>> RenameColumns("r", {"mapping": {"a": "alpha"}}).invoke({"in": df})["out"]
       alpha  b
    0      1  2
    """

    type = "rename_columns"
    category = "Columns"
    title = "Rename columns"
    Config = RenameColumnsConfig

    def setup(self) -> None:
        targets = Counter(self.config.mapping.values())
        for old, new in self.config.mapping.items():
            if targets[new] > 1:
                raise ConfigError(
                    f"mapping: several columns are renamed to {new!r} (one of them {old!r})",
                    field="mapping",
                )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        mapping = self.config.mapping
        require_columns(df, mapping, field="mapping")
        renamed = [mapping.get(col, col) for col in df.columns]
        counts = Counter(renamed)
        for old, new in mapping.items():
            if counts[new] > 1:
                raise NodeError(
                    f"mapping: renaming {old!r} to {new!r} gives two columns named {new!r}"
                )
        return {"out": df.rename(columns=mapping)}
