"""join_merge: join two tables on key columns (SQL JOIN, plus semi and anti joins)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from pandas.errors import MergeError
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext, Port
from nodes.fields import Columns, columns_field
from nodes.tables import single_table

JoinHow = Literal["inner", "left", "right", "outer", "cross", "semi", "anti"]


class JoinMergeConfig(NodeConfig):
    how: JoinHow = "inner"
    on: Columns = columns_field([], "Key columns with the same name on both sides.")
    left_on: Columns = columns_field([], "Key columns of the left table (with right_on).")
    right_on: Columns = columns_field([], "Key columns of the right table (with left_on).")
    suffixes: tuple[str, str] = Field(
        default=("_left", "_right"),
        description="Added to non-key columns that both tables have: [left, right].",
    )


def _require(df: pd.DataFrame, columns: list[str], field: str, side: str) -> None:
    present = set(map(str, df.columns))
    for col in columns:
        if col not in present:
            available = ", ".join(map(str, df.columns)) or "none"
            raise NodeError(
                f"{field}: column {col!r} not found in the {side} table (available: {available})"
            )


class JoinMerge(MaxDPNode):
    """Joins the `left` and `right` tables on `on` (or `left_on` + `right_on`).

    `how` is inner, left, right, outer, cross (every pair, no keys), semi (left rows that have a
    match, each once, left columns only) or anti (left rows with no match). Key matching is
    pandas' `merge`: null keys match each other. Non-key columns present on both sides get
    `suffixes`. The output has a fresh 0..n-1 index.

    >>> import pandas as pd
    >>> orders = pd.DataFrame({"id": [1, 2, 3], "cust": ["a", "b", "z"]})
    >>> names = pd.DataFrame({"cust": ["a", "b"], "name": ["Ann", "Bo"]})
    >>> tables = {"left": orders, "right": names}
    >>> JoinMerge("j", {"how": "left", "on": "cust"}).invoke(tables)["out"]
       id cust name
    0   1    a  Ann
    1   2    b   Bo
    2   3    z  NaN
    >>> JoinMerge("j", {"how": "anti", "on": "cust"}).invoke(tables)["out"]
       id cust
    0   3    z
    """

    type = "join_merge"
    category = "Combine"
    title = "Join / merge"
    inputs: ClassVar[tuple[Port, ...]] = (Port(name="left"), Port(name="right"))
    Config = JoinMergeConfig

    def setup(self) -> None:
        cfg = self.config
        if cfg.how == "cross":
            if cfg.on or cfg.left_on or cfg.right_on:
                raise ConfigError("on: a cross join takes no key columns", field="on")
            self._left_keys: list[str] = []
            self._right_keys: list[str] = []
            return
        if cfg.on and (cfg.left_on or cfg.right_on):
            raise ConfigError("on: give either on, or left_on + right_on, not both", field="on")
        if cfg.on:
            self._left_keys = self._right_keys = list(cfg.on)
            return
        if not cfg.left_on or not cfg.right_on:
            raise ConfigError(f"on: a {cfg.how} join needs on, or left_on + right_on", field="on")
        if len(cfg.left_on) != len(cfg.right_on):
            raise ConfigError(
                f"right_on: {len(cfg.right_on)} columns for {len(cfg.left_on)} in left_on",
                field="right_on",
            )
        self._left_keys, self._right_keys = list(cfg.left_on), list(cfg.right_on)

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        left = single_table(inputs, "left")
        right = single_table(inputs, "right")
        cfg = self.config
        field_l, field_r = ("on", "on") if cfg.on else ("left_on", "right_on")
        _require(left, self._left_keys, field_l, "left")
        _require(right, self._right_keys, field_r, "right")
        try:
            if cfg.how in ("semi", "anti"):
                return {"out": self._filter_left(left, right)}
            if cfg.how == "cross":
                out = left.merge(right, how="cross", suffixes=cfg.suffixes)
            elif cfg.on:
                out = left.merge(right, how=cfg.how, on=cfg.on, suffixes=cfg.suffixes)
            else:
                out = left.merge(
                    right,
                    how=cfg.how,
                    left_on=cfg.left_on,
                    right_on=cfg.right_on,
                    suffixes=cfg.suffixes,
                )
        except (MergeError, ValueError, TypeError) as exc:
            raise NodeError(f"{field_l}: cannot join: {exc}") from None
        return {"out": out}

    def _filter_left(self, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
        # Distinct right keys make a left merge keep exactly one row per left row, so its
        # indicator is a match mask: no right columns and no duplicated left rows.
        keys = right[self._right_keys].drop_duplicates()
        keys.columns = self._left_keys
        marker = _unused_name(left)
        matched = left[self._left_keys].merge(
            keys, how="left", on=self._left_keys, indicator=marker
        )
        mask = (matched[marker] == "both").to_numpy()
        if self.config.how == "anti":
            mask = ~mask
        return left.loc[mask].reset_index(drop=True)


def _unused_name(df: pd.DataFrame) -> str:
    name = "_merge"
    while name in df.columns:
        name = f"_{name}"
    return name
