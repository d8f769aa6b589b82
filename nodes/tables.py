"""Small table helpers that give node errors a user can act on.

>>> import pandas as pd
>>> require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], field="columns")
Traceback (most recent call last):
...
flows.errors.NodeError: columns: column 'b' not found (available: a)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from flows.errors import NodeError

__all__ = ["records_frame", "require_columns", "single_table"]


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, field: str) -> None:
    """Raise a NodeError naming the config field and the first missing column."""
    present = set(map(str, df.columns))
    for col in columns:
        if col not in present:
            available = ", ".join(map(str, df.columns)) or "none"
            raise NodeError(f"{field}: column {col!r} not found (available: {available})")


def single_table(inputs: Mapping[str, Any], port: str = "in") -> pd.DataFrame:
    value = inputs.get(port)
    if not isinstance(value, pd.DataFrame):
        raise NodeError(f"input port {port!r} expects a table, got {type(value).__name__}")
    return value


def records_frame(value: Any) -> pd.DataFrame:
    """A table from a DataFrame, a list of records or a dict of lists."""
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, list):
        return pd.DataFrame.from_records(value) if value else pd.DataFrame()
    if isinstance(value, dict):
        return pd.DataFrame(value)
    raise NodeError(
        f"expected a table, a list of records or a dict of lists, got {type(value).__name__}"
    )
