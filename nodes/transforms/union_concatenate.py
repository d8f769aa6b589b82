"""union_concatenate: stack the tables of several incoming edges (SQL UNION ALL / UNION)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field

from flows.errors import NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port


class UnionConcatenateConfig(NodeConfig):
    mode: Literal["by_name", "by_position"] = Field(
        default="by_name",
        description="by_name: match columns by name (missing ones are null); "
        "by_position: every table has the first table's column count and takes its names.",
    )
    distinct: bool = Field(default=False, description="Drop duplicate rows (SQL UNION).")


def _tables(value: Any) -> list[tuple[str, pd.DataFrame]]:
    """``(source, table)`` pairs of the many-edge input: a dict (edge order), a list or a table."""
    if isinstance(value, pd.DataFrame):
        return [("in", value)]
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = [(f"#{i}", v) for i, v in enumerate(value)]
    elif value is None:
        items = []
    else:
        raise NodeError(f"input port 'in' expects tables, got {type(value).__name__}")
    for source, table in items:
        if not isinstance(table, pd.DataFrame):
            raise NodeError(
                f"input port 'in': the input from {source!r} is a {type(table).__name__}, "
                "not a table"
            )
    return [(str(source), table) for source, table in items]


class UnionConcatenate(MaxDPNode):
    """Stacks the rows of every incoming table, in edge order, under one set of columns.

    `by_name` lines columns up by name: the columns are those of the first table, then new
    ones in the order they appear, and a table without a column gets nulls there. `by_position`
    keeps the first table's names and requires the same number of columns everywhere.
    `distinct` removes duplicate rows. The output has a fresh 0..n-1 index.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"id": [1, 2], "name": ["Ann", "Bo"]})
    >>> b = pd.DataFrame({"id": [2, 3], "city": ["Seoul", "Busan"]})
    >>> UnionConcatenate("u", {}).invoke({"in": {"a": a, "b": b}})["out"]
       id name   city
    0   1  Ann    NaN
    1   2   Bo    NaN
    2   2  NaN  Seoul
    3   3  NaN  Busan
    """

    type = "union_concatenate"
    category = "Combine"
    title = "Union / concatenate"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="in", many=True),)
    Config = UnionConcatenateConfig

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        tables = _tables(inputs.get("in"))
        if not tables:
            return {"out": pd.DataFrame()}
        if self.config.mode == "by_position":
            tables = self._align_by_position(tables)
        frames = [table for _, table in tables]
        out = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
        if self.config.distinct:
            try:
                out = out.drop_duplicates()
            except TypeError as exc:  # lists or dicts in cells cannot be compared
                raise NodeError(f"distinct: cannot compare rows: {exc}") from None
        return {"out": out.reset_index(drop=True)}

    @staticmethod
    def _align_by_position(
        tables: list[tuple[str, pd.DataFrame]],
    ) -> list[tuple[str, pd.DataFrame]]:
        first_source, first = tables[0]
        names = first.columns
        aligned = [(first_source, first)]
        for source, table in tables[1:]:
            if table.shape[1] != len(names):
                raise NodeError(
                    f"mode: the input from {source!r} has {table.shape[1]} columns, the first "
                    f"input ({first_source!r}) has {len(names)}; by_position needs the same count"
                )
            aligned.append((source, table.set_axis(names, axis=1)))
        return aligned
