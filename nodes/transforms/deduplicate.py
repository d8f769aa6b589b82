"""deduplicate: drop repeated rows."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

__all__ = ["Deduplicate", "DeduplicateConfig"]


class DeduplicateConfig(NodeConfig):
    subset: Columns = columns_field(
        [], description="Columns that decide whether rows repeat; empty means all columns."
    )
    keep: Literal["first", "last", "none"] = Field(
        default="first",
        description="Which of the repeated rows to keep; none drops every repeated row.",
    )


class Deduplicate(MaxDPNode):
    """Drops rows that repeat on the `subset` columns (all columns when empty).

    `keep` first/last keeps one row of each repeated set; `none` drops them all
    (`df.drop_duplicates(subset=..., keep=False)`). Nulls compare equal to each other, as in
    pandas. Row labels and order are kept.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"k": [1, 1, 2], "v": ["a", "b", "c"]})
    >>> Deduplicate("d", {"subset": "k", "keep": "last"}).invoke({"in": df})["out"]
       k  v
    1  1  b
    2  2  c
    """

    type = "deduplicate"
    category = "Rows"
    title = "Deduplicate"
    Config = DeduplicateConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        subset = list(self.config.subset)
        require_columns(df, subset, field="subset")
        keep = False if self.config.keep == "none" else self.config.keep
        try:
            out = df.drop_duplicates(subset=subset or None, keep=keep)
        except TypeError as exc:
            # Lists and dicts (e.g. from JSON sources) cannot be hashed: name the column.
            raise NodeError(f"subset: {_unhashable(df, subset or list(df.columns), exc)}") from None
        return {"out": out}


def _unhashable(df: pd.DataFrame, columns: list[Any], exc: TypeError) -> str:
    for col in columns:
        for value in df[col].dropna():
            try:
                hash(value)
            except TypeError:
                return (
                    f"column {col!r} holds {type(value).__name__} values, which cannot be "
                    "compared for duplicates; leave it out of subset"
                )
    return f"cannot compare rows: {exc}"
