"""Messages between the server and a worker: a small JSON header, then Arrow IPC tables.

A message is ``>I`` header length, the UTF-8 JSON header, then for each entry of
``header["tables"]`` a ``>Q`` length and an Arrow IPC stream. Nothing is pickled: a worker
that has been subverted can send back bytes, never objects the server would execute.

Tables keep their values as pandas would: column labels that Arrow cannot carry (numbers,
tuples, duplicates) travel in the header, and object columns Arrow cannot type (mixed
``1``/``"a"``, lists, dicts) travel as JSON text and are decoded back to Python objects.

>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 2], 3: ["x", None], "m": [1, "b"]})
>>> meta, data = encode_table(df)
>>> back = decode_table(meta, data)
>>> list(back.columns), back["m"].tolist()
(['a', 3, 'm'], [1, 'b'])
"""

from __future__ import annotations

import datetime
import decimal
import json
import struct
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

__all__ = [
    "OutTable",
    "TableError",
    "decode_table",
    "dumps",
    "encode_table",
    "loads",
    "pack",
    "read_message",
    "write_parts",
]

HEAD = struct.Struct(">I")
SIZE = struct.Struct(">Q")
MAX_HEADER = 16 * 1024 * 1024
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


class TableError(ValueError):
    """A table that cannot cross to or from the worker; the message names the column."""


# -- JSON with a few tagged types (flow parameters, column labels) ---------------------------


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__}")


def _tag_tuples(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"$tuple": [_tag_tuples(v) for v in value]}
    if isinstance(value, list):
        return [_tag_tuples(v) for v in value]
    if isinstance(value, dict):
        return {k: _tag_tuples(v) for k, v in value.items()}
    return value


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key == "$datetime":
            return datetime.datetime.fromisoformat(value)
        if key == "$date":
            return datetime.date.fromisoformat(value)
        if key == "$decimal":
            return decimal.Decimal(value)
        if key == "$tuple":
            return tuple(value)
    return obj


def dumps(value: Any) -> bytes:
    return json.dumps(_tag_tuples(value), default=_default, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_hook)


# -- tables --------------------------------------------------------------------------------
# The labels, names and dtype of columns Arrow cannot name travel in ``meta`` as JSON.


def _plain_labels(columns: pd.Index) -> bool:
    return (
        not isinstance(columns, pd.MultiIndex)
        and columns.name is None
        and not columns.has_duplicates
        and all(type(c) is str for c in columns)
    )


def _is_null(value: Any) -> bool:
    # NaN is not null here: it travels as the JSON token NaN, so None and NaN both survive.
    return value is None or value is pd.NA


_JSON_SCALARS = (str, bool, int, float, list, dict, tuple)


def _json_column(series: pd.Series, name: Any) -> list[str | None]:
    out: list[str | None] = []
    for value in series.tolist():
        if _is_null(value):
            out.append(None)
            continue
        if not isinstance(value, _JSON_SCALARS):
            kinds = sorted({type(v).__name__ for v in series.tolist() if not _is_null(v)})
            raise TableError(f"column {name!r} mixes types that cannot be sent: {', '.join(kinds)}")
        try:
            out.append(json.dumps(value))
        except (TypeError, ValueError) as exc:
            raise TableError(f"column {name!r} holds a value that cannot be sent: {exc}") from None
    return out


