"""Tables to JSON-safe values: records for responses, a typed head for previews.

>>> import pandas as pd
>>> frame_records(pd.DataFrame({"a": [1, None], "t": pd.to_datetime(["2024-01-02", None])}))
[{'a': 1.0, 't': '2024-01-02T00:00:00'}, {'a': None, 't': None}]
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_preview", "frame_records", "jsonable"]


def jsonable(value: Any) -> Any:
    """One cell as a JSON value: NaN/NA/NaT -> None, timestamps -> ISO text, numpy -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, decimal.Decimal):
        # Text keeps every digit; a float would silently round money.
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def frame_records(df: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    if limit is not None:
        df = df.head(limit)
    columns = [str(c) for c in df.columns]
    if not columns:
        return [{} for _ in range(len(df))]
    # Column-wise tolist() is one C loop per column; itertuples boxes every row twice.
    data = [values.tolist() for _, values in df.items()]
    rows = zip(*data, strict=True)
    return [{col: jsonable(v) for col, v in zip(columns, row, strict=True)} for row in rows]


def frame_preview(df: pd.DataFrame, limit: int = 100) -> dict[str, Any]:
    """Head of a table with column types and null counts, for the designer's data grid."""
    head = df.head(limit)
    nulls = df.isna().sum().tolist()
    return {
        "columns": [
            {"name": str(col), "dtype": str(dtype), "nulls": int(n)}
            for col, dtype, n in zip(df.columns, df.dtypes, nulls, strict=True)
        ],
        "rows": frame_records(head),
        "row_count": len(df),
    }
