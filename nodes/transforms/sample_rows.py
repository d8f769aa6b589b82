"""sample_rows: keep a random, first, last or per-group (stratified) sample of the rows."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import Columns, columns_field
from nodes.tables import require_columns, single_table

__all__ = ["SampleRows", "SampleRowsConfig"]


class SampleRowsConfig(NodeConfig):
    method: Literal["random", "first", "last", "stratified"] = Field(
        default="random", description="How rows are picked."
    )
    n: int | None = Field(
        default=None, ge=0, description="Number of rows (per group if stratified)."
    )
    fraction: float | None = Field(
        default=None, ge=0, le=1, description="Share of rows, 0..1 (per group if stratified)."
    )
    seed: int | None = Field(
        default=None, ge=0, description="Random seed: the same seed gives the same sample."
    )
    by: Columns = columns_field([], description="Group columns for the stratified method.")


class SampleRows(MaxDPNode):
    """Keeps a sample of the rows: `n` rows or a `fraction` of them (exactly one of the two).

    `random` equals `df.sample(n=..., random_state=seed)` (or `frac=`); `first`/`last` take the
    head/tail; `stratified` samples within each group of `by` (nulls form a group of their own),
    like `df.groupby(by, dropna=False).sample(...)`. A fraction means `round(fraction * rows)`
    rows, as in pandas. Asking for more rows than there are keeps them all (a group smaller than
    `n` is kept whole) instead of failing. Row labels are kept.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [10, 20, 30, 40]})
    >>> SampleRows("s", {"method": "last", "n": 2}).invoke({"in": df})["out"]
        x
    2  30
    3  40
    >>> SampleRows("s", {"n": 2, "seed": 7}).invoke({"in": df})["out"].equals(
    ...     df.sample(n=2, random_state=7))
    True
    """

    type = "sample_rows"
    category = "Rows"
    title = "Sample rows"
    Config = SampleRowsConfig

    def setup(self) -> None:
        cfg = self.config
        if (cfg.n is None) == (cfg.fraction is None):
            raise ConfigError("n: give either n or fraction (exactly one)", field="n")
        if cfg.method == "stratified" and not cfg.by:
            raise ConfigError("by: the stratified method needs group columns", field="by")
        if cfg.method != "stratified" and cfg.by:
            raise ConfigError(
                f"by: only used by the stratified method, not {cfg.method}", field="by"
            )

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        cfg = self.config
        if cfg.method == "stratified":
            require_columns(df, cfg.by, field="by")
            return {"out": self._stratified(df)}
        count = cfg.n if cfg.n is not None else round(cfg.fraction * len(df))
        count = min(count, len(df))
        if cfg.method == "first":
            out = df.head(count)
        elif cfg.method == "last":
            out = df.tail(count)
        else:
            out = df.sample(n=count, random_state=cfg.seed)
        return {"out": out.copy(deep=False)}

    def _stratified(self, df: pd.DataFrame) -> pd.DataFrame:
        cfg = self.config
        by = list(cfg.by)
        groups = df.groupby(by, dropna=False)
        if cfg.fraction is not None:
            return groups.sample(frac=cfg.fraction, random_state=cfg.seed)
        # pandas fails when a group is smaller than n. Shuffling every group and keeping the
        # first n rows of each gives the same rows as groupby.sample(n=...) when every group is
        # large enough (RandomState.choice without replacement is a permutation cut to size, so
        # the generator advances identically), and keeps small groups whole.
        shuffled = groups.sample(frac=1, random_state=cfg.seed)
        return shuffled.groupby(by, dropna=False, sort=False).head(cfg.n)