def _needs_json(series: pd.Series) -> bool:
    """Object columns Arrow cannot type, would turn into arrays/structs (lists, dicts) or
    into the ``str`` dtype (strings, losing ``object`` and the None/NaN difference)."""
    try:
        kind = pa.array(series, from_pandas=True).type
    except _ARROW_ERRORS:
        return True
    return pa.types.is_nested(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _to_arrow(df: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    object_cols = [c for c in df.columns if df[c].dtype == object]
    json_cols = [c for c in object_cols if _needs_json(df[c])]
    if json_cols:
        df = df.copy(deep=False)
        for name in json_cols:
            df[name] = pd.Series(_json_column(df[name], name), index=df.index, dtype=object)
    try:
        return pa.Table.from_pandas(df, preserve_index=None), json_cols
    except _ARROW_ERRORS as exc:
        raise TableError(f"table cannot be sent: {exc}") from None


class OutTable:
    """A table ready to send: its Arrow IPC stream is written straight from the table's
    buffers into the pipe (no intermediate copy of a large table), ``size`` bytes long."""

    __slots__ = ("size", "table")

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        mock = pa.MockOutputStream()  # measures without copying
        self.write_to(mock.write)
        self.size = mock.size()

    def write_to(self, write: Callable[[Any], Any]) -> None:
        with pa.ipc.new_stream(pa.PythonFile(_Sink(write), mode="w"), self.table.schema) as out:
            out.write_table(self.table)

    def to_bytes(self) -> bytes:
        chunks: list[bytes] = []
        self.write_to(lambda chunk: chunks.append(bytes(chunk)))
        return b"".join(chunks)


class _Sink:
    """The minimal file object ``pa.PythonFile`` needs, forwarding to ``write``."""

    closed = False

    def __init__(self, write: Callable[[Any], Any]) -> None:
        self._write = write

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._write(view)
        return view.nbytes

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def encode_table(df: pd.DataFrame) -> tuple[dict[str, Any], OutTable]:
    """``(meta, table to send)`` for a DataFrame."""
    meta: dict[str, Any] = {}
    if not _plain_labels(df.columns):
        columns = df.columns
        meta["labels"] = list(columns)
        meta["names"] = list(columns.names)
        meta["multi"] = isinstance(columns, pd.MultiIndex)
        meta["dtype"] = None if meta["multi"] else str(columns.dtype)
        df = df.set_axis([f"c{i}" for i in range(len(columns))], axis=1)
    table, json_cols = _to_arrow(df)
    meta["json"] = json_cols
    return meta, OutTable(table)


def decode_table(meta: dict[str, Any], data: Any, *, validate: bool = False) -> pd.DataFrame:
    """The DataFrame of ``encode_table``; ``validate`` checks every offset first (for bytes
    coming from a worker, which is not trusted)."""
    if isinstance(data, OutTable):
        data = data.to_bytes()
    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
    if validate:
        table.validate(full=True)
    df = table.to_pandas()
    for name in meta.get("json", []):
        values = [None if v is None else json.loads(v) for v in table.column(name).to_pylist()]
        df[name] = pd.Series(values, index=df.index, dtype=object)
    if "labels" in meta:
        labels, names = meta["labels"], meta["names"]
        if meta.get("multi"):
            df.columns = pd.MultiIndex.from_tuples([tuple(x) for x in labels], names=names)
        else:
            df.columns = pd.Index(labels, name=names[0], dtype=meta.get("dtype"))
    return df


# -- framing --------------------------------------------------------------------------------


def pack(header: dict[str, Any], tables: Sequence[OutTable] = ()) -> list[Any]:
    """The parts of one message, in order: bytes, or an ``OutTable`` to stream."""
    head = dumps(header)
    parts: list[Any] = [HEAD.pack(len(head)), head]
    for table in tables:
        parts += [SIZE.pack(table.size), table]
    return parts


def write_parts(parts: Sequence[Any], write: Callable[[Any], Any]) -> None:
    for part in parts:
        if isinstance(part, OutTable):
            part.write_to(write)
        else:
            write(part)


def read_message(
    read_exact: Callable[[int], Any], max_table_bytes: int | None = None
) -> tuple[dict[str, Any], list[Any]]:
    """Read one message with ``read_exact(n)``; the header lists how many tables follow."""
    (size,) = HEAD.unpack(bytes(read_exact(HEAD.size)))
    if size > MAX_HEADER:
        raise TableError(f"message header of {size} bytes is too large")
    header = loads(bytes(read_exact(size)))
    blobs = []
    for _ in header.get("tables", ()):
        (length,) = SIZE.unpack(bytes(read_exact(SIZE.size)))
        if max_table_bytes is not None and length > max_table_bytes:
            raise TableError(f"table of {length} bytes is larger than allowed")
        blobs.append(read_exact(length))
    return header, blobs
