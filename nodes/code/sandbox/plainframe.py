"""Plain DataFrames cross without pandas metadata: the common case, at a fraction of the cost.

``pa.Table.from_pandas`` and ``to_pandas`` spend ~0.3 ms per table on pandas metadata (JSON,
index reconstruction, dtype resolution), whatever its size: on a 10-row call that is most of the
sandbox's overhead, paid four times (server out, worker in, worker out, server in). A *plain*
frame, whose columns are numpy numbers, booleans, datetimes or timedeltas, or pandas' default
``str`` dtype, whose index is a ``RangeIndex`` or a plain ``Index`` of those, and whose labels
are unique strings, crosses as bare Arrow arrays; a few words of JSON in the header (``meta``)
say how to rebuild it. Anything else takes ``from_pandas`` (see ``protocol``).

``decode`` does not trust ``meta`` or the table: every dtype must be one of the listed ones and
every column of the Arrow type that dtype crosses as, or it raises ``TableError``.

>>> df = pd.DataFrame({"a": [1, 2], "s": ["x", None]})
>>> meta, table = encode(df)
>>> meta
{'dtypes': ['int64', 'str'], 'labels': 'str', 'index': {'range': [0, 2, 1], 'name': None}}
>>> decode(meta, table, None).equals(df)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["decode", "encode", "fixed_width_view"]

STR = pd.StringDtype("pyarrow", na_value=np.nan)
_UNITS = ("s", "ms", "us", "ns")
# numpy dtype name -> the Arrow type its column crosses as.
_NUMPY: dict[str, pa.DataType] = {
    name: pa.from_numpy_dtype(np.dtype(name))
    for name in (
        *(f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)),
        "float32",
        "float64",
        "bool",
        *(f"{kind}64[{unit}]" for kind in ("datetime", "timedelta") for unit in _UNITS),
    )
}
_STRINGS = (pa.large_string(), pa.string())
_LABEL_DTYPES = ("object", "str")


class TableError(ValueError):
    """A table that cannot cross to or from the worker; the message names the column.
    (Defined here, used everywhere as ``protocol.TableError``.)"""


def _dtype_name(dtype: Any) -> str | None:
    """The name a column of ``dtype`` crosses under, or ``None`` when it is not plain."""
    if isinstance(dtype, np.dtype):
        return dtype.name if dtype.isnative and dtype.name in _NUMPY else None
    return "str" if dtype == STR else None


def _label(name: Any) -> bool:
    return name is None or type(name) in (str, int)


def _raw(values: pd.Series | pd.Index, name: str) -> Any:
    return values.array if name == "str" else values.to_numpy()


def _arrow(values: Any) -> pa.Array | pa.ChunkedArray:
    # numpy columns without from_pandas: NaN stays a value, NaT becomes a null.
    if isinstance(values, np.ndarray):
        return pa.array(values, from_pandas=False)
    return pa.array(values)


def encode(df: pd.DataFrame) -> tuple[dict[str, Any], pa.Table] | None:
    """``(meta, table)`` for a plain frame whose labels are unique strings; ``None`` otherwise."""
    names = [_dtype_name(dtype) for dtype in df.dtypes]
    if None in names or str(df.columns.dtype) not in _LABEL_DTYPES:
        return None
    arrays = [_arrow(_raw(df.iloc[:, i], n)) for i, n in enumerate(names)]
    fields = list(df.columns)
    index = df.index
    if isinstance(index, pd.RangeIndex) and _label(index.name):
        shape: dict[str, Any] = {"range": [index.start, index.stop, index.step]}
    elif type(index) is pd.Index and _label(index.name) and _dtype_name(index.dtype):
        shape = {"column": _dtype_name(index.dtype)}
        arrays.append(_arrow(_raw(index, shape["column"])))
        fields.append("")
    else:
        return None
    shape["name"] = index.name
    meta = {"dtypes": names, "labels": str(df.columns.dtype), "index": shape}
    return meta, pa.Table.from_arrays(arrays, names=fields)


def fixed_width_view(
    column: pa.ChunkedArray, dtype: np.dtype, base: np.ndarray
) -> np.ndarray | None:
    """A writable view, in ``base``, of a one-chunk, null-free fixed-width ``column`` whose
    values lie in ``base`` (``None`` when they do not)."""
    if column.num_chunks != 1 or column.null_count:
        return None
    chunk = column.chunk(0)
    data = chunk.buffers()[1]
    if data is None:
        return None
    offset = data.address + chunk.offset * dtype.itemsize - base.ctypes.data
    if offset < 0 or offset + len(chunk) * dtype.itemsize > base.nbytes:
        return None
    return np.frombuffer(base, dtype=dtype, count=len(chunk), offset=offset)


def _values(column: pa.ChunkedArray, name: str, base: np.ndarray | None, where: str) -> Any:
    if name == "str":
        if column.type not in _STRINGS:
            raise TableError(f"{where} is {column.type}, not a string column")
        return STR.__from_arrow__(column)
    if column.type != _NUMPY[name]:
        raise TableError(f"{where} is {column.type}, not {name}")
    dtype = np.dtype(name)
    if column.null_count and dtype.kind in "iub":
        raise TableError(f"{where} has nulls, which {name} cannot hold")
    if dtype.kind != "b" and base is not None:
        view = fixed_width_view(column, dtype, base)
        if view is not None:
            return view
    values = column.to_numpy()  # nulls become NaN / NaT
    return values if values.flags.writeable else values.copy()


def _check(meta: Any) -> tuple[list[str], dict[str, Any]]:
    try:
        names, labels, shape = meta["dtypes"], meta["labels"], meta["index"]
        ok = (
            isinstance(names, list)
            and all(n in _NUMPY or n == "str" for n in names)
            and labels in _LABEL_DTYPES
            and isinstance(shape, dict)
            and _label(shape.get("name"))
        )
        if "range" in shape:
            ok = ok and len(shape["range"]) == 3 and all(type(v) is int for v in shape["range"])
            ok = ok and shape["range"][2] != 0
        else:
            ok = ok and (shape.get("column") in _NUMPY or shape.get("column") == "str")
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise TableError("bad description of a plain table")
    return names, shape


def decode(meta: Any, table: pa.Table, base: np.ndarray | None) -> pd.DataFrame:
    """The DataFrame ``encode`` described by ``meta``; numeric columns are writable views of
    ``base`` when the table was read from it (``base`` is then the caller's to hand over)."""
    names, shape = _check(meta)
    width = len(names) + ("column" in shape)
    if table.num_columns != width:
        raise TableError(f"plain table has {table.num_columns} columns, expected {width}")
    columns = {
        i: _values(table.column(i), name, base, f"column {table.field(i).name!r}")
        for i, name in enumerate(names)
    }
    if "range" in shape:
        index = pd.RangeIndex(*shape["range"], name=shape["name"])
        if names and len(index) != table.num_rows:
            raise TableError(f"index of {len(index)} rows for a table of {table.num_rows}")
    else:
        values = _values(table.column(len(names)), shape["column"], base, "the index")
        index = pd.Index(values, name=shape["name"], copy=False)
    df = pd.DataFrame(columns, index=index, copy=False)
    df.columns = pd.Index(table.column_names[: len(names)], dtype=meta["labels"])
    return df
