"""Plain DataFrames cross without pandas metadata: the common case, at a fraction of the cost.

``pa.Table.from_pandas`` and ``to_pandas`` spend ~0.3 ms per table on pandas metadata (JSON,
index reconstruction, dtype resolution), whatever its size: on a 10-row call that is most of the
sandbox's overhead, paid four times (server out, worker in, worker out, server in). A *plain*
frame, whose columns are numpy numbers, booleans, datetimes or timedeltas, or pandas' default
``str`` dtype, whose index is a ``RangeIndex`` or a plain ``Index`` of those, and whose labels
are unique strings, crosses as bare Arrow arrays; a few words of JSON in the header (``meta``)
say how to rebuild it. Anything else takes ``from_pandas`` (see ``protocol``). Columns of one
dtype travel side by side (``meta["order"]`` puts them back in place), so that ``decode`` can
give pandas one block of views over them, as pandas itself keeps them.

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
from pandas.api.internals import create_dataframe_from_blocks

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
# The dtypes of plain columns, to the name they cross under (``str`` is pandas' default).
_NAMES: dict[Any, str] = {np.dtype(name): name for name in _NUMPY} | {STR: "str"}
_STRINGS = (pa.large_string(), pa.string())
_LABEL_DTYPES = ("object", "str")


class TableError(ValueError):
    """A table that cannot cross to or from the worker; the message names the column.
    (Defined here, used everywhere as ``protocol.TableError``.)"""


def _dtype_name(dtype: Any) -> str | None:
    """The name a column of ``dtype`` crosses under, or ``None`` when it is not plain."""
    try:
        return _NAMES[dtype]
    except (KeyError, TypeError):  # not a plain dtype, or an unhashable one
        return None


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
    if str(df.columns.dtype) not in _LABEL_DTYPES:
        return None
    columns = list(df.items())  # cheaper than ``iloc`` per column
    names = [_dtype_name(series.dtype) for _, series in columns]
    if None in names:
        return None
    # Columns of one dtype side by side in the stream: the decoder can then make them one
    # pandas block without a copy (see ``_blocks``). ``order`` says where each field goes.
    order = sorted(range(len(names)), key=lambda i: (names[i], i))
    arrays = [_arrow(_raw(columns[i][1], names[i])) for i in order]
    fields = [columns[i][0] for i in order]
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
    meta = {"dtypes": [names[i] for i in order], "labels": str(df.columns.dtype), "index": shape}
    if order != sorted(order):
        meta["order"] = order
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
    """The column's values for pandas: a writable view of ``base`` where it can be, else
    memory of their own."""
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


def _evenly_spaced(run: list[np.ndarray]) -> np.ndarray | None:
    """The ``(k, rows)`` array over ``run``'s columns when they lie at equal steps in one
    buffer (as ``encode`` lays out null-free columns of one dtype), else ``None``."""
    first = run[0]
    rows, size = len(first), first.dtype.itemsize
    step = run[1].ctypes.data - first.ctypes.data
    if rows == 0 or step < rows * size or step % size:
        return None
    if any(col.ctypes.data != first.ctypes.data + i * step for i, col in enumerate(run)):
        return None
    return np.lib.stride_tricks.as_strided(
        first, shape=(len(run), rows), strides=(step, size), writeable=True
    )


def _blocks(values: list[Any], views: list[bool], positions: list[int]) -> list[Any]:
    """pandas blocks ``(array, placement)``: a run of same-dtype number columns that are views
    of one buffer becomes one 2D block (as pandas would consolidate them, but without a copy:
    a script's ``df.copy()`` otherwise consolidates them itself, a copy more than in-process)."""
    blocks: list[Any] = []
    i = 0
    while i < len(values):
        j = i + 1
        if views[i] and values[i].dtype.kind in "iuf":
            while j < len(values) and views[j] and values[j].dtype == values[i].dtype:
                j += 1
        joined = _evenly_spaced(values[i:j]) if j - i > 1 else None
        if joined is not None:
            blocks.append((joined, np.array(positions[i:j], dtype=np.intp)))
        else:
            j = i + 1
            one = values[i]
            blocks.append(
                (
                    one.reshape(1, -1) if isinstance(one, np.ndarray) else one,
                    np.array([positions[i]], dtype=np.intp),
                )
            )
        i = j
    return blocks


def _check(meta: Any) -> tuple[list[str], dict[str, Any], list[int]]:
    try:
        names, labels, shape = meta["dtypes"], meta["labels"], meta["index"]
        positions = meta.get("order", list(range(len(names))))
        ok = (
            isinstance(names, list)
            and isinstance(positions, list)
            and all(type(p) is int for p in positions)
            and sorted(positions) == list(range(len(names)))
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
    return names, shape, positions


def reads_values(meta: Any, table: pa.Table) -> bool:
    """Whether ``decode`` (into a ``base``) reads the values of ``table``, not only where they
    lie: for booleans, columns with nulls or in several chunks, text not in ``large_string``,
    and any table that is not plain. When it does not, the table can be decoded before its
    values are written (see ``worker``). Keep in step with ``_values``."""
    try:
        names, shape, _ = _check(meta)
    except TableError:
        return True
    if "column" in shape:
        names = [*names, shape["column"]]
    if table.num_columns != len(names):
        return True
    for i, name in enumerate(names):
        column = table.column(i)
        if name == "bool" or column.num_chunks != 1 or column.null_count:
            return True
        if name == "str" and column.type != pa.large_string():
            return True
    return False


def decode(meta: Any, table: pa.Table, base: np.ndarray | None) -> pd.DataFrame:
    """The DataFrame ``encode`` described by ``meta``; numeric columns are writable views of
    ``base`` when the table was read from it (``base`` is then the caller's to hand over)."""
    names, shape, positions = _check(meta)
    width = len(names) + ("column" in shape)
    if table.num_columns != width:
        raise TableError(f"plain table has {table.num_columns} columns, expected {width}")
    values = [
        _values(table.column(i), name, base, f"column {table.field(i).name!r}")
        for i, name in enumerate(names)
    ]
    if "range" in shape:
        index = pd.RangeIndex(*shape["range"], name=shape["name"])
        if names and len(index) != table.num_rows:
            raise TableError(f"index of {len(index)} rows for a table of {table.num_rows}")
    else:
        index_values = _values(table.column(len(names)), shape["column"], base, "the index")
        index = pd.Index(index_values, name=shape["name"], copy=False)
    labels: list[str] = [""] * len(names)
    for field, position in enumerate(positions):
        labels[position] = table.field(field).name
    views = [
        isinstance(v, np.ndarray) and base is not None and np.may_share_memory(v, base)
        for v in values
    ]
    return create_dataframe_from_blocks(
        _blocks(values, views, positions),
        index=index,
        columns=_labels(labels, meta["labels"]),
    )


def _labels(labels: list[str], dtype: str) -> pd.Index:
    if dtype == "str":  # three times faster than ``pd.Index(labels, dtype="str")``
        return pd.Index(STR.__from_arrow__(pa.array(labels, pa.large_string())))
    return pd.Index(labels, dtype=dtype)
