"""split_column: split a text column into several columns, or into one row per piece."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from pydantic import Field

from flows.errors import ConfigError, NodeError
from nodes.base import MaxDPNode, NodeConfig, NodeContext
from nodes.fields import column_field
from nodes.tables import require_columns, single_table

__all__ = ["SplitColumn", "SplitColumnConfig"]


class SplitColumnConfig(NodeConfig):
    column: str = column_field(description="The column to split.")
    delimiter: str | None = Field(
        default=None, min_length=1, description="Split at this exact text."
    )
    pattern: str | None = Field(
        default=None, min_length=1, description="Split at matches of this regular expression."
    )
    into: list[str] | None = Field(
        default=None, min_length=1, description="Names of the new columns, one per piece."
    )
    to_rows: bool = Field(default=False, description="One row per piece instead of new columns.")
    keep_original: bool = Field(
        default=True, description="Keep the split column next to the new ones (with `into`)."
    )


class SplitColumn(MaxDPNode):
    """Splits `column` at a `delimiter` (plain text) or a `pattern` (regex) into columns or rows.

    With `into`, the value is split at most `len(into) - 1` times, so the last new column takes
    the unsplit rest and missing pieces are null (pandas `str.split(n=len(into) - 1,
    expand=True)`). The new columns are placed right after `column`, which is kept unless
    `keep_original` is false. With `to_rows: true` each piece gets its own row, in place of the
    value, with the other columns and the row label repeated (pandas `explode`); `keep_original`
    does not apply there. Nulls stay null (one row under `to_rows`); non-text values are split
    by their text form. As in Python's `re.split`, groups captured by `pattern` become pieces too.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["Kim, Min-ji", "Lee"]})
    >>> SplitColumn("s", {"column": "name", "pattern": r",\\s*", "into": ["last", "first"],
    ...                   "keep_original": False}).invoke({"in": df})["out"]
      last   first
    0  Kim  Min-ji
    1  Lee     NaN
    >>> SplitColumn("s", {"column": "name", "delimiter": ", ", "to_rows": True}).invoke(
    ...     {"in": df})["out"]
         name
    0     Kim
    0  Min-ji
    1     Lee
    """

    type = "split_column"
    category = "Columns"
    title = "Split column"
    Config = SplitColumnConfig

    def setup(self) -> None:
        cfg = self.config
        if (cfg.delimiter is None) == (cfg.pattern is None):
            raise ConfigError("delimiter: give either delimiter or pattern", field="delimiter")
        if cfg.to_rows == (cfg.into is not None):
            raise ConfigError("into: give either into (new column names) or to_rows", field="into")
        if cfg.into is not None:
            seen: set[str] = set()
            for name in cfg.into:
                if not name or name in seen:
                    raise ConfigError(f"into: {name!r} is empty or named twice", field="into")
                seen.add(name)
        self._separator: str | re.Pattern[str] = cfg.delimiter or ""
        if cfg.pattern is not None:
            try:
                self._separator = re.compile(cfg.pattern)
            except re.error as exc:
                raise ConfigError(
                    f"pattern: invalid regular expression {cfg.pattern!r}: {exc}", field="pattern"
                ) from None

    def run(self, inputs: dict[str, Any], ctx: NodeContext) -> dict[str, Any]:
        df = single_table(inputs)
        col = self.config.column
        require_columns(df, [col], field="column")
        source = df[col]
        if isinstance(source, pd.DataFrame):
            raise NodeError(f"column: the table has more than one column named {col!r}")
        text = source if isinstance(source.dtype, pd.StringDtype) else source.astype("str")
        regex = isinstance(self._separator, re.Pattern)
        if self.config.to_rows:
            out = df.copy(deep=False)
            out[col] = text.str.split(self._separator, regex=regex)
            out = out.explode(col)
            # Pieces are text; explode leaves object dtype on some inputs (an empty table).
            out[col] = out[col].astype(text.dtype)
            return {"out": out}
        return {"out": self._into_columns(df, text, regex)}

    def _into_columns(self, df: pd.DataFrame, text: pd.Series, regex: bool) -> pd.DataFrame:
        col = self.config.column
        into = self.config.into or []
        keep = self.config.keep_original
        for name in into:
            if name in df.columns and not (name == col and not keep):
                raise NodeError(f"into: column {name!r} already exists")
        if len(into) == 1:
            # pandas reads n=0 as "no limit", so one piece is the whole value.
            pieces = text.to_frame()
        else:
            pieces = text.str.split(self._separator, n=len(into) - 1, expand=True, regex=regex)
        out = df.copy(deep=False)
        at = df.columns.get_loc(col) + 1
        for i, name in enumerate(into):
            if i < pieces.shape[1]:
                piece = pieces.iloc[:, i].astype(text.dtype)
            else:
                # No value had this many pieces, so pandas returned fewer columns.
                piece = pd.Series(None, index=df.index, dtype=text.dtype)
            out.insert(at + i, name, piece, allow_duplicates=True)
        if not keep:
            # By position: `into` may reuse the original name.
            out = out.iloc[:, [i for i in range(out.shape[1]) if i != at - 1]]
        return out
